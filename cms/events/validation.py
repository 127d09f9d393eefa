"""Rules for event dates, sessions and credit hours, shared by the page model (programmatic
saves) and the Wagtail admin form (which shows each message on the field it concerns).

Editors type dates and times as the event's own wall clock (a town hall at 10:00 in Kansas
City); these helpers turn them into aware datetimes in the event's IANA time zone.
"""

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat

# U.S. zones first (with the territories the western council serves), then UTC.
TIME_ZONE_CHOICES = [
    ("America/New_York", "Eastern (America/New_York)"),
    ("America/Chicago", "Central (America/Chicago)"),
    ("America/Denver", "Mountain (America/Denver)"),
    ("America/Phoenix", "Mountain, no daylight saving: most of Arizona (America/Phoenix)"),
    ("America/Los_Angeles", "Pacific (America/Los_Angeles)"),
    ("America/Anchorage", "Alaska (America/Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Pacific/Honolulu)"),
    ("America/Puerto_Rico", "Atlantic: Puerto Rico, U.S. Virgin Islands (America/Puerto_Rico)"),
    ("Pacific/Guam", "Chamorro: Guam, Northern Mariana Islands (Pacific/Guam)"),
    ("Pacific/Pago_Pago", "Samoa: American Samoa (Pacific/Pago_Pago)"),
    ("UTC", "Coordinated Universal Time (UTC)"),
]
MAX_EVENT_DAYS = 31
MAX_CAPACITY = 100_000
CREDIT_INCREMENT_CHOICES = [("0.1", "0.1 hour"), ("0.25", "0.25 hour"), ("0.5", "0.5 hour"), ("1", "1 hour")]


class NonexistentLocalTime(ValueError):
    """A wall-clock time that a spring-forward clock change skips (2:30 a.m. on that day)."""


def zone_named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_datetime(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The aware datetime of `day` at `time` on the wall clocks of `zone`."""
    naive = dt.datetime.combine(day, time)
    value = naive.replace(tzinfo=zone)
    # A skipped wall time does not survive a round trip through UTC.
    if value.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(f"{time:%H:%M} does not exist on {day:%B %-d, %Y} in {zone.key}: the clocks change.")
    return value


def format_local(value: dt.datetime, zone: ZoneInfo, pattern: str) -> str:
    """Django date-format `pattern` applied to `value` as seen in `zone` (T gives e.g. CST)."""
    return dateformat.format(value.astimezone(zone), pattern)


def window_text(starts_at: dt.datetime, ends_at: dt.datetime, zone: ZoneInfo) -> str:
    """"Tuesday, September 14, 2027, 8:30 a.m. – Thursday, September 16, 2027, 4:30 p.m. CDT"
    or, within one day, "Wednesday, December 9, 2026, 10 a.m. – 11:30 a.m. CST"."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if start.date() == end.date():
        text = f"{dateformat.format(start, 'l, F j, Y, P')} – {dateformat.format(end, 'P')}"
    else:
        text = f"{dateformat.format(start, 'l, F j, Y, P')} – {dateformat.format(end, 'l, F j, Y, P')}"
    start_abbreviation, end_abbreviation = dateformat.format(start, "T"), dateformat.format(end, "T")
    if start_abbreviation != end_abbreviation:  # a clock change during the event
        return text.replace(" – ", f" {start_abbreviation} – ") + f" {end_abbreviation}"
    return f"{text} {end_abbreviation}"


# --- The event itself -----------------------------------------------------------------------


def event_window(start_date, start_time, end_date, end_time, time_zone) -> tuple[dict, tuple | None]:
    """Check an event's dates; returns (field errors, (starts_at, ends_at) or None). Missing
    values (a draft) are not errors here: required fields are checked by the form."""
    errors: dict[str, str] = {}
    zone = zone_named(time_zone)
    if time_zone and zone is None:
        errors["time_zone"] = f"“{time_zone}” is not a time zone; choose one from the list (an IANA name such as America/Chicago)."
    if zone is None or None in (start_date, start_time, end_date, end_time):
        return errors, None
    try:
        starts_at = local_datetime(start_date, start_time, zone)
    except NonexistentLocalTime as problem:
        errors["start_time"] = str(problem)
    try:
        ends_at = local_datetime(end_date, end_time, zone)
    except NonexistentLocalTime as problem:
        errors["end_time"] = str(problem)
    if errors:
        return errors, None
    if end_date < start_date:
        errors["end_date"] = "The event must end on or after the day it starts."
    elif ends_at <= starts_at:
        errors["end_time"] = "The event must end after it starts."
    elif (end_date - start_date).days >= MAX_EVENT_DAYS:
        errors["end_date"] = f"An event can last at most {MAX_EVENT_DAYS} days; list a longer programme as separate events."
    return errors, None if errors else (starts_at, ends_at)


def registration_window_errors(opens_on, closes_on, start_date, end_date) -> dict[str, str]:
    errors = {}
    if opens_on and closes_on and closes_on < opens_on:
        errors["registration_closes_on"] = "Registration must close on or after the day it opens."
    if opens_on and end_date and opens_on > end_date:
        errors["registration_opens_on"] = "Registration must open before the event ends."
    if closes_on and end_date and closes_on > end_date:
        errors["registration_closes_on"] = "Registration cannot close after the event's last day."
    return errors


def place_errors(venue_name: str, venue_address: str, online_url: str) -> dict[str, str]:
    if (venue_address or "").strip() and not (venue_name or "").strip():
        return {"venue_name": "Give the venue's name as well as its address."}
    if (venue_name or "").strip() or (online_url or "").strip():
        return {}
    message = "Give a venue, an online link, or both."
    return {"venue_name": message, "online_url": message}


# --- Sessions and credit hours ------------------------------------------------------------------


def session_window(day, start_time, end_time, zone: ZoneInfo | None) -> tuple[dict, tuple | None]:
    errors: dict[str, str] = {}
    if zone is None or None in (day, start_time, end_time):
        return errors, None
    try:
        starts_at = local_datetime(day, start_time, zone)
        ends_at = local_datetime(day, end_time, zone)
    except NonexistentLocalTime as problem:
        return {"start_time": str(problem)}, None
    if ends_at <= starts_at:
        return {"end_time": "A session must end after it starts (on the same day)."}, None
    return errors, (starts_at, ends_at)


def session_errors(day, start_time, end_time, zone, event: tuple | None) -> tuple[dict, int | None]:
    """Field errors for a session, and its length in minutes when its times are sound.
    `event` is the event's (starts_at, ends_at) when known."""
    errors, window = session_window(day, start_time, end_time, zone)
    if window is None:
        return errors, None
    starts_at, ends_at = window
    if event is not None and (starts_at < event[0] or ends_at > event[1]):
        return {"date": f"Sessions must fall within the event ({window_text(event[0], event[1], zone)})."}, None
    return errors, int((ends_at - starts_at).total_seconds() // 60)


def most_hours(session_minutes: int, minutes_per_hour: int, increment: Decimal) -> Decimal:
    """The most credit hours of a kind a session of this length can earn, in whole steps."""
    hours = Decimal(session_minutes) / Decimal(minutes_per_hour)
    return (hours / increment).to_integral_value(rounding=ROUND_FLOOR) * increment


def credit_hours_error(hours, *, kind_name: str, minutes_per_hour: int, increment: Decimal, session_minutes: int | None) -> str | None:
    if hours is None:
        return None
    hours = Decimal(hours)
    if hours <= 0:
        return "Credit hours must be more than 0; remove the line if the session earns none of this kind."
    if hours % increment:
        return f"Record {kind_name} hours in steps of {increment.normalize()} hour (for example {(increment * 5).normalize()})."
    if session_minutes is not None:
        limit = most_hours(session_minutes, minutes_per_hour, increment)
        if hours > limit:
            return (
                f"{hours.normalize()} {kind_name} hours is more than this {session_minutes}-minute session can earn: "
                f"at most {limit.normalize()} ({minutes_per_hour} minutes make one {kind_name} hour)."
            )
    return None
