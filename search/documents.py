"""What a search document looks like, and where documents come from.

Every searchable thing (topic, post, newsletter article, legislative update, event, page)
becomes one flat document (the shared contract):

    id              "<kind>:<pk>", e.g. "topic:12"
    kind            topic | post | article | issue | update | event | page
    title, body     plain text (no HTML)
    url             path on the site
    association     association slug, lowercased ("" for the commons)
    category        forum category slug ("" if none)
    tags            [slug], lowercased
    jurisdictions   [code], lowercased ("mo", "tribe-navajo-nation")
    author          display name ("" if none); author_id: int | None
    published_at    aware datetime (or None); year: int | None
    answered        practice question with an accepted answer
    topic_kind      discussion | question | procedure | ""
    audience        [audience id] from members.permissions ("public", "signed-in", "group:<id>")

`audience` lets every query be filtered in the engine by what the searcher may see; a
document with no audience is visible to nobody.

Backends pass each document through `normalize_document` (defaults, lowercasing, sorted
lists, UTC dates) and store `document_fingerprint` with it, so `manage.py search_index
--check` can compare `backend.document_versions()` with the sources and find documents that
are missing, stale or left over.
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time

from django.utils import timezone
from elasticsearch_dsl import Boolean, Date, Document, Integer, Keyword, Long, MetaField, Text, analysis

from search.query import MARK_CHARACTERS

# Only the built-in analyzers exist in the test distribution (no analysis-common), so
# text uses "standard". The one custom piece is a keyword normalizer made of the built-in
# `lowercase` filter (it lives in the server core, not in analysis-common), used for
# title-prefix suggestions. Keyword values are lowercased in Python before indexing.
TEXT_ANALYZER = "standard"
LOWERCASE_KEYWORD = analysis.normalizer("lowercase_keyword", filter=["lowercase"])

# Bodies longer than this are cut before indexing: it keeps a PostgreSQL tsvector under its
# 1 MB limit and highlighting under Elasticsearch's index.highlight.max_analyzed_offset.
MAX_BODY_CHARS = 300_000
MAX_TITLE_CHARS = 1_000

KINDS = ("topic", "post", "article", "issue", "update", "event", "page")


class SearchDocument(Document):
    id = Keyword()
    kind = Keyword()
    title = Text(
        analyzer=TEXT_ANALYZER,
        # Lowercased whole title, for "titles starting with what was typed" suggestions.
        fields={"prefix": Keyword(normalizer=LOWERCASE_KEYWORD, ignore_above=256)},
    )
    body = Text(analyzer=TEXT_ANALYZER)
    url = Keyword(index=False)
    association = Keyword()
    category = Keyword()
    tags = Keyword()
    jurisdictions = Keyword()
    author = Text(analyzer=TEXT_ANALYZER)
    author_id = Long()
    published_at = Date()
    year = Integer()
    answered = Boolean()
    topic_kind = Keyword()
    audience = Keyword()
    # Not searchable; read back (from _source) by document_versions() for --check.
    fingerprint = Keyword(index=False, doc_values=False)

    class Meta:
        # Unknown fields are kept in _source but not mapped (normalize_document drops them anyway).
        dynamic = MetaField(False)


DOCUMENT_FIELDS = (
    "id", "kind", "title", "body", "url", "association", "category", "tags", "jurisdictions",
    "author", "author_id", "published_at", "year", "answered", "topic_kind", "audience",
)


def _text(value) -> str:
    text = str(value or "")
    if "\ue000" in text or "\ue001" in text:  # the highlight markers (search.query.MARK_OPEN/CLOSE)
        text = MARK_CHARACTERS.sub("", text)
    return text


def _keyword(value) -> str:
    return str(value or "").strip().lower()


def _keywords(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return sorted({_keyword(value) for value in values} - {""})


def _moment(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.get_default_timezone())
    return value.astimezone(UTC)


def normalize_document(document: Mapping) -> dict:
    """The contract's document with every field present and in canonical form: missing
    fields get their empty value, keyword values are lowercased, lists sorted and
    de-duplicated, dates aware and in UTC, `year` taken from `published_at` if absent.
    Raises ValueError for a document without an id."""
    document_id = str(document.get("id") or "").strip()
    if not document_id:
        raise ValueError(f"search document without an id: {dict(document)!r:.200}")
    published_at = _moment(document.get("published_at"))
    year = document.get("year")
    if year in (None, "") and published_at is not None:
        year = published_at.astimezone(timezone.get_default_timezone()).year
    author_id = document.get("author_id")
    return {
        "id": document_id,
        "kind": _keyword(document.get("kind")) or _keyword(document_id.split(":", 1)[0]),
        "title": _text(document.get("title"))[:MAX_TITLE_CHARS],
        "body": _text(document.get("body"))[:MAX_BODY_CHARS],
        "url": str(document.get("url") or ""),
        "association": _keyword(document.get("association")),
        "category": _keyword(document.get("category")),
        "tags": _keywords(document.get("tags")),
        "jurisdictions": _keywords(document.get("jurisdictions")),
        "author": _text(document.get("author")).strip(),
        "author_id": None if author_id in (None, "") else int(author_id),
        "published_at": published_at,
        "year": None if year in (None, "") else int(year),
        "answered": bool(document.get("answered")),
        "topic_kind": _keyword(document.get("topic_kind")),
        # Audience ids are compared exactly ("group:5"); only whitespace is trimmed.
        "audience": sorted({str(audience).strip() for audience in document.get("audience") or ()} - {""}),
    }


def document_fingerprint(document: Mapping) -> str:
    """A short hash of the normalised document: equal fingerprints mean the index holds
    exactly what the source would produce now."""
    return _fingerprint(normalize_document(document))


def _fingerprint(normalized: Mapping) -> str:
    hasher = hashlib.blake2b(digest_size=12)
    for name in DOCUMENT_FIELDS:
        value = normalized[name]
        if isinstance(value, list):
            value = "\x1e".join(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        hasher.update(f"{value}\x1f".encode())
    return hasher.hexdigest()


def prepared_document(document: Mapping) -> dict:
    """normalize_document plus its fingerprint: what the backends store."""
    normalized = normalize_document(document)
    normalized["fingerprint"] = _fingerprint(normalized)
    return normalized


DocumentSource = Callable[[], Iterable[dict]]
DOCUMENT_SOURCES: list[DocumentSource] = []


def register_document_source(source: DocumentSource) -> DocumentSource:
    """Apps register a function yielding their documents (used by full rebuilds)."""
    DOCUMENT_SOURCES.append(source)
    return source


def all_documents() -> Iterator[dict]:
    for source in DOCUMENT_SOURCES:
        yield from source()
