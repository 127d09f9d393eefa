"""Writes for notifications. `notify()` is the one way a notification is created.

It is called by the event handlers (notifications.handlers) after the change that caused
it has committed. Callers pass recipients already filtered to people who may see the
target (notifications.recipients computes them in bulk); notify() drops the actor, inactive
accounts, duplicates and people who turned the kind off, writes the rows in one statement,
then pushes them to open pages and queues immediate emails once its own transaction has
committed. A push that fails (Redis down) loses nothing: the rows are there, and pages
catch up when they reconnect.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from notifications import live
from notifications.selectors import forget_unread_counts
from notifications.models import DEFAULT_DELIVERY, Delivery, Kind, Notification, NotificationPreference


@dataclass(frozen=True)
class Target:
    """What a notification is about: the text and link shown, and the thing whose
    visibility is checked again whenever it is shown."""

    title: str
    url: str
    summary: str = ""
    topic_id: int | None = None
    post_id: int | None = None
    page_id: int | None = None
    association_id: int | None = None


def deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """{user id: delivery} for `kind` (one query)."""
    user_ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "delivery")
    )
    default = DEFAULT_DELIVERY[Kind(kind)]
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


def notify(kind: str, recipient_ids: Iterable[int], target: Target, *, actor_id: int | None = None,
           dedupe_key: str = "") -> list[Notification]:
    """Notify each recipient once (per `dedupe_key`, when given). Returns the new rows."""
    kind = Kind(kind)
    wanted = {int(user_id) for user_id in recipient_ids if user_id is not None and user_id != actor_id}
    if not wanted:
        return []
    active = set(get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    delivery = {user_id: way for user_id, way in deliveries(active, kind).items() if way != Delivery.OFF}
    with transaction.atomic():
        if dedupe_key:
            already = set(Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=delivery)
                          .values_list("recipient_id", flat=True))
            delivery = {user_id: way for user_id, way in delivery.items() if user_id not in already}
        if not delivery:
            return []
        now = timezone.now()
        rows = [
            Notification(
                recipient_id=user_id, kind=kind, actor_id=actor_id, title=target.title[:300],
                summary=target.summary[:500], url=target.url[:500], topic_id=target.topic_id,
                post_id=target.post_id, page_id=target.page_id, association_id=target.association_id,
                dedupe_key=dedupe_key, created_at=now,
            )
            for user_id in sorted(delivery)
        ]
        created = insert_skipping_twins(rows)
        immediate = [row.pk for row in created if delivery[row.recipient_id] == Delivery.IMMEDIATE]
        transaction.on_commit(lambda: after_commit(created, immediate))
    return created


def insert_skipping_twins(rows: list[Notification]) -> list[Notification]:
    """Insert `rows` and return those written. A concurrent notify() with the same dedupe key
    may have written some since our check (the unique constraint refuses them): then each row
    goes in on its own, and the twins already written are kept rather than doubled."""
    if not all(row.dedupe_key for row in rows):
        return Notification.objects.bulk_create(rows)
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        pass
    created = []
    for row in rows:
        row.pk = None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            continue
        created.append(row)
    return created


def notify_helpful_vote(post, voter_id: int, target: Target) -> Notification | None:
    """Helpful votes on one post are counted on the author's one unread notification
    ("3 people found your reply helpful") rather than one row per vote."""
    recipient_id = post.author_id
    if recipient_id == voter_id:
        return None
    if deliveries([recipient_id], Kind.HELPFUL_VOTES)[recipient_id] == Delivery.OFF:
        return None
    with transaction.atomic():
        unread = (Notification.objects.select_for_update()
                  .filter(recipient_id=recipient_id, kind=Kind.HELPFUL_VOTES, post_id=post.pk, read_at__isnull=True)
                  .first())
        if unread is None:
            return next(iter(notify(Kind.HELPFUL_VOTES, [recipient_id], target, actor_id=voter_id)), None)
        Notification.objects.filter(pk=unread.pk).update(
            count=F("count") + 1, actor_id=voter_id, title=target.title[:300], created_at=timezone.now(),
        )
        unread.refresh_from_db()
        transaction.on_commit(lambda: after_commit([unread], []))
    return unread


def after_commit(notifications: list[Notification], immediate_ids: list[int]) -> None:
    """Push the new rows to open pages, then queue the immediate emails."""
    forget_unread_counts({row.recipient_id for row in notifications})
    push(notifications)
    if immediate_ids:
        from notifications.tasks import send_immediate_emails

        send_immediate_emails.enqueue(immediate_ids)


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    user_ids = list(user_ids)
    counts = dict(
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .values("recipient_id").annotate(unread=Count("id")).values_list("recipient_id", "unread")
    )
    return {user_id: counts.get(user_id, 0) for user_id in user_ids}


def payload(notification: Notification, unread: int) -> dict:
    """What an open page is told about one notification (the recipient's own, so its text
    is theirs to see)."""
    return {
        "type": "notification", "id": notification.pk, "kind": notification.kind, "title": notification.title,
        "summary": notification.summary, "url": notification.url, "count": notification.count,
        "created": notification.created_at.isoformat(), "unread": unread,
    }


def push(notifications: list[Notification]) -> bool:
    if not notifications:
        return True
    unread = unread_counts({row.recipient_id for row in notifications})
    return live.push_notifications({row.recipient_id: payload(row, unread[row.recipient_id]) for row in notifications})


# --- Reading ------------------------------------------------------------------------------------


def mark_read(user, notification_ids: Iterable[int]) -> int:
    """Mark some of `user`'s own notifications read (others' ids are ignored)."""
    changed = Notification.objects.filter(recipient=user, pk__in=list(notification_ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        transaction.on_commit(lambda: push_unread_count(user.pk))
    return changed


def mark_all_read(user) -> int:
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        transaction.on_commit(lambda: push_unread_count(user.pk))
    return changed


def push_unread_count(user_id: int) -> bool:
    """Keep the badge right in the member's other open tabs."""
    forget_unread_counts([user_id])
    unread = unread_counts([user_id])[user_id]
    return live.push_notifications({user_id: {"type": "unread", "unread": unread}})


def set_preference(user, kind: str, delivery: str) -> NotificationPreference:
    kind, delivery = Kind(kind), Delivery(delivery)
    preference, _ = NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                                    defaults={"delivery": delivery})
    return preference
