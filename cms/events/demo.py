"""Demo content for `manage.py seed_demo`."""


def seed_events() -> None:
    """Creates what is missing; safe to run again. (Written by the events work.)"""
