"""manage.py search_index --rebuild | --check | --drain

--rebuild   index every registered document source into a new index and swap it in (no
            moment where search is empty), with a progress bar on stderr; the outbox is
            paused meanwhile and drained into the new index afterwards.
--check     compare what the sources would index now with what the index holds: documents
            missing from it, stale in it (different content or audience) and left over in
            it (deleted, hidden or no longer visible). Exits non-zero when they differ.
--drain     process the indexing outbox now (as the queued task does), until it is empty.
"""

import time
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError

from search import documents as search_documents
from search import outbox
from search.backends import SearchUnavailable, get_search_backend
from search.documents import document_fingerprint
from search.models import IndexOutboxEntry
from search.tasks import drain_outbox

SHOWN_IDS = 10


def plain(text: str) -> str:
    return text


class SizedDocuments:
    """Every registered source's documents, with the count known up front (sources that
    can count say how many candidates they have), so the backend can report progress
    against a total."""

    def __init__(self, sources):
        self.sources = list(sources)
        counts = [source.count() if hasattr(source, "count") else None for source in self.sources]
        self.total = None if None in counts else sum(counts)

    def __iter__(self) -> Iterator[dict]:
        for source in self.sources:
            yield from source()

    def __len__(self) -> int:
        if self.total is None:
            raise TypeError("the number of documents is not known")
        return self.total


class ProgressBar:
    """A one-line progress bar on a terminal; on anything else, a line every 10%."""

    def __init__(self, stream, label: str, width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self.started = time.monotonic()
        self.interactive = hasattr(stream, "isatty") and stream.isatty()
        self.last_drawn = 0.0
        self.last_decile = -1
        self.done = 0
        self.total = None

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total if total is not None else self.total
        now = time.monotonic()
        if self.interactive:
            if now - self.last_drawn >= 0.1 or done == self.total:
                self.stream.write("\r" + self.line(now), style_func=plain, ending="")
                self.stream.flush()
                self.last_drawn = now
        else:
            decile = int(10 * done / self.total) if self.total else done // 10_000
            if decile != self.last_decile:
                self.stream.write(self.line(now), style_func=plain)
                self.last_decile = decile

    def line(self, now: float) -> str:
        rate = self.done / max(now - self.started, 1e-6)
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(self.width * share)
            bar = "#" * filled + "." * (self.width - filled)
            return f"{self.label} [{bar}] {self.done:,}/{self.total:,} ({share:.0%}) {rate:,.0f} docs/s"
        return f"{self.label} {self.done:,} documents {rate:,.0f} docs/s"

    def finish(self) -> None:
        if self.interactive:
            self.stream.write("\r" + self.line(time.monotonic()), style_func=plain)


class Command(BaseCommand):
    help = "Manage the search index: --rebuild (new index, swapped in), --check (missing or stale), --drain (outbox)."

    def add_arguments(self, parser):
        actions = parser.add_mutually_exclusive_group(required=True)
        actions.add_argument("--rebuild", action="store_true", help="index everything into a new index and swap it in")
        actions.add_argument("--check", action="store_true", help="report documents missing from or stale in the index")
        actions.add_argument("--drain", action="store_true", help="process the indexing outbox now")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (--rebuild)")

    def handle(self, *args, rebuild=False, check=False, drain=False, no_progress=False, **options):
        backend = get_search_backend()
        try:
            if rebuild:
                self.run_rebuild(backend, progress=not no_progress)
            elif check:
                self.run_check(backend)
            else:
                self.run_drain(backend)
        except SearchUnavailable as error:
            raise CommandError(f"search is unavailable: {error}") from error

    # --- --rebuild ---------------------------------------------------------------------------------

    def run_rebuild(self, backend, *, progress: bool):
        backend.health()
        documents = SizedDocuments(search_documents.DOCUMENT_SOURCES)
        bar = ProgressBar(self.stderr, f"{backend.name}: indexing") if progress else None
        with outbox.rebuild_marker() as refresh_marker:

            def on_progress(done, total=None):
                refresh_marker()
                if bar:
                    bar(done, total)

            result = backend.rebuild(documents, on_progress=on_progress)
        if bar:
            bar.finish()
        replaced = f", replacing {', '.join(result.replaced)}" if result.replaced else ""
        self.stdout.write(
            self.style.SUCCESS(f"{backend.name}: indexed {result.documents} documents into {result.index}{replaced}")
        )
        # Changes made while the new index was filled waited in the outbox: apply them now.
        report = drain_outbox(backend=backend)
        if report.batches:
            self.stdout.write(self.drain_summary(report))
        if report.unavailable:
            raise CommandError(f"the outbox could not be drained after the rebuild: {report.unavailable}")

    # --- --check -----------------------------------------------------------------------------------------

    def run_check(self, backend):
        expected: dict[str, str] = {}
        for source in search_documents.DOCUMENT_SOURCES:
            for document in source():
                expected[document["id"]] = document_fingerprint(document)
        indexed = backend.document_versions()
        missing = sorted(expected.keys() - indexed.keys())
        left_over = sorted(indexed.keys() - expected.keys())
        stale = sorted(
            document_id for document_id in expected.keys() & indexed.keys()
            if expected[document_id] != indexed[document_id]
        )
        queued = IndexOutboxEntry.objects.exclude(document_id__startswith=outbox.REBUILD_MARKER).count()
        self.stdout.write(
            f"{backend.name}: {len(expected):,} documents expected, {len(indexed):,} in the index; "
            f"{len(missing):,} missing, {len(stale):,} stale, {len(left_over):,} left over; "
            f"{queued:,} queued in the outbox"
        )
        for label, ids in (("missing", missing), ("stale", stale), ("left over", left_over)):
            if ids:
                more = f" and {len(ids) - SHOWN_IDS:,} more" if len(ids) > SHOWN_IDS else ""
                self.stdout.write(f"  {label}: {', '.join(ids[:SHOWN_IDS])}{more}")
        if missing or stale or left_over:
            hint = "drain the outbox (--drain)" if queued else "rebuild (--rebuild)"
            raise CommandError(f"the search index is inconsistent with the content; {hint}", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"{backend.name}: the index matches the content"))

    # --- --drain -----------------------------------------------------------------------------------------

    def run_drain(self, backend):
        report = drain_outbox(backend=backend)
        if report.paused:
            raise CommandError("a rebuild is in progress; it drains the outbox when it finishes")
        self.stdout.write(self.drain_summary(report))
        left = IndexOutboxEntry.objects.exclude(document_id__startswith=outbox.REBUILD_MARKER).count()
        if report.unavailable:
            raise CommandError(f"search is unavailable ({report.unavailable}); {left:,} outbox rows kept for later")
        if report.failed:
            raise CommandError(
                f"{report.failed:,} outbox rows failed and stay for the next drain "
                f"(their errors are in last_error): {', '.join(report.failed_ids[:SHOWN_IDS])}"
            )

    @staticmethod
    def drain_summary(report) -> str:
        return (
            f"outbox: {report.indexed:,} indexed, {report.deleted:,} deleted, {report.expanded:,} expanded "
            f"in {report.batches:,} batches" + (f", {report.failed:,} failed" if report.failed else "")
        )
