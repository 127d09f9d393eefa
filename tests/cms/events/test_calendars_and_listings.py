"""iCalendar files parsed back with icalendar, the association calendar feed, listings, the
home page's selector, and the event_published domain event."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cms.events import selectors
from cms.events.models import EventPage
from config.events import subscribe
from tests.cms.events.factories import association_site, future_day, make_event, restrict_to_members
from tests.factories import member_of

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def site():
    return association_site(name="Missouri Child Support Enforcement Association", short_name="MCSEA", slug="mo",
                            contact_email="office@mcsea.example")


@pytest.fixture
def association(site):
    return site[0]


@pytest.fixture
def index(site):
    return site[1]


def parsed(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_event_ics_carries_the_events_zone_uid_url_and_location(client, index):
    event = make_event(
        index, title="Kansas City regional town hall", start_date=dt.date(2027, 1, 13), end_date=dt.date(2027, 1, 13),
        start_time=dt.time(10, 0), end_time=dt.time(11, 30), venue_name="Jackson County Courthouse",
        venue_address="415 E 12th St\nKansas City, MO 64106", online_url="https://meet.example.org/kc",
    )
    calendar = parsed(client.get(reverse("events:ical", args=[event.pk])))
    [component] = calendar.walk("VEVENT")
    start = component.decoded("dtstart")
    assert start == dt.datetime(2027, 1, 13, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert component["dtstart"].params["TZID"] == "America/Chicago"
    assert start.utcoffset() == dt.timedelta(hours=-6)
    assert component.decoded("dtend") - start == dt.timedelta(minutes=90)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert str(component["summary"]) == "Kansas City regional town hall"
    assert str(component["url"]).endswith(event.url)
    assert str(component["location"]) == "Jackson County Courthouse, 415 E 12th St Kansas City, MO 64106"
    assert "https://meet.example.org/kc" in str(component["description"])
    uid = str(component["uid"])
    # Editing and republishing keeps the UID, so calendars update the entry instead of adding one.
    event.title, event.start_time, event.end_time = "Kansas City town hall (moved)", dt.time(13, 0), dt.time(14, 30)
    event.save_revision().publish()
    [again] = parsed(client.get(reverse("events:ical", args=[event.pk]))).walk("VEVENT")
    assert str(again["uid"]) == uid
    assert again.decoded("dtstart") == dt.datetime(2027, 1, 13, 13, 0, tzinfo=ZoneInfo("America/Chicago"))


def test_webinar_ics_in_pacific_time(client, index):
    event = make_event(index, start_date=dt.date(2027, 7, 15), end_date=dt.date(2027, 7, 15), start_time=dt.time(10, 0),
                       end_time=dt.time(11, 30), time_zone="America/Los_Angeles", venue_name="", venue_address="", online_url="https://webinar.example.org/u")
    [component] = parsed(client.get(reverse("events:ical", args=[event.pk]))).walk("VEVENT")
    start = component.decoded("dtstart")
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 7, 15, 17, 0, tzinfo=dt.UTC)
    assert component["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert str(component["location"]) == "https://webinar.example.org/u"


def test_calendar_feed_lists_upcoming_public_live_events_only(client, association, index):
    soon = make_event(index, title="Soon", day=future_day(5))
    later = make_event(index, title="Later", day=future_day(50))
    make_event(index, title="Draft", day=future_day(10), publish=False)
    restricted = make_event(index, title="Members-only page", day=future_day(12))
    restrict_to_members(restricted, association)
    past = make_event(index, title="Past", day=future_day(20))
    EventPage.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=3), ends_at=timezone.now() - dt.timedelta(days=3, hours=-2)
    )
    # Registration for members only does not hide a public page.
    members_registration = make_event(index, title="Members register", day=future_day(15), audience=EventPage.Audience.MEMBERS)
    other_association_event = make_event(association_site(slug="wa")[1], title="Elsewhere", day=future_day(6))

    calendar = parsed(client.get(reverse("events:calendar", args=[association.slug])))
    titles = [str(component["summary"]) for component in calendar.walk("VEVENT")]
    assert titles == ["Soon", "Members register", "Later"]
    assert str(calendar["x-wr-calname"]) == "MCSEA events"
    uids = {str(component["uid"]) for component in calendar.walk("VEVENT")}
    assert len(uids) == 3
    assert {soon.pk, later.pk, members_registration.pk} == {int(uid.split("-")[2].split("@")[0]) for uid in uids}
    assert other_association_event.title not in titles


def test_calendar_feed_of_an_unknown_association_is_a_404(client):
    assert client.get(reverse("events:calendar", args=["nobody"])).status_code == 404


def test_restricted_event_ics_follows_the_pages_view_restriction(client, association, index):
    event = make_event(index)
    restrict_to_members(event, association)
    url = reverse("events:ical", args=[event.pk])
    assert client.get(url).status_code == 404
    assert client.get(event.url).status_code == 302  # Wagtail sends visitors to sign in
    client.force_login(member_of(association))
    assert client.get(url).status_code == 200
    assert client.get(event.url).status_code == 200


def test_draft_event_has_no_ics_and_takes_no_registration_page(client, index):
    draft = make_event(index, publish=False)
    assert client.get(reverse("events:ical", args=[draft.pk])).status_code == 404
    assert client.get(reverse("events:register", args=[draft.pk])).status_code == 404


# --- Listings and the home page's selector --------------------------------------------------------------


def test_upcoming_events_for_gives_live_public_future_events_soonest_first(association, index):
    home = association.home_page
    third = make_event(index, title="Third", day=future_day(30))
    first = make_event(index, title="First", day=future_day(3))
    second = make_event(index, title="Second", day=future_day(10))
    make_event(index, title="Draft", day=future_day(2), publish=False)
    restrict_to_members(make_event(index, title="Private", day=future_day(4)), association)
    started = make_event(index, title="Started", day=future_day(1))
    EventPage.objects.filter(pk=started.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    make_event(association_site(slug="wa")[1], title="Elsewhere", day=future_day(5))

    assert [e.title for e in selectors.upcoming_events_for(home)] == ["First", "Second", "Third"]
    assert [e.title for e in selectors.upcoming_events_for(home, limit=2)] == ["First", "Second"]
    assert {e.pk for e in selectors.upcoming_events_for(home)} == {first.pk, second.pk, third.pk}
    assert selectors.upcoming_events_for(home)[0].summary_line.startswith("Training workshop · ")


def test_upcoming_events_for_costs_one_query(association, index, django_assert_num_queries):
    for days in (3, 10, 30):
        make_event(index, day=future_day(days))
    home = association.home_page
    with django_assert_num_queries(2):  # the view restrictions, then the events
        events = selectors.upcoming_events_for(home)
        lines = [event.summary_line for event in events]
    assert len(lines) == 3


def test_events_index_shows_members_only_pages_to_members_only(client, association, index):
    make_event(index, title="Public workshop")
    restrict_to_members(make_event(index, title="Board retreat"), association)
    html = client.get(index.url).content.decode()
    assert "Public workshop" in html and "Board retreat" not in html
    client.force_login(member_of(association))
    html = client.get(index.url).content.decode()
    assert "Public workshop" in html and "Board retreat" in html
    assert reverse("events:calendar", args=[association.slug]) in html


def test_events_index_filters_by_kind(client, index):
    make_event(index, title="A webinar", kind=EventPage.Kind.WEBINAR)
    make_event(index, title="A town hall", kind=EventPage.Kind.TOWN_HALL)
    html = client.get(index.url + "?kind=webinar").content.decode()
    assert "A webinar" in html and "A town hall" not in html


def test_overview_lists_each_associations_upcoming_public_events(client, association, index):
    make_event(index, title="Missouri workshop")
    other, other_index = association_site(slug="wa", name="Western council")
    make_event(other_index, title="Western webinar")
    html = client.get(reverse("events:index")).content.decode()
    assert "Missouri workshop" in html and "Western webinar" in html
    assert reverse("events:calendar", args=["wa"]) in html


# --- Domain event --------------------------------------------------------------------------------------------


def test_publishing_an_event_emits_event_published(association, index, django_capture_on_commit_callbacks):
    heard = []

    def listener(**payload):
        heard.append(payload)

    subscribe("event_published", listener)
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(index)
    assert {"page_id": event.pk, "association_id": association.pk} in heard
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision()  # a draft is not a publication
    assert heard == []


def queries_for(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_event_and_index_pages_cost_the_same_queries_however_many_sessions_and_events(client, association, index):
    from cms.events import services
    from tests.cms.events.factories import credit_kind, session

    cle = credit_kind(association)
    small = make_event(index, sessions=[session("One", start=(9, 0), end=(10, 0), credits={cle: "1.2"})])
    services.register_guest(small, name="Guest", email="guest@agency.example")
    large = make_event(index, sessions=[
        session(f"Session {number}", start=(9 + number, 0), end=(9 + number, 50), credits={cle: "1"}) for number in range(6)
    ])
    for number in range(6):
        services.register_guest(large, name=f"Guest {number}", email=f"guest{number}@agency.example")
    client.force_login(member_of(association))
    client.get(small.url)  # warm the site-root cache
    assert queries_for(client, small.url) == queries_for(client, large.url)
    few = queries_for(client, index.url)
    for days in range(5):
        make_event(index, day=future_day(40 + days))
    client.get(index.url)  # adding pages cleared the site-root cache
    assert queries_for(client, index.url) == few
