"""Accepting answers, helpful votes, follows, bookmarks and @mention suggestions.

Every action is a POST from a button; errors come back as messages (or, for an htmx
request, inside the returned fragment). Anything the viewer cannot see is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_POST

from forum import selectors, services
from forum.models import Post, Topic
from forum.views.common import forum_viewer, safe_next_url, visible_post_or_404
from members import permissions
from members.selectors import directory_name


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _error_text(error) -> str:
    """One readable sentence from a PermissionDenied or a (Posting)ValidationError."""
    if hasattr(error, "messages"):
        return " ".join(error.messages)
    return str(error) or "That could not be done."


def _visible_post(request, pk: int) -> tuple[Post, selectors.ForumViewer]:
    """The post if the viewer may see it and its topic; 404 otherwise (never 403, so ids
    reveal nothing)."""
    viewer = forum_viewer(request)
    return visible_post_or_404(viewer, pk), viewer


def _back_to(request, fallback: str):
    return redirect(safe_next_url(request, fallback))


def _post_actions(request, post: Post, viewer, *, error: str = "") -> HttpResponse:
    """post_actions.html for one post, as the topic page shows it (for htmx swaps)."""
    post.refresh_from_db(fields=["helpful_count"])
    topic = Topic.objects.select_related("category").get(pk=post.topic_id)
    post.topic = topic
    selectors.post_action_state(request.user, topic, [post], viewer=viewer)
    return render(request, "forum/includes/post_actions.html", {"post": post, "topic": topic, "action_error": error})


@login_required
@require_POST
def accept_answer(request, pk):
    post, viewer = _visible_post(request, pk)
    try:
        services.accept_answer(post, by=request.user)
    except (PermissionDenied, services.PostingError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Marked the reply by {directory_name(post.author)} as the accepted answer.")
    if _is_htmx(request):
        return _post_actions(request, post, viewer)
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def vote_helpful(request, pk):
    post, viewer = _visible_post(request, pk)
    withdraw = request.POST.get("action") == "withdraw"
    error = ""
    try:
        if withdraw:
            changed = services.withdraw_helpful_vote(post, voter=request.user)
            done = "Took back your helpful vote." if changed else "You had not marked this post helpful."
        else:
            changed = services.vote_helpful(post, voter=request.user)
            done = "Marked as helpful." if changed else "You already marked this post helpful."
    except (PermissionDenied, services.PostingError) as failure:
        error = _error_text(failure)
    if _is_htmx(request):
        return _post_actions(request, post, viewer, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(post.get_absolute_url())


def _follow_target(viewer, kind: str, key: str):
    """The thing to follow, if the viewer may see it; 404 otherwise."""
    if kind == "topic":
        if not key.isdigit():
            raise Http404
        target = viewer.topics().filter(pk=int(key)).first()
    elif kind == "category":
        target = selectors.visible_category(viewer, key)
    elif kind == "tag":
        target = selectors.visible_tag(viewer, key)
    elif kind == "jurisdiction":
        target = selectors.listed_jurisdiction(viewer, key)
    else:
        target = None
    if target is None:
        raise Http404
    return target


def _follow_label(kind: str, target) -> str:
    if kind == "topic":
        return f"“{target.title}”"
    if kind == "tag":
        return f"the tag “{target.name}”"
    return str(target.name)


def _follow_fallback_url(kind: str, target) -> str:
    from django.urls import reverse

    if kind == "tag":
        return reverse("forum:tag", args=[target.slug])
    if kind == "jurisdiction":
        return reverse("forum:jurisdiction", args=[target.code])
    return target.get_absolute_url()


@login_required
@require_POST
def toggle_follow(request, kind, key):
    viewer = forum_viewer(request)
    target = _follow_target(viewer, kind, key)
    try:
        following = services.toggle_follow(request.user, kind, target)
    except PermissionDenied:
        raise Http404 from None
    if _is_htmx(request) and kind == "topic":
        selectors.topic_viewer_state(request.user, target)
        return render(request, "forum/includes/topic_actions.html", {"topic": target})
    label = _follow_label(kind, target)
    if following:
        messages.success(request, f"You now follow {label}.")
    else:
        messages.success(request, f"You no longer follow {label}.")
    return _back_to(request, _follow_fallback_url(kind, target))


@login_required
@require_POST
def toggle_bookmark(request, pk):
    viewer = forum_viewer(request)
    topic = viewer.topics().filter(pk=pk).first()
    if topic is None:
        raise Http404
    try:
        bookmarked = services.toggle_bookmark(request.user, topic)
    except PermissionDenied:
        raise Http404 from None
    if _is_htmx(request):
        selectors.topic_viewer_state(request.user, topic)
        return render(request, "forum/includes/topic_actions.html", {"topic": topic})
    if bookmarked:
        messages.success(request, f"Bookmarked “{topic.title}”.")
    else:
        messages.success(request, f"Removed the bookmark on “{topic.title}”.")
    return _back_to(request, topic.get_absolute_url())


@require_GET
def mention_suggestions(request):
    """Members to @mention whose username or name starts with `q` (two characters at
    least), as a `<ul role="listbox">` fragment or, with `Accept: application/json`, JSON.
    Only for active members; only members listed in the directory are suggested."""
    if not request.user.is_authenticated:
        if _wants_json(request) or _is_htmx(request):
            return JsonResponse({"error": "Sign in to mention members."}, status=401)
        return redirect_to_login(request.get_full_path())
    if not permissions.can_view_directory(request.user):
        if _wants_json(request):
            return JsonResponse({"error": "Only active members can mention members.", "results": []}, status=403)
        return HttpResponse(_listbox([]), status=403)
    members = selectors.mention_suggestions(request.user, request.GET.get("q", ""))
    if _wants_json(request):
        response = JsonResponse(
            {"results": [{"username": member.username, "name": directory_name(member)} for member in members]}
        )
    else:
        response = HttpResponse(_listbox(members))
    response["Vary"] = "Accept, Cookie"
    response["Cache-Control"] = "private, no-store"
    return response


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _listbox(members) -> str:
    options = format_html_join(
        "",
        '<li role="option" id="mention-option-{}" class="comity-mention-option" data-username="{}" aria-selected="false">'
        '{} <span class="text-base">@{}</span></li>',
        ((member.pk, member.username, directory_name(member), member.username) for member in members),
    )
    return format_html(
        '<ul role="listbox" id="mention-suggestions" class="comity-mention-list usa-list usa-list--unstyled" '
        'aria-label="Members to mention">{}</ul>',
        options,
    )
