"""Demo content for `manage.py seed_demo`."""


def seed_newsletters() -> None:
    """Creates what is missing; safe to run again. (Written by the newsletters work.)"""
