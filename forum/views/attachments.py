"""Attachment downloads: only to those who may see the post, always as a download, with
headers that stop a browser from running or sniffing what was uploaded."""

import logging
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from forum.attachments import clean_file_name, visible_attachment
from forum.models import Attachment, Category

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
