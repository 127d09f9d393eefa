"""The embedded search backend: full-text search in the project's own database.

- PostgreSQL: a stored tsvector (title weight A, body weight B, the `simple` configuration,
  like Elasticsearch's standard analyzer: no stemming, no stop words) with a GIN index;
  plainto_tsquery/phraseto_tsquery, ranked by ts_rank_cd, snippets by ts_headline.
- SQLite: an FTS5 table over title and body (external content), ranked by bm25 with the
  title weighted 3:1, snippets by snippet()/highlight().

The tables are made by migration search/0002 (raw SQL; no Django models): a narrow
document table for filters, facets and result rows, and a text table for title and body.
Filters, the audience filter included, are SQL conditions of the same statements, never
applied after fetching. Facets are counted with GROUP BY over the matching rows in one
statement (tags and jurisdictions: unnest of text[] on PostgreSQL, json_each on SQLite).
"""

import contextlib
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice

from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from search.backends.base import RebuildResult, SearchBackend, SearchUnavailable, known_length
from search.documents import prepared_document
from search.query import (
    FACET_NAMES,
    FACET_SIZES,
    MARK_CLOSE,
    MARK_OPEN,
    SearchHit,
    SearchQuery,
    SearchResults,
    Suggestion,
    empty_facets,
    marked_html,
    plain_snippet,
    sort_facet,
    words_of,
)

logger = logging.getLogger(__name__)

DOCUMENTS = "search_db_document"
TEXTS = "search_db_text"
KEYWORDS = "search_db_keyword"  # SQLite only
FULLTEXT = "search_db_fulltext"  # SQLite only
KEYWORD_FIELDS = ("tags", "jurisdictions")
COLUMNS = (
    "document_id", "kind", "title", "url", "association", "category", "author", "author_words", "author_id",
    "published_at", "year", "answered", "topic_kind", "tags", "jurisdictions", "audience_key", "fingerprint",
)
# The columns of a result row, in the order SearchHit is built from; `d.id` last.
HIT_COLUMNS = (
    "d.document_id, d.kind, d.title, d.url, d.association, d.category, d.author, d.published_at, d.tags, "
    "d.jurisdictions, d.answered, d.topic_kind, d.id"
)
PAGE_COLUMNS = HIT_COLUMNS.replace("d.", "page.")
BATCH = 500
SNIPPET_SOURCE_CHARS = 400  # of the body, for hits with no text to highlight
HEADLINE_BODY_CHARS = 50_000  # ts_headline re-parses the text; matches past this are not shown
POSTGRESQL_HEADLINE = (
    f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxFragments=2, MaxWords=24, MinWords=12, "
    'FragmentDelimiter=" … "'
)
POSTGRESQL_TITLE_HEADLINE = f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, HighlightAll=true"
SQLITE_SNIPPET_TOKENS = 32


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _audience_key(audience: Iterable[str]) -> str:
    # "|public|group:5|": an audience id is matched by searching for "|<id>|". Ids holding
    # a "|" are left out, so a document with only such ids is visible to nobody.
    return "|" + "".join(f"{value}|" for value in audience if "|" not in value)


class DatabaseBackend(SearchBackend):
    """Full-text search in the project's own database: PostgreSQL full-text search on
    PostgreSQL, SQLite FTS5 on SQLite. It is healthy whenever the database is.
    did_you_mean is always None (no spelling suggester here)."""

    name = "database"

    def __init__(self, *, index_prefix: str = "", using: str = "default"):
        super().__init__(index_prefix=index_prefix)
        self.using = using

    # ------------------------------------------------------------------ plumbing

    @property
    def connection(self):
        return connections[self.using]

    @property
    def vendor(self) -> str:
        vendor = self.connection.vendor
        if vendor not in ("postgresql", "sqlite"):
            raise SearchUnavailable("The database search backend needs PostgreSQL or SQLite.")
        return vendor

    @contextlib.contextmanager
    def engine(self, doing: str):
        """Turn any database failure into SearchUnavailable (details logged, not shown)."""
        try:
            yield
        except DatabaseError as error:
            logger.warning("database search failed to %s: %r", doing, error)
            raise SearchUnavailable(f"Search could not {doing}.") from error

    def _stored_moment(self, moment: datetime | None):
        if moment is None or self.vendor == "postgresql":
            return moment
        # SQLite keeps UTC text in one fixed format, so text order is time order.
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def _read_moment(value) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value).replace(tzinfo=UTC)

    def health(self) -> str:
        with self.engine("report its health"), self.connection.cursor() as cursor:
            vendor = self.vendor
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {DOCUMENTS} LIMIT 1) AS probe")
        return f"searching in {vendor}"

    # ------------------------------------------------------------------ writes

    def _row(self, document: dict) -> tuple:
        values = {
            **document,
            "document_id": document["id"],
            "author_words": " {} ".format(" ".join(words_of(document["author"], limit=50))),
            "published_at": self._stored_moment(document["published_at"]),
            # text[] on PostgreSQL, JSON lists on SQLite.
            "tags": document["tags"] if self.vendor == "postgresql" else json.dumps(document["tags"]),
            "jurisdictions": (document["jurisdictions"] if self.vendor == "postgresql"
                              else json.dumps(document["jurisdictions"])),
            "audience_key": _audience_key(document["audience"]),
        }
        return tuple(values[column] for column in COLUMNS)

    def _remove(self, cursor, document_ids: list[str]) -> int:
        cursor.execute(f"SELECT id FROM {DOCUMENTS} WHERE document_id IN ({_placeholders(document_ids)})",
                       document_ids)
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        marks = _placeholders(ids)
        if self.vendor == "sqlite":
            # External-content FTS5: take the old text out of the index before it goes.
            cursor.execute(
                f"INSERT INTO {FULLTEXT} ({FULLTEXT}, rowid, title, body) "
                f"SELECT 'delete', id, title, body FROM {TEXTS} WHERE id IN ({marks})",
                ids,
            )
            cursor.execute(f"DELETE FROM {KEYWORDS} WHERE document IN ({marks})", ids)
        cursor.execute(f"DELETE FROM {TEXTS} WHERE id IN ({marks})", ids)
        cursor.execute(f"DELETE FROM {DOCUMENTS} WHERE id IN ({marks})", ids)
        return len(ids)

    def _insert(self, cursor, documents: list[dict]) -> None:
        rows = [self._row(document) for document in documents]
        if self.vendor == "postgresql":
            # Ids drawn from the table's own sequence, then COPY: far fewer round trips than INSERTs.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [DOCUMENTS, len(rows)]
            )
            ids = dict(zip((document["id"] for document in documents), (row[0] for row in cursor.fetchall())))
            self._copy(cursor, DOCUMENTS, ("id", *COLUMNS), [(ids[row[0]], *row) for row in rows])
        else:
            row_marks = f"({_placeholders(COLUMNS)})"
            cursor.execute(
                f"INSERT INTO {DOCUMENTS} ({', '.join(COLUMNS)}) VALUES {', '.join([row_marks] * len(rows))} "
                f"RETURNING id, document_id",
                [value for row in rows for value in row],
            )
            ids = {document_id: pk for pk, document_id in cursor.fetchall()}
        texts = [(ids[document["id"]], document["title"], document["body"]) for document in documents]
        if self.vendor == "postgresql":
            self._copy(cursor, TEXTS, ("id", "title", "body"), texts)
            return
        keywords = [
            (ids[document["id"]], field, value)
            for document in documents
            for field in KEYWORD_FIELDS
            for value in document[field]
        ]
        cursor.executemany(f"INSERT INTO {TEXTS} (id, title, body) VALUES (%s, %s, %s)", texts)
        cursor.executemany(f"INSERT INTO {FULLTEXT} (rowid, title, body) VALUES (%s, %s, %s)", texts)
        cursor.executemany(f"INSERT INTO {KEYWORDS} (document, field, value) VALUES (%s, %s, %s)", keywords)

    @staticmethod
    def _copy(cursor, table: str, columns: tuple, rows: list[tuple]) -> None:
        if not rows:
            return
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def index(self, documents: Iterable[dict], *, refresh: bool = False) -> int:
        """Upsert by id (in one transaction); visible at once, so `refresh` changes nothing."""
        prepared = list({document["id"]: document for document in map(prepared_document, documents)}.values())
        if not prepared:
            return 0
        with self.engine("index documents"), transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            for chunk in _chunks(prepared, BATCH):
                self._remove(cursor, [document["id"] for document in chunk])
                self._insert(cursor, chunk)
        return len(prepared)

    def delete(self, document_ids: Iterable[str], *, refresh: bool = False) -> int:
        ids = list(dict.fromkeys(str(document_id) for document_id in document_ids))
        deleted = 0
        if not ids:
            return 0
        with self.engine("delete documents"), transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            for chunk in _chunks(ids, BATCH):
                deleted += self._remove(cursor, chunk)
        return deleted

    def rebuild(self, documents: Iterable[dict], *, on_progress=None) -> RebuildResult:
        """Replace every row in one transaction: until it commits, readers keep seeing the
        old rows (PostgreSQL MVCC; SQLite in WAL mode), so search is never empty."""
        total = known_length(documents)
        indexed, seen = 0, set()
        if on_progress:
            on_progress(0, total)
        with self.engine("rebuild the index"), transaction.atomic(using=self.using), \
                self.connection.cursor() as cursor:
            tables = (TEXTS, DOCUMENTS)
            if self.vendor == "sqlite":
                cursor.execute(f"INSERT INTO {FULLTEXT} ({FULLTEXT}) VALUES ('delete-all')")
                tables = (KEYWORDS, *tables)
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            for chunk in _chunks(map(prepared_document, documents), BATCH):
                chunk = list({document["id"]: document for document in chunk}.values())
                again = [document["id"] for document in chunk if document["id"] in seen]
                if again:
                    self._remove(cursor, again)
                seen.update(document["id"] for document in chunk)
                self._insert(cursor, chunk)
                indexed += len(chunk) - len(again)
                if on_progress:
                    on_progress(indexed, total)
            if self.vendor == "postgresql":
                # Fresh statistics, so the planner knows the new rows as soon as they commit.
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")
        return RebuildResult(index=DOCUMENTS, documents=indexed)

    # ------------------------------------------------------------------ reads

    def document_versions(self) -> dict[str, str]:
        """{document id: fingerprint} for every stored document."""
        with self.engine("list its documents"), self.connection.cursor() as cursor:
            cursor.execute(f"SELECT document_id, fingerprint FROM {DOCUMENTS}")
            return dict(cursor.fetchall())

    def document_ids(self) -> set[str]:
        return set(self.document_versions())

    def _filters(self, query: SearchQuery, audience) -> tuple[list[str], list]:
        """SQL conditions on `d` (the document table), the audience first, always."""
        conditions, params = [], []

        def add(condition: str, values: Iterable = ()):
            conditions.append(condition)
            params.extend(values)

        audience = sorted(value for value in audience if "|" not in value)
        if audience:
            find = "instr" if self.vendor == "sqlite" else "strpos"
            add("(" + " OR ".join([f"{find}(d.audience_key, %s) > 0"] * len(audience)) + ")",
                [f"|{value}|" for value in audience])
        else:
            add("1 = 0")
        for column, values in (("kind", query.kinds), ("topic_kind", query.topic_kinds),
                               ("association", query.associations), ("category", query.categories)):
            if values:
                add(f"d.{column} IN ({_placeholders(values)})", values)
        for field, values in (("tags", query.tags), ("jurisdictions", query.jurisdictions)):
            if not values:
                continue
            if self.vendor == "postgresql":
                add(f"d.{field} && %s::text[]", [list(values)])
            else:
                add(f"d.id IN (SELECT k.document FROM {KEYWORDS} k WHERE k.field = %s "
                    f"AND k.value IN ({_placeholders(values)}))", [field, *values])
        if query.authors:
            alternatives, values = [], []
            for author in query.authors:
                words = words_of(author)
                alternatives.append("(" + " AND ".join(["d.author_words LIKE %s"] * len(words)) + ")")
                values += [f"% {word} %" for word in words]
            add("(" + " OR ".join(alternatives) + ")", values)
        if query.after:
            add("d.published_at >= %s", [self._stored_moment(self._midnight(query.after))])
        if query.before:
            add("d.published_at < %s", [self._stored_moment(self._midnight(query.before))])
        if query.year is not None:
            add("d.year = %s", [query.year])
        if query.answered is not None:
            add("d.answered = %s", [query.answered])
        return conditions, params

    @staticmethod
    def _midnight(day) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    @staticmethod
    def _fts_expression(words: list[str], phrases: list[list[str]]) -> str:
        # Every word and phrase quoted: FTS5 operators typed in the box are just words.
        return " ".join([f'"{word}"' for word in words] + [f'"{" ".join(phrase)}"' for phrase in phrases])

    @staticmethod
    def _tsquery(words: list[str], phrases: list[list[str]]) -> tuple[str, list]:
        parts, params = [], []
        if words:
            parts.append("plainto_tsquery('simple', %s)")
            params.append(" ".join(words))
        for phrase in phrases:
            parts.append("phraseto_tsquery('simple', %s)")
            params.append(" ".join(phrase))
        return " && ".join(parts), params

    def _text_condition(self, words, phrases) -> tuple[str, list]:
        if self.vendor == "sqlite":
            return (f"d.id IN (SELECT rowid FROM {FULLTEXT} WHERE {FULLTEXT} MATCH %s)",
                    [self._fts_expression(words, phrases)])
        tsquery, params = self._tsquery(words, phrases)
        return f"d.id IN (SELECT t.id FROM {TEXTS} t WHERE t.search_vector @@ ({tsquery}))", params

    def search(self, query: SearchQuery) -> SearchResults:
        words, phrases = query.words, [phrase for phrase in query.phrase_words if phrase]
        has_text = bool(words or phrases)
        conditions, params = self._filters(query, query.audience)
        with self.engine("search"), self.connection.cursor() as cursor:
            if has_text:
                condition, text_params = self._text_condition(words, phrases)
                facets = self._facets(cursor, " AND ".join([condition, *conditions]), text_params + params)
            else:
                facets = self._facets(cursor, " AND ".join(conditions), params)
            total = sum(count for _value, count in facets["kind"])
            offset, size = query.window
            hits = []
            if total and size:
                by_date = query.sort == "date" or not has_text
                where = " AND ".join(conditions)
                if not has_text:
                    hits = self._page_without_text(cursor, where, params, size, offset)
                elif self.vendor == "sqlite":
                    hits = self._sqlite_page(cursor, words, phrases, by_date, where, params, size, offset)
                else:
                    hits = self._postgresql_page(cursor, words, phrases, by_date, where, params, size, offset)
        return SearchResults(total=total, hits=hits, facets=facets, did_you_mean=None, page=query.page,
                             per_page=query.per_page)

    def _facets(self, cursor, where: str, params: list) -> dict[str, list[tuple]]:
        # One statement; the matching rows are read once. Tags and jurisdictions are counted
        # from the rows' own lists, so the cost follows the number of matches.
        if self.vendor == "sqlite":
            elements = "json_each(m.{field}) AS element"
        else:
            elements = "unnest(m.{field}) AS element(value)"
        cursor.execute(
            f"""
            WITH matched AS MATERIALIZED (
                SELECT d.kind, d.association, d.category, d.year, d.answered, d.tags, d.jurisdictions
                FROM {DOCUMENTS} d WHERE {where}
            )
            SELECT 'kind', kind, COUNT(*) FROM matched GROUP BY kind
            UNION ALL SELECT 'association', association, COUNT(*) FROM matched GROUP BY association
            UNION ALL SELECT 'category', category, COUNT(*) FROM matched GROUP BY category
            UNION ALL SELECT 'year', CAST(year AS TEXT), COUNT(*) FROM matched WHERE year IS NOT NULL GROUP BY year
            UNION ALL SELECT 'answered', CASE WHEN answered THEN 'true' ELSE 'false' END, COUNT(*)
                FROM matched GROUP BY answered
            UNION ALL SELECT 'tags', element.value, COUNT(*) FROM matched m, {elements.format(field="tags")}
                GROUP BY element.value
            UNION ALL SELECT 'jurisdictions', element.value, COUNT(*)
                FROM matched m, {elements.format(field="jurisdictions")} GROUP BY element.value
            """,
            params,
        )
        counts: dict[str, list[tuple]] = {name: [] for name in FACET_NAMES}
        for name, value, count in cursor.fetchall():
            if name == "year":
                value = int(value)
            elif name == "answered":
                value = value == "true"
            counts[name].append((value, count))
        facets = empty_facets()
        for name in FACET_NAMES:
            facets[name] = sort_facet(name, counts[name])[: FACET_SIZES[name]]
        return facets

    @staticmethod
    def _order(table: str, by_date: bool) -> str:
        by_date_order = f"{table}.published_at DESC NULLS LAST, {table}.document_id"
        return by_date_order if by_date else f"score DESC, {by_date_order}"

    def _page_without_text(self, cursor, where, params, size, offset) -> list[SearchHit]:
        cursor.execute(
            f"SELECT {PAGE_COLUMNS}, substr(t.body, 1, {SNIPPET_SOURCE_CHARS}) "
            f"FROM (SELECT {HIT_COLUMNS} FROM {DOCUMENTS} d WHERE {where} "
            f"ORDER BY {self._order('d', True)} LIMIT %s OFFSET %s) page "
            f"JOIN {TEXTS} t ON t.id = page.id ORDER BY {self._order('page', True)}",
            [*params, size, offset],
        )
        return [self._hit(row, marked_html(row[2]), plain_snippet(row[13])) for row in cursor.fetchall()]

    def _sqlite_page(self, cursor, words, phrases, by_date, where, params, size, offset) -> list[SearchHit]:
        expression = self._fts_expression(words, phrases)
        # bm25() is lower for better matches: its negation ranks like ts_rank_cd.
        cursor.execute(
            f"SELECT {HIT_COLUMNS}, -bm25({FULLTEXT}, 3.0, 1.0) AS score "
            f"FROM {FULLTEXT} JOIN {DOCUMENTS} d ON d.id = {FULLTEXT}.rowid "
            f"WHERE {FULLTEXT} MATCH %s AND {where} ORDER BY {self._order('d', by_date)} LIMIT %s OFFSET %s",
            [expression, *params, size, offset],
        )
        rows = cursor.fetchall()
        ids = [row[12] for row in rows]
        cursor.execute(
            f"SELECT rowid, highlight({FULLTEXT}, 0, %s, %s), "
            f"snippet({FULLTEXT}, 1, %s, %s, '…', {SQLITE_SNIPPET_TOKENS}) "
            f"FROM {FULLTEXT} WHERE {FULLTEXT} MATCH %s AND rowid IN ({_placeholders(ids)})",
            [MARK_OPEN, MARK_CLOSE, MARK_OPEN, MARK_CLOSE, expression, *ids],
        )
        marked = {rowid: (marked_html(title), marked_html(snippet)) for rowid, title, snippet in cursor.fetchall()}
        return [self._hit(row, *marked[row[12]], score=row[13]) for row in rows]

    def _postgresql_page(self, cursor, words, phrases, by_date, where, params, size, offset) -> list[SearchHit]:
        tsquery, text_params = self._tsquery(words, phrases)
        cursor.execute(
            f"""
            WITH query AS (SELECT {tsquery} AS q),
            page AS (
                SELECT {HIT_COLUMNS}, ts_rank_cd(t.search_vector, query.q) AS score
                FROM {DOCUMENTS} d JOIN {TEXTS} t ON t.id = d.id, query
                WHERE t.search_vector @@ query.q AND {where}
                ORDER BY {self._order("d", by_date)} LIMIT %s OFFSET %s
            )
            SELECT {PAGE_COLUMNS}, ts_headline('simple', t.title, query.q, %s),
                ts_headline('simple', left(t.body, {HEADLINE_BODY_CHARS}), query.q, %s), page.score
            FROM page JOIN {TEXTS} t ON t.id = page.id, query
            ORDER BY {self._order("page", by_date)}
            """,
            [*text_params, *params, size, offset, POSTGRESQL_TITLE_HEADLINE, POSTGRESQL_HEADLINE],
        )
        return [self._hit(row, marked_html(row[13]), marked_html(row[14]), score=row[15])
                for row in cursor.fetchall()]

    def _hit(self, row, title_html: str, snippet_html: str, score: float | None = None) -> SearchHit:
        (document_id, kind, title, url, association, category, author, published_at, tags, jurisdictions,
         answered, topic_kind) = row[:12]
        return SearchHit(
            id=document_id, kind=kind, title=title, url=url, snippet_html=snippet_html, association=association,
            published_at=self._read_moment(published_at), author=author,
            tags=json.loads(tags) if isinstance(tags, str) else list(tags),
            jurisdictions=json.loads(jurisdictions) if isinstance(jurisdictions, str) else list(jurisdictions), answered=bool(answered), title_html=title_html,
            category=category, topic_kind=topic_kind, score=score,
        )

    def suggest(self, prefix: str, *, audience: frozenset[str], limit: int = 8) -> list[Suggestion]:
        """Titles containing what was typed as a phrase whose last word may be unfinished,
        titles starting with it first; only documents `audience` may see."""
        words = words_of(prefix, limit=12)
        limit = max(1, min(int(limit), 20))
        if not words:
            return []
        conditions, params = self._filters(SearchQuery(audience=audience), audience)
        starts_with = _like_prefix(" ".join(prefix.lower().split()))
        select = f"SELECT d.document_id, d.kind, d.title, d.url, lower(d.title) LIKE %s ESCAPE '\\' AS starts"
        order = "starts DESC, d.published_at DESC NULLS LAST, d.document_id"
        with self.engine("suggest titles"), self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                phrase = " ".join(words)
                cursor.execute(
                    f"{select} FROM {FULLTEXT} JOIN {DOCUMENTS} d ON d.id = {FULLTEXT}.rowid "
                    f"WHERE {FULLTEXT} MATCH %s AND {' AND '.join(conditions)} ORDER BY {order} LIMIT %s",
                    [starts_with, f'title : "{phrase}" *', *params, limit * 2],
                )
            else:
                lexemes = [f"'{word}'" for word in words]
                lexemes[-1] += ":*"
                cursor.execute(
                    f"{select} FROM {DOCUMENTS} d WHERE d.title_vector @@ to_tsquery('simple', %s) "
                    f"AND {' AND '.join(conditions)} ORDER BY {order} LIMIT %s",
                    [starts_with, " <-> ".join(lexemes), *params, limit * 2],
                )
            rows = cursor.fetchall()
        suggestions, seen = [], set()
        for document_id, kind, title, url, _starts in rows:
            if title.casefold() in seen:
                continue
            seen.add(title.casefold())
            suggestions.append(Suggestion(id=document_id, kind=kind, title=title, url=url))
            if len(suggestions) >= limit:
                break
        return suggestions
