"""Organisers export attendees and record attendance; attendees see their credits and print
certificates, which nobody else can open."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cms.events import selectors, services
from cms.events.models import EventPage, SessionAttendance
from members.models import Role
from tests.cms.events.factories import association_site, credit_kind, make_event, session
from tests.factories import UserFactory, member_of

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def site():
    return association_site(name="Missouri Child Support Enforcement Association", short_name="MCSEA", slug="mo")


@pytest.fixture
def association(site):
    return site[0]


@pytest.fixture
def index(site):
    return site[1]


@pytest.fixture
def conference(association, index):
    cle = credit_kind(association)  # 50-minute hour
    ethics = credit_kind(association, code="ethics", name="CLE ethics")
    mtr = credit_kind(association, code="mtr", name="MTR", minutes_per_hour=60, increment="0.25")
    return make_event(
        index, title="Annual training conference", kind=EventPage.Kind.CONFERENCE, capacity=10,
        sessions=[
            session("UIFSA 2008 in practice", start=(9, 0), end=(10, 30), credits={cle: "1.8", mtr: "1.5"}),
            session("Ethics for IV-D attorneys", start=(10, 45), end=(12, 25), credits={ethics: "2"}),
            session("Leading through change", start=(13, 30), end=(15, 0), credits={mtr: "1.5"}),
        ],
    )


def sessions_of(event):
    return {s.title: s for s in event.sessions.all()}


@pytest.fixture
def organiser(association):
    return member_of(association, Role.EDITOR)


# --- CSV export -----------------------------------------------------------------------------------


def test_attendee_csv_is_for_organisers_only(client, association, conference):
    url = reverse("events:attendees_csv", args=[conference.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(member_of(association))
    assert client.get(url).status_code == 403
    other_admin = member_of(association_site(slug="wa")[0], Role.ADMIN)
    client.force_login(other_admin)
    assert client.get(url).status_code == 403
    for organiser in (member_of(association, Role.ADMIN), member_of(association, Role.EDITOR)):
        client.force_login(organiser)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_attendee_csv_guards_against_formula_injection_and_parses_back(client, association, conference, organiser):
    member = member_of(association)
    services.register_member(member, conference)
    services.register_guest(conference, name="=HYPERLINK(\"http://evil.example\",\"x\")", email="a@agency.example", agency="+SUM(A1:A9)")
    services.register_guest(conference, name="@cmd", email="b@agency.example", agency="-2+3")
    services.record_attendance(sessions_of(conference)["UIFSA 2008 in practice"], attended={r.pk for r in conference.registrations.all()}, by=organiser)
    client.force_login(organiser)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("events:attendees_csv", args=[conference.pk])).content.decode())))
    assert [row["Email"] for row in rows] == [member.email, "a@agency.example", "b@agency.example"]
    assert rows[1]["Name"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert rows[1]["Agency or organisation"] == "'+SUM(A1:A9)"
    assert rows[2]["Name"] == "'@cmd" and rows[2]["Agency or organisation"] == "'-2+3"
    assert rows[0]["Registered as"] == "Member" and rows[1]["Registered as"] == "Guest"
    assert rows[0]["Attended: UIFSA 2008 in practice"] == "yes"
    assert rows[0]["Attended: Leading through change"] == ""
    assert rows[0]["Registered at"].endswith(("CST", "CDT"))


def test_csv_lists_the_waitlist_in_order(client, association, index, organiser):
    event = make_event(index, capacity=1)
    for letter in "abc":
        services.register_guest(event, name=f"Guest {letter}", email=f"{letter}@agency.example")
    client.force_login(organiser)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("events:attendees_csv", args=[event.pk])).content.decode())))
    assert [(row["Status"], row["Waitlist position"]) for row in rows] == [
        ("Registered", ""), ("On the waitlist", "1"), ("On the waitlist", "2"),
    ]


# --- Attendance -------------------------------------------------------------------------------------


def test_organiser_records_attendance_per_session_by_checkbox(client, association, conference, organiser):
    present, absent = member_of(association), member_of(association)
    present_registration = services.register_member(present, conference)
    services.register_member(absent, conference)
    uifsa = sessions_of(conference)["UIFSA 2008 in practice"]
    url = reverse("events:attendance", args=[conference.pk, uifsa.pk])
    client.force_login(organiser)
    page = client.get(url).content.decode()
    assert f'id="attended-{present_registration.pk}"' in page
    response = client.post(url, {"attended": [present_registration.pk]}, follow=True)
    assert "1 added, 0 removed" in response.content.decode()
    assert list(SessionAttendance.objects.values_list("registration__user", "session")) == [(present.pk, uifsa.pk)]
    # Unchecking removes; the page shows what is saved.
    client.post(url, {})
    assert not SessionAttendance.objects.exists()


def test_attendance_page_is_for_organisers_only(client, association, conference):
    uifsa = sessions_of(conference)["UIFSA 2008 in practice"]
    registration = services.register_member(member_of(association), conference)
    client.force_login(member_of(association))
    response = client.post(reverse("events:attendance", args=[conference.pk, uifsa.pk]), {"attended": [registration.pk]})
    assert response.status_code == 403
    assert not SessionAttendance.objects.exists()


def test_attendance_refuses_people_not_registered_for_the_event(client, association, index, conference, organiser):
    elsewhere = services.register_guest(make_event(index), name="Other", email="x@agency.example")
    uifsa = sessions_of(conference)["UIFSA 2008 in practice"]
    with pytest.raises(services.RegistrationError):
        services.record_attendance(uifsa, attended={elsewhere.pk}, by=organiser)
    client.force_login(organiser)
    response = client.post(reverse("events:attendance", args=[conference.pk, uifsa.pk]), {"attended": [elsewhere.pk]})
    assert response.status_code == 400
    assert not SessionAttendance.objects.exists()


def test_a_session_of_another_event_is_a_404(client, index, conference, organiser):
    other = make_event(index, sessions=[session("Elsewhere")])
    client.force_login(organiser)
    assert client.get(reverse("events:attendance", args=[conference.pk, other.sessions.get().pk])).status_code == 404


# --- My credits and certificates ------------------------------------------------------------------------


def test_my_credits_totals_hours_by_kind_from_recorded_attendance(client, association, index, conference, organiser):
    attendee = member_of(association)
    registration = services.register_member(attendee, conference)
    by_title = sessions_of(conference)
    for title in ("UIFSA 2008 in practice", "Ethics for IV-D attorneys"):
        services.record_attendance(by_title[title], attended={registration.pk}, by=organiser)
    cle = credit_kind(association)
    webinar = make_event(index, title="Webinar", sessions=[session("Case closure", start=(9, 0), end=(10, 0), credits={cle: "1.2"})])
    webinar_registration = services.register_member(attendee, webinar)
    services.record_attendance(webinar.sessions.get(), attended={webinar_registration.pk}, by=organiser)

    summary = selectors.credits_of(attendee)
    assert summary.totals == {"CLE (general)": Decimal("3.00"), "CLE ethics": Decimal("2.00"), "MTR": Decimal("1.50")}
    per_event = {item.registration.event.title: (item.sessions_attended, item.hours) for item in summary.events}
    assert per_event["Annual training conference"] == (
        2, {"CLE (general)": Decimal("1.80"), "CLE ethics": Decimal("2.00"), "MTR": Decimal("1.50")}
    )
    assert per_event["Webinar"] == (1, {"CLE (general)": Decimal("1.20")})

    client.force_login(attendee)
    html = client.get(reverse("events:my_credits")).content.decode()
    assert "<th scope=\"row\">CLE (general)</th><td class=\"text-right\">3</td>" in html
    assert "1.8 CLE (general)" in html


def test_my_credits_counts_nothing_without_attendance_or_for_someone_else(association, conference, organiser):
    attendee, other = member_of(association), member_of(association)
    registration = services.register_member(attendee, conference)
    services.register_member(other, conference)
    assert selectors.credits_of(attendee).events == []
    services.record_attendance(sessions_of(conference)["Leading through change"], attended={registration.pk}, by=organiser)
    assert selectors.credits_of(other).totals == {}
    assert selectors.credits_of(attendee).totals == {"MTR": Decimal("1.50")}


def test_certificate_shows_sessions_attended_and_hours(client, association, conference, organiser):
    attendee = member_of(association)
    registration = services.register_member(attendee, conference)
    by_title = sessions_of(conference)
    services.record_attendance(by_title["UIFSA 2008 in practice"], attended={registration.pk}, by=organiser)
    services.record_attendance(by_title["Leading through change"], attended={registration.pk}, by=organiser)
    client.force_login(attendee)
    html = client.get(reverse("events:certificate", args=[registration.pk])).content.decode()
    assert "Certificate of attendance" in html
    assert registration.name in html and "Annual training conference" in html
    assert "UIFSA 2008 in practice" in html and "Leading through change" in html
    assert "Ethics for IV-D attorneys" not in html
    assert "<strong>1.8</strong> CLE (general)" in html and "<strong>3</strong> MTR" in html
    assert "@media print" in html


def test_certificate_is_only_for_the_attendee_and_organisers(client, association, conference, organiser):
    registration = services.register_member(member_of(association), conference)
    url = reverse("events:certificate", args=[registration.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in
    for stranger in (member_of(association), UserFactory(), member_of(association_site(slug="wa")[0], Role.ADMIN)):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
    client.force_login(organiser)
    assert client.get(url).status_code == 200


def test_guest_gets_the_certificate_through_their_signed_link(client, conference, organiser):
    guest = services.register_guest(conference, name="Marcus Lee", email="lee@dcf.kansas.example", agency="Kansas DCF")
    services.record_attendance(sessions_of(conference)["Ethics for IV-D attorneys"], attended={guest.pk}, by=organiser)
    token = services.guest_token(guest)
    page = client.get(reverse("events:guest_registration", args=[token])).content.decode()
    assert reverse("events:guest_certificate", args=[token]) in page
    html = client.get(reverse("events:guest_certificate", args=[token])).content.decode()
    assert "Marcus Lee" in html and "<strong>2</strong> CLE ethics" in html
    assert client.get(reverse("events:guest_certificate", args=[token + "x"])).status_code == 404


def test_organisers_manage_page_lists_registrations_and_sessions(client, association, conference, organiser):
    services.register_guest(conference, name="Marcus Lee", email="lee@dcf.kansas.example", agency="Kansas DCF")
    client.force_login(organiser)
    html = client.get(reverse("events:manage", args=[conference.pk])).content.decode()
    assert "Marcus Lee" in html and "1 registered of 10 seats" in html
    assert reverse("events:attendance", args=[conference.pk, sessions_of(conference)["UIFSA 2008 in practice"].pk]) in html
    client.force_login(member_of(association))
    assert client.get(reverse("events:manage", args=[conference.pk])).status_code == 403


def admin_form_for(event, delete=()):
    """The Wagtail editor's form data for `event` as it stands (sessions and credit lines)."""
    from wagtail.test.utils.form_data import inline_formset

    from tests.cms.events.test_validation import event_form

    sessions = [
        {"id": row.pk, "title": row.title, "date": row.date.isoformat(), "start_time": row.start_time.strftime("%H:%M"),
         "end_time": row.end_time.strftime("%H:%M"), "location": row.location, "speakers": row.speakers,
         "description": row.description, "DELETE": "1" if row in delete else "",
         "credits": inline_formset(
             [{"id": credit.pk, "credit_kind": credit.credit_kind_id, "hours": str(credit.hours)} for credit in row.credits.all()],
             initial=row.credits.count(),
         )}
        for row in event.sessions.all()
    ]
    return event_form(
        title=event.title, slug=event.slug, kind=event.kind, audience=event.audience, capacity=str(event.capacity or ""),
        online_url=event.online_url, venue_name=event.venue_name, venue_address=event.venue_address,
        start_date=event.start_date.isoformat(), end_date=event.end_date.isoformat(),
        start_time=event.start_time.strftime("%H:%M"), end_time=event.end_time.strftime("%H:%M"),
        sessions=inline_formset(sessions, initial=len(sessions)),
    )


def test_a_session_with_recorded_attendance_cannot_be_removed_in_the_admin(client, association, conference, organiser):
    registration = services.register_member(member_of(association), conference)
    first = conference.sessions.first()
    services.record_attendance(first, attended={registration.pk}, by=organiser)
    client.force_login(member_of(association, Role.ADMIN))
    response = client.post(reverse("wagtailadmin_pages:edit", args=[conference.pk]), admin_form_for(conference, delete=[first]))
    assert response.status_code == 200
    assert "has recorded attendance" in " ".join(response.context["form"].non_field_errors())
    assert SessionAttendance.objects.filter(session=first).exists()
    # Without the removal the same form saves.
    response = client.post(reverse("wagtailadmin_pages:edit", args=[conference.pk]), admin_form_for(conference))
    assert response.status_code == 302


def test_wagtail_admin_links_organisers_to_attendees_and_previews_sessions(client, association, index, conference):
    client.force_login(member_of(association, Role.ADMIN))
    listing = client.get(reverse("wagtailadmin_explore", args=[index.pk])).content.decode()
    assert reverse("events:manage", args=[conference.pk]) in listing
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[conference.pk]))
    assert edit.status_code == 200
    assert reverse("events:manage", args=[conference.pk]) in edit.content.decode()
    data = admin_form_for(conference)
    data["sessions-1-title"] = "Ethics for IV-D attorneys (draft title)"
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[conference.pk])
    assert client.post(preview_url, data).json()["is_valid"] is True
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert "Ethics for IV-D attorneys (draft title)" in preview.content.decode()
