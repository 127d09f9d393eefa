"""Attachment downloads: only to those who may see the post, always as a download, with
headers that stop a browser from running or sniffing what was uploaded. And the page for
uploading a new version of a shared procedure's document."""

import logging
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from forum.attachments import (
    AttachmentError,
    add_procedure_version,
    can_attach,
    clean_file_name,
    current_document,
    visible_attachment,
)
from forum.forms import ProcedureVersionForm
from forum.models import Attachment, Category, Post, Topic
from forum.views.common import forum_viewer, visible_topic_or_404
from forum.views.topics import Refused, guarded_submission

logger = logging.getLogger(__name__)


@require_safe
def download(request, pk):
    try:
        attachment = visible_attachment(request.user, pk)
    except Attachment.DoesNotExist:
        raise Http404 from None  # the same answer for "no such file" and "not yours to see"
    try:
        stored = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        logger.error("attachment %s is missing from private storage (%s)", attachment.pk, attachment.file.name)
        raise Http404 from None
    response = FileResponse(stored, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if attachment.post.topic.category.visibility == Category.Visibility.PUBLIC:
        response["Cache-Control"] = "private, max-age=300"
    else:
        # Members-only files must not linger in shared or on-disk caches.
        response["Cache-Control"] = "private, no-store"
    return response


def content_disposition(original_name: str) -> str:
    """Always `attachment`: an ASCII fallback name for old clients, the real one (RFC 6266)
    percent-encoded in filename*."""
    name = clean_file_name(original_name)
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_http_methods(["GET", "POST"])
def procedure_version(request, pk):
    """Upload a new version of a shared procedure's document: for the procedure's author and
    the category's moderators (403 for others who can see it; 404 for those who cannot, and
    for topics that are not procedures). A refused file is reported on the form and the
    current document stays as it was."""
    topic = visible_topic_or_404(forum_viewer(request), pk)
    if topic.kind != Topic.Kind.PROCEDURE:
        raise Http404("Only shared procedures have document versions.")
    opening_post = Post.objects.filter(topic=topic, position=1).first()
    if opening_post is None:
        raise Http404("This procedure has no opening post.")
    opening_post.topic = topic
    if not can_attach(request.user, opening_post):
        raise PermissionDenied("Only the procedure's author or a moderator of its category can upload a new version.")
    document_url = f"{topic.get_absolute_url()}#post-{opening_post.pk}"

    status = 200
    if request.method == "POST":
        form = ProcedureVersionForm(request.POST, request.FILES, request=request)
        try:
            submission, done = guarded_submission(request)
        except Refused as refusal:
            form.is_valid()
            form.add_error(None, refusal.message)
            status = refusal.status
        else:
            if done is not None:
                return done
            status = 400
            if form.is_valid():
                try:
                    attachment = add_procedure_version(topic, form.cleaned_data["document"], by=request.user)
                except AttachmentError as error:
                    form.add_error("document", error.messages)
                except PermissionDenied as error:
                    form.add_error(None, str(error))
                    status = 403
                else:
                    submission.complete(document_url)
                    messages.success(
                        request, f"“{attachment.original_name}” is now the current version of the procedure document."
                    )
                    return redirect(document_url)
            submission.release()
        form.renew_submission_token()
    else:
        form = ProcedureVersionForm(request=request)
    return render(
        request,
        "forum/procedure_version.html",
        {
            "topic": topic,
            "category": topic.category,
            "current": current_document(topic),
            "form": form,
            "document_url": document_url,
            "error_count": len(form.errors),
        },
        status=status,
    )
