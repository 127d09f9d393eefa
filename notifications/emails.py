"""Notification emails: one per notification ("immediate"), or one daily digest per member,
each with plain-text and HTML parts and one-click unsubscribe links.

An unsubscribe link names a member and one or more kinds, signed with the site's secret
key (like the newsletter's links): nobody can make one for someone else or alter it, and it
never expires, because people unsubscribe from old emails. Following it stops the emails
for those kinds only; the notifications still appear on the site.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from config.mail import absolute_url
from notifications.models import Kind, Notification

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


class InvalidUnsubscribeLink(Exception):
    """The link was altered, cut short, made for another site, or its account is gone."""


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe link stands for: whose emails, and of which kinds."""

    user: object
    kinds: tuple[Kind, ...]


def unsubscribe_token(user_id: int, kinds) -> str:
    kinds = sorted({Kind(kind).value for kind in kinds})
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{user_id}.{'+'.join(kinds)}")


def unsubscribe_url(user_id: int, kinds) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, kinds)]))


def read_unsubscribe_token(token: str) -> Unsubscribe:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        user_part, _, kind_part = value.partition(".")
        user_id = int(user_part)
        kinds = tuple(Kind(kind) for kind in kind_part.split("+"))
    except (signing.BadSignature, ValueError):
        raise InvalidUnsubscribeLink from None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidUnsubscribeLink
    return Unsubscribe(user=user, kinds=kinds)


def one_line(text: str) -> str:
    """Mail headers must not contain line breaks (a title could, in principle)."""
    return " ".join(text.split())


def _item(notification: Notification) -> dict:
    return {
        "title": notification.title,
        "summary": notification.summary,
        "url": absolute_url(notification.url),
        "created_at": notification.created_at,
        "count": notification.count,
    }


def _common_context() -> dict:
    return {
        "site_url": absolute_url("/"),
        "centre_url": absolute_url(reverse("notifications:centre")),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
    }


def _message(*, subject: str, to: str, template: str, context: dict, unsubscribe: str, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[to],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            # RFC 8058 one-click: mail clients POST to the link (our POST unsubscribes).
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    return message


def immediate_message(notification: Notification, connection=None) -> EmailMultiAlternatives:
    """The email of one notification, to its recipient (the subject is its title)."""
    kind = Kind(notification.kind)
    unsubscribe = unsubscribe_url(notification.recipient_id, [kind])
    context = {
        **_common_context(),
        "item": _item(notification),
        "kind_label": kind.label,
        "unsubscribe_url": unsubscribe,
    }
    return _message(subject=notification.title, to=notification.recipient.email, template="immediate",
                    context=context, unsubscribe=unsubscribe, connection=connection)


def digest_message(user, notifications: list[Notification], connection=None) -> EmailMultiAlternatives:
    """One member's daily digest: their notifications grouped by kind (in the order kinds
    are listed on the preferences page), newest first, with a stop link for each kind."""
    by_kind = defaultdict(list)
    for notification in sorted(notifications, key=lambda row: (row.created_at, row.pk), reverse=True):
        by_kind[notification.kind].append(_item(notification))
    groups = [
        {"label": kind.label, "items": by_kind[kind.value], "unsubscribe_url": unsubscribe_url(user.pk, [kind])}
        for kind in Kind if kind.value in by_kind
    ]
    # The header's one-click link stops every kind this digest carries.
    unsubscribe_all = unsubscribe_url(user.pk, [kind for kind in Kind if kind.value in by_kind])
    total = len(notifications)
    context = {**_common_context(), "groups": groups, "total": total, "unsubscribe_url": unsubscribe_all}
    subject = f"Your Comity digest: {total} new notification{'s' if total != 1 else ''}"
    return _message(subject=subject, to=user.email, template="digest", context=context,
                    unsubscribe=unsubscribe_all, connection=connection)

