"""Registration, "My registrations", "My credits", certificates, organisers' attendee lists
and attendance, and iCalendar files (routes in cms/events/urls.py). The event pages
themselves are Wagtail pages (cms/events/models.py)."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from cms.events import ical, selectors, services
from cms.events.forms import AttendanceForm, GuestRegistrationForm
from cms.events.models import EventPage, EventSession, Registration
from cms.events.validation import format_local
from config.forms import add_service_errors
from members.models import Association

RATE_LIMITED_MESSAGE = "Too many registrations were sent from your network just now. Wait a few minutes and send the form again: what you typed is still here."


def guest_registration_rate(group, request) -> str:
    return settings.EVENTS_GUEST_REGISTRATION_RATE


# --- Looking up events as the viewer may see them -------------------------------------------------


def viewable_event(request, page_id: int) -> EventPage:
    """A live event page the viewer may read, honouring its Wagtail view restrictions."""
    event = get_object_or_404(EventPage.objects.live(), pk=page_id)
    if not all(restriction.accept_request(request) for restriction in event.get_view_restrictions()):
        if request.user.is_authenticated:
            raise PermissionDenied("This event's page is for members only.")
        raise Http404("No such event.")
    return event


def organised_event(request, page_id: int) -> EventPage:
    event = get_object_or_404(EventPage, pk=page_id)
    if not selectors.can_organise(request.user, event):
        raise PermissionDenied("Only the association's admins and editors can manage this event's attendees.")
    return event


def event_url(event: EventPage) -> str:
    return event.get_url() or "/"


# --- Registering ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, page_id):
    event = viewable_event(request, page_id)
    if request.user.is_authenticated:
        return register_with_account(request, event)
    return register_as_guest(request, event)


def register_with_account(request, event):
    status, errors = 200, []
    if request.method == "POST":
        try:
            registration = services.register_member(request.user, event)
        except ValidationError as error:
            status, errors = 400, error.messages
        else:
            if registration.status == Registration.Status.WAITLISTED:
                messages.warning(
                    request,
                    f"{event.title} is full, so you are on the waitlist (place {selectors.waitlist_position(registration)}). "
                    "We will email you if a seat opens.",
                )
            else:
                messages.success(request, f"You are registered for {event.title}. A confirmation is on its way to {registration.email}.")
            return redirect(event_url(event) + "#registration")
    return render_register(request, event, errors=errors, status=status)


def register_as_guest(request, event):
    form = GuestRegistrationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        limited = is_ratelimited(
            request, group="events:guest-registration", key="ip", rate=guest_registration_rate, method="POST", increment=True
        )
        if limited:
            form.is_valid()
            form.add_error(None, RATE_LIMITED_MESSAGE)
            status = 429
        elif form.is_valid():
            try:
                registration = services.register_guest(event, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("events:guest_registration", token=services.guest_token(registration))
    return render_register(request, event, form=form, status=status)


def render_register(request, event, *, form=None, errors=(), status=200):
    context = {
        "page": event,
        "event": event,
        "form": form,
        "errors": list(errors) + (list(form.non_field_errors()) if form is not None and form.is_bound else []),
        **selectors.event_page_context(event, request),
    }
    return render(request, "cms/events/register.html", context, status=status)


# --- A guest's registration, through the signed link in their email ------------------------------


def guest_registration_or_404(token: str) -> Registration:
    registration = services.registration_for_guest_token(token)
    if registration is None:
        raise Http404("This link is not valid. Check that you copied the whole link from your confirmation email.")
    return registration


@require_safe
def guest_registration(request, token):
    registration = guest_registration_or_404(token)
    return render(
        request,
        "cms/events/guest_registration.html",
        {
            "registration": registration,
            "event": registration.event,
            "token": token,
            "waitlist_position": selectors.waitlist_position(registration),
            "has_attendance": registration.attendances.exists(),
            "can_cancel": can_still_cancel(registration),
        },
    )


@require_POST
def guest_cancel(request, token):
    guest_registration_or_404(token)
    try:
        services.cancel_guest_registration(token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your registration is cancelled. A confirmation is on its way to your email.")
    return redirect("events:guest_registration", token=token)


@require_safe
def guest_certificate(request, token):
    registration = guest_registration_or_404(token)
    return render_certificate(request, registration)


def can_still_cancel(registration: Registration) -> bool:
    event = registration.event
    return registration.is_active and not (event.starts_at and timezone.now() >= event.starts_at)


# --- A signed-in person's registrations and credits ---------------------------------------------


@login_required
@require_safe
def my_registrations(request):
    registrations = selectors.registrations_of(request.user)
    now = timezone.now()
    for registration in registrations:
        registration.can_cancel = not (registration.event.starts_at and now >= registration.event.starts_at)
    return render(request, "cms/events/my_registrations.html", {"registrations": registrations})


@login_required
@require_POST
def cancel(request, pk):
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    if registration.user_id != request.user.pk and not selectors.can_organise(request.user, registration.event):
        raise Http404("No such registration.")
    try:
        services.cancel_registration(registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.user_id == request.user.pk:
            messages.success(request, f"Your registration for {registration.event.title} is cancelled.")
        else:
            messages.success(request, f"{registration.name}'s registration is cancelled.")
    next_url = request.POST.get("next", "")
    if next_url == "event":
        return redirect(event_url(registration.event) + "#registration")
    if next_url == "manage":
        return redirect("events:manage", page_id=registration.event_id)
    return redirect("events:my_registrations")


@login_required
@require_safe
def my_credits(request):
    return render(request, "cms/events/my_credits.html", {"credits": selectors.credits_of(request.user)})


@login_required
@require_safe
def certificate(request, pk):
    registration = get_object_or_404(Registration.objects.select_related("event", "jurisdiction"), pk=pk)
    if registration.user_id != request.user.pk and not selectors.can_organise(request.user, registration.event):
        raise Http404("No such certificate.")
    return render_certificate(request, registration)


def render_certificate(request, registration: Registration):
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404("No such certificate.")
    certificate = selectors.certificate_for(registration)
    return render(request, "cms/events/certificate.html", {"certificate": certificate, "event": registration.event})


# --- Organisers ------------------------------------------------------------------------------------


@login_required
@require_safe
def manage(request, page_id):
    event = organised_event(request, page_id)
    registrations = selectors.attendee_list(event)
    sessions = list(event.sessions.order_by("date", "start_time", "sort_order"))
    for session in sessions:
        session.page = event
        session.attendance_count = sum(1 for r in registrations if session.pk in r.attended_session_ids)
    return render(
        request,
        "cms/events/manage.html",
        {"event": event, "registrations": registrations, "sessions": sessions, "seats": selectors.seat_counts(event)},
    )


def csv_cell(value) -> str:
    """Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a
    formula; a leading apostrophe makes them show it as text instead."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_safe
def attendees_csv(request, page_id):
    event = organised_event(request, page_id)
    registrations = selectors.attendee_list(event)
    sessions = list(event.sessions.order_by("date", "start_time", "sort_order"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Status", "Waitlist position", "Name", "Email", "Registered as", "Agency or organisation", "Jurisdiction",
         "Registered at"]
        + [f"Attended: {session.title}" for session in sessions]
    )
    for registration in registrations:
        writer.writerow(
            [csv_cell(value) for value in (
                registration.get_status_display(),
                registration.waitlist_position or "",
                registration.name,
                registration.email,
                registration.get_kind_display(),
                registration.agency,
                registration.jurisdiction.name if registration.jurisdiction else "",
                format_local(registration.created_at, event.zone, "Y-m-d H:i T"),
                *("yes" if session.pk in registration.attended_session_ids else "" for session in sessions),
            )]
        )
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attendance(request, page_id, session_id):
    event = organised_event(request, page_id)
    session = get_object_or_404(EventSession, pk=session_id, page_id=event.pk)
    session.page = event
    registrations = [r for r in selectors.attendee_list(event) if r.status == Registration.Status.CONFIRMED]
    if request.method == "POST":
        form = AttendanceForm(request.POST, registrations=registrations)
        if form.is_valid():
            try:
                added, removed = services.record_attendance(session, attended=form.attended_ids, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Attendance for “{session.title}” is saved ({added} added, {removed} removed).")
                return redirect("events:attendance", page_id=event.pk, session_id=session.pk)
        status = 400
    else:
        form = AttendanceForm(
            registrations=registrations,
            initial={"attended": [str(r.pk) for r in registrations if session.pk in r.attended_session_ids]},
        )
        status = 200
    return render(
        request, "cms/events/attendance.html",
        {"event": event, "session": session, "form": form, "registrations": registrations,
         "checked": set(form["attended"].value() or [])},
        status=status,
    )


# --- Calendars -----------------------------------------------------------------------------------------


def calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def event_ical(request, page_id):
    event = viewable_event(request, page_id)
    content = ical.calendar_bytes([event], name=event.title, association=event.association)
    return calendar_response(content, f"{event.slug}.ics")


@require_safe
def calendar_feed(request, association_slug):
    association = get_object_or_404(Association.objects.select_related("home_page"), slug=association_slug)
    if association.home_page is None or not association.home_page.live:
        raise Http404("No such calendar.")
    events = list(selectors.upcoming_public_events(association.home_page))
    content = ical.calendar_bytes(events, name=f"{association.short_name} events", association=association)
    return calendar_response(content, f"{association.slug}-events.ics")


# --- Overview ---------------------------------------------------------------------------------------------


@require_safe
def index(request):
    """Upcoming public events of every association on Comity, with each one's calendar feed."""
    return render(request, "cms/events/overview.html", {"groups": selectors.upcoming_events_by_association()})
