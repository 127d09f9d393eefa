"""Background tasks of the forum: reading the text of attachments.

After an upload commits, forum.attachments enqueues `extract_attachment_text` for each new
file. The task reads the text in a limited child process (forum/extraction/), stores it on
the attachment, runs the confidential case-data guard over it and, with the same
transaction, queues the post's search documents (search/sources/forum.py carries the text of
attachments that are not quarantined).

A file with findings is quarantined: only its uploader and the category's moderators can
open it until a moderator clears or removes it (forum.moderation.clear_attachment /
remove_attachment). The findings are stored as GuardFinding rows: kind, place and
confidence, never the text.

Idempotent: only an attachment still "pending" is extracted, and the result is written under
a row lock after checking again, so a task run twice (a retry, two workers) does the work at
most once and adds nothing the second time.
"""

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from config.events import emit
from forum import extraction
from forum.confidential import scan_text
from forum.models import Attachment, GuardFinding

logger = logging.getLogger(__name__)

# A document full of case numbers needs no more rows than this to be understood.
MAX_FINDINGS_STORED = 200


@task()
def extract_attachment_text(attachment_id: int) -> str:
    return run_extraction(attachment_id)


def enqueue_extraction(attachment_ids) -> None:
    """After the current transaction commits, one task per attachment. A failure to enqueue
    is logged: the attachment stays "pending" and `run_pending_extractions` finds it."""
    ids = [int(pk) for pk in attachment_ids]

    def enqueue():
        for attachment_id in ids:
            try:
                extract_attachment_text.enqueue(attachment_id)
            except Exception:
                logger.exception("could not enqueue text extraction for attachment %s", attachment_id)

    if ids:
        transaction.on_commit(enqueue, robust=True)


def run_pending_extractions(limit: int = 100) -> int:
    """Extract what is still pending (uploads whose task was lost), oldest first."""
    ids = list(
        Attachment.objects.filter(extraction_status=Attachment.Extraction.PENDING)
        .order_by("uploaded_at", "pk").values_list("pk", flat=True)[:limit]
    )
    for attachment_id in ids:
        run_extraction(attachment_id)
    return len(ids)


def run_extraction(attachment_id: int) -> str:
    """Extract, store, scan and queue re-indexing for one attachment. Returns what happened
    (for the task's result): "missing", "skipped" or the extraction status."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return "missing"
    if attachment.extraction_status != Attachment.Extraction.PENDING:
        return "skipped"
    if attachment.review_status == Attachment.Review.REMOVED or not attachment.file.name:
        result = extraction.ExtractionResult.failed("The file was removed.")
    else:
        # The slow part, outside any transaction and without holding a lock.
        with local_copy(attachment) as path:
            result = (
                extraction.extract_text(path, attachment.content_type) if path is not None
                else extraction.ExtractionResult.failed("The stored file could not be opened.")
            )
    findings = scan_text(result.text) if result.status == extraction.DONE and result.text else []
    return _store(attachment_id, result, findings)


@contextmanager
def local_copy(attachment: Attachment):
    """A path to the stored file: the file itself on local storage, else a temporary copy
    (no bigger than extraction reads)."""
    try:
        local_path = attachment.file.path
    except NotImplementedError:
        local_path = None  # remote storage: copy it below
    if local_path is not None:
        yield local_path
        return
    limit = extraction.limits()["MAX_INPUT_BYTES"] + 1
    folder = tempfile.mkdtemp(prefix="comity-extract-")
    path = os.path.join(folder, "attachment")
    try:
        try:
            with attachment.file.open("rb") as stored, open(path, "wb") as copy:
                copy.write(stored.read(limit))
        except OSError:
            logger.error("attachment %s could not be read from storage", attachment.pk)
            path = None
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@transaction.atomic
def _store(attachment_id: int, result: extraction.ExtractionResult, findings) -> str:
    attachment = (
        Attachment.objects.select_for_update(of=("self",)).select_related("post__topic__category")
        .filter(pk=attachment_id).first()
    )
    if attachment is None:
        return "missing"
    if attachment.extraction_status != Attachment.Extraction.PENDING:
        return "skipped"  # another run got here first
    attachment.extraction_status = result.status
    attachment.extraction_message = result.message[:300]
    attachment.extracted_text = result.text
    attachment.extracted_at = timezone.now()
    fields = ["extraction_status", "extraction_message", "extracted_text", "extracted_at"]
    quarantined = bool(findings) and attachment.review_status == Attachment.Review.NONE
    if quarantined:
        attachment.review_status = Attachment.Review.QUARANTINED
        fields.append("review_status")
        association_id = attachment.post.topic.category.association_id
        GuardFinding.objects.bulk_create([
            GuardFinding(
                attachment=attachment, association_id=association_id, kind=finding.kind,
                confidence=finding.confidence, start=finding.start, end=finding.end, high_risk=finding.high_risk,
                outcome=GuardFinding.Outcome.QUARANTINED,
            )
            for finding in findings[:MAX_FINDINGS_STORED]
        ])
    attachment.save(update_fields=fields)
    if result.status == extraction.DONE:
        # The post's documents carry its attachments' text (the opening post's live in the
        # topic's document); queued with this write, so both commit or neither does.
        from search import outbox

        outbox.queue_index([f"post:{attachment.post_id}", f"topic:{attachment.post.topic_id}"])
    if quarantined:
        emit(
            "attachment_quarantined", attachment_id=attachment.pk, post_id=attachment.post_id,
            topic_id=attachment.post.topic_id, finding_count=len(findings),
        )
    logger.info(
        "attachment %s: text %s (%s characters), %s finding(s)", attachment.pk, result.status, len(result.text),
        len(findings),
    )
    return result.status
