"""Files chosen in a posting form that is shown again (the guard's findings to confirm, a
field error): a browser cannot refill a file input, so files that passed the checks are kept
in private storage, keyed by the form's one-time submission token (forum.forms
OneTimeSubmission), and attached when the form is finally sent. Nothing is attached, and
nobody else can reach them, before then.

    kept = pending_uploads.current(request)                 # what the form keeps (minus removed)
    attach_files(post, pending_uploads.as_uploads(kept) + new_uploads, by=user)
    pending_uploads.discard(request)                        # after success
    kept = pending_uploads.keep(request, new_uploads)       # before showing the form again
"""

import logging
import uuid

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages

from forum.attachments import ALLOWED_KINDS, MAX_FILES_PER_POST, ValidatedUpload
from forum.forms import OneTimeSubmission

logger = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 60 * 60
REMOVE_FIELD = "remove_kept"
PREFIX = "forum/pending/"


def _storage():
    return storages["private"]


def _key(request) -> str | None:
    nonce = OneTimeSubmission.nonce_of(request, (request.POST.get(OneTimeSubmission.FIELD) or "")[:200])
    if nonce is None or not request.user.is_authenticated:
        return None
    return f"forum:pending-uploads:{request.user.pk}:{nonce}"


def current(request) -> list[dict]:
    """The files kept for this form, less those the author ticked to remove (deleted now)."""
    key = _key(request)
    if key is None:
        return []
    kept = cache.get(key) or []
    removed = set(request.POST.getlist(REMOVE_FIELD))
    if removed:
        for entry in kept:
            if entry["id"] in removed:
                _delete(entry)
        kept = [entry for entry in kept if entry["id"] not in removed]
        cache.set(key, kept, KEEP_SECONDS)
    return kept


def keep(request, uploads) -> list[dict]:
    """Store the new checked uploads with the ones already kept (at most a post's worth)."""
    key = _key(request)
    if key is None:
        return []
    kept = current(request)
    for upload in uploads:
        if len(kept) >= MAX_FILES_PER_POST:
            break
        upload.file.seek(0)
        path = _storage().save(f"{PREFIX}{uuid.uuid4().hex}", File(upload.file, name=upload.name))
        kept.append({"id": uuid.uuid4().hex, "path": path, "name": upload.name,
                     "content_type": upload.content_type, "size": upload.size})
    cache.set(key, kept, KEEP_SECONDS)
    return kept


def as_uploads(kept: list[dict]) -> list[ValidatedUpload]:
    kinds = {kind.content_type: kind for kind in ALLOWED_KINDS}
    uploads = []
    for entry in kept:
        kind = kinds.get(entry["content_type"])
        if kind is None or not _storage().exists(entry["path"]):
            continue
        uploads.append(ValidatedUpload(file=File(_storage().open(entry["path"], "rb"), name=entry["name"]),
                                       name=entry["name"], kind=kind, size=entry["size"]))
    return uploads


def discard(request) -> None:
    """After the post was saved (its attachments are copies): remove the kept files."""
    key = _key(request)
    if key is None:
        return
    for entry in cache.get(key) or []:
        _delete(entry)
    cache.delete(key)


def _delete(entry: dict) -> None:
    try:
        _storage().delete(entry["path"])
    except OSError:
        logger.exception("could not remove a kept upload")


def purge_expired(now=None) -> int:
    """Delete kept files older than KEEP_SECONDS: their list has left the cache, so no form
    can attach them any more (a form shown again and never sent). Run daily by
    `manage.py purge_pending_uploads`. Returns how many were deleted."""
    from django.utils import timezone

    now = now or timezone.now()
    storage = _storage()
    try:
        _directories, names = storage.listdir(PREFIX.rstrip("/"))
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{PREFIX}{name}"
        if (now - storage.get_modified_time(path)).total_seconds() > KEEP_SECONDS:
            _delete({"path": path})
            deleted += 1
    return deleted
