"""What members are told, and how they want to be told.

A Notification is written once per recipient by `notifications.services.notify()` (the one
entry point, called from the event path after commit). It keeps the text and link it was
created with, plus the topic, post or page it is about, so the notification centre can
check again, each time it is shown, that the recipient may still see that thing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    REPLY = "reply", "Replies in topics you follow"
    NEW_TOPIC = "new_topic", "New topics in categories, tags and jurisdictions you follow"
    MENTION = "mention", "Mentions of you"
    ANSWER_ACCEPTED = "answer_accepted", "Your answer was accepted"
    HELPFUL_VOTES = "helpful_votes", "Helpful votes on your posts"
    MODERATION = "moderation", "Moderators' actions on your posts"
    MEMBERSHIP = "membership", "Decisions on your membership applications"
    NEWSLETTER = "newsletter", "New newsletter issues of your associations"
    LEGISLATION = "legislation", "Legislative updates for jurisdictions you follow"
    EVENT_REMINDER = "event_reminder", "Reminders the day before events you registered for"


class Delivery(models.TextChoices):
    IN_APP = "in_app", "On the site only"
    IMMEDIATE = "immediate", "On the site and by email at once"
    DIGEST = "digest", "On the site and in a daily email digest"
    OFF = "off", "Off"


# What a member gets until they choose: email at once for what is about them personally,
# a digest for what they follow, the site only for the rest. Membership decisions are
# already emailed by members.services (an account email everyone gets), so not twice.
DEFAULT_DELIVERY = {
    Kind.REPLY: Delivery.DIGEST,
    Kind.NEW_TOPIC: Delivery.DIGEST,
    Kind.MENTION: Delivery.IMMEDIATE,
    Kind.ANSWER_ACCEPTED: Delivery.IMMEDIATE,
    Kind.HELPFUL_VOTES: Delivery.IN_APP,
    Kind.MODERATION: Delivery.IMMEDIATE,
    Kind.MEMBERSHIP: Delivery.IN_APP,
    Kind.NEWSLETTER: Delivery.IN_APP,
    Kind.LEGISLATION: Delivery.DIGEST,
    Kind.EVENT_REMINDER: Delivery.IMMEDIATE,
}


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    # What it is about, as shown (plain text; templates escape it) and where it leads.
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=500)
    # The target, for the visibility check each time it is shown: the topic (and the post,
    # when it is about one) for forum targets, the page for CMS targets.
    topic = models.ForeignKey("forum.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    association = models.ForeignKey(
        "members.Association", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    # Helpful votes on one post are counted on one unread notification.
    count = models.PositiveIntegerField(default=1)
    # One notification per recipient and key ("post:12", "membership:3:active"), so an event
    # heard twice (a retried task, a republish) never notifies twice. Empty: no such rule.
    dedupe_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Claimed before an email is sent, so no notification is ever emailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_key",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A member's choice for one kind (no row: DEFAULT_DELIVERY)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.delivery}"
