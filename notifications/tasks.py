"""Notification emails, sent in the background: at once for the kinds a member gets
"immediately", and once a day as a digest for the kinds they get "in a daily digest".

Nothing is ever emailed twice. Before sending, a run claims its rows (sets `emailed_at`, or
`digested_at` for the digest) with an UPDATE limited to rows nobody has claimed, and commits
the claim; only then does it send. A second run of the same task, at the same time or later,
finds those rows taken and sends nothing. The price: if the process dies between claim and
send, those emails are not sent (at most once, never twice); a failed send is logged.

Each row is checked again just before sending: the member is still active, still wants
this kind by email in that way, has not read it already, and may still see what it is about
(the same check as the notification centre).
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from notifications.emails import digest_message, immediate_message
from notifications.models import DEFAULT_DELIVERY, Delivery, Notification, NotificationPreference
from notifications.selectors import preferences_for, visible_notifications

logger = logging.getLogger(__name__)

# A digest reports what arrived since the last one; older rows (a member who switched to the
# digest last month) are left out rather than sent as a surprise.
DIGEST_WINDOW = timedelta(days=7)


@task()
def send_immediate_emails(notification_ids: list[int]) -> dict[str, int]:
    return send_immediate(notification_ids)


@task()
def send_daily_digests() -> dict[str, int]:
    return send_digests()


def claim(notification_ids, field: str) -> list[int]:
    """Take the rows no other run has taken; the claim is committed before returning.

    On PostgreSQL, SKIP LOCKED lets a concurrent run pass over rows being claimed, and the
    `IS NULL` condition (re-checked by the UPDATE) over rows already claimed. SQLite's
    transactions here are IMMEDIATE, so claims there run one after another."""
    unclaimed = {f"{field}__isnull": True}
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(notification_ids), **unclaimed)
            .order_by("pk").values_list("pk", flat=True)
        )
        if ids:
            Notification.objects.filter(pk__in=ids, **unclaimed).update(**{field: timezone.now()})
    return ids


def _still_wanted(user, rows: list[Notification], delivery: str) -> set[int]:
    """The rows `user` should still get by email in this `delivery`."""
    if not user.is_active or not user.email:
        return set()
    preferences = preferences_for(user)
    ids = [row.pk for row in rows if preferences[row.kind] == delivery]
    if not ids:
        return set()
    return set(visible_notifications(user).filter(pk__in=ids, read_at__isnull=True).values_list("pk", flat=True))


def send_immediate(notification_ids) -> dict[str, int]:
    """Email each of these notifications to its recipient, once."""
    done = {"sent": 0, "failed": 0, "skipped": 0}
    rows = list(Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True)
                .select_related("recipient"))
    by_recipient = defaultdict(list)
    for row in rows:
        by_recipient[row.recipient_id].append(row)
    wanted = set()
    for group in by_recipient.values():
        wanted |= _still_wanted(group[0].recipient, group, Delivery.IMMEDIATE)
    done["skipped"] = len(rows) - len(wanted)
    claimed = set(claim(wanted, "emailed_at"))
    if not claimed:
        return done
    with get_connection() as connection:  # one SMTP session for the run
        for row in rows:
            if row.pk not in claimed:
                continue
            try:
                immediate_message(row, connection).send()
            except Exception as error:  # the server refused this one; the rest go on
                logger.warning("notification email %s failed: %s", row.pk, error)
                done["failed"] += 1
            else:
                done["sent"] += 1
    return done


def waiting_for_digest(now):
    """Unread, unemailed, undigested rows of the last week whose recipient currently wants
    their kind in the digest (chosen, or the default for a kind with no choice saved)."""
    chosen = NotificationPreference.objects.filter(user_id=OuterRef("recipient_id"), kind=OuterRef("kind"))
    digest_by_default = [kind.value for kind, delivery in DEFAULT_DELIVERY.items() if delivery == Delivery.DIGEST]
    return Notification.objects.filter(
        Exists(chosen.filter(delivery=Delivery.DIGEST)) | (Q(kind__in=digest_by_default) & ~Exists(chosen)),
        digested_at__isnull=True, emailed_at__isnull=True, read_at__isnull=True,
        created_at__gt=now - DIGEST_WINDOW, created_at__lte=now, recipient__is_active=True,
    )


def send_digests(now=None) -> dict[str, int]:
    """One digest email per member with notifications waiting for it (run daily by
    `manage.py send_notification_digests`)."""
    now = now or timezone.now()
    done = {"sent": 0, "failed": 0, "notifications": 0}
    waiting = defaultdict(list)
    for notification_id, recipient_id in waiting_for_digest(now).values_list("pk", "recipient_id"):
        waiting[recipient_id].append(notification_id)
    users = get_user_model().objects.filter(pk__in=list(waiting), is_active=True).exclude(email="").order_by("pk")
    with get_connection() as connection:
        for user in users.iterator():
            visible = visible_notifications(user).filter(pk__in=waiting[user.pk]).values_list("pk", flat=True)
            claimed = claim(visible, "digested_at")
            if not claimed:
                continue
            rows = list(Notification.objects.filter(pk__in=claimed))
            try:
                digest_message(user, rows, connection).send()
            except Exception as error:
                logger.warning("notification digest for user %s failed: %s", user.pk, error)
                done["failed"] += 1
            else:
                done["sent"] += 1
                done["notifications"] += len(rows)
    return done
