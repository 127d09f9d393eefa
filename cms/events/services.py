"""Writes for events: registration (members, signed-in non-members and guests), the
waitlist, cancellation with promotion from the waitlist, and attendance.

Every registration change locks the event's row first (SELECT ... FOR UPDATE on
PostgreSQL; SQLite serialises writers anyway), so two people racing for the last seat
cannot both get it. Emails go out after commit through config.events subscribers
(cms/events/emails.py).
"""

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cms.events.models import EventPage, EventSession, Registration, SessionAttendance
from cms.events.selectors import can_organise
from config.events import emit
from members import permissions
from members.models import Membership, Profile

GUEST_TOKEN_SALT = "cms.events.guest-registration"


class RegistrationError(ValidationError):
    """A registration that cannot go ahead as asked (the form shows why)."""


# --- Registering -------------------------------------------------------------------------------


@transaction.atomic
def register_member(user, event: EventPage) -> Registration:
    """A signed-in person registers themselves: as a member of the event's association, or,
    on an event open to non-members, as a non-member with an account."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to register with your account.")
    event = locked_event(event)
    check_registration_open(event)
    association = event.association
    is_member = permissions.is_active_member(user, association)
    if event.is_members_only and not is_member:
        raise RegistrationError(
            f"{event.title} is for members of {association.name} only, and your account has no active "
            f"membership there. Check your membership under Memberships."
        )
    agency, jurisdiction = work_details(user, association)
    return create_registration(
        event, user=user, kind=Registration.Kind.MEMBER if is_member else Registration.Kind.ACCOUNT,
        name=user.display_name or user.get_full_name() or user.email, email=user.email,
        agency=agency, jurisdiction=jurisdiction,
    )


@transaction.atomic
def register_guest(event: EventPage, *, name: str, email: str, agency: str = "", jurisdiction=None) -> Registration:
    """Someone without an account registers with their details, on an event open to non-members."""
    event = locked_event(event)
    check_registration_open(event)
    if event.is_members_only:
        raise RegistrationError(
            f"{event.title} is for members of {event.association.name} only. "
            "If you are a member, sign in and register with your account."
        )
    name, email, agency = clean_text(name, 150), clean_text(email, 254).lower(), clean_text(agency, 200)
    errors = {}
    if not name:
        errors["name"] = "Enter your name as it should appear on your certificate."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an email address like name@agency.gov; your confirmation is sent there."
    if errors:
        raise RegistrationError(errors)
    return create_registration(
        event, user=None, kind=Registration.Kind.GUEST, name=name, email=email, agency=agency, jurisdiction=jurisdiction
    )


def locked_event(event: EventPage) -> EventPage:
    """The event's row, locked until the transaction ends; registrations of one event queue here."""
    locked = EventPage.objects.select_for_update(of=("self",)).filter(pk=event.pk).first()
    if locked is None or not locked.live or locked.association is None:
        raise RegistrationError("This event is not open for registration.")
    return locked


def check_registration_open(event: EventPage) -> None:
    reason = event.registration_closed_reason()
    if reason:
        raise RegistrationError(reason)


def create_registration(event: EventPage, *, user, kind, name, email, agency, jurisdiction) -> Registration:
    active = event.registrations.exclude(status=Registration.Status.CANCELLED)
    same_person = Q(email__iexact=email) | (Q(user=user) if user is not None else Q(pk__in=[]))
    if active.filter(same_person).exists():
        raise duplicate_error(user)
    confirmed = active.filter(status=Registration.Status.CONFIRMED).count()
    full = event.capacity is not None and confirmed >= event.capacity
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event, user=user, kind=kind, name=name, email=email, agency=agency, jurisdiction=jurisdiction,
                status=Registration.Status.WAITLISTED if full else Registration.Status.CONFIRMED,
                created_at=now, status_changed_at=now,
            )
    except IntegrityError:  # the same person registered in a parallel request
        raise duplicate_error(user) from None
    emit("event_registration_created", registration_id=registration.pk, event_id=event.pk, status=registration.status)
    return registration


def duplicate_error(user) -> RegistrationError:
    if user is not None:
        return RegistrationError("You are already registered for this event (or on its waitlist); see My registrations.")
    return RegistrationError(
        {"email": "This email address is already registered for this event. The confirmation email has a link to manage it."}
    )


def work_details(user, association) -> tuple[str, object]:
    """Agency and jurisdiction for the attendee list: from the membership, else the profile."""
    membership = (
        Membership.objects.filter(user=user, association=association, status=Membership.Status.ACTIVE)
        .select_related("jurisdiction")
        .first()
    )
    if membership is not None:
        return membership.agency, membership.jurisdiction
    profile = Profile.objects.filter(user=user).select_related("jurisdiction").first()
    return (profile.agency, profile.jurisdiction) if profile is not None else ("", None)


def clean_text(value: str, max_length: int) -> str:
    return " ".join((value or "").replace("\x00", "").split())[:max_length]


# --- Guest links ----------------------------------------------------------------------------------


def guest_token(registration: Registration) -> str:
    """The secret in a guest's "manage your registration" link (sent only to their email)."""
    return signing.dumps({"registration": registration.pk, "email": registration.email}, salt=GUEST_TOKEN_SALT)


def registration_for_guest_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=GUEST_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    registration = Registration.objects.select_related("event", "jurisdiction").filter(pk=data.get("registration")).first()
    if registration is None or registration.email != data.get("email"):
        return None
    return registration


# --- Cancelling and the waitlist -------------------------------------------------------------------


@transaction.atomic
def cancel_registration(registration: Registration, *, by) -> Registration:
    """The registrant (or an organiser) cancels; the first person on the waitlist takes the seat."""
    event = locked_event_for_change(registration.event_id)
    if registration.user_id is None or registration.user_id != getattr(by, "pk", None):
        if not can_organise(by, event):
            raise PermissionDenied("You can only cancel your own registration.")
    return cancel(event, registration)


@transaction.atomic
def cancel_guest_registration(token: str) -> Registration:
    """A guest cancels through the signed link in their confirmation email."""
    registration = registration_for_guest_token(token)
    if registration is None:
        raise PermissionDenied("This cancellation link is not valid.")
    return cancel(locked_event_for_change(registration.event_id), registration)


def locked_event_for_change(event_id: int) -> EventPage:
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event_id)


def cancel(event: EventPage, registration: Registration) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event
    if registration.status == Registration.Status.CANCELLED:
        return registration  # a second click changes nothing
    if event.starts_at and timezone.now() >= event.starts_at:
        raise RegistrationError("This event has started, so registrations can no longer be cancelled here; write to the organisers.")
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status, registration.status_changed_at = Registration.Status.CANCELLED, timezone.now()
    registration.save(update_fields=["status", "status_changed_at"])
    emit("event_registration_cancelled", registration_id=registration.pk, event_id=event.pk)
    if was_confirmed:
        promote_from_waitlist(event)
    return registration


def promote_from_waitlist(event: EventPage) -> list[Registration]:
    """Give free seats to the waitlist in order (the caller holds the event's lock)."""
    waitlist = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk")
    if event.capacity is not None:
        confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
        waitlist = waitlist[: max(event.capacity - confirmed, 0)]
    promoted = list(waitlist)
    now = timezone.now()
    for registration in promoted:
        registration.status, registration.status_changed_at = Registration.Status.CONFIRMED, now
        registration.save(update_fields=["status", "status_changed_at"])
        emit("event_registration_promoted", registration_id=registration.pk, event_id=event.pk)
    return promoted


@transaction.atomic
def fill_open_seats(event: EventPage) -> list[Registration]:
    """After an organiser raises the capacity (or removes it), seats go to the waitlist."""
    event = EventPage.objects.select_for_update(of=("self",)).filter(pk=event.pk).first()
    if event is None or (event.starts_at and timezone.now() >= event.starts_at):
        return []
    return promote_from_waitlist(event)


# --- Attendance ----------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(session: EventSession, *, attended: set[int], by) -> tuple[int, int]:
    """Organisers record who attended a session: exactly the confirmed registrations in
    `attended` (ids). Returns (added, removed)."""
    event = locked_event_for_change(session.page_id)
    if not can_organise(by, event):
        raise PermissionDenied("Only the association's organisers can record attendance.")
    attended = set(attended)
    confirmed = set(
        event.registrations.filter(status=Registration.Status.CONFIRMED, pk__in=attended).values_list("pk", flat=True)
    )
    if confirmed != attended:
        raise RegistrationError("Attendance can only be recorded for people registered for this event; reload the page and try again.")
    recorded = set(SessionAttendance.objects.filter(session=session).values_list("registration_id", flat=True))
    removed = recorded - attended
    SessionAttendance.objects.filter(session=session, registration_id__in=removed).delete()
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, registration_id=pk, recorded_by=by) for pk in attended - recorded],
        ignore_conflicts=True,
    )
    emit("event_attendance_recorded", session_id=session.pk, event_id=event.pk)
    return len(attended - recorded), len(removed)
