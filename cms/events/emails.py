"""Emails about registrations, sent after the change commits (config.events subscribers,
connected in apps.py): confirmation or waitlist place, promotion from the waitlist, and
cancellation."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from cms.events.models import Registration
from config.mail import absolute_url


def email_context(registration: Registration) -> dict:
    from cms.events.selectors import waitlist_position
    from cms.events.services import guest_token

    event = registration.event
    if registration.user_id is None:
        manage_url = reverse("events:guest_registration", args=[guest_token(registration)])
    else:
        manage_url = reverse("events:my_registrations")
    return {
        "registration": registration,
        "event": event,
        "association": event.association,
        "event_url": absolute_url(event.get_url() or "/"),
        "manage_url": absolute_url(manage_url),
        "waitlist_position": waitlist_position(registration),
    }


def send_about(registration_id: int, template: str, subject: str) -> None:
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        return
    context = email_context(registration)
    send_mail(
        subject=f"[Comity] {subject}: {registration.event.title}",
        message=render_to_string(f"cms/events/email/{template}.txt", context),
        from_email=None,
        recipient_list=[registration.email],
    )


def send_registration_confirmation(registration_id: int, status: str = "", **_) -> None:
    registration = Registration.objects.filter(pk=registration_id).only("status").first()
    if registration is None:
        return
    waitlisted = registration.status == Registration.Status.WAITLISTED
    send_about(registration_id, "registered", "You are on the waitlist" if waitlisted else "You are registered")


def send_promotion_notice(registration_id: int, **_) -> None:
    send_about(registration_id, "promoted", "A seat opened for you")


def send_cancellation_notice(registration_id: int, **_) -> None:
    send_about(registration_id, "cancelled", "Registration cancelled")
