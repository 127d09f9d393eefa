"""The indexing outbox: index work recorded in the same transaction as the change it follows.

    queue_index(["topic:12", "post:40"])   # (re)build these documents
    queue_delete(["post:41"])              # remove these documents

Each call upserts IndexOutboxEntry rows (one per document id; a later change replaces an
earlier one) with the caller's database connection, so the rows commit or roll back with
the change itself: a rolled-back write leaves no index work, and a committed one can never
be missed by search. After the transaction commits, the drain task is enqueued once
(search/tasks.py); it turns the rows into documents in bulk and hands them to the backend.
If the engine is down the rows stay, and a later drain indexes them.

Changes that touch many documents at once queue one *fan-out* row that the drain expands
into document rows when it runs (against the state of the data then):

    thread:<topic id>      the topic and every post in it (title, category, status changes)
    category:<id>          every topic and post in a category (its audience changed)
    subtree:<page id>      a page and every page below it (view restriction, move, slug)
    author:<user id>       everything a person wrote (their display name changed)

So saving a category with 100,000 posts writes one row, not 100,000, inside the admin's
request.

While `search_index --rebuild` runs, a "rebuild:<n>" marker row pauses draining: a change
drained into the old index while the new one is filled from an older read of the data
would be lost at the swap (a post hidden meanwhile could come back). The rows wait; the
command drains them into the new index once it is in place. A marker not refreshed for
REBUILD_MARKER_TTL (a rebuild that died) no longer pauses anything.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from search.models import IndexOutboxEntry

logger = logging.getLogger(__name__)

FANOUT_KINDS = ("thread", "category", "subtree", "author")
UPSERT_BATCH = 500
REBUILD_MARKER = "rebuild:"
REBUILD_MARKER_TTL = timedelta(minutes=15)
Action = IndexOutboxEntry.Action


def queue_index(document_ids: Iterable[str]) -> int:
    """Record that these documents must be (re)built from the data. A document that turns
    out not to exist or not to be visible any more is deleted from the index instead."""
    return _queue(document_ids, Action.INDEX)


def queue_delete(document_ids: Iterable[str]) -> int:
    """Record that these documents must leave the index."""
    return _queue(document_ids, Action.DELETE)


def queue_thread(topic_id: int) -> int:
    return queue_index([f"thread:{topic_id}"])


def queue_category(category_id: int) -> int:
    return queue_index([f"category:{category_id}"])


def queue_subtree(page_id: int) -> int:
    return queue_index([f"subtree:{page_id}"])


def queue_author(user_id: int) -> int:
    return queue_index([f"author:{user_id}"])


def _queue(document_ids: Iterable[str], action: str) -> int:
    count = upsert(document_ids, action)
    if count:
        schedule_drain()
    return count


def upsert(document_ids: Iterable[str], action: str) -> int:
    """Write (or replace) one outbox row per document id, in batches. No drain is scheduled
    (the drain itself uses this when it expands fan-out rows)."""
    ids = list(dict.fromkeys(str(document_id) for document_id in document_ids if document_id))
    if not ids:
        return 0
    now = timezone.now()
    for start in range(0, len(ids), UPSERT_BATCH):
        IndexOutboxEntry.objects.bulk_create(
            [
                IndexOutboxEntry(document_id=document_id, action=action, queued_at=now, attempts=0, last_error="")
                for document_id in ids[start : start + UPSERT_BATCH]
            ],
            update_conflicts=True,
            unique_fields=["document_id"],
            update_fields=["action", "queued_at", "attempts", "last_error"],
        )
    return len(ids)


# --- After commit: one drain per transaction ---------------------------------------------------------


def schedule_drain() -> None:
    """Enqueue the drain task once the current transaction commits (at once outside one).
    However many rows a transaction queues, it enqueues one task."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is enqueue_drain for entry in getattr(connection, "run_on_commit", ())
    ):
        return
    transaction.on_commit(enqueue_drain, robust=True)


def enqueue_drain() -> None:
    """Hand the outbox to the task queue. A failure here loses nothing: the rows stay and
    the next drain (another write's, a retry, or `search_index --drain`) takes them."""
    from search.tasks import drain_search_outbox

    try:
        drain_search_outbox.enqueue()
    except Exception:
        logger.exception("could not enqueue the search outbox drain; the outbox keeps its rows")


# --- Fan-out rows ------------------------------------------------------------------------------------


def is_fanout(document_id: str) -> bool:
    return document_id.partition(":")[0] in FANOUT_KINDS


def expand(fanout_id: str) -> list[str]:
    """The document ids a fan-out row stands for, from the data as it is now."""
    kind, _, pk = fanout_id.partition(":")
    if not pk.isdigit():
        return []
    pk = int(pk)
    if kind == "thread":
        return _thread_ids([pk])
    if kind == "category":
        from forum.models import Topic

        return _thread_ids(list(Topic.objects.filter(category_id=pk).values_list("pk", flat=True)))
    if kind == "author":
        from forum.models import Post, Topic

        return [f"topic:{topic}" for topic in Topic.objects.filter(author_id=pk).values_list("pk", flat=True)] + [
            f"post:{post}" for post in Post.objects.filter(author_id=pk, position__gt=1).values_list("pk", flat=True)
        ]
    if kind == "subtree":
        return _subtree_ids(pk)
    return []


def _thread_ids(topic_ids: list[int]) -> list[str]:
    from forum.models import Post

    ids = [f"topic:{topic_id}" for topic_id in topic_ids]
    for start in range(0, len(topic_ids), 1000):
        posts = Post.objects.filter(topic_id__in=topic_ids[start : start + 1000]).values_list("pk", flat=True)
        ids += [f"post:{post_id}" for post_id in posts]
    return ids


def _subtree_ids(page_id: int) -> list[str]:
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    from search.sources.pages import PAGE_KIND_BY_MODEL

    path = Page.objects.filter(pk=page_id).values_list("path", flat=True).first()
    if path is None:
        return []
    kind_by_content_type = {
        ContentType.objects.get_for_model(model, for_concrete_model=False).pk: kind
        for model, kind in PAGE_KIND_BY_MODEL.items()
    }
    pages = Page.objects.filter(path__startswith=path, content_type_id__in=kind_by_content_type)
    return [
        f"{kind_by_content_type[content_type_id]}:{pk}"
        for pk, content_type_id in pages.values_list("pk", "content_type_id")
    ]


# --- Rebuild marker ----------------------------------------------------------------------------------


def rebuild_in_progress() -> bool:
    cutoff = timezone.now() - REBUILD_MARKER_TTL
    return IndexOutboxEntry.objects.filter(document_id__startswith=REBUILD_MARKER, queued_at__gte=cutoff).exists()


def forget_stale_rebuild_markers() -> None:
    """Markers of rebuilds that died without removing them."""
    cutoff = timezone.now() - REBUILD_MARKER_TTL
    IndexOutboxEntry.objects.filter(document_id__startswith=REBUILD_MARKER, queued_at__lt=cutoff).delete()


@contextmanager
def rebuild_marker() -> Iterator:
    """Pause draining while the body runs. Yields a `refresh()` to call as the rebuild
    progresses (it keeps a long rebuild's marker fresh; inside a transaction it does
    nothing, as nobody else could see the new time before the commit)."""
    import uuid

    marker = f"{REBUILD_MARKER}{uuid.uuid4().hex}"
    IndexOutboxEntry.objects.create(document_id=marker, action=Action.INDEX)
    last = [timezone.now()]

    def refresh() -> None:
        now = timezone.now()
        if now - last[0] < REBUILD_MARKER_TTL / 10 or transaction.get_connection().in_atomic_block:
            return
        IndexOutboxEntry.objects.filter(document_id=marker).update(queued_at=now)
        last[0] = now

    try:
        yield refresh
    finally:
        IndexOutboxEntry.objects.filter(document_id=marker).delete()
