"""From domain events (config.events, after commit) to notifications.

Each handler loads what the event names, works out the recipients in bulk (only people
who may see it; notify() drops the actor), words the notification and calls notify().
The dedupe keys make an event heard twice harmless, and make one post reach each person
once: someone both mentioned in a reply and following its topic is told of the mention.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from config.events import subscribe
from forum.models import ModerationAction, Post, Visibility
from members.models import Membership
from notifications import live, recipients
from notifications.models import Kind
from notifications.services import Target, notify, notify_helpful_vote

MODERATION_WORDS = {
    ModerationAction.Action.HIDE: "hid your post",
    ModerationAction.Action.UNHIDE: "restored your post",
    ModerationAction.Action.APPROVE: "approved your post",
    ModerationAction.Action.MOVE: "moved your topic",
    ModerationAction.Action.SPLIT: "moved your reply to a new topic",
    ModerationAction.Action.LOCK: "locked your topic",
    ModerationAction.Action.UNLOCK: "unlocked your topic",
}
TOPIC_KIND_WORDS = {"question": "practice question", "discussion": "discussion", "procedure": "shared procedure"}


def _name(user) -> str:
    if user is None:
        return "Someone"
    return getattr(user, "display_name", "") or user.get_full_name() or user.username


def _published_post(post_id: int) -> Post | None:
    post = (Post.objects.select_related("topic__category__parent", "author")
            .filter(pk=post_id, status=Visibility.PUBLISHED, topic__status=Visibility.PUBLISHED).first())
    return post


def _mentioned_ids(post: Post) -> set[int]:
    """Accounts the post mentions (they hear of it as a mention, not as a reply)."""
    from forum.services import users_mentioned_in

    return {user.pk for user in users_mentioned_in(post.body).values()}


def _post_target(post: Post, title: str) -> Target:
    return Target(title=title, url=post.get_absolute_url(), summary=post.body[:200], topic_id=post.topic_id,
                  post_id=post.pk, association_id=post.topic.category.association_id)


def on_post_created(post_id, topic_id, status, **_):
    if status != Visibility.PUBLISHED:
        return
    post = _published_post(post_id)
    if post is None or post.position == 1:
        return  # a new topic: on_topic_created tells its followers
    live.push_topic_reply(post.topic_id, post.pk, post.position)
    topic = post.topic
    followers = recipients.topic_followers(topic) - _mentioned_ids(post)
    allowed = recipients.who_can_see(recipients.topic_audience(topic), followers)
    notify(Kind.REPLY, allowed, _post_target(post, f"{_name(post.author)} replied in “{topic.title}”"),
           actor_id=post.author_id, dedupe_key=f"post:{post.pk}")


def on_topic_created(topic_id, post_id, status, **_):
    if status != Visibility.PUBLISHED:
        return
    post = _published_post(post_id)
    if post is None:
        return
    topic = post.topic
    followers = recipients.new_topic_followers(topic) - _mentioned_ids(post)
    allowed = recipients.who_can_see(recipients.topic_audience(topic), followers)
    kind_words = TOPIC_KIND_WORDS.get(topic.kind, "topic")
    title = f"New {kind_words} in {topic.category.name}: “{topic.title}”"
    notify(Kind.NEW_TOPIC, allowed, _post_target(post, title), actor_id=post.author_id,
           dedupe_key=f"post:{post.pk}")


def on_mention(post_id, user_id, **_):
    post = _published_post(post_id)
    if post is None:
        return
    allowed = recipients.who_can_see(recipients.topic_audience(post.topic), [user_id])
    notify(Kind.MENTION, allowed, _post_target(post, f"{_name(post.author)} mentioned you in “{post.topic.title}”"),
           actor_id=post.author_id, dedupe_key=f"post:{post.pk}")


def on_answer_accepted(topic_id, post_id, accepted_by_id, **_):
    post = _published_post(post_id)
    if post is None:
        return
    allowed = recipients.who_can_see(recipients.topic_audience(post.topic), [post.author_id])
    accepted_by = get_user_model().objects.filter(pk=accepted_by_id).first()
    notify(Kind.ANSWER_ACCEPTED, allowed,
           _post_target(post, f"{_name(accepted_by)} accepted your answer in “{post.topic.title}”"),
           actor_id=accepted_by_id, dedupe_key=f"accepted:{post.pk}")


def on_helpful_vote(post_id, voter_id, **_):
    post = _published_post(post_id)
    if post is None or not recipients.who_can_see(recipients.topic_audience(post.topic), [post.author_id]):
        return
    count = post.helpful_votes.count()
    people = "1 person" if count == 1 else f"{count} people"
    notify_helpful_vote(post, voter_id, _post_target(post, f"{people} found your post in “{post.topic.title}” helpful"))


def on_moderation_action(action_id, subject_user_id=None, **_):
    action = ModerationAction.objects.select_related("topic", "post").filter(pk=action_id).first()
    if action is None or action.subject_user_id is None or action.action not in MODERATION_WORDS:
        return
    topic = action.topic
    title = f"A moderator {MODERATION_WORDS[action.action]}"
    if topic is not None:
        title += f" in “{topic.title}”"
    reason = action.reason.strip()
    # About the member's own post: no visibility target, so a hidden post's notice still shows.
    target = Target(title=title, summary=f"Reason: {reason}" if reason else "",
                    url=topic.get_absolute_url() if topic else reverse("notifications:centre"),
                    association_id=action.association_id)
    notify(Kind.MODERATION, [action.subject_user_id], target, actor_id=action.actor_id,
           dedupe_key=f"moderation:{action.pk}")


def on_attachment_reviewed(attachment_id, decision, action_id=None, **_):
    """A moderator cleared or removed a file the confidential-data check quarantined: its
    uploader is told (never what was found in it)."""
    from forum.models import Attachment

    attachment = Attachment.objects.select_related("post__topic__category").filter(pk=attachment_id).first()
    if attachment is None or decision not in (Attachment.Review.CLEARED, Attachment.Review.REMOVED):
        return
    action = ModerationAction.objects.filter(pk=action_id).first() if action_id else None
    topic = attachment.post.topic
    words = "cleared" if decision == Attachment.Review.CLEARED else "removed"
    reason = action.reason.strip() if action is not None else ""
    target = Target(title=f"A moderator {words} your file “{attachment.original_name}” in “{topic.title}”",
                    summary=f"Reason: {reason}" if reason else "", url=attachment.post.get_absolute_url(),
                    association_id=topic.category.association_id)
    notify(Kind.MODERATION, [attachment.uploaded_by_id], target,
           actor_id=action.actor_id if action is not None else attachment.reviewed_by_id,
           dedupe_key=f"attachment_review:{attachment.pk}:{decision}")


def on_post_redacted(redaction_id, post_id, author_id, moderator_id=None, **_):
    """A moderator redacted part of a member's post (forum.moderation.redact_post): tell the
    author, and take the redacted text out of the notifications that quoted the post."""
    from forum.models import Redaction
    from notifications.models import Notification

    redaction = Redaction.objects.select_related("post__topic").filter(pk=redaction_id).first()
    if redaction is None:
        return
    post = redaction.post
    Notification.objects.filter(post_id=post.pk).update(summary=post.body[:200])
    target = Target(title=f"A moderator redacted part of your post in “{post.topic.title}”",
                    summary=f"Reason: {redaction.reason}", url=post.get_absolute_url(),
                    association_id=post.topic.category.association_id)
    notify(Kind.MODERATION, [author_id], target, actor_id=moderator_id, dedupe_key=f"redaction:{redaction.pk}")


def on_membership_decided(membership_id, status, **_):
    membership = Membership.objects.select_related("association").filter(pk=membership_id).first()
    if membership is None:
        return
    words = {"active": "approved", "rejected": "declined", "lapsed": "ended"}.get(status)
    if words is None:
        return
    target = Target(title=f"Your membership of {membership.association.name} was {words}",
                    url=reverse("members:my_memberships"), association_id=membership.association_id)
    notify(Kind.MEMBERSHIP, [membership.user_id], target, actor_id=membership.decided_by_id,
           dedupe_key=f"membership:{membership.pk}:{status}:{membership.decided_at:%Y%m%d%H%M%S}"
           if membership.decided_at else f"membership:{membership.pk}:{status}")


def _live_page(page_id):
    from wagtail.models import Page

    page = Page.objects.live().filter(pk=page_id).first()
    return page.specific if page else None


def on_issue_published(page_id, association_id, **_):
    issue = _live_page(page_id)
    if issue is None or association_id is None:
        return
    from members.models import Association

    association = Association.objects.get(pk=association_id)
    allowed = recipients.who_can_see(recipients.page_audience(issue), recipients.active_members_of(association_id))
    notify(Kind.NEWSLETTER, allowed,
           Target(title=f"New issue of the {association.short_name or association.name} newsletter: {issue.title}",
                  url=issue.url or "/", page_id=issue.pk, association_id=association_id),
           dedupe_key=f"issue:{issue.pk}")


def on_update_published(page_id, association_id=None, **_):
    update = _live_page(page_id)
    if update is None:
        return
    jurisdictions = list(update.jurisdictions.all())
    followers = recipients.jurisdiction_followers(jurisdiction.pk for jurisdiction in jurisdictions)
    allowed = recipients.who_can_see(recipients.page_audience(update), followers)
    places = ", ".join(jurisdiction.name for jurisdiction in jurisdictions[:3])
    notify(Kind.LEGISLATION, allowed,
           Target(title=f"Legislative update for {places}: {update.title}", url=update.url or "/",
                  page_id=update.pk, association_id=association_id),
           dedupe_key=f"update:{update.pk}")


def remind_upcoming_events(now=None) -> int:
    """Tell registered members about events starting in the next 24 hours (run hourly by
    `manage.py send_event_reminders`; each registration is reminded once)."""
    from cms.events.models import EventPage, Registration

    now = now or timezone.now()
    events = EventPage.objects.live().filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=24))
    sent = 0
    for event in events:
        registered = set(Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED,
                                                     user__isnull=False).values_list("user_id", flat=True))
        allowed = recipients.who_can_see(recipients.page_audience(event), registered)
        local = event.starts_at.astimezone(ZoneInfo(event.time_zone))
        when = f"{local:%A, %B} {local.day} at {local:%I:%M %p}".replace(" 0", " ") + f" {local:%Z}"
        sent += len(notify(
            Kind.EVENT_REMINDER, allowed,
            Target(title=f"Reminder: {event.title} starts {when}", url=event.url or "/", page_id=event.pk),
            dedupe_key=f"event_reminder:{event.pk}:{event.starts_at:%Y%m%d%H%M}",
        ))
    return sent


def connect() -> None:
    for event_name, handler in (
        ("post_created", on_post_created), ("topic_created", on_topic_created), ("mention", on_mention),
        ("answer_accepted", on_answer_accepted), ("helpful_vote", on_helpful_vote),
        ("moderation_action", on_moderation_action), ("membership_decided", on_membership_decided),
        ("post_redacted", on_post_redacted),
        ("attachment_reviewed", on_attachment_reviewed),
        ("issue_published", on_issue_published), ("update_published", on_update_published),
    ):
        subscribe(event_name, handler)

