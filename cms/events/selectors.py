"""Reads for events, already filtered by what the viewer may see, in a fixed number of
queries: listings, the event page's registration panel, "My registrations", "My credits",
certificates, and the organisers' attendee lists."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from cms.events.models import EventPage, EventSession, Registration, SessionAttendance, SessionCredit
from members import permissions

PAST_EVENTS_SHOWN = 12
CALENDAR_FEED_LENGTH = 100


# --- Which event pages a viewer may see -------------------------------------------------------


def restricted_for(user) -> Q:
    """Pages under a view restriction `user` does not pass (password restrictions never pass
    in a listing: they are passed per browser session, page by page)."""
    if permissions.sees_everything(user):
        return Q(pk__in=[])
    signed_in = user is not None and user.is_authenticated
    group_ids = set(user.groups.values_list("id", flat=True)) if signed_in else set()
    closed = Q()
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        if restriction.restriction_type == PageViewRestriction.LOGIN and signed_in:
            continue
        if restriction.restriction_type == PageViewRestriction.GROUPS and any(
            group.pk in group_ids for group in restriction.groups.all()
        ):
            continue
        closed |= Page.objects.descendant_of_q(restriction.page, inclusive=True)
    return closed if closed else Q(pk__in=[])


def visible_events(user):
    """Live event pages `user` may read (members also see members-only pages)."""
    return EventPage.objects.live().exclude(restricted_for(user))


def public_events():
    """Live event pages anyone may read: what calendars and the home page show."""
    return EventPage.objects.live().public()


def upcoming_events_for(association_home, limit: int = 3) -> list[EventPage]:
    """Live, public events on `association_home`'s site that start after now, soonest first."""
    return list(
        public_events()
        .descendant_of(association_home)
        .filter(starts_at__gt=timezone.now())
        .select_related("region")
        .order_by("starts_at", "pk")[:limit]
    )


def events_for_index(index_page, user, *, kind: str = "") -> tuple[list[EventPage], list[EventPage]]:
    """(upcoming and ongoing, recent past) events under an events index, as `user` may see them."""
    events = visible_events(user).child_of(index_page).select_related("region")
    if kind:
        events = events.filter(kind=kind)
    now = timezone.now()
    upcoming = list(events.filter(ends_at__gte=now).order_by("starts_at", "pk"))
    past = list(events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_EVENTS_SHOWN])
    return upcoming, past


def upcoming_public_events(association_home=None):
    """For the calendar feed (one association) and the /events/ overview (all of them)."""
    events = public_events().filter(ends_at__gte=timezone.now())
    if association_home is not None:
        events = events.descendant_of(association_home)
    return events.select_related("region").order_by("starts_at", "pk")[:CALENDAR_FEED_LENGTH]


def upcoming_events_by_association() -> list[tuple]:
    """[(association, its upcoming public events)] for every association with a live site."""
    from members.models import Association

    associations = list(Association.objects.filter(home_page__live=True).select_related("home_page").order_by("name"))
    events = list(upcoming_public_events())
    return [
        (association, [event for event in events if event.path.startswith(association.home_page.path)])
        for association in associations
    ]


# --- Seats and the viewer's own registration ----------------------------------------------------


def seat_counts(event: EventPage) -> dict[str, int]:
    counts = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
    )
    seats_left = None if event.capacity is None else max(event.capacity - counts["confirmed"], 0)
    return {**counts, "seats_left": seats_left}


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITLISTED).filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def active_registration(user, event: EventPage) -> Registration | None:
    if user is None or not user.is_authenticated:
        return None
    return event.registrations.exclude(status=Registration.Status.CANCELLED).filter(user=user).first()


def can_organise(user, event: EventPage) -> bool:
    """Organisers are the association's admins and editors (and site administrators)."""
    if user is None or not user.is_authenticated:
        return False
    association = event.association
    return association is not None and permissions.can_edit_pages(user, association)


def can_register_as_member(user, event: EventPage) -> bool:
    association = event.association
    return association is not None and permissions.is_active_member(user, association)


def event_page_context(event: EventPage, request) -> dict:
    """What the event page shows this viewer: sessions with credits, seats, their own
    registration and what they may do."""
    user = request.user
    preview = getattr(request, "is_preview", False) or event.pk is None
    context = {"association": event.association, "sessions": sessions_with_credits(event, preview=preview)}
    if event.pk is None:
        return context
    registration = active_registration(user, event)
    signed_in = user is not None and user.is_authenticated
    return {
        **context,
        "seats": seat_counts(event),
        "registration": registration,
        "waitlist_position": waitlist_position(registration) if registration else None,
        "can_cancel": registration is not None and not (event.starts_at and timezone.now() >= event.starts_at),
        "registration_closed_reason": event.registration_closed_reason(),
        "viewer_is_member": signed_in and can_register_as_member(user, event),
        "viewer_is_organiser": can_organise(user, event),
    }


def sessions_with_credits(event: EventPage, *, preview: bool = False) -> list[EventSession]:
    """The event's sessions with their credit lines (and kinds) loaded; a preview shows the
    unsaved sessions it carries in memory."""
    if preview:
        sessions = list(event.sessions.all())
    else:
        credits = SessionCredit.objects.select_related("credit_kind").order_by("credit_kind__position", "credit_kind__name")
        sessions = list(event.sessions.all().prefetch_related(Prefetch("credits", queryset=credits)))
    for session in sessions:
        session.page = event
    return sorted(sessions, key=lambda session: (session.date, session.start_time, session.sort_order or 0))


# --- A person's registrations and credits -------------------------------------------------------


def registrations_of(user) -> list[Registration]:
    """The user's registrations, soonest event first, with waitlist positions."""
    registrations = list(
        Registration.objects.filter(user=user)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event")
        .annotate(attended_sessions=Count("attendances"))
        .order_by("event__starts_at", "pk")
    )
    waitlisted = [r for r in registrations if r.status == Registration.Status.WAITLISTED]
    if waitlisted:
        ahead_counts = waitlist_positions({r.event_id for r in waitlisted})
        for registration in waitlisted:
            registration.waitlist_position = ahead_counts.get(registration.pk)
    return registrations


def waitlist_positions(event_ids) -> dict[int, int]:
    """{registration id: position} for every waitlisted registration of these events."""
    positions: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for pk, event_id in (
        Registration.objects.filter(event_id__in=event_ids, status=Registration.Status.WAITLISTED)
        .order_by("created_at", "pk")
        .values_list("pk", "event_id")
    ):
        counters[event_id] += 1
        positions[pk] = counters[event_id]
    return positions


@dataclass
class EventCredits:
    registration: Registration
    sessions_attended: int
    hours: dict[str, Decimal] = field(default_factory=dict)  # credit kind name -> hours


@dataclass
class CreditsSummary:
    events: list[EventCredits]
    totals: dict[str, Decimal]


def credits_of(user) -> CreditsSummary:
    """Hours earned by kind from recorded attendance, per event and in total (three queries)."""
    registrations = {
        registration.pk: registration
        for registration in Registration.objects.filter(user=user, status=Registration.Status.CONFIRMED)
        .filter(attendances__isnull=False)
        .annotate(sessions_attended=Count("attendances", distinct=True))
        .select_related("event")
        .order_by("-event__starts_at", "pk")
    }
    rows = (
        SessionCredit.objects.filter(
            session__attendances__registration_id__in=list(registrations),
        )
        .values("session__attendances__registration_id", "credit_kind__name", "credit_kind__position")
        .annotate(total=Sum("hours"))
        .order_by("credit_kind__position", "credit_kind__name")
    )
    per_event: dict[int, dict[str, Decimal]] = defaultdict(dict)
    totals: dict[str, Decimal] = {}
    for row in rows:
        kind, hours = row["credit_kind__name"], row["total"]
        per_event[row["session__attendances__registration_id"]][kind] = hours
        totals[kind] = totals.get(kind, Decimal(0)) + hours
    events = [
        EventCredits(registration=registration, sessions_attended=registration.sessions_attended, hours=per_event.get(pk, {}))
        for pk, registration in registrations.items()
    ]
    return CreditsSummary(events=events, totals=totals)


@dataclass
class Certificate:
    registration: Registration
    event: EventPage
    sessions: list[EventSession]
    hours: dict[str, Decimal]
    association: object


def certificate_for(registration: Registration) -> Certificate:
    """The sessions a person attended and the hours they earned there, by kind."""
    event = registration.event
    attended = list(
        EventSession.objects.filter(attendances__registration=registration)
        .prefetch_related(Prefetch("credits", queryset=SessionCredit.objects.select_related("credit_kind")))
        .order_by("date", "start_time", "sort_order")
    )
    hours: dict[str, Decimal] = {}
    kinds_order: dict[str, tuple] = {}
    for session in attended:
        session.page = event
        for credit in session.credits.all():
            name = credit.credit_kind.name
            hours[name] = hours.get(name, Decimal(0)) + credit.hours
            kinds_order[name] = (credit.credit_kind.position, name)
    ordered = dict(sorted(hours.items(), key=lambda item: kinds_order[item[0]]))
    return Certificate(registration=registration, event=event, sessions=attended, hours=ordered, association=event.association)


# --- Organisers ------------------------------------------------------------------------------------


def attendee_list(event: EventPage) -> list[Registration]:
    """Every registration of the event (confirmed, then waitlist, then cancelled), with the
    sessions each attended loaded."""
    order = {Registration.Status.CONFIRMED: 0, Registration.Status.WAITLISTED: 1, Registration.Status.CANCELLED: 2}
    registrations = list(
        event.registrations.select_related("jurisdiction", "user").prefetch_related(
            Prefetch("attendances", queryset=SessionAttendance.objects.only("pk", "registration_id", "session_id"))
        )
    )
    registrations.sort(key=lambda r: (order[r.status], r.created_at, r.pk))
    position = 0
    for registration in registrations:
        registration.attended_session_ids = {attendance.session_id for attendance in registration.attendances.all()}
        if registration.status == Registration.Status.WAITLISTED:
            position += 1
            registration.waitlist_position = position
        else:
            registration.waitlist_position = None
    return registrations
