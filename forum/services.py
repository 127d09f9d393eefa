"""Writes for the forum: topics, replies, edits, answers, helpful votes, follows,
bookmarks and read state. Each checks permission, writes in one transaction and emits
its event after commit through config.events. Moderation lives in forum/moderation.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from config.events import emit
from forum import guard
from forum.models import Category, GuardFinding, HelpfulVote, Post, PostRevision, Topic, Visibility
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
    # NUL never belongs in text (and PostgreSQL cannot store it).
    body = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not body:
        raise PostingError({"body": "Write something before posting."})
    if len(body) > MAX_POST_LENGTH:
        raise PostingError({"body": f"Posts can be at most {MAX_POST_LENGTH:,} characters; this one has {len(body):,}."})
    return body


def clean_title(title: str) -> str:
    title = " ".join((title or "").replace("\x00", "").split())
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


def _guard(title: str | None, body: str, category: Category, confirmed_reason: str | None):
    """The confidential case-data guard (forum/guard.py): (check, outcome for the findings
    or None, the author's confirmation reason)."""
    confirmed_reason = guard.clean_confirm_reason(confirmed_reason)
    check = guard.check_post_text(title, body, category.association)
    outcome, reason = guard.decide(check, confirmed_reason)
    return check, outcome, reason


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
    confirmed_reason: str | None = None,
) -> Topic:
    """`confirmed_reason`: the author confirmed the guard's findings are not real case data
    (see forum/guard.py); without it, a topic with findings is held for a moderator."""
    check_can_post(author, category)
    if kind not in Topic.Kind.values:
        raise PostingError({"kind": "Choose discussion, practice question or shared procedure."})
    title, body = clean_title(title), clean_body(body)
    check, outcome, guard_reason = _guard(title, body, category, confirmed_reason)
    status = Visibility.HELD if outcome == GuardFinding.Outcome.HELD else status_for_new_post(author, category)
    now = timezone.now()
    topic = Topic.objects.create(
        category=category, kind=kind, title=title, author=author, created_at=now, last_activity_at=now,
        status=status, post_count=1 if status == Visibility.PUBLISHED else 0,
    )
    post = Post.objects.create(
        topic=topic, author=author, position=1, body=body, body_html=render_post_body(body), status=status, created_at=now
    )
    topic.last_post = post
    topic.save(update_fields=["last_post"])
    if outcome:
        post.topic = topic
        guard.record_findings(post, check.findings, outcome, guard_reason, by=author if guard_reason else None)
    if tags:
        topic.tags.set(normalise_tags(tags))
    if jurisdictions:
        topic.jurisdictions.set(jurisdictions)
    # Askers hear of the answers: an author follows their own topic (and may unfollow it).
    Follow.objects.create(user=author, topic=topic)
    emit("topic_created", topic_id=topic.pk, post_id=post.pk, status=status)
    emit("post_created", post_id=post.pk, topic_id=topic.pk, status=status)
    emit_mentions(post, topic)
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
def reply(author, topic: Topic, *, body: str, quoted_post: Post | None = None, confirmed_reason: str | None = None) -> Post:
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
    check, outcome, guard_reason = _guard(None, body, topic.category, confirmed_reason)
    status = Visibility.HELD if outcome == GuardFinding.Outcome.HELD else status_for_new_post(author, topic.category)
    position = (topic.posts.aggregate(last=Max("position"))["last"] or 0) + 1
    post = Post.objects.create(
        topic=topic, author=author, position=position, body=body, body_html=render_post_body(body),
        quoted_post=quoted_post, status=status,
    )
    if outcome:
        post.topic = topic
        guard.record_findings(post, check.findings, outcome, guard_reason, by=author if guard_reason else None)
    if status == Visibility.PUBLISHED:
        Topic.objects.filter(pk=topic.pk).update(
            post_count=F("post_count") + 1, last_activity_at=post.created_at, last_post=post
        )
    emit("post_created", post_id=post.pk, topic_id=topic.pk, status=status)
    emit_mentions(post, topic)
    return post


def can_edit(user, post: Post) -> bool:
    if not user.is_authenticated:
        return False
    return post.author_id == user.pk or permissions.can_moderate(user, post.topic.category.association)


@transaction.atomic
def edit_post(editor, post: Post, *, body: str, title: str | None = None, confirmed_reason: str | None = None) -> Post:
    """The edited title (opening post) and body pass the guard again: with findings not
    confirmed away, a published post goes back to the moderators (held)."""
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category__association").get(pk=post.pk)
    if not can_edit(editor, post):
        raise PermissionDenied("You cannot edit this post.")
    if post.topic.is_locked and not permissions.can_moderate(editor, post.topic.category.association):
        raise PostingError("This topic is locked; its posts cannot be edited.")
    body = clean_body(body)
    changed = body != post.body
    title_changed = False
    if title is not None and post.position == 1:
        title = clean_title(title)
        title_changed = title != post.topic.title
    if not changed and not title_changed:
        return post
    check, outcome, guard_reason = _guard(title if post.position == 1 else None, body, post.topic.category, confirmed_reason)
    if title_changed:
        Topic.objects.filter(pk=post.topic_id).update(title=title)
        post.topic.title = title
    PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
    previous_body = post.body
    post.body, post.body_html, post.edited_at = body, render_post_body(body), timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    if outcome:
        guard.record_findings(post, check.findings, outcome, guard_reason, by=editor if guard_reason else None)
        if outcome == GuardFinding.Outcome.HELD:
            guard.hold_edited_post(post)
    emit("post_edited", post_id=post.pk, topic_id=post.topic_id)
    emit_mentions(post, post.topic, previous_body=previous_body)
    return post


# --- Answers and helpful votes ---------------------------------------------------------------


@transaction.atomic
def accept_answer(post: Post, *, by) -> Topic:
    """The asker or a moderator marks one reply to a practice question as the answer."""
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category__association").get(pk=post.topic_id)
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


# --- Mentions (helper "posting") ---------------------------------------------------------------

# Imports for this section live here so the sections above stay untouched.
import re  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models.functions import Lower  # noqa: E402
from django.urls import reverse  # noqa: E402

# `@username` (usernames are generated from email addresses: letters, digits, . _ + -),
# not inside an email address or a URL, and not ending in punctuation ("@priya." ends a
# sentence).
MENTION = re.compile(r"(?<![\w.+\-/@\[])(?<!\]\()@(?P<name>\w(?:[\w.+\-]*\w)?)")
# Links and autolinks the author wrote are left as they are.
MENTION_OR_LINK = re.compile(r"(?P<link>\[[^\]\n]*\]\([^)\n]*\))|(?P<autolink><[^>\s]*>)|" + MENTION.pattern)
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
MAX_MENTIONS_PER_POST = 20


def _mentioned_names(body: str) -> list[str]:
    names = []
    for match in MENTION_OR_LINK.finditer(body or ""):
        name = match.group("name")
        if name and name.lower() not in names:
            names.append(name.lower())
    return names[:MAX_MENTIONS_PER_POST]


def _active_users_named(names: list[str]) -> dict:
    """{lowercased username: user} for active accounts (one query)."""
    if not names:
        return {}
    users = get_user_model().objects.annotate(username_lower=Lower("username")).filter(
        username_lower__in=names, is_active=True
    )
    return {user.username_lower: user for user in users}


def users_mentioned_in(body: str) -> dict:
    """{lowercased username: user} for the active accounts `body` mentions (one query)."""
    return _active_users_named(_mentioned_names(body))


def link_mentions(body: str) -> str:
    """`@username` of an existing account becomes a Markdown link to their profile page,
    before rendering; the sanitiser still runs over the result, and a name that is nobody's
    stays plain text."""
    users = users_mentioned_in(body)
    if not users:
        return body

    def link(match):
        user = users.get((match.group("name") or "").lower())
        if user is None:
            return match.group(0)
        text = MARKDOWN_PUNCTUATION.sub(r"\\\1", match.group("name"))
        return f"[@{text}]({reverse('members:profile_detail', args=[user.pk])})"

    return MENTION_OR_LINK.sub(link, body)


def render_post_body(body: str) -> str:
    return render_markdown(link_mentions(body))


def mentioned_users(body: str, topic: Topic) -> list:
    """The accounts `body` mentions that can see `topic` (at most MAX_MENTIONS_PER_POST)."""
    users = users_mentioned_in(body).values()
    return [user for user in users if visible_topics(user).filter(pk=topic.pk).exists()]


def emit_mentions(post: Post, topic: Topic, *, previous_body: str | None = None) -> None:
    """A "mention" event per member newly mentioned in a published post (never the author).
    A held post mentions nobody yet: call this again when a moderator approves it."""
    if post.status != Visibility.PUBLISHED:
        return
    already = set(_mentioned_names(previous_body)) if previous_body is not None else set()
    for user in mentioned_users(post.body, topic):
        if user.pk != post.author_id and user.username.lower() not in already:
            emit("mention", post_id=post.pk, user_id=user.pk)


# --- Follows, bookmarks, read state (helper answers)

from forum.models import Bookmark, Follow, TopicReadState  # noqa: E402

FOLLOW_KINDS = ("topic", "category", "tag", "jurisdiction")


def _check_signed_in(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in first.")


def _follow_target(kind: str, target) -> dict:
    if kind not in FOLLOW_KINDS:
        raise ValueError(f"Cannot follow a {kind!r}; choose one of {', '.join(FOLLOW_KINDS)}.")
    return {kind: target}


def check_can_follow(user, kind: str, target) -> None:
    """You may only follow what you can see: a visible topic or category, a tag carried by
    a topic you can see, an active jurisdiction."""
    from forum.selectors import ForumViewer, visible_tag

    _check_signed_in(user)
    if kind == "topic":
        visible = visible_topics(user).filter(pk=target.pk).exists()
    elif kind == "category":
        visible = visible_categories(user).filter(pk=target.pk).exists()
    elif kind == "tag":
        visible = visible_tag(ForumViewer.of(user), target.slug) is not None
    else:
        visible = bool(target.is_active)
    if not visible:
        raise PermissionDenied("You cannot follow that.")


def is_following(user, kind: str, target) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **_follow_target(kind, target)).exists()


@transaction.atomic
def follow(user, kind: str, target) -> Follow:
    """Follow a topic, category, tag or jurisdiction (idempotent)."""
    where = _follow_target(kind, target)
    check_can_follow(user, kind, target)
    followed, created = Follow.objects.get_or_create(user=user, **where)
    if created:
        emit("followed", user_id=user.pk, kind=kind, follow_id=followed.pk)
    return followed


@transaction.atomic
def unfollow(user, kind: str, target) -> bool:
    """Stop following (always allowed, even after losing access). Returns whether a follow
    was removed."""
    _check_signed_in(user)
    deleted, _ = Follow.objects.filter(user=user, **_follow_target(kind, target)).delete()
    return bool(deleted)


@transaction.atomic
def toggle_follow(user, kind: str, target) -> bool:
    """Follow if not following, else unfollow. Returns whether the user now follows."""
    if unfollow(user, kind, target):
        return False
    follow(user, kind, target)
    return True


@transaction.atomic
def toggle_bookmark(user, topic: Topic) -> bool:
    """Bookmark a visible topic, or remove the bookmark. Returns whether it is now bookmarked."""
    _check_signed_in(user)
    deleted, _ = Bookmark.objects.filter(user=user, topic=topic).delete()
    if deleted:
        return False
    if not visible_topics(user).filter(pk=topic.pk).exists():
        raise PermissionDenied("You cannot bookmark that topic.")
    Bookmark.objects.get_or_create(user=user, topic=topic)
    return True


UNKNOWN = object()


def mark_read(user, topic: Topic, up_to_position: int, *, read_before=UNKNOWN) -> None:
    """Record that `user` has read `topic` up to post `up_to_position` (never moves back).
    The topic view calls it with the last position on the page it showed, after checking
    the viewer may see the topic; it only ever writes the viewer's own read state.

    `read_before` is the read position the caller already loaded (None: never opened, as
    `selectors.topic_for_page` gives it). Knowing it costs at most one write, and none when
    nothing moved; without it, an update and, the first time, an insert."""
    if user is None or not user.is_authenticated or up_to_position is None:
        return
    if read_before is not UNKNOWN and read_before is not None and read_before >= up_to_position:
        return
    now = timezone.now()
    if read_before is not None:
        moved = TopicReadState.objects.filter(user=user, topic=topic, last_read_position__lt=up_to_position).update(
            last_read_position=up_to_position, last_read_at=now
        )
        if moved or read_before is not UNKNOWN:
            return  # (0 rows with a known position: a parallel visit read further already)
    # A parallel first visit may have written the row meanwhile; it stands.
    TopicReadState.objects.bulk_create(
        [TopicReadState(user=user, topic=topic, last_read_position=up_to_position, last_read_at=now)],
        ignore_conflicts=True,
    )


@transaction.atomic
def withdraw_helpful_vote(post: Post, *, voter) -> bool:
    """Take back one's own helpful vote (the button is a toggle). Returns whether a vote
    was removed."""
    _check_signed_in(voter)
    deleted, _ = HelpfulVote.objects.filter(post=post, voter=voter).delete()
    if deleted:
        Post.objects.filter(pk=post.pk, helpful_count__gt=0).update(helpful_count=F("helpful_count") - 1)
        Topic.objects.filter(pk=post.topic_id, helpful_total__gt=0).update(helpful_total=F("helpful_total") - 1)
        emit("helpful_vote_withdrawn", post_id=post.pk, voter_id=voter.pk)
    return bool(deleted)
