"""Writes for the forum: topics, replies, edits, answers, helpful votes, follows,
bookmarks and read state. Each checks permission, writes in one transaction and emits
its event after commit through config.events. Moderation lives in forum/moderation.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from config.events import emit
from forum.models import Category, HelpfulVote, Post, PostRevision, Topic, Visibility
from forum.rendering import render_markdown
from forum.selectors import visible_categories, visible_posts, visible_topics
from members import permissions

MAX_POST_LENGTH = 20_000
MAX_TITLE_LENGTH = 200


class PostingError(ValidationError):
    """A post or topic that cannot be accepted as it stands (the form shows why)."""


# --- Checks shared by every write ----------------------------------------------------------


def check_can_see_category(user, category: Category) -> None:
    if not visible_categories(user).filter(pk=category.pk).exists():
        raise PermissionDenied("You cannot post in that category.")


def can_post_in(user, category: Category) -> bool:
    """Posting needs an account that can see the category; a members-only category needs
    an active membership of its association (any association for the commons)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if permissions.sees_everything(user):
        return True
    if not visible_categories(user).filter(pk=category.pk).exists():
        return False
    if category.association_id is None:
        return permissions.is_member_anywhere(user)
    return category.association_id in permissions.member_association_ids(user)


def check_can_post(user, category: Category) -> None:
    from forum.moderation import active_suspension

    if not can_post_in(user, category):
        raise PermissionDenied("You cannot post in that category.")
    suspension = active_suspension(user, category.association_id)
    if suspension is not None:
        raise PermissionDenied(f"You are suspended from posting until {suspension.until:%B %-d, %Y}: {suspension.reason}")


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise PostingError({"body": "Write something before posting."})
    if len(body) > MAX_POST_LENGTH:
        raise PostingError({"body": f"Posts can be at most {MAX_POST_LENGTH:,} characters; this one has {len(body):,}."})
    return body


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < 8:
        raise PostingError({"title": "Give the topic a title of at least 8 characters that says what it is about."})
    if len(title) > MAX_TITLE_LENGTH:
        raise PostingError({"title": f"Titles can be at most {MAX_TITLE_LENGTH} characters."})
    return title


def status_for_new_post(user, category: Category) -> str:
    """A new member's first posts wait for a moderator when the category says so."""
    if category.hold_first_posts == 0 or permissions.can_moderate(user, category.association):
        return Visibility.PUBLISHED
    published = Post.objects.filter(author=user, status=Visibility.PUBLISHED).count()
    return Visibility.HELD if published < category.hold_first_posts else Visibility.PUBLISHED


# --- Topics and posts --------------------------------------------------------------------------------


@transaction.atomic
def create_topic(
    author,
    category: Category,
    *,
    kind: str,
    title: str,
    body: str,
    tags: list[str] | None = None,
    jurisdictions=(),
) -> Topic:
    check_can_post(author, category)
    if kind not in Topic.Kind.values:
        raise PostingError({"kind": "Choose discussion, practice question or shared procedure."})
    title, body = clean_title(title), clean_body(body)
    status = status_for_new_post(author, category)
    now = timezone.now()
    topic = Topic.objects.create(
        category=category, kind=kind, title=title, author=author, created_at=now, last_activity_at=now,
        status=status, post_count=1 if status == Visibility.PUBLISHED else 0,
    )
    post = Post.objects.create(
        topic=topic, author=author, position=1, body=body, body_html=render_markdown(body), status=status, created_at=now
    )
    topic.last_post = post
    topic.save(update_fields=["last_post"])
    if tags:
        topic.tags.set(normalise_tags(tags))
    if jurisdictions:
        topic.jurisdictions.set(jurisdictions)
    emit("topic_created", topic_id=topic.pk, post_id=post.pk, status=status)
    emit("post_created", post_id=post.pk, topic_id=topic.pk, status=status)
    return topic


def normalise_tags(tags: list[str]) -> list[str]:
    """Tags are lowercase slugs ("controlling-order"), at most 8 per topic."""
    cleaned = []
    for tag in tags:
        slug = "-".join(tag.strip().lower().replace("_", "-").split())
        slug = "".join(ch for ch in slug if ch.isalnum() or ch == "-").strip("-")[:50]
        if slug and slug not in cleaned:
            cleaned.append(slug)
    if len(cleaned) > 8:
        raise PostingError({"tags": "Use at most 8 tags."})
    return cleaned


@transaction.atomic
def reply(author, topic: Topic, *, body: str, quoted_post: Post | None = None) -> Post:
    topic = Topic.objects.select_for_update().select_related("category").get(pk=topic.pk)
    if not visible_topics(author).filter(pk=topic.pk).exists():
        raise PermissionDenied("You cannot reply to that topic.")
    check_can_post(author, topic.category)
    if topic.is_locked and not permissions.can_moderate(author, topic.category.association):
        raise PostingError("This topic is locked; no new replies can be posted.")
    body = clean_body(body)
    if quoted_post is not None and (
        quoted_post.topic_id != topic.pk or not visible_posts(author, topic).filter(pk=quoted_post.pk).exists()
    ):
        raise PostingError("You can only quote a post from this topic.")
    status = status_for_new_post(author, topic.category)
    position = (topic.posts.aggregate(last=Max("position"))["last"] or 0) + 1
    post = Post.objects.create(
        topic=topic, author=author, position=position, body=body, body_html=render_markdown(body),
        quoted_post=quoted_post, status=status,
    )
    if status == Visibility.PUBLISHED:
        Topic.objects.filter(pk=topic.pk).update(
            post_count=F("post_count") + 1, last_activity_at=post.created_at, last_post=post
        )
    emit("post_created", post_id=post.pk, topic_id=topic.pk, status=status)
    return post


def can_edit(user, post: Post) -> bool:
    if not user.is_authenticated:
        return False
    return post.author_id == user.pk or permissions.can_moderate(user, post.topic.category.association)


@transaction.atomic
def edit_post(editor, post: Post, *, body: str, title: str | None = None) -> Post:
    post = Post.objects.select_for_update().select_related("topic__category__association").get(pk=post.pk)
    if not can_edit(editor, post):
        raise PermissionDenied("You cannot edit this post.")
    if post.topic.is_locked and not permissions.can_moderate(editor, post.topic.category.association):
        raise PostingError("This topic is locked; its posts cannot be edited.")
    body = clean_body(body)
    changed = body != post.body
    if title is not None and post.position == 1:
        title = clean_title(title)
        if title != post.topic.title:
            Topic.objects.filter(pk=post.topic_id).update(title=title)
            changed = True
    if not changed:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
    post.body, post.body_html, post.edited_at = body, render_markdown(body), timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    emit("post_edited", post_id=post.pk, topic_id=post.topic_id)
    return post


# --- Answers and helpful votes ---------------------------------------------------------------


@transaction.atomic
def accept_answer(post: Post, *, by) -> Topic:
    """The asker or a moderator marks one reply to a practice question as the answer."""
    topic = Topic.objects.select_for_update().select_related("category__association").get(pk=post.topic_id)
    if topic.kind != Topic.Kind.QUESTION:
        raise PostingError("Only practice questions have accepted answers.")
    is_moderator = permissions.can_moderate(by, topic.category.association)
    if by.pk != topic.author_id and not is_moderator:
        raise PermissionDenied("Only the asker or a moderator can accept an answer.")
    if post.position == 1 or not post.is_visible:
        raise PostingError("Choose a published reply as the answer.")
    topic.accepted_answer = post
    topic.save(update_fields=["accepted_answer"])
    if by.pk != topic.author_id:
        from forum.moderation import record_action
        from forum.models import ModerationAction

        record_action(by, ModerationAction.Action.ACCEPT_ANSWER, topic=topic, post=post, reason="Accepted for the asker.")
    emit("answer_accepted", topic_id=topic.pk, post_id=post.pk, accepted_by_id=by.pk)
    return topic


@transaction.atomic
def vote_helpful(post: Post, *, voter) -> bool:
    """One helpful vote per member per reply, never on their own. Returns whether a new
    vote was counted."""
    post = Post.objects.select_related("topic__category").get(pk=post.pk)
    if post.author_id == voter.pk:
        raise PostingError("You cannot mark your own post as helpful.")
    if not post.is_visible or not visible_topics(voter).filter(pk=post.topic_id).exists():
        raise PermissionDenied("You cannot vote on that post.")
    if not can_post_in(voter, post.topic.category):
        raise PermissionDenied("Only members who can take part in this category can vote.")
    _, created = HelpfulVote.objects.get_or_create(post=post, voter=voter)
    if created:
        Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
        Topic.objects.filter(pk=post.topic_id).update(helpful_total=F("helpful_total") + 1)
        emit("helpful_vote", post_id=post.pk, voter_id=voter.pk)
    return created
