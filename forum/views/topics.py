"""Topic pages, new topics, replies, edits and edit history (see forum/urls.py)."""

import copy
import difflib
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from forum import guard, pending_uploads, selectors, services
from forum.attachments import attach_files, attachments_prefetch
from config.forms import add_service_errors
from forum.forms import (
    EditPostForm,
    OneTimeSubmission,
    ReplyForm,
    TopicForm,
    quote_as_markdown,
)
from forum.models import Post, PostingSuspension, PostRevision, Topic, Visibility
from forum.moderation import active_suspension
from forum.views.common import forum_viewer, visible_post_or_404, visible_topic_or_404
from members.selectors import directory_name, profile_of


def post_rate(group, request) -> str:
    return settings.FORUM_RATE_LIMITS["post"]


# New topics and replies share one counter per user.
posting_rate_limit = ratelimit(group="forum:post", key="user", rate=post_rate, method="POST", block=False)

RATE_LIMITED_MESSAGE = (
    "You are posting faster than Comity allows. Wait a minute, then send again: "
    "your text is still here."
)
STALE_FORM_MESSAGE = "This form was out of date, so nothing was posted. Check your text and send it again."
IN_FLIGHT_MESSAGE = "This was already being sent. Check the topic before sending it again: your text is still here."
HELD_MESSAGE = "Your {thing} is posted and waits for a moderator's review before others can see it."


# --- The topic page -----------------------------------------------------------------------------


class Byline:
    """Who wrote a post, as other members may see it: name, and agency and jurisdiction only
    when the author's profile shows them."""

    def __init__(self, author, *, link_profiles: bool):
        profile = profile_of(author)
        self.name = directory_name(author)
        self.agency = profile.agency if profile.show_agency else ""
        self.jurisdiction = profile.jurisdiction if profile.show_jurisdiction else None
        listed = profile.pk is None or profile.listed_in_directory
        self.profile_user_id = author.pk if link_profiles and listed else None


class CountedPaginator(Paginator):
    """A Paginator given its count (loaded with the topic), so it does not count again."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def page_posts(viewer, topic: Topic):
    """The viewer's posts of the topic with everything a post shows loaded in the page query
    (author, profile, jurisdiction, quoted author, the viewer's helpful vote); attachments
    are loaded for the whole page at once by `render_topic`."""
    return selectors.with_viewer_votes(
        viewer.posts(topic).select_related("author__profile__jurisdiction", "quoted_post__author").order_by("position"),
        viewer.user,
    )


def page_number_of(posts, post_id) -> int | None:
    """The page of `posts` (paginated like the topic page) that holds `post_id`."""
    try:
        post_id = int(post_id)
    except (TypeError, ValueError):
        return None
    position = posts.filter(pk=post_id).values_list("position", flat=True).first()
    if position is None:
        return None
    return posts.filter(position__lt=position).count() // settings.FORUM_POSTS_PER_PAGE + 1


def topic_post_url(viewer, topic: Topic, post: Post) -> str:
    """The URL of the page of the topic that shows `post`, at its anchor."""
    posts = viewer.posts(topic)
    if topic.accepted_answer_id and topic.kind == Topic.Kind.QUESTION:
        posts = posts.exclude(pk=topic.accepted_answer_id)
    number = page_number_of(posts, post.pk) or 1
    page = f"?page={number}" if number > 1 else ""
    return f"{topic.get_absolute_url()}{page}#post-{post.pk}"


def reply_state(request, viewer, topic: Topic, can_moderate: bool) -> dict:
    """Whether the viewer may reply here, and if not, why (shown instead of the form).
    `topic` comes from `selectors.topic_for_page`, which says whether they are suspended."""
    user = request.user
    if not user.is_authenticated:
        return {"can_reply": False, "reply_refusal": "sign_in"}
    if not viewer.can_post_in(topic.category):
        return {"can_reply": False, "reply_refusal": "not_member"}
    if topic.viewer_suspension_id is not None:
        suspension = PostingSuspension.objects.filter(pk=topic.viewer_suspension_id).first()
        if suspension is not None:
            return {"can_reply": False, "reply_refusal": "suspended", "suspension": suspension}
    if topic.is_locked and not can_moderate:
        return {"can_reply": False, "reply_refusal": "locked"}
    return {"can_reply": True, "reply_refusal": None}


def render_topic(request, viewer, topic_pk: int, *, reply_form=None, status=200, last_page=False, guard_panel=None,
                 kept_files=()):
    """The topic page, as the viewer may see it. The number of queries does not grow with
    the posts shown: the viewer's permissions (one), the topic with the viewer's state and
    the count of posts (one), its tags and jurisdictions (two), the accepted answer (one,
    answered questions), the page of posts with the viewer's votes (one), their attachments
    (one), related questions (one, questions) and the viewer's read position (one write,
    only when it moves)."""
    topic = selectors.topic_for_page(viewer, topic_pk)
    if topic is None:
        raise Http404("No such topic.")
    user = request.user
    can_moderate = viewer.can_moderate(topic.category.association_id)
    state = reply_state(request, viewer, topic, can_moderate)

    posts_query = page_posts(viewer, topic)
    post_count = topic.visible_post_count
    accepted_answer = None
    if topic.kind == Topic.Kind.QUESTION and topic.accepted_answer_id:
        # Shown right after the question, so it leaves the run of replies.
        accepted_answer = posts_query.filter(pk=topic.accepted_answer_id).first()
        if accepted_answer is not None:
            posts_query = posts_query.exclude(pk=accepted_answer.pk)
            post_count -= 1

    paginator = CountedPaginator(posts_query, settings.FORUM_POSTS_PER_PAGE, count=post_count)
    if last_page:
        # The reply form shown again after an error sits under the latest posts.
        page_number = paginator.num_pages
    else:
        page_number = request.GET.get("page")
        if page_number is None and request.GET.get("post"):
            page_number = page_number_of(posts_query, request.GET["post"])
    page_obj = paginator.get_page(page_number)
    posts = list(page_obj.object_list)

    shown = posts + ([accepted_answer] if accepted_answer is not None and page_obj.number == 1 else [])
    prepare_posts(viewer, topic, shown, can_moderate=can_moderate, accepted_answer=accepted_answer)
    opening_post = posts[0] if posts and posts[0].position == 1 else None
    if opening_post is not None and topic.kind == Topic.Kind.PROCEDURE:
        # forum.attachments.can_attach: the opening post's author or the category's moderators.
        opening_post.viewer_can_add_version = user.is_authenticated and (
            opening_post.author_id == user.pk or can_moderate
        )

    if state["can_reply"] and reply_form is None:
        reply_form = ReplyForm(request=request, initial=quote_initial(request, viewer, topic))
    if reply_form is not None and topic.kind == Topic.Kind.QUESTION:
        reply_form.fields["body"].label = "Your answer"

    selectors.post_action_state(user, topic, shown, viewer=viewer)
    if request.method == "GET" and posts:
        # Only this page's run of posts counts as read (the accepted answer shown on page 1
        # may be far ahead of it).
        services.mark_read(user, topic, max(post.position for post in posts), read_before=topic.viewer_last_read)
    related_questions = []
    if topic.kind == Topic.Kind.QUESTION:
        related_questions = selectors.related_questions(user, topic, viewer=viewer)

    context = {
        "topic": topic,
        "category": topic.category,
        "tags": list(topic.tags.all()),
        "jurisdictions": list(topic.jurisdictions.all()),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
        "posts": posts,
        "opening_post": opening_post,
        "replies": posts[1:] if opening_post is not None else posts,
        "accepted_answer": accepted_answer if page_obj.number == 1 else None,
        "accepted_answer_elsewhere": accepted_answer if page_obj.number != 1 else None,
        "can_moderate": can_moderate,
        "is_topic_author": user.is_authenticated and topic.author_id == user.pk,
        "reply_form": reply_form,
        "reply_error_count": len(reply_form.errors) if reply_form is not None and reply_form.is_bound else 0,
        "guard_panel": guard_panel,
        "kept_files": kept_files,
        "related_questions": related_questions,
        "forum_viewer": viewer,
        **state,
    }
    return render(request, "forum/topic.html", context, status=status)


def prepare_posts(viewer, topic: Topic, shown: list[Post], *, can_moderate: bool, accepted_answer=None) -> None:
    """What post.html shows about each post (byline, edit link, accepted, quoted author),
    with the attachments of all of them loaded in one query."""
    user = viewer.user
    prefetch_related_objects(shown, attachments_prefetch())
    link_profiles = bool(viewer.roles) or viewer.everything
    for post in shown:
        post.topic = topic
        post.byline = Byline(post.author, link_profiles=link_profiles)
        post.viewer_can_edit = user.is_authenticated and (post.author_id == user.pk or can_moderate)
        post.is_accepted = accepted_answer is not None and post.pk == accepted_answer.pk
        quoted = post.quoted_post if post.quoted_post_id else None
        post.quoted_author_name = directory_name(quoted.author) if quoted is not None else ""


def quote_initial(request, viewer, topic: Topic) -> dict:
    """`?quote=<post id>` starts the reply with that post quoted (if the viewer can see it)."""
    quote_id = request.GET.get("quote", "")
    if not quote_id.isdigit():
        return {}
    quoted = (
        viewer.posts(topic)
        .select_related("author")
        .filter(pk=int(quote_id), status=Visibility.PUBLISHED)
        .first()
    )
    if quoted is None:
        return {}
    return {"body": quote_as_markdown(quoted, directory_name(quoted.author)), "quoted_post": quoted.pk}


@require_http_methods(["GET", "HEAD"])
def topic(request, pk):
    return render_topic(request, forum_viewer(request), pk)


NEW_POSTS_LIMIT = 50


@require_http_methods(["GET", "HEAD"])
def new_posts(request, pk):
    """`?after=<position>`: the topic's published posts after that position, rendered as the
    topic page renders them, for its "new replies" bar (static/js/live.js). The topic is
    checked exactly as the topic page checks it (a 404 for someone who may not see it now),
    so a live push, which carries only ids, never shows anyone a post they may not read.
    Read-only: unlike the topic page it does not move the read position."""
    after, page = request.GET.get("after", ""), request.GET.get("page", "")
    if not _is_number(after) or (page and not _is_number(page)):
        return HttpResponseBadRequest("after must be a post position, and page a page number")
    viewer = forum_viewer(request)
    topic = selectors.topic_for_page(viewer, pk)
    if topic is None:
        raise Http404("No such topic.")
    can_moderate = viewer.can_moderate(topic.category.association_id)
    state = reply_state(request, viewer, topic, can_moderate)
    posts_query = page_posts(viewer, topic).filter(position__gt=int(after), status=Visibility.PUBLISHED)
    if topic.kind == Topic.Kind.QUESTION and topic.accepted_answer_id:
        posts_query = posts_query.exclude(pk=topic.accepted_answer_id)  # shown above the replies
    posts = list(posts_query[: NEW_POSTS_LIMIT + 1])
    more, posts = len(posts) > NEW_POSTS_LIMIT, posts[:NEW_POSTS_LIMIT]
    prepare_posts(viewer, topic, posts, can_moderate=can_moderate)
    selectors.post_action_state(request.user, topic, posts, viewer=viewer)
    context = {
        "topic": topic, "posts": posts, "more": more, "can_moderate": can_moderate, **state,
        "last_position": max((post.position for post in posts), default=int(after)),
    }
    return render(topic_page_request(request, topic, page), "forum/includes/new_posts.html", context)


def _is_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 9


def topic_page_request(request, topic: Topic, page: str):
    """The request as if for the topic page the posts are added to, so that the links and
    `next` fields in them lead back to that page, not to this fragment."""
    get_token(request)  # the CSRF cookie is kept on the real request
    query = f"page={int(page)}" if page and int(page) > 1 else ""
    page_request = copy.copy(request)
    page_request.path = topic.get_absolute_url()
    page_request.META = {**request.META, "QUERY_STRING": query}
    page_request.GET = QueryDict(query)
    return page_request


# --- Posting --------------------------------------------------------------------------------------


class Refused(Exception):
    """A submission that cannot go ahead; the form is shown again with the typed text."""

    def __init__(self, status: int, message: str | None = None):
        super().__init__(message)
        self.status, self.message = status, message


def guarded_submission(request):
    """Common checks for posting forms: replay of a sent form, stale token, rate limit,
    concurrent double submit. Returns the claimed submission, or a redirect to what the
    first submission created, or raises Refused."""
    submission = OneTimeSubmission(request)
    if submission.result_url:
        return submission, redirect(submission.result_url)
    if not submission.is_valid:
        raise Refused(400, STALE_FORM_MESSAGE)
    if getattr(request, "limited", False):
        raise Refused(429, RATE_LIMITED_MESSAGE)
    if not submission.claim():
        if submission.result_url:
            return submission, redirect(submission.result_url)
        raise Refused(409, IN_FLIGHT_MESSAGE)
    return submission, None


# --- The confidential case-data guard in the posting forms (forum/guard.py) ----------------------

GUARD_NOT_DECIDED = (
    "Edit the text to take it out, or tick “This is not real case data” and say why."
)
GUARD_NO_REASON = "Say why this is not real case data (for example: “made-up numbers for the example”)."


class GuardPanel:
    """What the form shows when the guard found something: the findings, the text with
    them highlighted, and whether the author may confirm them away."""

    def __init__(self, check, title: str | None, body: str):
        self.check = check
        self.title_preview = guard.highlighted(title, check.in_place(guard.TITLE)) if check.in_place(guard.TITLE) else ""
        self.body_preview = guard.highlighted(body, check.in_place(guard.BODY)) if check.in_place(guard.BODY) else ""
        self.summary = guard.findings_summary_html(check)

    @property
    def count(self) -> int:
        return len(self.check.findings)


def guard_review(form, association, *, title: str | None, body: str):
    """The guard's say on a valid form: (panel or None, go ahead, confirmed reason).

    Findings the author has not been shown yet (their fingerprint is not the form's
    `guard_seen`) stop the submission so the form can show them; nothing is written. Once
    shown, findings that may be confirmed need the box ticked and a reason; the others go
    ahead and the service holds the post for a moderator. The service applies the same rule
    itself, so skipping this step never publishes anything it should not."""
    try:
        clean_title = services.clean_title(title) if title is not None else None
        clean_body = services.clean_body(body)
    except ValidationError:
        return None, True, None  # the service reports the problem on the field
    check = guard.check_post_text(clean_title, clean_body, association)
    if not check:
        return None, True, None
    panel = GuardPanel(check, clean_title, clean_body)
    data = form.cleaned_data
    if data.get("guard_seen") != check.fingerprint:
        return panel, False, None
    if not check.can_confirm:
        return panel, True, None
    if not data.get("guard_confirm"):
        form.add_error("guard_confirm", GUARD_NOT_DECIDED)
        return panel, False, None
    reason = " ".join((data.get("guard_reason") or "").split())
    if not reason:
        form.add_error("guard_reason", GUARD_NO_REASON)
        return panel, False, None
    return panel, True, reason


def held_notice(post: Post, thing: str) -> str:
    return guard.held_message(post, thing) or HELD_MESSAGE.format(thing=thing)


@login_required
@posting_rate_limit
@require_http_methods(["GET", "POST"])
def new_topic(request, slug):
    viewer = forum_viewer(request)
    category = get_object_or_404(viewer.categories(), slug=slug)
    check_can_start_topics(request.user, viewer, category)

    if request.method != "POST":
        initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in Topic.Kind.values else {}
        form = TopicForm(request=request, initial=initial)
        return render_new_topic(request, category, form)

    form = TopicForm(request.POST, request.FILES, request=request)
    try:
        submission, done = guarded_submission(request)
    except Refused as refusal:
        form.is_valid()
        form.add_error(None, refusal.message)
        return render_new_topic(request, category, form, status=refusal.status)
    if done is not None:
        return done
    status = 400
    panel = None
    kept_files = pending_uploads.current(request)
    if form.is_valid():
        panel, go_ahead, confirmed_reason = guard_review(
            form, category.association, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
        )
        if not go_ahead:
            status = 400 if form.errors else 200
        else:
            try:
                with transaction.atomic():
                    # Files were checked by the form; the topic and its files are stored together.
                    created = services.create_topic(
                        request.user, category, **form.service_arguments(), confirmed_reason=confirmed_reason
                    )
                    attach_files(
                        created.last_post, pending_uploads.as_uploads(kept_files) + form.cleaned_data["attachments"],
                        by=request.user,
                    )
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                pending_uploads.discard(request)
                url = created.get_absolute_url()
                submission.complete(url)
                if created.status == Visibility.HELD:
                    messages.info(request, held_notice(created.last_post, "topic"))
                return redirect(url)
    submission.release()
    kept_files = keep_files(request, form)
    return render_new_topic(request, category, form, status=status, guard_panel=panel, kept_files=kept_files)


def keep_files(request, form) -> list[dict]:
    """The form is shown again: keep the files that passed the checks (a file input cannot
    be refilled), with those kept before."""
    new_uploads = (getattr(form, "cleaned_data", None) or {}).get("attachments") or []
    return pending_uploads.keep(request, new_uploads)


def check_can_start_topics(user, viewer, category) -> None:
    """403 with a clear reason for someone who can see the category but not post in it."""
    if not viewer.can_post_in(category):
        if category.association_id is None:
            raise PermissionDenied(
                "Only active members of an association on Comity can start topics in the interstate commons."
            )
        raise PermissionDenied(
            f"Only active members of {category.association.name} can start topics in {category.name}."
        )
    suspension = active_suspension(user, category.association_id)
    if suspension is not None:
        raise PermissionDenied(
            f"You are suspended from posting until {suspension.until:%B %-d, %Y}: {suspension.reason}"
        )


def render_new_topic(request, category, form, status=200, guard_panel=None, kept_files=()):
    form.renew_submission_token()
    if guard_panel is not None:
        form.show_guard(guard_panel.check)
    return render(
        request,
        "forum/new_topic.html",
        {"category": category, "form": form, "error_count": len(form.errors), "guard_panel": guard_panel,
         "kept_files": kept_files},
        status=status,
    )


@login_required
@posting_rate_limit
@require_POST
def reply(request, pk):
    viewer = forum_viewer(request)
    topic = visible_topic_or_404(viewer, pk)
    form = ReplyForm(request.POST, request.FILES, request=request)

    def show_again(status, panel=None):
        kept_files = keep_files(request, form) if status != 403 else []
        form.renew_submission_token()
        if panel is not None:
            form.show_guard(panel.check)
        return render_topic(request, viewer, topic.pk, reply_form=form, status=status, last_page=True, guard_panel=panel,
                            kept_files=kept_files)

    try:
        submission, done = guarded_submission(request)
    except Refused as refusal:
        form.is_valid()
        form.add_error(None, refusal.message)
        return show_again(refusal.status)
    if done is not None:
        return done
    panel = None
    if form.is_valid():
        quoted_post = None
        quoted_id = form.cleaned_data.get("quoted_post")
        if quoted_id:
            quoted_post = viewer.posts(topic).filter(pk=quoted_id).first()
            if quoted_post is None:
                form.add_error(None, "The post you quoted is no longer available; your reply was not sent.")
        confirmed_reason = None
        if not form.errors:
            panel, go_ahead, confirmed_reason = guard_review(
                form, topic.category.association, title=None, body=form.cleaned_data["body"]
            )
            if not go_ahead:
                submission.release()
                return show_again(400 if form.errors else 200, panel)
        if not form.errors:
            try:
                with transaction.atomic():
                    post = services.reply(
                        request.user, topic, body=form.cleaned_data["body"], quoted_post=quoted_post,
                        confirmed_reason=confirmed_reason,
                    )
                    attach_files(
                        post, pending_uploads.as_uploads(pending_uploads.current(request)) + form.cleaned_data["attachments"],
                        by=request.user,
                    )
            except PermissionDenied as error:
                submission.release()
                form.add_error(None, str(error) or "You cannot reply to this topic.")
                return show_again(403)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                pending_uploads.discard(request)
                url = topic_post_url(viewer, topic, post)
                submission.complete(url)
                if post.status == Visibility.HELD:
                    messages.info(request, held_notice(post, "reply"))
                return redirect(url)
    submission.release()
    return show_again(400, panel)


# --- Editing and history --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request, pk):
    viewer = forum_viewer(request)
    post = visible_post_or_404(viewer, pk)
    if not services.can_edit(request.user, post):
        raise PermissionDenied("Only the author of a post or a moderator can edit it.")
    form = EditPostForm(request.POST if request.method == "POST" else None, post=post)
    status = 200
    panel = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            title = form.cleaned_data.get("title") if post.position == 1 else None
            body = form.cleaned_data["body"]
            go_ahead, confirmed_reason = True, None
            unchanged = guard.normalise_body(body) == post.body and (
                title is None or guard.normalise_title(title) == post.topic.title
            )
            if not unchanged:  # saving unchanged text is a no-op; nothing new to scan
                panel, go_ahead, confirmed_reason = guard_review(form, post.topic.category.association, title=title, body=body)
            if not go_ahead:
                status = 400 if form.errors else 200
            else:
                was_held = post.status == Visibility.HELD
                try:
                    edited = services.edit_post(
                        request.user, post, body=body, title=form.cleaned_data.get("title"), confirmed_reason=confirmed_reason
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    if edited.status == Visibility.HELD and not was_held:
                        messages.info(request, held_notice(edited, "post"))
                    else:
                        messages.success(request, "Your changes are saved.")
                    return redirect(topic_post_url(viewer, edited.topic, edited))
    if panel is not None:
        form.show_guard(panel.check)
    return render(
        request,
        "forum/edit_post.html",
        {"post": post, "topic": post.topic, "form": form, "error_count": len(form.errors), "guard_panel": panel},
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def post_history(request, pk):
    viewer = forum_viewer(request)
    post = visible_post_or_404(viewer, pk)
    revisions = list(
        PostRevision.objects.filter(post=post).select_related("edited_by").order_by("created_at", "pk")
    )
    # Each revision holds the text before an edit; the text after it is the next
    # revision's, or the post's current text for the last edit.
    versions = [revision.body for revision in revisions] + [post.body]
    edits = [
        {
            "number": index + 1,
            "editor_name": directory_name(revision.edited_by),
            "edited_at": revision.created_at,
            "diff": word_diff(versions[index], versions[index + 1]),
        }
        for index, revision in enumerate(revisions)
    ]
    edits.reverse()
    return render(
        request,
        "forum/post_history.html",
        {
            "post": post,
            "topic": post.topic,
            "author_name": directory_name(post.author),
            "edits": edits,
            "original": versions[0],
            "post_url": topic_post_url(viewer, post.topic, post),
        },
    )


WORDS = re.compile(r"\s+|[^\s]+")
# <del>/<ins> are not announced by most screen readers, so the change is also said in words.
DELETED = '<del><span class="usa-sr-only">[removed: </span>{}<span class="usa-sr-only">]</span></del>'
INSERTED = '<ins><span class="usa-sr-only">[added: </span>{}<span class="usa-sr-only">]</span></ins>'


def word_diff(before: str, after: str):
    """The change from `before` to `after`, word by word, as escaped HTML with removed words
    in <del> and added words in <ins> (each also announced in words to screen readers)."""
    old, new = WORDS.findall(before), WORDS.findall(after)
    parts = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed, added = "".join(old[old_start:old_end]), "".join(new[new_start:new_end])
        if tag == "equal":
            parts.append(text_with_breaks(removed))
            continue
        if removed:
            parts.append(format_html(DELETED, text_with_breaks(removed)))
        if added:
            parts.append(format_html(INSERTED, text_with_breaks(added)))
    return mark_safe("".join(parts))


def text_with_breaks(text: str):
    return mark_safe(conditional_escape(text).replace("\n", "<br>\n"))

