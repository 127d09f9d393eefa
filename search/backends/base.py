"""The one search interface. Both backends (search.backends.elasticsearch and
search.backends.database) implement every method here and pass the same contract tests
(tests/search/test_backend_contract.py). Documents are the flat dicts described in
search.documents; queries and results are the types in search.query."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from search.query import SearchQuery, SearchResults, Suggestion


@dataclass(frozen=True)
class RebuildResult:
    index: str
    documents: int
    replaced: list[str] = field(default_factory=list)


def known_length(documents) -> int | None:
    """len(documents) when the collection can tell (a list, a sized source), else None."""
    try:
        return len(documents)
    except TypeError:
        return None


class SearchUnavailable(Exception):
    """The search engine could not be reached or refused the request. The message is
    short and generic (safe to log next to a user-facing "search is degraded" notice);
    the engine's own error is chained as __cause__ and logged by the backend."""


class IndexingFailed(SearchUnavailable):
    """The engine rejected some documents of a bulk write (the others were written).
    `failed_ids` names the rejected ones."""

    def __init__(self, message: str, *, failed_ids: list[str]):
        super().__init__(message)
        self.failed_ids = failed_ids


class SearchBackend:
    """What every search backend offers.

    - index(documents, *, refresh=False) -> int: upsert by id, in bulk. refresh=True makes
      them searchable before returning (Elasticsearch; the database is always immediate).
    - delete(document_ids, *, refresh=False) -> int: how many existed; unknown ids are fine.
    - search(query: SearchQuery) -> SearchResults, filtered by query.audience in the engine.
    - suggest(prefix, *, audience, limit=8) -> list[Suggestion]: title suggestions.
    - rebuild(documents, *, on_progress=None) -> RebuildResult: replace everything with
      no moment where search is empty; on_progress(done, total_or_None) is called as it goes.
    - document_versions() -> dict[id, fingerprint]: what the index holds, for
      `search_index --check` (compare with search.documents.document_fingerprint(source
      document): missing, stale and left-over ids). document_ids() -> set[id].
    - health() -> str.
    Every method raises SearchUnavailable (never an engine's own exception) when the engine
    cannot do it.
    """

    name = "base"

    def __init__(self, *, index_prefix: str):
        self.index_prefix = index_prefix

    def index_name(self, suffix: str) -> str:
        return f"{self.index_prefix}-{suffix}"

    def health(self) -> str:
        """Return a short description of a healthy engine, or raise SearchUnavailable."""
        raise NotImplementedError

    def index(self, documents: Iterable[dict], *, refresh: bool = False) -> int:
        raise NotImplementedError

    def delete(self, document_ids: Iterable[str], *, refresh: bool = False) -> int:
        raise NotImplementedError

    def search(self, query: SearchQuery) -> SearchResults:
        raise NotImplementedError

    def suggest(self, prefix: str, *, audience: frozenset[str], limit: int = 8) -> list[Suggestion]:
        raise NotImplementedError

    def rebuild(self, documents: Iterable[dict], *, on_progress=None) -> RebuildResult:
        """Replace the whole index with `documents`, with no moment where search is empty."""
        raise NotImplementedError

    def document_versions(self) -> dict[str, str]:
        raise NotImplementedError

    def document_ids(self) -> set[str]:
        return set(self.document_versions())
