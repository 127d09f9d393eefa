"""What a search asks for and what it gets back: the value types every backend shares.

`SearchQuery` is built by the search page (after parsing the box and the facet links) and
handed to `backend.search()`. It normalises itself on construction, so a backend can trust
it: filter values are lowercased and de-duplicated, the text is capped, the page and page
size are clamped. `audience` is required: every backend filters by it inside the engine.

Conventions both backends follow (the contract tests check them):
- free-text words must all match (in the title or the body); each quoted phrase must match
  as a phrase; a title match outranks a body match;
- values within one filter are alternatives (tag a OR tag b); different filters combine
  (tag a AND jurisdiction mo); `authors` match when every word of the given name is a word
  of the author's display name, case-insensitively;
- `after` is inclusive (on or after that day), `before` is exclusive (strictly before that
  day); days start at midnight in the site's time zone (settings.TIME_ZONE);
- facets count the documents matching the whole query (filters included), most frequent
  first (ties by value), except `year`, which is newest first. Facet values have the type
  of the matching SearchQuery field: str for kind/association/category/tags/jurisdictions,
  int for year, bool for answered. Empty strings are left out, except for `association`,
  where "" means the commons;
- results deeper than MAX_RESULT_WINDOW are never fetched: such a page comes back empty,
  with the total and facets still filled in (`SearchResults.beyond_window`);
- `snippet_html` and `title_html` are HTML-escaped text whose only tags are <mark>...</mark>.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_RESULT_WINDOW = 10_000  # Elasticsearch's default index.max_result_window
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_TEXT_CHARS = 1_000
MAX_TERMS = 32  # free-text words kept from the box (a 10,000-character query stays cheap)
MAX_PHRASES = 8
MAX_PHRASE_CHARS = 200
MAX_FILTER_VALUES = 50
SORTS = ("relevance", "date")
FACET_NAMES = ("kind", "association", "category", "tags", "jurisdictions", "year", "answered")
# How many values each facet brings back at most (the most frequent ones).
FACET_SIZES = {"kind": 20, "association": 50, "category": 100, "tags": 50, "jurisdictions": 100, "year": 100,
               "answered": 2}

# Words as every backend's tokenizer sees them (letters and digits; no underscores).
WORD = re.compile(r"[^\W_]+")

# Backends ask their engine to wrap matches in these private-use characters, then escape
# the text and turn each matched pair into <mark>...</mark> (see `marked_html`). Documents
# have these characters removed before indexing (search.documents.normalize_document).
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
MARK_CHARACTERS = re.compile(f"[{MARK_OPEN}{MARK_CLOSE}]")
_MARKED = re.compile(f"{MARK_OPEN}([^{MARK_OPEN}{MARK_CLOSE}]*){MARK_CLOSE}")


def words_of(text: str, limit: int = MAX_TERMS) -> list[str]:
    """The lowercased words of `text`, at most `limit` of them."""
    words = []
    for match in WORD.finditer(text or ""):
        words.append(match.group().lower())
        if len(words) >= limit:
            break
    return words


def _values(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    seen: dict[str, None] = {}
    for value in values:
        value = str(value).strip().lower()
        if value not in seen:
            seen[value] = None
        if len(seen) >= MAX_FILTER_VALUES:
            break
    return tuple(seen)


def _day(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class SearchQuery:
    audience: frozenset[str]
    text: str = ""
    phrases: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    topic_kinds: tuple[str, ...] = ()  # discussion | question | procedure (forum topics and their posts)
    associations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    after: date | None = None
    before: date | None = None
    year: int | None = None
    answered: bool | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        if self.audience is None or isinstance(self.audience, str):
            raise TypeError("SearchQuery.audience must be a set of audience ids")
        put("audience", frozenset(str(audience) for audience in self.audience))
        put("text", " ".join(str(self.text or "").split())[:MAX_TEXT_CHARS])
        phrases = []
        for phrase in [self.phrases] if isinstance(self.phrases, str) else self.phrases or ():
            phrase = " ".join(str(phrase).split())[:MAX_PHRASE_CHARS]
            if words_of(phrase) and phrase not in phrases:
                phrases.append(phrase)
        put("phrases", tuple(phrases[:MAX_PHRASES]))
        for name in ("kinds", "topic_kinds", "associations", "categories", "tags", "jurisdictions"):
            put(name, _values(getattr(self, name)))
        put("authors", tuple(author for author in _values(self.authors) if words_of(author)))
        put("after", _day(self.after))
        put("before", _day(self.before))
        put("year", None if self.year is None else int(self.year))
        put("answered", None if self.answered is None else bool(self.answered))
        put("sort", self.sort if self.sort in SORTS else "relevance")
        try:
            page = int(self.page)
        except (TypeError, ValueError):
            page = 1
        put("page", max(1, page))
        try:
            per_page = int(self.per_page)
        except (TypeError, ValueError):
            per_page = DEFAULT_PER_PAGE
        put("per_page", min(max(1, per_page), MAX_PER_PAGE))

    @property
    def words(self) -> list[str]:
        """The free-text words (lowercased, at most MAX_TERMS)."""
        return words_of(self.text)

    @property
    def phrase_words(self) -> list[list[str]]:
        return [words_of(phrase) for phrase in self.phrases]

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def window(self) -> tuple[int, int]:
        """(offset, size) to fetch, never reaching past MAX_RESULT_WINDOW; size 0 when the
        page lies wholly beyond it."""
        if self.offset >= MAX_RESULT_WINDOW:
            return 0, 0
        return self.offset, min(self.per_page, MAX_RESULT_WINDOW - self.offset)


@dataclass(frozen=True)
class SearchHit:
    id: str
    kind: str
    title: str
    url: str
    snippet_html: str  # escaped text; the only tags are <mark>...</mark>
    association: str
    published_at: datetime | None
    author: str
    tags: list[str]
    jurisdictions: list[str]
    answered: bool
    title_html: str = ""  # the title, escaped, with matched words in <mark>
    category: str = ""
    topic_kind: str = ""
    score: float | None = None


@dataclass(frozen=True)
class Suggestion:
    id: str
    kind: str
    title: str
    url: str


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple]]
    did_you_mean: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def pages(self) -> int:
        """How many pages can be shown (the total, capped at MAX_RESULT_WINDOW results)."""
        return math.ceil(min(self.total, MAX_RESULT_WINDOW) / self.per_page)

    @property
    def beyond_window(self) -> bool:
        """The page asked for lies past the last page that can be shown."""
        return self.page > max(self.pages, 1)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def empty_facets() -> dict[str, list[tuple]]:
    return {name: [] for name in FACET_NAMES}


def sort_facet(name: str, counts: Iterable[tuple]) -> list[tuple]:
    """Most frequent first (ties by value); years newest first."""
    counts = [(value, count) for value, count in counts if count > 0 and (value != "" or name == "association")]
    if name == "year":
        return sorted(counts, key=lambda item: -item[0])
    return sorted(counts, key=lambda item: (-item[1], str(item[0])))


def marked_html(text: str) -> str:
    """Escape `text` for HTML, turning each MARK_OPEN...MARK_CLOSE pair into <mark>...</mark>
    (and dropping any unpaired marker), so the result carries no other markup."""
    escaped = html.escape(text or "", quote=True)
    return MARK_CHARACTERS.sub("", _MARKED.sub(r"<mark>\1</mark>", escaped))


def plain_snippet(body: str, length: int = 200) -> str:
    """The escaped start of `body`, cut at a word boundary, for hits with no highlight."""
    body = MARK_CHARACTERS.sub("", " ".join((body or "").split()))
    if len(body) <= length:
        return html.escape(body)
    cut = body[:length].rsplit(" ", 1)[0] or body[:length]
    return html.escape(cut) + "…"
