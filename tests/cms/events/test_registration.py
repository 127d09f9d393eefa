"""Registering for events: members, non-members with an account, guests, the members-only
rule, duplicates, the waitlist, cancellation with promotion, and the emails."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cms.events import selectors, services
from cms.events.models import EventPage, Registration
from members.models import Role
from tests.cms.events.factories import association_site, future_day, make_event
from tests.factories import JurisdictionFactory, UserFactory, member_of

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


def register_guest(event, email="lee@dcf.kansas.example", name="Marcus Lee", **kwargs):
    return services.register_guest(event, name=name, email=email, agency="Kansas DCF", **kwargs)


# --- Members and non-members ---------------------------------------------------------------------


def test_member_registers_and_gets_a_confirmation_email(association, index, django_capture_on_commit_callbacks):
    member = member_of(association)
    event = make_event(index, audience=EventPage.Audience.MEMBERS, capacity=20)
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register_member(member, event)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.kind == Registration.Kind.MEMBER
    assert registration.agency == "Division of Child Support"
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "You are registered" in mail.outbox[0].subject
    assert event.title in mail.outbox[0].body
    assert "/events/my/" in mail.outbox[0].body


def test_signed_in_non_member_registers_for_an_open_event_with_their_account(association, index):
    outsider = UserFactory()
    event = make_event(index, audience=EventPage.Audience.OPEN)
    registration = services.register_member(outsider, event)
    assert registration.kind == Registration.Kind.ACCOUNT
    assert registration.user == outsider


def test_guest_registers_for_an_open_event(association, index, django_capture_on_commit_callbacks):
    event = make_event(index, audience=EventPage.Audience.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        registration = register_guest(event, email="  Lee@DCF.Kansas.example ", jurisdiction=JurisdictionFactory(code="KS"))
    assert registration.kind == Registration.Kind.GUEST
    assert registration.user is None
    assert registration.email == "lee@dcf.kansas.example"
    assert registration.jurisdiction.code == "KS"
    # The email carries the signed link that lets the guest manage the registration. The token
    # is signed with a timestamp, so read it from the email rather than signing it again.
    link_prefix = reverse("events:guest_registration", args=["TOKEN"]).removesuffix("TOKEN/")
    token = re.search(re.escape(link_prefix) + r"([^/\s]+)/", mail.outbox[0].body).group(1)
    assert services.registration_for_guest_token(token) == registration


def test_guest_is_refused_a_members_only_event_with_a_clear_message(association, index):
    event = make_event(index, audience=EventPage.Audience.MEMBERS)
    with pytest.raises(services.RegistrationError, match="for members of Missouri Child Support Enforcement Association only"):
        register_guest(event)
    assert not Registration.objects.exists()


def test_signed_in_non_member_is_refused_a_members_only_event(association, index):
    other_association_member = member_of(association_site(slug="wa")[0])
    lapsed = member_of(association, status="lapsed")
    event = make_event(index, audience=EventPage.Audience.MEMBERS)
    for user in (other_association_member, lapsed):
        with pytest.raises(services.RegistrationError, match="no active membership"):
            services.register_member(user, event)
    assert not Registration.objects.exists()


def test_anonymous_user_cannot_use_the_member_path(index):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.register_member(AnonymousUser(), make_event(index))


def test_guest_details_are_checked(index):
    event = make_event(index)
    with pytest.raises(services.RegistrationError) as refused:
        services.register_guest(event, name="  ", email="not-an-email")
    assert set(refused.value.message_dict) == {"name", "email"}


# --- Duplicates ---------------------------------------------------------------------------------------


def test_duplicate_registration_of_a_member_is_refused(association, index):
    member = member_of(association)
    event = make_event(index)
    services.register_member(member, event)
    with pytest.raises(services.RegistrationError, match="already registered"):
        services.register_member(member, event)
    assert event.registrations.count() == 1


def test_duplicate_guest_email_is_refused_whatever_its_case(index):
    event = make_event(index)
    register_guest(event, email="lee@dcf.kansas.example")
    with pytest.raises(services.RegistrationError) as refused:
        register_guest(event, email="LEE@dcf.kansas.EXAMPLE", name="Someone else")
    assert "already registered" in refused.value.message_dict["email"][0]


def test_a_guest_cannot_take_a_second_seat_with_a_members_email(association, index):
    member = member_of(association)
    event = make_event(index)
    services.register_member(member, event)
    with pytest.raises(services.RegistrationError):
        register_guest(event, email=member.email.upper())


def test_after_cancelling_a_person_may_register_again(association, index):
    member = member_of(association)
    event = make_event(index)
    first = services.register_member(member, event)
    services.cancel_registration(first, by=member)
    again = services.register_member(member, event)
    assert again.pk != first.pk and again.status == Registration.Status.CONFIRMED


# --- Registration window -------------------------------------------------------------------------------


def test_registration_closes_at_the_end_of_the_closing_day_in_the_events_zone(index):
    event = make_event(index, day=future_day(10), registration_closes_on=future_day(-1))
    with pytest.raises(services.RegistrationError, match="has closed"):
        register_guest(event)


def test_registration_not_yet_open(index):
    event = make_event(index, day=future_day(40), registration_opens_on=future_day(5))
    with pytest.raises(services.RegistrationError, match="Registration opens on"):
        register_guest(event)


def test_registration_closes_when_the_event_starts(index):
    event = make_event(index, day=future_day(3))
    EventPage.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(services.RegistrationError, match="has closed"):
        register_guest(event)


def test_unpublished_event_takes_no_registrations(index):
    event = make_event(index)
    event.unpublish()
    with pytest.raises(services.RegistrationError, match="not open for registration"):
        register_guest(event)


# --- Capacity, waitlist, cancellation -------------------------------------------------------------------


def test_full_event_puts_people_on_the_waitlist_in_order(association, index):
    event = make_event(index, capacity=1)
    first = register_guest(event, email="a@agency.example")
    second = register_guest(event, email="b@agency.example")
    third = services.register_member(member_of(association), event)
    assert first.status == Registration.Status.CONFIRMED
    assert (second.status, third.status) == (Registration.Status.WAITLISTED, Registration.Status.WAITLISTED)
    assert selectors.waitlist_position(second) == 1
    assert selectors.waitlist_position(third) == 2
    assert selectors.seat_counts(event) == {"confirmed": 1, "waitlisted": 2, "seats_left": 0}


def test_waitlisted_guest_is_told_their_place(index, django_capture_on_commit_callbacks):
    event = make_event(index, capacity=1)
    register_guest(event, email="a@agency.example")
    with django_capture_on_commit_callbacks(execute=True):
        register_guest(event, email="b@agency.example")
    assert "waitlist" in mail.outbox[-1].subject
    assert "place 1" in mail.outbox[-1].body
    assert event.online_url == "" or event.online_url not in mail.outbox[-1].body


def test_cancelling_gives_the_seat_to_the_first_on_the_waitlist_and_emails_them(association, index, django_capture_on_commit_callbacks):
    member = member_of(association)
    event = make_event(index, capacity=1)
    seat = services.register_member(member, event)
    first_waiting = register_guest(event, email="a@agency.example")
    second_waiting = register_guest(event, email="b@agency.example")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(seat, by=member)
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    seat.refresh_from_db()
    assert seat.status == Registration.Status.CANCELLED
    assert first_waiting.status == Registration.Status.CONFIRMED
    assert second_waiting.status == Registration.Status.WAITLISTED
    assert selectors.waitlist_position(second_waiting) == 1
    recipients = {message.to[0]: message.subject for message in mail.outbox}
    assert "A seat opened for you" in recipients["a@agency.example"]
    assert "cancelled" in recipients[member.email]
    assert "b@agency.example" not in recipients


def test_cancelling_a_waitlisted_registration_promotes_nobody(index):
    event = make_event(index, capacity=1)
    register_guest(event, email="a@agency.example")
    waiting = register_guest(event, email="b@agency.example")
    also_waiting = register_guest(event, email="c@agency.example")
    services.cancel_guest_registration(services.guest_token(waiting))
    also_waiting.refresh_from_db()
    assert also_waiting.status == Registration.Status.WAITLISTED


def test_only_the_registrant_or_an_organiser_cancels(association, index):
    member, other = member_of(association), member_of(association)
    editor = member_of(association, Role.EDITOR)
    event = make_event(index)
    registration = services.register_member(member, event)
    with pytest.raises(PermissionDenied):
        services.cancel_registration(registration, by=other)
    services.cancel_registration(registration, by=editor)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_guest_cancels_through_the_signed_link(client, index):
    event = make_event(index, capacity=1)
    guest = register_guest(event, email="a@agency.example")
    waiting = register_guest(event, email="b@agency.example")
    token = services.guest_token(guest)
    page = client.get(reverse("events:guest_registration", args=[token]))
    assert page.status_code == 200 and "You are registered" in page.content.decode()
    response = client.post(reverse("events:guest_cancel", args=[token]), follow=True)
    assert "registration is cancelled" in response.content.decode()
    guest.refresh_from_db()
    waiting.refresh_from_db()
    assert guest.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED


def test_tampered_or_foreign_guest_links_are_refused(client, index):
    event = make_event(index)
    guest = register_guest(event)
    token = services.guest_token(guest)
    assert client.get(reverse("events:guest_registration", args=[token[:-2] + "xx"])).status_code == 404
    assert client.post(reverse("events:guest_cancel", args=["nonsense"])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.cancel_guest_registration(token + "x")
    guest.refresh_from_db()
    assert guest.status == Registration.Status.CONFIRMED


def test_raising_the_capacity_and_publishing_promotes_the_waitlist(index, django_capture_on_commit_callbacks):
    event = make_event(index, capacity=1)
    register_guest(event, email="a@agency.example")
    waiting = register_guest(event, email="b@agency.example")
    event.capacity = 5
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert mail.outbox[-1].to == ["b@agency.example"]


def test_no_cancelling_once_the_event_has_started(association, index):
    member = member_of(association)
    event = make_event(index)
    registration = services.register_member(member, event)
    EventPage.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(services.RegistrationError, match="has started"):
        services.cancel_registration(registration, by=member)


# --- Through the pages ---------------------------------------------------------------------------------------


def test_event_page_offers_a_member_the_register_button_and_shows_their_place(client, association, index):
    member = member_of(association)
    event = make_event(index, audience=EventPage.Audience.MEMBERS, capacity=2, online_url="https://meet.example.org/x")
    client.force_login(member)
    html = client.get(event.url).content.decode()
    assert "2 of 2 seats left" in html
    assert f'action="{reverse("events:register", args=[event.pk])}"' in html
    assert "https://meet.example.org/x" not in html  # the join link is for registered people
    response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    html = response.content.decode()
    assert "You are registered for" in html
    assert "Cancel my registration" in html
    assert "https://meet.example.org/x" in html


def test_members_only_event_page_tells_a_guest_to_sign_in_and_the_form_refuses(client, index):
    event = make_event(index, audience=EventPage.Audience.MEMBERS)
    html = client.get(event.url).content.decode()
    assert "Registration is for members of" in html
    assert "Sign in to register" in html
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"name": "Marcus Lee", "email": "lee@dcf.kansas.example", "agency": "Kansas DCF"},
    )
    assert response.status_code == 400
    assert "only" in response.content.decode()
    assert not Registration.objects.exists()


def test_signed_in_non_member_sees_why_they_cannot_register(client, association, index):
    event = make_event(index, audience=EventPage.Audience.MEMBERS)
    client.force_login(UserFactory())
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response.status_code == 400
    assert "no active membership" in response.content.decode()


def test_guest_form_keeps_what_was_typed_when_it_has_errors(client, index):
    event = make_event(index)
    response = client.post(
        reverse("events:register", args=[event.pk]), {"name": "Marcus Lee", "email": "not-an-email", "agency": "Kansas DCF"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter an email address like name@agency.gov." in html
    assert 'value="Marcus Lee"' in html and 'value="Kansas DCF"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html or 'id="id_email_error"' in html


def test_guest_form_registers_and_shows_the_confirmation(client, index):
    event = make_event(index)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"name": "Marcus Lee", "email": "lee@dcf.kansas.example", "agency": "Kansas DCF", "jurisdiction": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "You are registered" in response.content.decode()
    assert Registration.objects.get().name == "Marcus Lee"


def test_guest_registration_is_rate_limited_per_address(client, index, settings):
    settings.EVENTS_GUEST_REGISTRATION_RATE = "2/h"
    event = make_event(index)
    for number in range(2):
        response = client.post(
            reverse("events:register", args=[event.pk]),
            {"name": f"Guest {number}", "email": f"guest{number}@agency.example", "agency": "Kansas DCF"},
        )
        assert response.status_code == 302
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"name": "Guest 3", "email": "guest3@agency.example", "agency": "Kansas DCF"},
    )
    assert response.status_code == 429
    assert 'value="guest3@agency.example"' in response.content.decode()
    assert Registration.objects.count() == 2


def test_my_registrations_lists_places_and_cancels(client, association, index):
    member = member_of(association)
    full = make_event(index, title="Town hall", capacity=1)
    register_guest(full)
    open_event = make_event(index, title="Webinar")
    services.register_member(member, full)
    registration = services.register_member(member, open_event)
    client.force_login(member)
    html = client.get(reverse("events:my_registrations")).content.decode()
    assert "Waitlist, place 1" in html and "Webinar" in html
    client.post(reverse("events:cancel", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_cancelling_someone_elses_registration_is_a_404(client, association, index):
    event = make_event(index)
    registration = services.register_member(member_of(association), event)
    client.force_login(member_of(association))
    assert client.post(reverse("events:cancel", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
