"""Moderation views: flagging a post, the moderators' queue and audit log, actions on posts
and topics, and suspensions. Decisions are the services' (forum/moderation.py); these views
find what was asked for (404 when the viewer cannot see it, 403 when they can but may not
moderate it), call the service and show its errors next to what was typed."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
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
from forum.attachments import visible_attachment
from forum.models import Attachment, GuardFinding, ModerationAction, Post, PostingSuspension, Topic, Visibility
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
    quarantined = moderation.quarantined_attachments(request.user)
    return render(request, "forum/moderation/queue.html", {
        "page_obj": page,
        "posts": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "quarantined": with_excerpts(quarantined[:QUARANTINE_SHOWN]),
        "quarantined_total": quarantined.count(),
    })


# --- Quarantined attachments ---------------------------------------------------------------------------

QUARANTINE_SHOWN = 20


class AttachmentReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("clear", "Clear the file"), ("remove", "Remove the file")])
    reason = forms.CharField(required=False, max_length=moderation.MAX_REASON_LENGTH)


ATTACHMENT_SERVICES = {
    "clear": (moderation.clear_attachment, "The file is cleared. Everyone who can see the post can open it again."),
    "remove": (moderation.remove_attachment, "The file is removed. Its uploader has been told why."),
}


def with_excerpts(attachments) -> list:
    attachments = list(attachments)
    for attachment in attachments:
        attachment.excerpts = moderation.finding_excerpts(attachment, attachment.open_findings)
    return attachments


@login_required
@require_http_methods(["GET", "POST"])
def review_attachment(request, pk):
    """Clear or remove a quarantined attachment (the queue's buttons post here; a refused
    request shows this page with the error and what was typed)."""
    check_moderates_anything(request.user)
    try:
        attachment = visible_attachment(request.user, pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    if not moderation.can_moderate_category(request.user, attachment.post.topic.category):
        raise PermissionDenied("Only this category's moderators can review its attachments.")
    form = AttachmentReviewForm(request.POST or None, initial={"action": request.GET.get("action")})
    if request.method == "POST" and form.is_valid():
        service, done = ATTACHMENT_SERVICES[form.cleaned_data["action"]]
        try:
            service(request.user, attachment, form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(safe_next_url(request, reverse("forum:moderation_queue")))
    attachment.open_findings = list(
        attachment.guard_findings.filter(outcome=GuardFinding.Outcome.QUARANTINED).order_by("start", "pk")
    )
    attachment.excerpts = moderation.finding_excerpts(attachment, attachment.open_findings)
    return render(request, "forum/moderation/review_attachment.html", {
        "attachment": attachment,
        "post": attachment.post,
        "topic": attachment.post.topic,
        "form": form,
        "next": safe_next_url(request, ""),
    }, status=400 if request.method == "POST" else 200)


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


# --- Redaction (forum.moderation.redact_post) ------------------------------------------------------------

from django import forms as django_forms  # noqa: E402  (imports of this section kept here)
from django.utils.crypto import salted_hmac  # noqa: E402

from forum import guard  # noqa: E402
from forum.models import GuardFinding, Redaction  # noqa: E402

REDACT_CONTEXT_CHARS = 40


def body_version(post: Post) -> str:
    """Changes whenever the body does: offsets chosen on an older text are refused."""
    return salted_hmac("forum.redact.version", f"{post.pk}:{post.body}", algorithm="sha256").hexdigest()[:24]


class RedactForm(django_forms.Form):
    reason = django_forms.CharField(
        label="Reason for the redaction", max_length=moderation.MAX_REDACTION_REASON_LENGTH,
        help_text="Kept in the moderation log and sent to the author. Do not repeat the redacted text here.",
        widget=django_forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give a reason; it is kept in the moderation log and sent to the author."},
    )
    text = django_forms.CharField(
        label="Or type the exact text to redact", required=False, max_length=2000, strip=False,
        help_text="It must appear in the post exactly as typed (capitals, spaces and punctuation included).",
    )
    occurrence = django_forms.IntegerField(required=False, min_value=1, widget=django_forms.HiddenInput)
    span = django_forms.RegexField(regex=r"^\d{1,6}:\d{1,6}$", required=False, widget=django_forms.HiddenInput)
    version = django_forms.CharField(required=False, widget=django_forms.HiddenInput)


def occurrences(body: str, text: str) -> list[int]:
    found, position = [], body.find(text)
    while position != -1 and text:
        found.append(position)
        position = body.find(text, position + 1)
    return found


def excerpt(body: str, start: int, end: int) -> dict:
    return {
        "before": ("…" if start > REDACT_CONTEXT_CHARS else "") + body[max(0, start - REDACT_CONTEXT_CHARS):start],
        "text": body[start:end],
        "after": body[end:end + REDACT_CONTEXT_CHARS] + ("…" if end + REDACT_CONTEXT_CHARS < len(body) else ""),
        "line": body.count("\n", 0, start) + 1,
    }


@login_required
@require_http_methods(["GET", "POST"])
def redact_post(request, pk):
    """The post's findings (a fresh scan of its current text), each with a Redact button, or
    an exact text to redact (a choice of occurrence when it appears more than once)."""
    viewer = forum_viewer(request)
    post = visible_post_or_404(viewer, pk)
    check_moderates(viewer, post.topic)
    # Two forms (a finding's Redact button; typed text), so Enter in the text box never
    # presses a finding's button.
    by_text = request.method == "POST" and not request.POST.get("span")
    finding_form = RedactForm(request.POST if request.method == "POST" and not by_text else None, auto_id="id_finding_%s")
    text_form = RedactForm(request.POST if by_text else None, auto_id="id_text_%s")
    form = text_form if by_text else finding_form
    choose_occurrence = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        span = None
        if data["version"] != body_version(post):
            form.add_error(None, "The post changed since this page was opened. Choose again in its current text.")
        elif data["span"]:
            start, end = (int(part) for part in data["span"].split(":"))
            span = (start, end)
        elif data["text"] and data["text"].strip():
            found = occurrences(post.body, data["text"])
            if not found:
                form.add_error("text", "That text is not in the post. Copy it exactly as the post shows it.")
            elif len(found) > 1 and not data["occurrence"]:
                choose_occurrence = [
                    {"number": number, **excerpt(post.body, start, start + len(data["text"]))}
                    for number, start in enumerate(found, start=1)
                ]
            elif data["occurrence"] and data["occurrence"] > len(found):
                form.add_error(None, "Choose one of the places listed.")
            else:
                start = found[(data["occurrence"] or 1) - 1]
                span = (start, start + len(data["text"]))
        else:
            form.add_error("text", "Choose a finding to redact, or type the exact text to redact.")
        if span is not None:
            try:
                moderation.redact_post(request.user, post, span[0], span[1], data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The text is redacted in the post and its edit history. The author is told.")
                return redirect(reverse("forum:redact_post", args=[post.pk]))
    findings = [
        {"finding": finding, "span": f"{finding.start}:{finding.end}", **excerpt(post.body, finding.start, finding.end)}
        for finding in guard.scan_text(post.body)
    ]
    status = 200 if request.method == "GET" or choose_occurrence else 400
    return render(request, "forum/moderation/redact_post.html", {
        "post": post,
        "topic": post.topic,
        "form": form,
        "finding_form": finding_form,
        "text_form": text_form,
        "findings": findings,
        "choose_occurrence": choose_occurrence,
        "version": body_version(post),
        "stored_findings": GuardFinding.objects.filter(post=post).select_related("decided_by").order_by("created_at", "start"),
        "redactions": Redaction.objects.filter(post=post).select_related("moderator").order_by("-created_at"),
        "body_preview": guard.highlighted(post.body, findings and [item["finding"] for item in findings]),
    }, status=status)
