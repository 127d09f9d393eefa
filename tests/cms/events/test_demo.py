"""The demo events: three upcoming events with sessions, credits and registrations,
created once however often seeding runs, and readable by anyone."""

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from cms.demo import seed_members_only_pages, seed_pages
from cms.events.demo import seed_events
from cms.events.models import CreditKind, EventPage, Registration, SessionCredit
from members.demo import seed_admin, seed_associations, seed_people

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def demo_people():
    """What seed_demo builds before the events (members, association sites)."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        seed_associations()
        seed_pages()
        seed_people(seed_admin())
        seed_members_only_pages()


def test_seed_events_builds_three_upcoming_events_once(demo_people, client):
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        seed_events()
        counts = (EventPage.objects.count(), Registration.objects.count(), SessionCredit.objects.count(), CreditKind.objects.count())
        seed_events()
    assert (EventPage.objects.count(), Registration.objects.count(), SessionCredit.objects.count(), CreditKind.objects.count()) == counts

    events = {event.slug: event for event in EventPage.objects.live()}
    assert set(events) == {"annual-training-conference", "kansas-city-town-hall", "uifsa-intergovernmental-webinar"}
    assert all(event.starts_at > timezone.now() for event in events.values())

    conference = events["annual-training-conference"]
    assert conference.audience == EventPage.Audience.OPEN and conference.capacity
    assert (conference.end_date - conference.start_date).days == 2
    hours = {}
    for credit in SessionCredit.objects.filter(session__page=conference).select_related("credit_kind"):
        hours[credit.credit_kind.code] = hours.get(credit.credit_kind.code, 0) + credit.hours
    # Missouri Bar CLE hours include the ethics hours.
    assert hours["cle"] + hours["ethics"] > 15 and hours["ethics"] >= 2 and hours["mtr"] > 0
    assert conference.registrations.filter(kind=Registration.Kind.GUEST).exists()

    town_hall = events["kansas-city-town-hall"]
    assert town_hall.audience == EventPage.Audience.MEMBERS
    assert town_hall.region.name == "Kansas City"
    assert "CST" in town_hall.summary_line or "CDT" in town_hall.summary_line

    webinar = events["uifsa-intergovernmental-webinar"]
    assert webinar.kind == EventPage.Kind.WEBINAR and webinar.time_zone == "America/Los_Angeles"
    assert webinar.registrations.filter(user__email="priya.natarajan@western.comity.test").exists()

    for event in events.values():
        assert client.get(event.url).status_code == 200
    assert client.get(conference.get_parent().url).status_code == 200
