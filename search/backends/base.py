from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RebuildResult:
    index: str
    documents: int
    replaced: list[str] = field(default_factory=list)


class SearchUnavailable(Exception):
    """The search engine could not be reached or refused the request."""


class SearchBackend:
    """What every search backend offers. Issue-by-issue this grows index, delete,
    search, suggest and rebuild; each backend passes the same contract tests."""

    name = "base"

    def __init__(self, *, index_prefix: str):
        self.index_prefix = index_prefix

    def index_name(self, suffix: str) -> str:
        return f"{self.index_prefix}-{suffix}"

    def health(self) -> str:
        """Return a short description of a healthy engine, or raise SearchUnavailable."""
        raise NotImplementedError

    def rebuild(self, documents: Iterable[dict], *, on_progress=None) -> RebuildResult:
        """Replace the whole index with `documents`, with no moment where search is empty."""
        raise NotImplementedError
