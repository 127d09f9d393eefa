"""The background task that emails a published issue to its subscribers, in batches.

Each subscriber has one DeliveryRecipient row (unique per delivery and user). A worker
claims a batch of waiting rows, commits the claim, then sends each email and marks its row
sent (or failed) at once. Rows are only ever claimed while waiting, so a retried or
duplicated task, or a second worker, finds nothing it could send twice.
"""

import logging

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cms.newsletters import services
from cms.newsletters.models import DeliveryRecipient, NewsletterDelivery, NewsletterIssuePage, NewsletterSubscription
from members.models import Membership

logger = logging.getLogger(__name__)
Status = DeliveryRecipient.Status


@task()
def send_newsletter_issue(delivery_id: int) -> dict[str, int]:
    return send_waiting_emails(delivery_id)


def claim_batch(delivery_id: int, size: int) -> list[DeliveryRecipient]:
    """Take up to `size` waiting rows for this worker.

    On PostgreSQL, SKIP LOCKED lets several workers claim different rows at the same time
    (SQLite has no row locks; it runs one writer at a time). The claim (status "sending")
    is committed before any email goes out.

    If the process dies mid-batch: rows already marked sent stay sent; the rest of the
    batch stays "sending" (claimed, not confirmed). A retry claims only waiting rows, so it
    never resends them: nobody gets the issue twice, and the admin shows those rows as
    claimed but unconfirmed. An editor may then choose to resend them (knowing that the
    one being sent when the process died may arrive twice) from the delivery's admin page.
    """
    with transaction.atomic():
        batch = list(
            DeliveryRecipient.objects.select_for_update(skip_locked=True)
            .filter(delivery_id=delivery_id, status=Status.PENDING)
            .order_by("pk")[:size]
        )
        if batch:
            DeliveryRecipient.objects.filter(pk__in=[row.pk for row in batch]).update(
                status=Status.SENDING, claimed_at=timezone.now()
            )
    return batch


def still_subscribed(batch: list[DeliveryRecipient], association_id: int) -> set[int]:
    """Rows whose subscriber still wants the issue and is still an active member (someone
    may have unsubscribed or lapsed since the issue was published)."""
    return set(
        NewsletterSubscription.objects.filter(
            pk__in=[row.subscription_id for row in batch], is_active=True, user__is_active=True,
            user__memberships__association_id=association_id, user__memberships__status=Membership.Status.ACTIVE,
        ).values_list("pk", flat=True)
    )


def mark(row: DeliveryRecipient, status: str, **fields) -> None:
    DeliveryRecipient.objects.filter(pk=row.pk, status=Status.SENDING).update(status=status, **fields)


def send_waiting_emails(delivery_id: int, *, batch_size: int | None = None) -> dict[str, int]:
    """Send every waiting email of one delivery, a batch at a time; returns what this run did."""
    from cms.newsletters.emails import IssueEmail

    batch_size = batch_size or services.email_batch_size()
    done = {"sent": 0, "failed": 0, "skipped": 0}
    delivery = NewsletterDelivery.objects.select_related("association").filter(pk=delivery_id).first()
    if delivery is None:  # the issue was deleted meanwhile
        return done
    NewsletterDelivery.objects.filter(pk=delivery.pk, started_at=None).update(started_at=timezone.now())
    NewsletterDelivery.objects.filter(pk=delivery.pk, status=NewsletterDelivery.Status.QUEUED).update(
        status=NewsletterDelivery.Status.SENDING
    )
    issue = NewsletterIssuePage.objects.select_related("pdf").get(pk=delivery.issue_id)
    email = IssueEmail(issue, delivery.association) if issue.live else None

    with get_connection() as connection:  # one SMTP session for the whole run
        while batch := claim_batch(delivery.pk, batch_size):
            wanted = still_subscribed(batch, delivery.association_id) if email else set()
            for row in batch:
                if row.subscription_id not in wanted:
                    reason = "Unsubscribed or no longer a member." if email else "The issue was unpublished."
                    mark(row, Status.SKIPPED, error=reason)
                    done["skipped"] += 1
                    continue
                try:
                    email.message_for(row, connection).send()
                except Exception as error:  # the server refused this one; the rest go on
                    logger.warning("newsletter email to recipient %s failed: %s", row.pk, error)
                    mark(row, Status.FAILED, error=f"{type(error).__name__}: {error}"[:500])
                    done["failed"] += 1
                else:
                    mark(row, Status.SENT, sent_at=timezone.now(), error="")
                    done["sent"] += 1

    if not delivery.recipients.filter(status__in=[Status.PENDING, Status.SENDING]).exists():
        NewsletterDelivery.objects.filter(pk=delivery.pk).update(
            status=NewsletterDelivery.Status.FINISHED, finished_at=timezone.now()
        )
    return done
