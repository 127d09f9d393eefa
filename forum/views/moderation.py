"""Moderation views: flagging a post, the moderators' queue and audit log, actions on posts
and topics, and suspensions. Decisions are the services' (forum/moderation.py); these views
find what was asked for (404 when the viewer cannot see it, 403 when they can but may not
moderate it), call the service and show its errors next to what was typed."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from forum import moderation
from config.forms import add_service_errors
from forum.forms_moderation import (
    POST_ACTIONS,
    FlagForm,
    MoveTopicForm,
    PostModerationForm,
    SplitTopicForm,
    SuspendForm,
    TopicToggleForm,
)
from forum.models import ModerationAction, Post, PostingSuspension, Topic, Visibility
from forum.views.common import forum_viewer, safe_next_url, visible_post_or_404, visible_topic_or_404
from members import permissions
from members.models import Association
from members.selectors import directory_name

QUEUE_PAGE_SIZE = 25
LOG_PAGE_SIZE = 50


# --- Finding what the viewer may act on --------------------------------------------------------------


def check_moderates(viewer, topic: Topic) -> None:
    """403 for someone who can see the topic but does not moderate its category."""
    if not viewer.can_moderate(topic.category.association_id):
        raise PermissionDenied("Only this category's moderators can do that.")


def check_moderates_anything(user) -> None:
    if not moderation.moderates_anything(user):
        raise PermissionDenied("Only moderators can open the moderation pages.")


# --- Flagging ---------------------------------------------------------------------------------------


def flag_rate(group, request) -> str:
    return settings.FORUM_RATE_LIMITS["flag"]


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=flag_rate, method="POST", block=False)
def flag_post(request, pk):
    post = visible_post_or_404(forum_viewer(request), pk)
    form = FlagForm(request.POST or None)
    limited = request.method == "POST" and getattr(request, "limited", False)
    if limited:
        form.is_valid()
        form.add_error(None, "You have flagged several posts in a short time. Wait a few minutes, then send "
                             "this flag again; what you wrote is kept below.")
    elif request.method == "POST" and form.is_valid():
        try:
            moderation.flag_post(request.user, post, form.cleaned_data["reason"], form.cleaned_data["details"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you. The moderators will review this post.")
            return redirect(post.get_absolute_url())
    status = 429 if limited else 400 if request.method == "POST" else 200
    return render(request, "forum/moderation/flag.html", {
        "post": post, "topic": post.topic, "form": form, "own_post": post.author_id == request.user.pk,
    }, status=status)


# --- The queue and the log ----------------------------------------------------------------------------


@login_required
def queue(request):
    check_moderates_anything(request.user)
    page = Paginator(moderation.moderation_queue(request.user), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "forum/moderation/queue.html", {
        "page_obj": page,
        "posts": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    })


@login_required
def audit_log(request):
    check_moderates_anything(request.user)
    action = request.GET.get("action") or ""
    if action not in ModerationAction.Action.values:
        action = ""
    page = Paginator(moderation.audit_log(request.user, action or None), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "forum/moderation/audit_log.html", {
        "page_obj": page,
        "actions": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "action_choices": ModerationAction.Action.choices,
        "chosen_action": action,
    })


# --- Posts ------------------------------------------------------------------------------------------------

POST_SERVICES = {
    "hide": (moderation.hide_post, "The post is hidden. Members no longer see it."),
    "unhide": (moderation.unhide_post, "The post is restored. Members can see it again."),
    "approve": (moderation.approve_post, "The post is approved and published."),
    "resolve": (moderation.resolve_flags, "The flags on this post are dismissed."),
}


@login_required
@require_http_methods(["GET", "POST"])
def moderate_post(request, pk):
    viewer = forum_viewer(request)
    post = visible_post_or_404(viewer, pk)
    check_moderates(viewer, post.topic)
    form = PostModerationForm(request.POST or None, initial={"action": request.GET.get("action")})
    if request.method == "POST" and form.is_valid():
        service, done = POST_SERVICES[form.cleaned_data["action"]]
        try:
            service(request.user, post, form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(safe_next_url(request, post.get_absolute_url()))
    return render(request, "forum/moderation/moderate_post.html", {
        "post": post,
        "topic": post.topic,
        "form": form,
        "actions": available_post_actions(post),
        "next": safe_next_url(request, ""),
    }, status=400 if request.method == "POST" else 200)


def available_post_actions(post: Post) -> list[tuple[str, str]]:
    actions = ["unhide"] if post.status == Visibility.HIDDEN else ["hide"]
    if post.status == Visibility.HELD:
        actions.insert(0, "approve")
    if post.flags.filter(resolved_at__isnull=True).exists():
        actions.append("resolve")
    return [(action, POST_ACTIONS[action]) for action in actions]


# --- Topics -----------------------------------------------------------------------------------------------

TOPIC_TOGGLE_SERVICES = {
    "lock": (moderation.lock_topic, "The topic is locked; nobody but moderators can reply."),
    "unlock": (moderation.unlock_topic, "The topic is unlocked."),
    "pin": (moderation.pin_topic, "The topic is pinned to the top of its category."),
    "unpin": (moderation.unpin_topic, "The topic is no longer pinned."),
}


@login_required
@require_http_methods(["GET", "POST"])
def moderate_topic(request, pk):
    viewer = forum_viewer(request)
    topic = visible_topic_or_404(viewer, pk)
    check_moderates(viewer, topic)
    categories = moderation.moderated_categories(request.user)
    action = request.POST.get("action", "")
    posted = request.method == "POST"
    toggle_form = TopicToggleForm(request.POST if posted and action in TOPIC_TOGGLE_SERVICES else None)
    move_form = MoveTopicForm(request.POST if posted and action == "move" else None,
                              categories=categories.exclude(pk=topic.category_id))
    split_form = SplitTopicForm(request.POST if posted and action == "split" else None, topic=topic, categories=categories)
    if posted:
        try:
            if action in TOPIC_TOGGLE_SERVICES and toggle_form.is_valid():
                service, done = TOPIC_TOGGLE_SERVICES[action]
                service(request.user, topic, toggle_form.cleaned_data["reason"])
                messages.success(request, done)
                return redirect(safe_next_url(request, topic.get_absolute_url()))
            if action == "move" and move_form.is_valid():
                data = move_form.cleaned_data
                moderation.move_topic(request.user, topic, data["to_category"], data["reason"])
                messages.success(request, f"The topic is now in “{data['to_category'].name}”.")
                return redirect(topic.get_absolute_url())
            if action == "split" and split_form.is_valid():
                data = split_form.cleaned_data
                new_topic = moderation.split_topic(
                    request.user, topic, data["posts"], data["new_title"], data["reason"], to_category=data["to_category"]
                )
                count = len(data["posts"])
                messages.success(request, f"{count} repl{'y' if count == 1 else 'ies'} moved into “{new_topic.title}”.")
                return redirect(new_topic.get_absolute_url())
            if action not in {*TOPIC_TOGGLE_SERVICES, "move", "split"}:
                messages.error(request, "Choose lock, unlock, pin, unpin, move or split.")
        except ValidationError as error:
            form = {"move": move_form, "split": split_form}.get(action, toggle_form)
            add_service_errors(form, error)
        except PermissionDenied as error:
            form = {"move": move_form, "split": split_form}.get(action, toggle_form)
            form.add_error(None, str(error))
    return render(request, "forum/moderation/topic.html", {
        "topic": topic,
        "toggle_form": toggle_form,
        "move_form": move_form,
        "split_form": split_form,
        "next": safe_next_url(request, ""),
    }, status=400 if posted else 200)


# --- Suspensions -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def suspend_user(request, user_id):
    check_moderates_anything(request.user)
    person = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    if permissions.sees_everything(request.user):
        associations = list(Association.objects.order_by("name"))
    else:
        associations = list(Association.objects.filter(pk__in=moderation.moderated_association_ids(request.user)).order_by("name"))
    include_commons = permissions.can_moderate(request.user, None)
    initial_association = request.GET.get("association", "")
    form = SuspendForm(
        request.POST or None, associations=associations, include_commons=include_commons,
        initial={"association": initial_association} if initial_association else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            suspension = moderation.suspend_from_posting(
                request.user, person, form.chosen_association(), form.until_datetime(), form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            where = suspension.association.name if suspension.association_id else "the interstate commons"
            until = timezone.localtime(suspension.until)
            messages.success(request, f"{directory_name(person)} cannot post in {where} until {until:%B %-d, %Y}.")
            return redirect(safe_next_url(request, reverse("forum:suspend_user", args=[person.pk])))
    visible_association_ids = {association.pk for association in associations}
    current = [
        suspension for suspension in
        PostingSuspension.objects.filter(user=person, until__gt=timezone.now())
        .select_related("association", "suspended_by").order_by("until")
        if suspension.association_id is None or suspension.association_id in visible_association_ids
    ]
    return render(request, "forum/moderation/suspend.html", {
        "person": person,
        "form": form,
        "suspensions": current,
        "is_self": person.pk == request.user.pk,
        "next": safe_next_url(request, ""),
    }, status=400 if request.method == "POST" else 200)
