"""iCalendar (RFC 5545) files: one event, or an association's calendar feed of upcoming
public events. Times carry the event's own time zone (TZID) with a VTIMEZONE for it."""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar, Event, vCalAddress

from config.mail import absolute_url
from cms.events.models import EventPage

PRODUCT_ID = "-//Comity//Association events//EN"


def uid_for(event: EventPage) -> str:
    """Stable for the life of the page, whatever its title or dates become."""
    return f"comity-event-{event.pk}@{urlsplit(settings.SITE_URL).hostname or 'comity'}"


def event_component(event: EventPage, association=None) -> Event:
    component = Event()
    url = absolute_url(event.get_url() or "/")
    component.add("uid", uid_for(event))
    component.add("dtstamp", event.last_published_at or timezone.now())
    if event.last_published_at:
        component.add("last-modified", event.last_published_at)
    zone = event.zone
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("summary", event.title)
    description = [event.summary or strip_tags(event.description)[:500]]
    if event.online_url:
        description.append(f"Join online: {event.online_url}")
    description.append(f"Details and registration: {url}")
    component.add("description", "\n\n".join(part for part in description if part))
    location = ", ".join(part for part in (event.venue_name, " ".join(event.venue_address.split())) if part)
    component.add("location", location or event.online_url)
    component.add("url", url)
    component.add("categories", [event.get_kind_display()])
    component.add("status", "CONFIRMED")
    if association is not None and association.contact_email:
        organizer = vCalAddress(f"mailto:{association.contact_email}")
        organizer.params["cn"] = association.name
        component.add("organizer", organizer)
    return component


def calendar_bytes(events: list[EventPage], *, name: str, association=None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    events = [event for event in events if event.starts_at and event.ends_at]
    for event in events:
        calendar.add_component(event_component(event, association=association))
    if events:
        # Transitions for the years the events span are enough for any calendar program.
        first = min(event.starts_at for event in events).date() - dt.timedelta(days=366)
        last = max(event.ends_at for event in events).date() + dt.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
