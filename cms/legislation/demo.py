"""Demo content for `manage.py seed_demo`."""


def seed_legislative_updates() -> None:
    """Creates what is missing; safe to run again. (Written by the legislation work.)"""
