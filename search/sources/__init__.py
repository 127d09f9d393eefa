"""Where search documents come from: one source per kind of content.

    documents_for(["topic:12", "article:7"])   # {id: document} for those still visible
    all_sources()                              # every source (full rebuilds, --check)

Each source is registered with search.documents.register_document_source when the search
app is ready, so `search_index --rebuild` indexes them all. A document id is "<kind>:<pk>".
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from search.sources.base import DocumentSource

DOCUMENT_KINDS = ("topic", "post", "article", "issue", "update", "event", "page")


def parse_document_id(document_id: str) -> tuple[str, int] | None:
    """("topic", 12) for "topic:12"; None for anything that is not a document id."""
    kind, _, pk = str(document_id).partition(":")
    if kind not in DOCUMENT_KINDS or not pk.isdigit():
        return None
    return kind, int(pk)


@cache
def all_sources() -> tuple[DocumentSource, ...]:
    from search.sources.forum import PostSource, TopicSource
    from search.sources.pages import ArticleSource, EventSource, IssueSource, StandardPageSource, UpdateSource

    return (
        TopicSource(), PostSource(),
        ArticleSource(), IssueSource(), UpdateSource(), EventSource(), StandardPageSource(),
    )


def source_for(kind: str) -> DocumentSource:
    for source in all_sources():
        if kind in source.kinds:
            return source
    raise KeyError(kind)


def documents_for(document_ids: Iterable[str]) -> dict[str, dict]:
    """The current documents for `document_ids`, in a few queries per kind. An id missing
    from the answer has no document now (deleted, hidden, unpublished, restricted away)."""
    pks_by_kind: dict[str, set[int]] = defaultdict(set)
    for document_id in document_ids:
        parsed = parse_document_id(document_id)
        if parsed:
            pks_by_kind[parsed[0]].add(parsed[1])
    documents: dict[str, dict] = {}
    for kind, pks in pks_by_kind.items():
        documents.update(source_for(kind).documents_for(pks))
    wanted = set(document_ids)
    return {document_id: doc for document_id, doc in documents.items() if document_id in wanted}


def register_sources() -> None:
    """Register every source for full rebuilds (once; called from SearchConfig.ready)."""
    from search.documents import DOCUMENT_SOURCES, register_document_source

    for source in all_sources():
        if source not in DOCUMENT_SOURCES:
            register_document_source(source)
