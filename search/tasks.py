"""Draining the indexing outbox (search/outbox.py) into the search backend, in bulk.

A drain takes a batch of outbox rows (locked with SKIP LOCKED on PostgreSQL, so several
workers take different rows), expands fan-out rows into document rows, builds the
documents through the sources in a few queries, and makes one `index()` and one `delete()`
call on the backend. A document that no longer exists or is no longer visible to anyone
becomes a delete. The rows it finished are deleted, unless a newer change replaced one
meanwhile (then it stays for the next batch).

If the engine is down (SearchUnavailable) the rows stay, with one more attempt and the
error recorded; the writes that queued them have long committed. The drain stops there and,
on a task backend that can defer, schedules one retry a little later; any later drain (the
next write's, `manage.py search_index --drain`) takes the rows too. A row that fails for
any other reason (a bug) is recorded the same way and skipped for the rest of the run, so
it never blocks the rows behind it.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from search import outbox
from search.backends import SearchUnavailable, get_search_backend
from search.backends.base import IndexingFailed
from search.models import IndexOutboxEntry
from search.sources import documents_for

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
TASK_TIME_BUDGET = 10.0  # seconds a queued drain may run before leaving the rest to the next
RETRY_DELAY = 30  # seconds before a deferred retry after the engine was found down
RETRY_CACHE_KEY = "search:outbox-drain-retry"
MAX_ERROR_LENGTH = 2000


@dataclass
class DrainReport:
    indexed: int = 0
    deleted: int = 0
    expanded: int = 0  # fan-out rows turned into document rows
    failed: int = 0  # rows kept after an error
    batches: int = 0
    unavailable: str = ""  # the engine's error, when it was down
    out_of_time: bool = False
    paused: bool = False  # a rebuild is in progress; its command drains afterwards
    failed_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "indexed": self.indexed, "deleted": self.deleted, "expanded": self.expanded, "failed": self.failed,
            "batches": self.batches, "unavailable": self.unavailable, "out_of_time": self.out_of_time,
            "paused": self.paused,
        }


@task()
def drain_search_outbox() -> dict:
    """The queued drain: run for a bounded time; when the engine is down, retry later."""
    report = drain_outbox(time_budget=TASK_TIME_BUDGET)
    if report.unavailable:
        schedule_retry()
    elif report.out_of_time and drain_search_outbox.get_backend().supports_defer:
        # Work left on a real queue: carry on in a new task rather than hog this worker.
        # (Inline, on the immediate backend, the next write or `search_index --drain` does.)
        outbox.enqueue_drain()
    return report.as_dict()


def schedule_retry(delay: int = RETRY_DELAY) -> bool:
    """One deferred drain per `delay` seconds while the engine is down (on a task backend
    that can defer; the immediate backend cannot, and the next write drains instead)."""
    try:
        if not drain_search_outbox.get_backend().supports_defer:
            return False
        if not cache.add(RETRY_CACHE_KEY, "scheduled", timeout=delay):
            return False
        drain_search_outbox.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
        return True
    except Exception:
        logger.exception("could not schedule a retry of the search outbox drain")
        return False


def drain_outbox(*, batch_size: int = BATCH_SIZE, time_budget: float | None = None, backend=None) -> DrainReport:
    """Drain batches until the outbox is empty, the engine is down, or `time_budget`
    seconds have passed (None: no limit). Nothing is drained while a rebuild runs (see
    search.outbox); the rebuilding command drains when it is done."""
    report = DrainReport()
    if outbox.rebuild_in_progress():
        report.paused = True
        return report
    outbox.forget_stale_rebuild_markers()
    backend = backend or get_search_backend()
    deadline = None if time_budget is None else time.monotonic() + time_budget
    skipped: set[int] = set()
    while _drain_batch(backend, batch_size, skipped, report):
        if deadline is not None and time.monotonic() >= deadline:
            report.out_of_time = True
            break
    return report


def _locked_batch(batch_size: int, skipped: set[int]) -> list[IndexOutboxEntry]:
    rows = IndexOutboxEntry.objects.exclude(document_id__startswith=outbox.REBUILD_MARKER).order_by(
        "attempts", "queued_at", "pk"
    )
    if skipped:
        rows = rows.exclude(pk__in=skipped)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return list(rows[:batch_size])


def _finish(rows: list[IndexOutboxEntry]) -> None:
    """Delete rows as they were read: a row a newer change has replaced since stays."""
    for start in range(0, len(rows), 200):
        condition = Q()
        for row in rows[start : start + 200]:
            condition |= Q(pk=row.pk, queued_at=row.queued_at)
        IndexOutboxEntry.objects.filter(condition).delete()


def _record_failure(rows: list[IndexOutboxEntry], error: Exception, skipped: set[int], report: DrainReport) -> None:
    message = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    IndexOutboxEntry.objects.filter(pk__in=[row.pk for row in rows]).update(
        attempts=F("attempts") + 1, last_error=message
    )
    skipped.update(row.pk for row in rows)
    report.failed += len(rows)
    report.failed_ids += [row.document_id for row in rows]


def _drain_batch(backend, batch_size: int, skipped: set[int], report: DrainReport) -> bool:
    """One batch in one transaction. Returns whether to go on."""
    with transaction.atomic():
        rows = _locked_batch(batch_size, skipped)
        if not rows:
            return False
        report.batches += 1
        fanouts = [row for row in rows if outbox.is_fanout(row.document_id)]
        rows = [row for row in rows if not outbox.is_fanout(row.document_id)]
        in_batch = {row.document_id for row in rows}
        for row in fanouts:
            try:
                with transaction.atomic():
                    # What this batch builds anyway (from the same, current data) is not queued again.
                    expanded = [
                        document_id for document_id in outbox.expand(row.document_id) if document_id not in in_batch
                    ]
                    report.expanded += outbox.upsert(expanded, IndexOutboxEntry.Action.INDEX)
                    _finish([row])
            except Exception as error:
                logger.exception("could not expand search outbox row %s", row.document_id)
                _record_failure([row], error, skipped, report)
        if not rows:
            return True
        try:
            with transaction.atomic():
                to_build = [row.document_id for row in rows if row.action == IndexOutboxEntry.Action.INDEX]
                documents = documents_for(to_build)
                to_delete = [row.document_id for row in rows if row.document_id not in documents]
                rejected = _write(backend, documents, to_delete)
        except SearchUnavailable as error:
            _record_failure(rows, error, skipped, report)
            report.unavailable = str(error)[:MAX_ERROR_LENGTH]
            logger.warning("search engine unavailable; %d outbox rows kept for later: %s", len(rows), error)
            return False
        except Exception as error:
            logger.exception("could not index %d search outbox rows", len(rows))
            _record_failure(rows, error, skipped, report)
            return True
        done = [row for row in rows if row.document_id not in rejected]
        _finish(done)
        if rejected:
            _record_failure([row for row in rows if row.document_id in rejected], rejected.error, skipped, report)
        report.indexed += len([document_id for document_id in documents if document_id not in rejected])
        report.deleted += len([document_id for document_id in to_delete if document_id not in rejected])
        return True


class _Rejected(set):
    error: Exception | None = None


def _write(backend, documents: dict[str, dict], to_delete: list[str]) -> _Rejected:
    """One index() and one delete() call. The ids the engine rejected (IndexingFailed: it
    wrote the others) come back; an engine that is down raises SearchUnavailable."""
    rejected = _Rejected()
    for write, argument in ((backend.index, list(documents.values())), (backend.delete, to_delete)):
        if not argument:
            continue
        try:
            write(argument)
        except IndexingFailed as error:
            rejected.update(error.failed_ids)
            rejected.error = error
    return rejected
