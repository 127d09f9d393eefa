"""Wagtail signals for event pages."""

from wagtail.signals import page_published

from config.events import emit


def event_page_published(sender, instance, **kwargs):
    from cms.events.services import fill_open_seats
    from cms.selectors import association_for_page

    association = association_for_page(instance)
    emit("event_published", page_id=instance.pk, association_id=association.pk if association else None)
    # A raised capacity gives its new seats to the waitlist at once.
    fill_open_seats(instance)


def connect() -> None:
    from cms.events.models import EventPage

    page_published.connect(event_page_published, sender=EventPage, dispatch_uid="events.event_page_published")
