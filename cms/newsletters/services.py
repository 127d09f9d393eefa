"""Writes for newsletters: subscriptions, unsubscribe links, and starting (or retrying) the
emailing of an issue. Each function checks permission and writes in one transaction; the
task that sends the emails is enqueued only after the transaction commits."""

import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cms.newsletters import selectors
from cms.newsletters.models import DeliveryRecipient, NewsletterDelivery, NewsletterIssuePage, NewsletterSubscription
from config.events import emit
from members import permissions
from members.models import Association, Membership

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "cms.newsletters.unsubscribe"


# --- Subscriptions ----------------------------------------------------------------------------


@transaction.atomic
def subscribe(user, association: Association) -> NewsletterSubscription:
    if not permissions.is_active_member(user, association):
        raise PermissionDenied(f"Only active members of {association.short_name} can subscribe to its newsletter.")
    subscription, created = NewsletterSubscription.objects.select_for_update().get_or_create(
        user=user, association=association
    )
    if not created and not subscription.is_active:
        subscription.is_active = True
        subscription.subscribed_at = timezone.now()
        subscription.unsubscribed_at = None
        subscription.save(update_fields=["is_active", "subscribed_at", "unsubscribed_at"])
    return subscription


@transaction.atomic
def unsubscribe(user, association: Association) -> NewsletterSubscription | None:
    """Anyone may stop their own subscription (a lapsed member too)."""
    subscription = NewsletterSubscription.objects.select_for_update().filter(user=user, association=association).first()
    if subscription is not None and subscription.is_active:
        subscription.is_active = False
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["is_active", "unsubscribed_at"])
    return subscription


class InvalidUnsubscribeLink(Exception):
    """The link was altered, cut short or made for another site."""


def unsubscribe_token(subscription_id: int) -> str:
    # Signed with the site's secret key: it cannot be guessed or altered, and it never
    # expires (people unsubscribe from old emails).
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def unsubscribe_url(subscription_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("newsletters:unsubscribe", args=[unsubscribe_token(subscription_id)])


def subscription_for_token(token: str) -> NewsletterSubscription:
    try:
        subscription_id = int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise InvalidUnsubscribeLink from None
    subscription = (
        NewsletterSubscription.objects.select_related("association", "user").filter(pk=subscription_id).first()
    )
    if subscription is None:
        raise InvalidUnsubscribeLink
    return subscription


def unsubscribe_with_token(token: str) -> NewsletterSubscription:
    """The unsubscribe link in each email: works without signing in."""
    subscription = subscription_for_token(token)
    unsubscribe(subscription.user, subscription.association)
    subscription.refresh_from_db()
    return subscription


# --- Deliveries -------------------------------------------------------------------------------


def email_batch_size() -> int:
    return max(1, settings.NEWSLETTER_EMAIL_BATCH_SIZE)


def enqueue_sending(delivery_id: int) -> None:
    from cms.newsletters.tasks import send_newsletter_issue

    # After commit: the task must see the delivery's rows, and an immediate backend must
    # not send emails about a publication that is then rolled back.
    transaction.on_commit(lambda: send_newsletter_issue.enqueue(delivery_id))


@transaction.atomic
def start_delivery(issue: NewsletterIssuePage) -> NewsletterDelivery | None:
    """On an issue's first publication: record its delivery, one row per subscriber, and
    queue the emailing. Publishing again (an edit, a re-publish after unpublishing) finds
    the delivery already there and sends nothing."""
    if not issue.live:  # scheduled for later: its real publication starts the delivery
        return None
    association = selectors.association_for_issue(issue)
    if association is None:
        logger.warning("newsletter issue %s is not on an association's site; not emailed", issue.pk)
        return None
    delivery, created = NewsletterDelivery.objects.get_or_create(issue=issue, defaults={"association": association})
    if not created:
        return delivery
    emit("issue_published", page_id=issue.pk, association_id=association.pk)

    if not selectors.members_may_open(issue, association):
        return finish_without_email(delivery, "The issue is restricted to fewer people than all members, so it was not emailed.")
    subscriptions = (
        NewsletterSubscription.objects.filter(
            association=association, is_active=True, user__is_active=True,
            user__memberships__association=association, user__memberships__status=Membership.Status.ACTIVE,
        )
        .exclude(user__email="")
        .values_list("pk", "user_id", "user__email")
    )
    DeliveryRecipient.objects.bulk_create(
        [
            DeliveryRecipient(delivery=delivery, subscription_id=subscription_id, user_id=user_id, email=email)
            for subscription_id, user_id, email in subscriptions
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    delivery.recipient_count = delivery.recipients.count()
    if not delivery.recipient_count:
        return finish_without_email(delivery, "Nobody was subscribed when the issue was published.")
    delivery.save(update_fields=["recipient_count"])
    enqueue_sending(delivery.pk)
    return delivery


def finish_without_email(delivery: NewsletterDelivery, note: str) -> NewsletterDelivery:
    delivery.status = NewsletterDelivery.Status.NOT_EMAILED
    delivery.note = note
    delivery.finished_at = timezone.now()
    delivery.save(update_fields=["status", "note", "finished_at", "recipient_count"])
    return delivery


@transaction.atomic
def record_issue_as_not_emailed(issue: NewsletterIssuePage, note: str) -> NewsletterDelivery:
    """For imported or demo issues: publishing them later will not email anyone."""
    association = selectors.association_for_issue(issue)
    delivery, _ = NewsletterDelivery.objects.get_or_create(
        issue=issue,
        defaults={
            "association": association, "status": NewsletterDelivery.Status.NOT_EMAILED,
            "note": note, "finished_at": timezone.now(),
        },
    )
    return delivery


@transaction.atomic
def retry_delivery(delivery: NewsletterDelivery, *, by, include_claimed: bool = False) -> int:
    """Put failed recipients back in the queue (and, only when asked, those a worker
    claimed but never confirmed: they may get the issue twice) and queue the emailing.
    Also restarts a delivery whose task was lost. Returns how many rows were requeued."""
    delivery = NewsletterDelivery.objects.select_for_update().select_related("issue").get(pk=delivery.pk)
    if not delivery.issue.permissions_for_user(by).can_publish():
        raise PermissionDenied("Only people who may publish this issue can resend it.")
    statuses = [DeliveryRecipient.Status.FAILED]
    if include_claimed:
        statuses.append(DeliveryRecipient.Status.SENDING)
    requeued = delivery.recipients.filter(status__in=statuses).update(
        status=DeliveryRecipient.Status.PENDING, error="", claimed_at=None
    )
    if delivery.recipients.filter(status=DeliveryRecipient.Status.PENDING).exists():
        delivery.status = NewsletterDelivery.Status.QUEUED
        delivery.finished_at = None
        delivery.save(update_fields=["status", "finished_at"])
        enqueue_sending(delivery.pk)
    return requeued
