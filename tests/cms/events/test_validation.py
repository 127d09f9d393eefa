"""Event pages refuse bad dates, places, capacities and credit hours with a clear message on
the field concerned, in the model and in the Wagtail admin (which keeps what was typed)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.events import validation
from cms.events.models import CreditKind, EventPage, EventSession, SessionCredit
from members.models import Region, Role
from tests.cms.events.factories import association_site, credit_kind, future_day, make_event, session
from tests.factories import member_of

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def site():
    return association_site(short_name="MCSEA", slug="mo")


@pytest.fixture
def association(site):
    return site[0]


@pytest.fixture
def index(site):
    return site[1]


def errors_of(callable_) -> dict:
    with pytest.raises(ValidationError) as raised:
        callable_()
    return raised.value.message_dict


# --- The event's own fields ----------------------------------------------------------------------


def test_end_before_start_is_refused_on_the_end_date(index):
    errors = errors_of(lambda: make_event(index, start_date=future_day(10), end_date=future_day(9)))
    assert errors["end_date"] == ["The event must end on or after the day it starts."]


def test_end_time_before_start_time_on_one_day_is_refused(index):
    errors = errors_of(lambda: make_event(index, start_time=dt.time(14, 0), end_time=dt.time(9, 0)))
    assert errors["end_time"] == ["The event must end after it starts."]


def test_absurdly_long_event_is_refused(index):
    errors = errors_of(lambda: make_event(index, start_date=future_day(10), end_date=future_day(60)))
    assert "at most 31 days" in errors["end_date"][0]


def test_a_wall_time_skipped_by_daylight_saving_is_refused():
    errors, window = validation.event_window(
        dt.date(2027, 3, 14), dt.time(2, 30), dt.date(2027, 3, 14), dt.time(4, 0), "America/Chicago"
    )
    assert window is None
    assert "does not exist" in errors["start_time"]


def test_unknown_time_zone_is_refused(index):
    errors = errors_of(lambda: make_event(index, time_zone="Mars/Olympus_Mons"))
    assert "time_zone" in errors


def test_an_event_needs_a_venue_or_an_online_link(index):
    errors = errors_of(lambda: make_event(index, venue_name="", venue_address="", online_url=""))
    assert errors["venue_name"] == ["Give a venue, an online link, or both."]
    assert make_event(index, venue_name="", venue_address="", online_url="https://meet.example.org/x").place == "Online"
    errors = errors_of(lambda: make_event(index, venue_name="", venue_address="301 W High St", online_url="https://meet.example.org/x"))
    assert errors["venue_name"] == ["Give the venue's name as well as its address."]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/a", "meet.example.org"])
def test_online_link_must_be_http_or_https(index, url):
    errors = errors_of(lambda: make_event(index, online_url=url))
    assert "online_url" in errors


@pytest.mark.parametrize("capacity, message", [(0, "at least 1"), (-5, "at least 1"), (10_000_000, "at most 100,000")])
def test_capacity_must_be_positive_and_plausible(index, capacity, message):
    errors = errors_of(lambda: make_event(index, capacity=capacity))
    assert message in " ".join(errors["capacity"])


def test_empty_capacity_means_unlimited(index):
    event = make_event(index, capacity=None)
    assert event.capacity is None


def test_registration_must_close_after_it_opens_and_by_the_event(index):
    errors = errors_of(
        lambda: make_event(index, day=future_day(30), registration_opens_on=future_day(20), registration_closes_on=future_day(10))
    )
    assert errors["registration_closes_on"] == ["Registration must close on or after the day it opens."]
    errors = errors_of(lambda: make_event(index, day=future_day(30), registration_closes_on=future_day(31)))
    assert errors["registration_closes_on"] == ["Registration cannot close after the event's last day."]


def test_region_must_belong_to_the_events_association(index, association):
    other = association_site(slug="wa")[0]
    foreign = Region.objects.create(association=other, name="Puget Sound", slug="puget-sound")
    errors = errors_of(lambda: make_event(index, region=foreign))
    assert errors["region"] == ["Choose one of this association's regions."]
    own = Region.objects.create(association=association, name="Kansas City", slug="kansas-city")
    assert make_event(index, region=own).region == own


# --- Sessions and credit hours ----------------------------------------------------------------------


def test_sessions_must_fall_within_the_event(index):
    errors = errors_of(lambda: make_event(index, sessions=[session(start=(17, 0), end=(18, 0))]))
    assert "must fall within the event" in errors["__all__"][0]


@pytest.mark.parametrize(
    "hours, message",
    [
        ("-1", "must be more than 0"),
        ("0", "must be more than 0"),
        ("2.5", "more than this 100-minute session can earn: at most 2"),
        ("1.05", "steps of 0.1"),
        ("99", "more than this 100-minute session can earn"),
    ],
)
def test_bad_credit_hours_are_refused_with_a_clear_message(index, association, hours, message):
    cle = credit_kind(association)  # 50 minutes make one hour, steps of 0.1
    errors = errors_of(lambda: make_event(index, sessions=[session(start=(9, 0), end=(10, 40), credits={cle: hours})]))
    assert message in errors["__all__"][0]


def test_credit_hours_follow_the_kinds_own_hour(index, association):
    cle = credit_kind(association)  # Missouri Bar: 50 minutes
    mtr = credit_kind(association, code="mtr", name="MTR", minutes_per_hour=60, increment="0.25")
    event = make_event(index, sessions=[session(start=(9, 0), end=(10, 40), credits={cle: "2.0", mtr: "1.5"})])
    credits = {credit.credit_kind.code: credit.hours for credit in SessionCredit.objects.filter(session__page=event)}
    assert credits == {"cle": Decimal("2.00"), "mtr": Decimal("1.50")}
    assert validation.most_hours(100, 60, Decimal("0.25")) == Decimal("1.50")


# --- Display in the event's own zone -------------------------------------------------------------------


def test_times_show_in_the_events_zone_with_its_abbreviation(index):
    winter = make_event(index, start_date=dt.date(2026, 12, 9), end_date=dt.date(2026, 12, 9), start_time=dt.time(10, 0),
                        end_time=dt.time(11, 30), kind=EventPage.Kind.TOWN_HALL, venue_name="", venue_address="", online_url="https://meet.example.org/kc")
    assert winter.summary_line == "Regional town hall · Dec 9, 2026, 10:00 CST · Online"
    assert winter.when == "Wednesday, December 9, 2026, 10 a.m. – 11:30 a.m. CST"
    assert winter.starts_at == dt.datetime(2026, 12, 9, 16, 0, tzinfo=dt.UTC)
    pacific = make_event(index, start_date=dt.date(2027, 7, 1), end_date=dt.date(2027, 7, 2), time_zone="America/Los_Angeles")
    assert pacific.when == "Thursday, July 1, 2027, 9 a.m. – Friday, July 2, 2027, 4 p.m. PDT"
    assert pacific.starts_at == dt.datetime(2027, 7, 1, 16, 0, tzinfo=dt.UTC)


def test_event_spanning_a_clock_change_names_both_abbreviations(index):
    event = make_event(index, start_date=dt.date(2027, 11, 6), end_date=dt.date(2027, 11, 8))
    assert event.when == "Saturday, November 6, 2027, 9 a.m. CDT – Monday, November 8, 2027, 4 p.m. CST"


# --- The Wagtail admin --------------------------------------------------------------------------------------


def event_form(**overrides) -> dict:
    day = future_day(45).isoformat()
    fields = {
        "title": "Regional town hall", "slug": "regional-town-hall", "kind": "town_hall", "summary": "",
        "start_date": day, "start_time": "10:00", "end_date": day, "end_time": "11:30", "time_zone": "America/Chicago",
        "venue_name": "", "venue_address": "", "online_url": "https://meet.example.org/kc", "region": "",
        "audience": "members", "capacity": "40", "registration_opens_on": "", "registration_closes_on": "", "fee": "",
        "description": rich_text("<p>Bring your questions.</p>"), "accreditation": "",
        "sessions": inline_formset([]), "comments": inline_formset([]),
        "action-publish": "action-publish",
    }
    fields.update(overrides)
    return nested_form_data(fields)


def test_admin_publishes_an_event_with_sessions_and_credits(client, association, index):
    cle = credit_kind(association)
    client.force_login(member_of(association, Role.ADMIN))
    day = future_day(45).isoformat()
    sessions = inline_formset([{
        "title": "Legislative update", "date": day, "start_time": "10:00", "end_time": "11:30", "location": "",
        "speakers": "Beth Carver, MCSEA", "description": "",
        "credits": inline_formset([{"credit_kind": cle.pk, "hours": "1.8"}]),
    }])
    response = client.post(reverse("wagtailadmin_pages:add", args=["events", "eventpage", index.pk]), event_form(sessions=sessions))
    assert response.status_code == 302, response.content.decode()[:3000]
    event = EventPage.objects.get(slug="regional-town-hall")
    assert event.live and event.capacity == 40
    assert [(s.title, [(c.credit_kind, c.hours) for c in s.credits.all()]) for s in event.sessions.all()] == [
        ("Legislative update", [(cle, Decimal("1.80"))])
    ]


def test_admin_shows_field_errors_and_keeps_what_was_typed(client, association, index):
    cle = credit_kind(association)
    client.force_login(member_of(association, Role.ADMIN))
    day = future_day(45).isoformat()
    sessions = inline_formset([{
        "title": "Legislative update", "date": day, "start_time": "12:00", "end_time": "13:00", "location": "",
        "speakers": "", "description": "",
        "credits": inline_formset([{"credit_kind": cle.pk, "hours": "-2"}]),
    }])
    response = client.post(
        reverse("wagtailadmin_pages:add", args=["events", "eventpage", index.pk]),
        event_form(end_time="09:00", capacity="0", sessions=sessions, online_url="javascript:alert(1)"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["end_time"] == ["The event must end after it starts."]
    assert "at least 1" in form.errors["capacity"][0]
    assert "online_url" in form.errors
    html = response.content.decode()
    assert 'value="Regional town hall"' in html
    assert not EventPage.objects.exists()


def test_admin_refuses_sessions_outside_the_event_and_bad_hours_on_their_fields(client, association, index):
    cle = credit_kind(association)
    client.force_login(member_of(association, Role.ADMIN))
    day = future_day(45).isoformat()
    sessions = inline_formset([
        {"title": "Too late", "date": day, "start_time": "12:00", "end_time": "13:00", "location": "", "speakers": "",
         "description": "", "credits": inline_formset([])},
        {"title": "Too generous", "date": day, "start_time": "10:00", "end_time": "11:00", "location": "", "speakers": "",
         "description": "", "credits": inline_formset([{"credit_kind": cle.pk, "hours": "5"}])},
    ])
    response = client.post(reverse("wagtailadmin_pages:add", args=["events", "eventpage", index.pk]), event_form(sessions=sessions))
    assert response.status_code == 200
    session_forms = response.context["form"].formsets["sessions"].forms
    assert "must fall within the event" in session_forms[0].errors["date"][0]
    credit_form = session_forms[1].formsets["credits"].forms[0]
    assert "at most 1.2" in credit_form.errors["hours"][0]
    assert not EventPage.objects.exists()


def test_admin_offers_only_the_associations_own_regions_and_credit_kinds(client, association, index):
    other = association_site(slug="wa")[0]
    foreign_kind = credit_kind(other, name="Washington CLE")
    own_kind = credit_kind(association)
    Region.objects.create(association=other, name="Puget Sound", slug="puget-sound")
    Region.objects.create(association=association, name="Kansas City", slug="kansas-city")
    client.force_login(member_of(association, Role.ADMIN))
    response = client.get(reverse("wagtailadmin_pages:add", args=["events", "eventpage", index.pk]))
    html = response.content.decode()
    assert "Kansas City" in html and "Puget Sound" not in html
    assert own_kind.name in html and "Washington CLE" not in html
    day = future_day(45).isoformat()
    sessions = inline_formset([{
        "title": "Update", "date": day, "start_time": "10:00", "end_time": "11:00", "location": "", "speakers": "",
        "description": "", "credits": inline_formset([{"credit_kind": foreign_kind.pk, "hours": "1"}]),
    }])
    response = client.post(reverse("wagtailadmin_pages:add", args=["events", "eventpage", index.pk]), event_form(sessions=sessions))
    assert response.status_code == 200
    assert "credit_kind" in response.context["form"].formsets["sessions"].forms[0].formsets["credits"].forms[0].errors


def test_editing_moves_event_and_sessions_together(client, association, index):
    event = make_event(index, sessions=[session(start=(9, 0), end=(10, 0))])
    client.force_login(member_of(association, Role.ADMIN))
    later = future_day(60).isoformat()
    session_row = event.sessions.get()
    sessions = inline_formset(
        [{"id": session_row.pk, "title": session_row.title, "date": later, "start_time": "09:00", "end_time": "10:00",
          "location": "", "speakers": "", "description": "", "credits": inline_formset([])}],
        initial=1,
    )
    data = event_form(
        title=event.title, slug=event.slug, start_date=later, end_date=later, start_time="09:00", end_time="16:00",
        sessions=sessions,
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[event.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    event.refresh_from_db()
    assert event.start_date.isoformat() == later
    assert EventSession.objects.get(pk=session_row.pk).date.isoformat() == later


# --- Credit kinds in the admin ----------------------------------------------------------------------------


def grant_credit_kind_permissions(association):
    """What members.services.ensure_role_groups is asked to grant association admins."""
    from django.contrib.auth.models import Permission

    from members.models import RoleGroup

    group = RoleGroup.objects.get(association=association, role=Role.ADMIN).group
    group.permissions.add(*Permission.objects.filter(content_type__app_label="events", codename__endswith="creditkind"))


def test_association_admins_manage_only_their_own_credit_kinds(client, association):
    other = association_site(slug="wa")[0]
    own, foreign = credit_kind(association, name="CLE ethics"), credit_kind(other, name="Washington CLE")
    grant_credit_kind_permissions(association)
    client.force_login(member_of(association, Role.ADMIN))
    listing = client.get(reverse("wagtailsnippets_events_creditkind:list")).content.decode()
    assert "CLE ethics" in listing and "Washington CLE" not in listing
    assert client.get(reverse("wagtailsnippets_events_creditkind:edit", args=[own.pk])).status_code == 200
    # Wagtail answers a refusal with a redirect to the dashboard and a message.
    refused = client.get(reverse("wagtailsnippets_events_creditkind:edit", args=[foreign.pk]))
    assert (refused.status_code, refused.url) == (302, reverse("wagtailadmin_home"))
    client.post(reverse("wagtailsnippets_events_creditkind:delete", args=[foreign.pk]))
    assert CreditKind.objects.filter(pk=foreign.pk).exists()
    form = client.get(reverse("wagtailsnippets_events_creditkind:add")).context["form"]
    assert list(form.fields["association"].queryset) == [association]


def test_credit_kind_hour_length_must_be_plausible(association):
    kind = CreditKind(association=association, name="CLE", code="cle", minutes_per_hour=5)
    with pytest.raises(ValidationError) as refused:
        kind.full_clean()
    assert "at least 30 minutes" in refused.value.message_dict["minutes_per_hour"][0]
