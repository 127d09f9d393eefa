"""Text extraction from attachments (PDF, DOCX, ODT, XLSX, TXT), for search and for the
confidential-data guard.

    result = extract_text(path, content_type)
    result.status     # "done", "no_text", "failed" or "not_document" (Attachment.Extraction)
    result.text       # the text, at most FORUM_EXTRACTION_LIMITS["MAX_TEXT_CHARS"] characters
    result.message    # plain words for the uploader and moderators ("" when all went well)
    result.pages      # PDF pages or workbook sheets read (None for other kinds)

Every file is read in a child process (forum/extraction/worker.py) that caps its own memory
and CPU time before opening anything, and that this process kills after a wall-clock
timeout. Office files (ZIP archives) are checked for zip bombs before a library opens them.
So a corrupt, hostile or merely enormous file ends as "failed" with a plain message; it can
never hang or crash the task worker, and never loses the post it is attached to.

The caller (forum/tasks.py) runs this in a background task and stores the result.
"""

import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

WORKER = Path(__file__).resolve().parent / "worker.py"

DONE, NO_TEXT, FAILED, NOT_DOCUMENT = "done", "no_text", "failed", "not_document"
STATUSES = frozenset({DONE, NO_TEXT, FAILED, NOT_DOCUMENT})

# The kinds forum.attachments accepts, by the content type it stored (decided from the bytes).
KINDS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "text/plain": "txt",
}
PICTURE_MESSAGE = "A picture has no text for search to read."


@dataclass(frozen=True)
class ExtractionResult:
    status: str
    text: str = ""
    message: str = ""
    pages: int | None = None
    truncated: bool = False

    @classmethod
    def failed(cls, message: str) -> "ExtractionResult":
        return cls(FAILED, "", message)


class ExtractionUnavailable(Exception):
    """The extraction process could not be started (not the file's fault): try again later."""


def limits() -> dict:
    return dict(settings.FORUM_EXTRACTION_LIMITS)


def kind_for(content_type: str) -> str | None:
    return KINDS.get((content_type or "").split(";", 1)[0].strip().lower())


def extract_text(path, content_type: str) -> ExtractionResult:
    """The text of the file at `path`, read in a limited child process. Never raises for
    anything about the file itself; ExtractionUnavailable when no process could start."""
    if (content_type or "").lower().startswith("image/"):
        return ExtractionResult(NOT_DOCUMENT, message=PICTURE_MESSAGE)
    kind = kind_for(content_type)
    if kind is None:
        return ExtractionResult.failed("Comity cannot read text from this kind of file.")
    bounds = limits()
    try:
        size = os.path.getsize(path)
    except OSError:
        return ExtractionResult.failed("The stored file could not be opened.")
    if size > bounds["MAX_INPUT_BYTES"]:
        return ExtractionResult.failed(
            f"The file is larger than {bounds['MAX_INPUT_BYTES'] // (1024 * 1024):,} MB, more than text extraction "
            "reads. Search cannot read it."
        )
    return _run_worker({"path": str(path), "kind": kind, "limits": bounds}, timeout=float(bounds["TIMEOUT_SECONDS"]))


def _run_worker(request: dict, *, timeout: float) -> ExtractionResult:
    too_long = f"Reading the file took longer than {timeout:g} seconds, so it was stopped. Search cannot read it."
    try:
        completed = subprocess.run(
            [sys.executable, "-I", str(WORKER)],
            input=json.dumps(request).encode(),
            capture_output=True,
            timeout=timeout,
            # Nothing of ours (database URLs, keys) reaches the process that parses the file.
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
            cwd="/",
            close_fds=True,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        logger.warning("attachment text extraction timed out after %ss (%s)", timeout, request["kind"])
        return ExtractionResult.failed(too_long)
    except OSError as error:  # not the file's fault: the task fails and can be run again
        raise ExtractionUnavailable(f"could not start the text extraction process: {error}") from error
    if completed.returncode != 0:
        # Killed by its own limits (SIGXCPU for CPU time, SIGKILL or SIGSEGV when memory ran
        # out inside a C extension) or a crash; stderr is not logged: it may quote the file.
        logger.warning("attachment text extraction ended with code %s (%s)", completed.returncode, request["kind"])
        if completed.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            return ExtractionResult.failed(too_long)
        return ExtractionResult.failed(
            "The file could not be read (it made the reader fail), so search cannot find its text."
        )
    try:
        data = json.loads(completed.stdout)
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(status)
        text = str(data.get("text") or "")[: request["limits"]["MAX_TEXT_CHARS"]]
        pages = data.get("pages")
        return ExtractionResult(
            status, text, str(data.get("message") or "")[:300], pages if isinstance(pages, int) else None,
            bool(data.get("truncated")),
        )
    except (ValueError, KeyError, TypeError):
        logger.error("attachment text extraction returned an unreadable answer (%s)", request["kind"])
        return ExtractionResult.failed("The file could not be read, so search cannot find its text.")
