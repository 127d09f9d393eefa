"""What a search document looks like, and where documents come from.

Every searchable thing (topic, post, newsletter article, legislative update, event, page)
becomes one flat document. `audience` holds the audience ids from the members permission
source, so every query can be filtered in the engine by what the searcher may see.
"""

from collections.abc import Callable, Iterable, Iterator

from elasticsearch_dsl import Boolean, Date, Document, Keyword, Text

# Only the built-in analyzers exist in the test distribution (no analysis-common), so
# text uses "standard" and keyword values are lowercased in Python before indexing.
TEXT_ANALYZER = "standard"


class SearchDocument(Document):
    kind = Keyword()
    title = Text(analyzer=TEXT_ANALYZER)
    body = Text(analyzer=TEXT_ANALYZER)
    url = Keyword(index=False)
    association = Keyword()
    audience = Keyword()
    tags = Keyword()
    jurisdictions = Keyword()
    accepted_answer = Boolean()
    published_at = Date()


DocumentSource = Callable[[], Iterable[dict]]
DOCUMENT_SOURCES: list[DocumentSource] = []


def register_document_source(source: DocumentSource) -> DocumentSource:
    """Apps register a function yielding their documents (used by full rebuilds)."""
    DOCUMENT_SOURCES.append(source)
    return source


def all_documents() -> Iterator[dict]:
    for source in DOCUMENT_SOURCES:
        yield from source()
