"""Moderation services: flags, hiding, locking, pinning, moving, splitting, suspensions.
Every action is recorded in the ModerationAction audit log with who, when and why.

Each service checks `permissions.can_moderate` for the association of the category the
topic is in (the commons, association None, is moderated by every association's
moderators), writes in one transaction, and emits "moderation_action" (plus a specific
event where subscribers need one) through config.events, so they run after commit."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from config.events import emit
from forum.models import (
    Attachment,
    Category,
    Flag,
    GuardFinding,
    ModerationAction,
    Post,
    PostingSuspension,
    Topic,
    Visibility,
)
from forum.selectors import moderated_association_ids, visible_categories, visible_posts, visible_topics
from members import permissions
from members.models import Association

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 1000
_FROM_TOPIC = object()  # record_action: take the association from the topic or post


class ModerationError(ValidationError):
    """A moderation request that cannot be carried out as it stands (the form shows why)."""


def active_suspension(user, association_id: int | None) -> PostingSuspension | None:
    return (
        PostingSuspension.objects.filter(user=user, association_id=association_id, until__gt=timezone.now())
        .order_by("-until")
        .first()
    )


def record_action(
    actor, action: str, *, reason: str, topic=None, post=None, subject_user=None, association=_FROM_TOPIC, **details
) -> ModerationAction:
    """One audit log row. The association is the topic's (or the post's topic's) unless
    given, as for a suspension, which has neither."""
    reason = clean_reason(reason)
    if association is _FROM_TOPIC:
        association_id = None
        if topic is not None:
            association_id = topic.category.association_id
        elif post is not None:
            association_id = post.topic.category.association_id
    else:
        association_id = association.pk if association is not None else None
    return ModerationAction.objects.create(
        actor=actor, action=action, reason=reason, topic=topic, post=post, subject_user=subject_user,
        association_id=association_id, details=details,
    )


# --- Checks shared by every action ------------------------------------------------------------


def clean_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError({field: "Give a reason; it is kept in the moderation log."})
    if len(reason) > MAX_REASON_LENGTH:
        raise ModerationError({field: f"Keep the reason to {MAX_REASON_LENGTH:,} characters; this one has {len(reason):,}."})
    return reason


def can_moderate_category(user, category: Category) -> bool:
    return bool(user is not None and user.is_authenticated) and permissions.can_moderate(user, category.association)


def check_can_moderate(user, category: Category) -> None:
    if not can_moderate_category(user, category):
        raise PermissionDenied("Only this category's moderators can do that.")


def _emit_action(action: ModerationAction) -> None:
    emit(
        "moderation_action", action_id=action.pk, post_id=action.post_id, topic_id=action.topic_id,
        subject_user_id=action.subject_user_id,
    )


def _locked_post(post: Post) -> Post:
    return Post.objects.select_for_update(of=("self",)).select_related("topic__category__association", "author").get(pk=post.pk)


def _locked_topic(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("category__association").get(pk=topic.pk)


def recompute_topic_counters(topic: Topic) -> None:
    """Set post_count, helpful_total, last_post and last_activity_at from the topic's
    published posts, and drop an accepted answer that is no longer a published reply."""
    published = Post.objects.filter(topic_id=topic.pk, status=Visibility.PUBLISHED)
    totals = published.aggregate(count=Count("pk"), helpful=Sum("helpful_count"))
    last_post = published.order_by("-position").only("pk", "created_at").first()
    topic.post_count = totals["count"]
    topic.helpful_total = totals["helpful"] or 0
    topic.last_post_id = last_post.pk if last_post else None
    topic.last_activity_at = last_post.created_at if last_post else topic.created_at
    update_fields = ["post_count", "helpful_total", "last_post", "last_activity_at"]
    if topic.accepted_answer_id and not published.filter(pk=topic.accepted_answer_id, position__gt=1).exists():
        topic.accepted_answer_id = None
        update_fields.append("accepted_answer")
    topic.save(update_fields=update_fields)


# --- Flags ----------------------------------------------------------------------------------------


@transaction.atomic
def flag_post(user, post: Post, reason: str, details: str = "") -> Flag:
    """A signed-in reader asks the moderators to look at a post they can see (not their own)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to flag a post.")
    post = Post.objects.select_related("topic__category").get(pk=post.pk)
    if not visible_topics(user).filter(pk=post.topic_id).exists() or not visible_posts(user, post.topic).filter(pk=post.pk).exists():
        raise PermissionDenied("You cannot flag that post.")
    if post.author_id == user.pk:
        raise ModerationError("You cannot flag your own post. Edit it instead, or ask a moderator to hide it.")
    if post.status != Visibility.PUBLISHED:
        raise ModerationError("This post is already waiting for or hidden by a moderator.")
    if reason not in Flag.Reason.values:
        raise ModerationError({"reason": "Choose why you are flagging this post."})
    details = (details or "").strip()
    if reason == Flag.Reason.OTHER and not details:
        raise ModerationError({"details": "Tell the moderators what is wrong with this post."})
    if len(details) > 1000:
        raise ModerationError({"details": f"Keep the details to 1,000 characters; these have {len(details):,}."})
    if Flag.objects.filter(post=post, flagged_by=user, resolved_at__isnull=True).exists():
        raise ModerationError("You have already flagged this post; a moderator will review it.")
    flag = Flag.objects.create(post=post, flagged_by=user, reason=reason, details=details)
    emit("post_flagged", flag_id=flag.pk, post_id=post.pk, topic_id=post.topic_id, flagged_by_id=user.pk)
    return flag


def _close_flags(moderator, flags: QuerySet, resolution: str) -> list[int]:
    flag_ids = list(flags.filter(resolved_at__isnull=True).values_list("pk", flat=True))
    if flag_ids:
        Flag.objects.filter(pk__in=flag_ids).update(resolved_at=timezone.now(), resolved_by=moderator, resolution=resolution)
    return flag_ids


@transaction.atomic
def resolve_flag(moderator, flag: Flag, resolution: str) -> Flag:
    """Close one open flag, saying what was done about it (or why nothing was)."""
    flag = Flag.objects.select_for_update(of=("self",)).select_related("post__topic__category__association").get(pk=flag.pk)
    check_can_moderate(moderator, flag.post.topic.category)
    resolution = clean_reason(resolution, field="resolution")
    if flag.resolved_at is not None:
        raise ModerationError("This flag has already been resolved.")
    flag.resolved_at, flag.resolved_by, flag.resolution = timezone.now(), moderator, resolution
    flag.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    action = record_action(
        moderator, ModerationAction.Action.RESOLVE_FLAG, reason=resolution, topic=flag.post.topic, post=flag.post,
        subject_user=flag.post.author, flag_ids=[flag.pk],
    )
    _emit_action(action)
    return flag


@transaction.atomic
def resolve_flags(moderator, post: Post, resolution: str) -> int:
    """Close every open flag on a post at once (the queue's "dismiss flags"). Returns how many."""
    post = _locked_post(post)
    check_can_moderate(moderator, post.topic.category)
    resolution = clean_reason(resolution)
    flag_ids = _close_flags(moderator, post.flags.all(), resolution)
    if not flag_ids:
        raise ModerationError("This post has no open flags.")
    action = record_action(
        moderator, ModerationAction.Action.RESOLVE_FLAG, reason=resolution, topic=post.topic, post=post,
        subject_user=post.author, flag_ids=flag_ids,
    )
    _emit_action(action)
    return len(flag_ids)


# --- Posts: hide, unhide, approve -------------------------------------------------------------------


def _set_post_status(post: Post, status: str) -> Topic:
    """Change a post's status; the opening post carries its topic along. Counters follow."""
    topic = _locked_topic(post.topic)
    post.status = status
    post.save(update_fields=["status"])
    if post.position == 1 and topic.status != status:
        topic.status = status
        topic.save(update_fields=["status"])
    recompute_topic_counters(topic)
    post.topic = topic
    return topic


@transaction.atomic
def hide_post(moderator, post: Post, reason: str) -> Post:
    """Hide a published or held post. Hiding the opening post hides the whole topic. Open
    flags on the post are resolved by the same action."""
    post = _locked_post(post)
    check_can_moderate(moderator, post.topic.category)
    reason = clean_reason(reason)
    if post.status == Visibility.HIDDEN:
        raise ModerationError("This post is already hidden.")
    previous_status = post.status
    was_accepted = post.topic.accepted_answer_id == post.pk
    topic = _set_post_status(post, Visibility.HIDDEN)
    flag_ids = _close_flags(moderator, post.flags.all(), f"Post hidden: {reason}")
    action = record_action(
        moderator, ModerationAction.Action.HIDE, reason=reason, topic=topic, post=post, subject_user=post.author,
        previous_status=previous_status, was_accepted_answer=was_accepted, topic_hidden=post.position == 1,
        resolved_flag_ids=flag_ids,
    )
    _emit_action(action)
    return post


@transaction.atomic
def unhide_post(moderator, post: Post, reason: str) -> Post:
    """Publish a hidden post again (and its topic, for an opening post). An accepted answer
    that was unset by hiding it comes back when the topic has no other answer."""
    post = _locked_post(post)
    check_can_moderate(moderator, post.topic.category)
    reason = clean_reason(reason)
    if post.status != Visibility.HIDDEN:
        raise ModerationError("This post is not hidden.")
    topic = _set_post_status(post, Visibility.PUBLISHED)
    last_hide = (
        ModerationAction.objects.filter(post=post, action=ModerationAction.Action.HIDE).order_by("-created_at", "-pk").first()
    )
    if (
        last_hide is not None and last_hide.details.get("was_accepted_answer")
        and topic.accepted_answer_id is None and topic.kind == Topic.Kind.QUESTION and post.position > 1
    ):
        topic.accepted_answer = post
        topic.save(update_fields=["accepted_answer"])
    action = record_action(
        moderator, ModerationAction.Action.UNHIDE, reason=reason, topic=topic, post=post, subject_user=post.author
    )
    _emit_action(action)
    return post


@transaction.atomic
def approve_post(moderator, post: Post, reason: str = "") -> Post:
    """Publish a post that was held for review (a new member's first posts). Subscribers
    hear "post_created" again, now published, so followers are told only now."""
    post = _locked_post(post)
    check_can_moderate(moderator, post.topic.category)
    reason = clean_reason(reason or "Approved after review.")
    if post.status != Visibility.HELD:
        raise ModerationError("Only a post held for review can be approved.")
    topic = _set_post_status(post, Visibility.PUBLISHED)
    action = record_action(
        moderator, ModerationAction.Action.APPROVE, reason=reason, topic=topic, post=post, subject_user=post.author
    )
    _emit_action(action)
    if post.position == 1:
        emit("topic_created", topic_id=topic.pk, post_id=post.pk, status=Visibility.PUBLISHED)
    emit("post_created", post_id=post.pk, topic_id=topic.pk, status=Visibility.PUBLISHED)
    # A held post mentioned nobody; the people it names hear of it now.
    from forum.services import emit_mentions

    emit_mentions(post, topic)
    return post


# --- Topics: lock, pin, move, split ---------------------------------------------------------------------


def _toggle_topic(moderator, topic: Topic, reason: str, *, field: str, value: bool, action_name: str, already: str) -> Topic:
    topic = _locked_topic(topic)
    check_can_moderate(moderator, topic.category)
    reason = clean_reason(reason)
    if getattr(topic, field) == value:
        raise ModerationError(already)
    setattr(topic, field, value)
    topic.save(update_fields=[field])
    _emit_action(record_action(moderator, action_name, reason=reason, topic=topic))
    return topic


@transaction.atomic
def lock_topic(moderator, topic: Topic, reason: str) -> Topic:
    return _toggle_topic(moderator, topic, reason, field="is_locked", value=True,
                         action_name=ModerationAction.Action.LOCK, already="This topic is already locked.")


@transaction.atomic
def unlock_topic(moderator, topic: Topic, reason: str) -> Topic:
    return _toggle_topic(moderator, topic, reason, field="is_locked", value=False,
                         action_name=ModerationAction.Action.UNLOCK, already="This topic is not locked.")


@transaction.atomic
def pin_topic(moderator, topic: Topic, reason: str) -> Topic:
    return _toggle_topic(moderator, topic, reason, field="is_pinned", value=True,
                         action_name=ModerationAction.Action.PIN, already="This topic is already pinned.")


@transaction.atomic
def unpin_topic(moderator, topic: Topic, reason: str) -> Topic:
    return _toggle_topic(moderator, topic, reason, field="is_pinned", value=False,
                         action_name=ModerationAction.Action.UNPIN, already="This topic is not pinned.")


def check_can_move_into(moderator, category: Category) -> None:
    """A topic can only go where its moderator can see and moderate."""
    if not can_moderate_category(moderator, category) or not visible_categories(moderator).filter(pk=category.pk).exists():
        raise PermissionDenied(f"You cannot move topics into “{category.name}”: you do not moderate it.")


@transaction.atomic
def move_topic(moderator, topic: Topic, to_category: Category, reason: str) -> Topic:
    """Move a topic to another category; the moderator must moderate both. Search
    re-indexes the topic for its new audience on "topic_moved"."""
    topic = _locked_topic(topic)
    check_can_moderate(moderator, topic.category)
    reason = clean_reason(reason)
    to_category = Category.objects.select_related("association").get(pk=to_category.pk)
    if to_category.pk == topic.category_id:
        raise ModerationError({"to_category": "The topic is already in that category."})
    check_can_move_into(moderator, to_category)
    from_category = topic.category
    # Logged under the association the topic leaves; the destination's moderators find it
    # through to_association_id.
    action = record_action(
        moderator, ModerationAction.Action.MOVE, reason=reason, topic=topic,
        from_category_id=from_category.pk, from_category=from_category.name,
        to_category_id=to_category.pk, to_category=to_category.name, to_association_id=to_category.association_id,
    )
    topic.category = to_category
    topic.save(update_fields=["category"])
    _emit_action(action)
    emit("topic_moved", topic_id=topic.pk, from_category_id=from_category.pk, to_category_id=to_category.pk)
    return topic


def _renumber_posts(topic_id: int) -> None:
    """Close the gaps left by moved posts. Ascending order keeps (topic, position) unique
    after every single UPDATE, which PostgreSQL checks row by row."""
    posts = Post.objects.filter(topic_id=topic_id).order_by("position").values_list("pk", "position")
    for new_position, (pk, old_position) in enumerate(posts, start=1):
        if new_position != old_position:
            Post.objects.filter(pk=pk).update(position=new_position)


@transaction.atomic
def split_topic(
    moderator, topic: Topic, posts: Iterable[Post], new_title: str, reason: str, to_category: Category | None = None
) -> Topic:
    """Move chosen replies (never the opening post) into a new topic. The first chosen post
    opens it; positions are renumbered in both topics and counters recomputed. The new
    topic is a practice question when the original was one, a discussion otherwise."""
    from forum.services import clean_title

    topic = _locked_topic(topic)
    check_can_moderate(moderator, topic.category)
    reason = clean_reason(reason)
    try:
        new_title = clean_title(new_title)
    except ValidationError as error:
        raise ModerationError({"new_title": error.messages}) from error
    post_ids = {post.pk for post in posts}
    if not post_ids:
        raise ModerationError({"posts": "Choose at least one reply to split off."})
    chosen = list(Post.objects.select_for_update().filter(topic=topic, pk__in=post_ids).order_by("position"))
    if len(chosen) != len(post_ids):
        raise ModerationError({"posts": "Choose replies from this topic only."})
    if any(post.position == 1 for post in chosen):
        raise ModerationError({"posts": "The opening post stays with its topic; choose replies only."})
    category = topic.category
    if to_category is not None and to_category.pk != topic.category_id:
        category = Category.objects.select_related("association").get(pk=to_category.pk)
        check_can_move_into(moderator, category)

    opening = chosen[0]
    kind = Topic.Kind.QUESTION if topic.kind == Topic.Kind.QUESTION else Topic.Kind.DISCUSSION
    new_topic = Topic.objects.create(
        category=category, kind=kind, title=new_title, author=opening.author, created_at=opening.created_at,
        last_activity_at=opening.created_at, status=opening.status,
    )
    for position, post in enumerate(chosen, start=1):
        Post.objects.filter(pk=post.pk).update(topic=new_topic, position=position)
    new_topic.tags.set(list(topic.tags.names()))
    new_topic.jurisdictions.set(topic.jurisdictions.all())
    _renumber_posts(topic.pk)
    recompute_topic_counters(topic)
    recompute_topic_counters(new_topic)

    action = record_action(
        moderator, ModerationAction.Action.SPLIT, reason=reason, topic=topic,
        new_topic_id=new_topic.pk, new_topic=new_topic.title, post_ids=[post.pk for post in chosen],
        to_association_id=category.association_id,
    )
    _emit_action(action)
    emit("topic_split", topic_id=topic.pk, new_topic_id=new_topic.pk, post_ids=[post.pk for post in chosen])
    return new_topic


# --- Suspensions ---------------------------------------------------------------------------------


@transaction.atomic
def suspend_from_posting(moderator, user, association: Association | None, until: datetime, reason: str) -> PostingSuspension:
    """Stop `user` posting in `association`'s categories (None: the commons) until a time.
    `forum.services.check_can_post` refuses them until then."""
    if moderator is None or not moderator.is_authenticated or not permissions.can_moderate(moderator, association):
        raise PermissionDenied("Only this association's moderators can suspend people from its forum.")
    reason = clean_reason(reason)
    if user.pk == moderator.pk:
        raise ModerationError("You cannot suspend yourself.")
    if user.is_superuser:
        raise ModerationError("Site administrators cannot be suspended.")
    if until is None or until <= timezone.now():
        raise ModerationError({"until": "Choose a date in the future."})
    suspension = PostingSuspension.objects.create(
        user=user, association=association, until=until, reason=reason, suspended_by=moderator
    )
    action = record_action(
        moderator, ModerationAction.Action.SUSPEND, reason=reason, subject_user=user, association=association,
        suspension_id=suspension.pk, until=until.isoformat(),
    )
    _emit_action(action)
    return suspension


# --- Quarantined attachments ---------------------------------------------------------------------------

# Audit log actions for the confidential-data guard's quarantine (ModerationAction.action values).
ATTACHMENT_CLEARED = ModerationAction.Action.CLEAR_FILE
ATTACHMENT_REMOVED = ModerationAction.Action.REMOVE_FILE
ATTACHMENT_ACTION_LABELS = {
    ATTACHMENT_CLEARED: "Cleared a quarantined attachment",
    ATTACHMENT_REMOVED: "Removed a quarantined attachment",
}


def _locked_attachment(attachment: Attachment) -> Attachment:
    return (
        Attachment.objects.select_for_update(of=("self",))
        .select_related("post__topic__category__association", "uploaded_by")
        .get(pk=attachment.pk)
    )


def _review_attachment(moderator, attachment: Attachment, reason: str, *, decision: str) -> Attachment:
    attachment = _locked_attachment(attachment)
    post = attachment.post
    check_can_moderate(moderator, post.topic.category)
    reason = clean_reason(reason)
    if attachment.review_status != Attachment.Review.QUARANTINED:
        raise ModerationError("This attachment is not waiting for a moderator's review.")
    attachment.review_status = decision
    attachment.reviewed_by = moderator
    attachment.reviewed_at = timezone.now()
    fields = ["review_status", "reviewed_by", "reviewed_at"]
    outcome = GuardFinding.Outcome.CLEARED if decision == Attachment.Review.CLEARED else GuardFinding.Outcome.REMOVED
    attachment.guard_findings.filter(outcome=GuardFinding.Outcome.QUARANTINED).update(
        outcome=outcome, decided_by=moderator
    )
    stored_name = attachment.file.name
    if decision == Attachment.Review.REMOVED:
        # The file and its text go; the row stays so the post says a file was removed.
        attachment.file = ""
        attachment.extracted_text = ""
        fields += ["file", "extracted_text"]
    attachment.save(update_fields=fields)
    if decision == Attachment.Review.REMOVED and stored_name:
        storage = attachment.file.storage
        transaction.on_commit(lambda: _delete_file(storage, stored_name), robust=True)
    action = record_action(
        moderator, ATTACHMENT_CLEARED if decision == Attachment.Review.CLEARED else ATTACHMENT_REMOVED,
        reason=reason, topic=post.topic, post=post, subject_user=attachment.uploaded_by,
        attachment_id=attachment.pk, file_name=attachment.original_name,
    )
    # A cleared file's text becomes searchable with its post (search/sources/forum.py).
    from search import outbox

    outbox.queue_index([f"post:{post.pk}", f"topic:{post.topic_id}"])
    emit("attachment_reviewed", attachment_id=attachment.pk, decision=decision, action_id=action.pk)
    return attachment


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("could not delete the removed attachment file %s", name)


@transaction.atomic
def clear_attachment(moderator, attachment: Attachment, reason: str = "") -> Attachment:
    """Release a quarantined attachment: it holds no real case data after all. Everyone who
    can see the post can open it again, and search finds its text."""
    return _review_attachment(
        moderator, attachment, reason or "Cleared after review: no real case data.", decision=Attachment.Review.CLEARED
    )


@transaction.atomic
def remove_attachment(moderator, attachment: Attachment, reason: str) -> Attachment:
    """Delete a quarantined attachment's file and text for good; the post stays, saying a
    moderator removed a file. The uploader is told why."""
    return _review_attachment(moderator, attachment, reason, decision=Attachment.Review.REMOVED)


def quarantined_attachments(user) -> QuerySet[Attachment]:
    """Attachments waiting for a moderator in the categories `user` moderates, oldest first,
    with their findings (kind, place, confidence) loaded."""
    findings = GuardFinding.objects.filter(outcome=GuardFinding.Outcome.QUARANTINED).order_by("start", "pk")
    return (
        Attachment.objects.filter(
            review_status=Attachment.Review.QUARANTINED,
            post__topic__category__in=moderated_categories(user).values("pk"),
        )
        .select_related("post__topic__category__association", "uploaded_by")
        .prefetch_related(Prefetch("guard_findings", queryset=findings, to_attr="open_findings"))
        .order_by("uploaded_at", "pk")
    )


@dataclass(frozen=True)
class FindingExcerpt:
    """One finding as moderators see it: what kind, how sure, why it matters, and the
    extracted text around it (escaped by the template; `found` is the highlighted span)."""

    label: str
    explanation: str
    confidence: int  # percent
    high_risk: bool
    before: str
    found: str
    after: str


EXCERPT_CONTEXT = 80


def finding_excerpts(attachment: Attachment, findings, *, limit: int = 20) -> list[FindingExcerpt]:
    """For the moderators' queue only: the text around each finding. Nobody else sees it."""
    from forum.confidential import FindingKind

    text = attachment.extracted_text or ""
    excerpts = []
    for finding in list(findings)[:limit]:
        kind = FindingKind(finding.kind)
        start, end = max(0, min(finding.start, len(text))), max(0, min(finding.end, len(text)))
        excerpts.append(FindingExcerpt(
            label=kind.label, explanation=kind.explanation, confidence=round(finding.confidence * 100),
            high_risk=finding.high_risk,
            before=("…" if start > EXCERPT_CONTEXT else "") + text[max(0, start - EXCERPT_CONTEXT):start],
            found=text[start:end],
            after=text[end:end + EXCERPT_CONTEXT] + ("…" if end + EXCERPT_CONTEXT < len(text) else ""),
        ))
    return excerpts


# --- Reads for moderators ------------------------------------------------------------------------------


def moderates_anything(user) -> bool:
    return permissions.sees_everything(user) or bool(
        user is not None and user.is_authenticated and moderated_association_ids(user)
    )


def moderated_categories(user) -> QuerySet[Category]:
    """Categories the user both sees and moderates (every moderator moderates the commons)."""
    categories = visible_categories(user)
    if permissions.sees_everything(user):
        return categories
    moderated = moderated_association_ids(user)
    if not moderated:
        return categories.none()
    return categories.filter(Q(association_id__in=moderated) | Q(association__isnull=True))


def moderation_queue(user) -> QuerySet[Post]:
    """Posts waiting for a moderator: held for review, or published with open flags; the
    oldest first. Each has `open_flags` (with who flagged) loaded."""
    open_flags = Flag.objects.filter(resolved_at__isnull=True).select_related("flagged_by").order_by("created_at")
    waiting = Q(status=Visibility.HELD) | Q(pk__in=Flag.objects.filter(resolved_at__isnull=True).values("post_id"))
    return (
        Post.objects.filter(waiting, topic__category__in=moderated_categories(user).values("pk"))
        .exclude(status=Visibility.HIDDEN)
        .select_related("author", "topic__category__association")
        .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flags"))
        .order_by("created_at", "pk")
    )


def audit_log(user, action: str | None = None) -> QuerySet[ModerationAction]:
    """The moderation log of the associations the user moderates (and the commons), newest
    first; superusers see all of it."""
    actions = ModerationAction.objects.select_related("actor", "association", "topic", "post", "subject_user")
    if not permissions.sees_everything(user):
        moderated = list(moderated_association_ids(user))
        if not moderated:
            return actions.none()
        # Moves and splits also show to the moderators of where the topic went (the
        # commons, recorded as null, belongs to every moderator).
        actions = actions.filter(
            Q(association_id__in=moderated) | Q(association__isnull=True)
            | Q(details__to_association_id__in=moderated) | Q(details__to_association_id=None)
        )
    if action:
        actions = actions.filter(action=action)
    return actions.order_by("-created_at", "-pk")


# --- Redaction (the confidential case-data guard, forum/guard.py) -----------------------------------

from django.db.models import F  # noqa: E402  (imports of this section kept here)
from django_tasks import task  # noqa: E402

REDACTED = "[redacted]"
# ModerationAction.Action has no choice for it yet (a new choice needs a forum migration):
# the audit log stores the value and shows it as it is.
REDACT_ACTION = ModerationAction.Action.REDACT
MAX_REDACTION_REASON_LENGTH = 500


def redaction_retention():
    from datetime import timedelta

    from django.conf import settings

    return timedelta(days=settings.FORUM_REDACTION_RETENTION_DAYS)


@transaction.atomic
def redact_post(moderator, post: Post, start: int, end: int, reason: str):
    """Replace `post.body[start:end]` with "[redacted]", in the post and in its edit history.
    The original survives only in the Redaction record, for moderators, until the scheduled
    purge blanks it (settings.FORUM_REDACTION_RETENTION_DAYS). Matching guard findings are
    marked redacted, the audit log records the action (never the text), and "post_redacted"
    tells the author. Saving the post re-indexes it for search."""
    from forum import guard
    from forum.models import GuardFinding, PostRevision, Redaction
    from forum.services import render_post_body

    post = _locked_post(post)
    check_can_moderate(moderator, post.topic.category)
    reason = clean_reason(reason)
    if len(reason) > MAX_REDACTION_REASON_LENGTH:
        raise ModerationError({"reason": f"Keep the reason to {MAX_REDACTION_REASON_LENGTH} characters; this one has {len(reason):,}."})
    body = post.body
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body)):
        raise ModerationError("Choose a part of the post's text to redact.")
    original = body[start:end]
    if not original.strip():
        raise ModerationError("Choose some text to redact, not only spaces.")
    if original == REDACTED:
        raise ModerationError("That part is already redacted.")

    post.body = body[:start] + REDACTED + body[end:]
    post.body_html = render_post_body(post.body)
    post.save(update_fields=["body", "body_html"])
    # The edit history must not keep what was redacted either.
    for revision in PostRevision.objects.select_for_update().filter(post=post, body__contains=original):
        revision.body = revision.body.replace(original, REDACTED)
        revision.save(update_fields=["body"])

    now = timezone.now()
    redaction = Redaction.objects.create(
        post=post, moderator=moderator, start=start, end=end, original_text=original, reason=reason,
        created_at=now, purge_after=now + redaction_retention(),
    )
    # Findings in the span are redacted; the stored places after it move with the text.
    body_findings = GuardFinding.objects.filter(post=post, place=GuardFinding.Place.BODY)
    redacted = body_findings.filter(start__lt=end, end__gt=start)
    count = redacted.update(outcome=GuardFinding.Outcome.REDACTED, decided_by=moderator)
    if not count:
        found = [finding for finding in guard.scan_text(body) if finding.start < end and finding.end > start]
        if found:
            guard.record_findings(post, found, GuardFinding.Outcome.REDACTED, by=moderator)
    shift = len(REDACTED) - (end - start)
    if shift:
        body_findings.filter(start__gte=end).update(start=F("start") + shift, end=F("end") + shift)

    action = record_action(
        moderator, REDACT_ACTION, reason=reason, topic=post.topic, post=post, subject_user=post.author,
        redaction_id=redaction.pk, start=start, length=end - start,
    )
    emit(
        "post_redacted", redaction_id=redaction.pk, post_id=post.pk, topic_id=post.topic_id,
        author_id=post.author_id, moderator_id=moderator.pk, action_id=action.pk,
    )
    return redaction


def purge_expired_redactions(now=None) -> int:
    """Blank the original text of redactions whose retention time is over. Returns how many."""
    from forum.models import Redaction

    now = now or timezone.now()
    return Redaction.objects.filter(purge_after__lte=now, purged_at__isnull=True).update(original_text="", purged_at=now)


@task()
def purge_redactions_task() -> int:
    """The scheduled purge as a background task (`manage.py purge_redactions` runs it daily)."""
    return purge_expired_redactions()
