"""The production search backend: Elasticsearch 8.x through the official client, with
queries built by elasticsearch-dsl.

Layout: queries and writes go through one alias (`<prefix>-documents`); a rebuild fills a
new index `<alias>-<ns timestamp>` and swaps the alias in one atomic step. The first write
to an empty installation creates `<alias>-initial` behind the alias.

Every failure of the engine (refused connection, timeout, 4xx/5xx, a bulk item rejected)
is raised as SearchUnavailable with a short, generic message; the details go to the log,
never to the searcher.
"""

import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from itertools import islice

import elastic_transport
from django.utils import timezone
from elasticsearch import Elasticsearch
from elasticsearch.helpers import BulkIndexError, ScanError, scan, streaming_bulk
from elasticsearch_dsl import Index, Q, Search

from search.backends.base import IndexingFailed, RebuildResult, SearchBackend, SearchUnavailable, known_length
from search.documents import SearchDocument, prepared_document
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
    sort_facet,
    words_of,
)

logger = logging.getLogger(__name__)

HEALTHY_CLUSTER_STATES = {"yellow", "green"}
ENGINE_ERRORS = (elastic_transport.ApiError, elastic_transport.TransportError, BulkIndexError, ScanError)

SNIPPET_FRAGMENT_CHARS = 160
SNIPPET_FRAGMENTS = 2
SNIPPET_FALLBACK_CHARS = 200
BULK_CHUNK = 1_000
BULK_TIMEOUT = 120  # seconds for one bulk/admin request (searches use the configured timeout)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ElasticsearchBackend(SearchBackend):
    """Elasticsearch 8.x through the official client and elasticsearch-dsl.

    The test distribution has only the built-in analyzers (standard, simple, whitespace,
    keyword) and no analysis-common, mapper-extras, painless or reindex modules, so the
    mapping (search.documents.SearchDocument) uses `standard` text and keyword fields
    (plus a normalizer made of the core `lowercase` filter), and rebuilds re-index from the
    sources rather than with _reindex.
    """

    name = "elasticsearch"

    def __init__(self, *, url: str, index_prefix: str, timeout: int = 5, replicas: int = 0, bulk_threads: int = 3):
        super().__init__(index_prefix=index_prefix)
        self.url = url
        self.replicas = replicas
        self.bulk_threads = bulk_threads
        self.client = Elasticsearch(url, request_timeout=timeout, max_retries=1, retry_on_timeout=False)

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def engine(self, doing: str):
        """Turn any engine failure into SearchUnavailable (details logged, not shown)."""
        try:
            yield
        except IndexingFailed:
            raise
        except ENGINE_ERRORS as error:
            logger.warning("Elasticsearch at %s failed to %s: %r", self.url, doing, error)
            raise SearchUnavailable(f"The search engine could not {doing}.") from error

    @property
    def bulk_client(self) -> Elasticsearch:
        return self.client.options(request_timeout=BULK_TIMEOUT)

    @property
    def alias(self) -> str:
        """Queries always go through this alias; rebuilds swap the index behind it."""
        return self.index_name("documents")

    def index_definition(self, name: str) -> dict:
        index = Index(name)
        index.document(SearchDocument)
        index.settings(number_of_shards=1, number_of_replicas=self.replicas)
        return index.to_dict()

    def health(self) -> str:
        with self.engine("report its health"):
            # The test distribution may not serve `GET /`; cluster health always exists.
            status = self.client.cluster.health()["status"]
        if status not in HEALTHY_CLUSTER_STATES:
            raise SearchUnavailable(f"The search engine is not ready (cluster {status}).")
        return f"cluster {status}"

    def delete_indices_with_prefix(self) -> list[str]:
        """Delete every index this backend's prefix owns (used to clean up test runs)."""
        pattern = f"{self.index_prefix}-*"
        with self.engine("delete its indices"):
            names = list(self.client.indices.get(index=pattern, expand_wildcards="all").keys())
            for name in names:
                self.client.indices.delete(index=name)
        return names

    def indices_behind_alias(self) -> list[str]:
        with self.engine("list its indices"):
            if not self.client.indices.exists_alias(name=self.alias):
                return []
            return sorted(self.client.indices.get_alias(name=self.alias).keys())

    def ensure_index(self) -> None:
        """Make sure the alias points at an index with our mapping (so a first write never
        lets Elasticsearch invent a mapping)."""
        with self.engine("prepare its index"):
            if self.client.indices.exists_alias(name=self.alias):
                return
            definition = self.index_definition(f"{self.alias}-initial")
            try:
                self.client.indices.create(
                    index=f"{self.alias}-initial", aliases={self.alias: {}}, **definition
                )
            except elastic_transport.ApiError as error:
                # Another process created it first: that is what we wanted.
                if getattr(error, "error", "") != "resource_already_exists_exception":
                    raise

    # ------------------------------------------------------------------ writes

    def index(self, documents: Iterable[dict], *, refresh: bool = False) -> int:
        """Upsert `documents` by id in bulk; returns how many were indexed. With
        refresh=True they are searchable when this returns (tests; the outbox does not
        need it: the index refreshes every second). Raises IndexingFailed (a
        SearchUnavailable) naming the ids Elasticsearch rejected, after indexing the rest."""
        prepared = [prepared_document(document) for document in documents]
        if not prepared:
            return 0
        self.ensure_index()
        actions = (
            {"_op_type": "index", "_index": self.alias, "_id": document["id"], "_source": self._source(document)}
            for document in prepared
        )
        indexed, failed = 0, []
        with self.engine("index documents"):
            for ok, item in streaming_bulk(
                self.bulk_client, actions, chunk_size=BULK_CHUNK, raise_on_error=False,
                refresh="true" if refresh else "false", require_alias=True,
            ):
                if ok:
                    indexed += 1
                else:
                    failed.append(item)
        if failed:
            self._raise_indexing_failed("index", failed)
        return indexed

    def delete(self, document_ids: Iterable[str], *, refresh: bool = False) -> int:
        """Delete documents by id (ids not in the index are fine); returns how many existed."""
        ids = list(dict.fromkeys(str(document_id) for document_id in document_ids))
        if not ids:
            return 0
        with self.engine("delete documents"):
            if not self.client.indices.exists_alias(name=self.alias):
                return 0
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": document_id} for document_id in ids)
        deleted, failed = 0, []
        with self.engine("delete documents"):
            for ok, item in streaming_bulk(
                self.bulk_client, actions, chunk_size=BULK_CHUNK, raise_on_error=False, ignore_status=(404,),
                refresh="true" if refresh else "false",
            ):
                result = item.get("delete", {})
                if result.get("result") == "deleted":
                    deleted += 1
                elif not ok and result.get("status") != 404:
                    failed.append(item)
        if failed:
            self._raise_indexing_failed("delete", failed)
        return deleted

    def _raise_indexing_failed(self, action: str, failed: list[dict]):
        ids = [next(iter(item.values())).get("_id") for item in failed]
        logger.error("Elasticsearch rejected %d %s actions; first: %r", len(failed), action, failed[0])
        raise IndexingFailed(f"The search engine rejected {len(ids)} documents.", failed_ids=ids)

    @staticmethod
    def _source(document: dict) -> dict:
        source = dict(document)
        if source["published_at"] is not None:
            source["published_at"] = source["published_at"].isoformat()
        return source

    def rebuild(self, documents: Iterable[dict], *, on_progress=None) -> RebuildResult:
        """Index everything into a new index, then point the alias at it in one atomic
        step and drop the old index: searches keep working throughout. Calls
        `on_progress(done, total)` after each bulk chunk (total is None when `documents`
        has no len()). If anything fails the new index is dropped and the alias is left
        as it was."""
        total = known_length(documents)
        new_index = f"{self.alias}-{time.time_ns()}"
        definition = self.index_definition(new_index)
        # Fast bulk loading: no refreshes and no per-request fsync until the swap.
        definition["settings"].update({"refresh_interval": "-1", "translog": {"durability": "async"}})
        with self.engine("create a new index"):
            self.client.indices.create(index=new_index, **definition)
        try:
            indexed = self._bulk_load(new_index, documents, total, on_progress)
            with self.engine("switch to the new index"):
                self.bulk_client.indices.put_settings(
                    index=new_index, settings={"refresh_interval": None, "translog": {"durability": "request"}}
                )
                self.bulk_client.indices.refresh(index=new_index)
                previous = self.indices_behind_alias()
                self.bulk_client.indices.update_aliases(
                    actions=[{"add": {"index": new_index, "alias": self.alias}}]
                    + [{"remove": {"index": index, "alias": self.alias}} for index in previous]
                )
        except BaseException:
            with contextlib.suppress(*ENGINE_ERRORS):
                self.client.indices.delete(index=new_index)
            raise
        for index in previous:
            with contextlib.suppress(*ENGINE_ERRORS):
                self.bulk_client.indices.delete(index=index)
        return RebuildResult(index=new_index, documents=indexed, replaced=previous)

    def _bulk_load(self, index: str, documents: Iterable[dict], total, on_progress) -> int:
        """Read and prepare the documents in this thread (sources query the database through
        this thread's connection) and send the bulk requests from `bulk_threads` workers, with
        at most that many chunks in flight."""
        indexed = 0
        if on_progress:
            on_progress(0, total)
        with self.engine("index documents"), ThreadPoolExecutor(self.bulk_threads) as pool:
            in_flight: deque[Future] = deque()

            def settle_oldest():
                nonlocal indexed
                indexed += in_flight.popleft().result()
                if on_progress:
                    on_progress(indexed, total)

            try:
                for chunk in _chunks(documents, BULK_CHUNK):
                    operations = []
                    for document in map(prepared_document, chunk):
                        operations += [{"index": {"_index": index, "_id": document["id"]}}, self._source(document)]
                    in_flight.append(pool.submit(self._send_bulk, operations))
                    if len(in_flight) >= self.bulk_threads:
                        settle_oldest()
                while in_flight:
                    settle_oldest()
            finally:
                for future in in_flight:
                    future.cancel()
        return indexed

    def _send_bulk(self, operations: list[dict]) -> int:
        response = self.bulk_client.bulk(operations=operations)
        if response.get("errors"):
            failed = [item for item in response["items"] if next(iter(item.values())).get("error")]
            if failed:
                self._raise_indexing_failed("index", failed)
        return len(response["items"])

    # ------------------------------------------------------------------ reads

    def document_versions(self) -> dict[str, str]:
        """{document id: fingerprint} for every indexed document (see
        search.documents.document_fingerprint); {} before the first index."""
        with self.engine("list its documents"):
            if not self.client.indices.exists_alias(name=self.alias):
                return {}
            return {
                hit["_id"]: hit["_source"].get("fingerprint", "")
                for hit in scan(
                    self.bulk_client, index=self.alias, query={"_source": ["fingerprint"]}, size=5_000,
                    scroll="2m",
                )
            }

    def document_ids(self) -> set[str]:
        return set(self.document_versions())

    def _filters(self, query: SearchQuery) -> list:
        # The audience filter is always there; an empty audience matches nothing.
        filters = [Q("terms", audience=sorted(query.audience))]
        for field, values in (
            ("kind", query.kinds), ("topic_kind", query.topic_kinds), ("association", query.associations),
            ("category", query.categories), ("tags", query.tags), ("jurisdictions", query.jurisdictions),
        ):
            if values:
                filters.append(Q("terms", **{field: list(values)}))
        if query.authors:
            filters.append(Q("bool", should=[
                Q("match", author={"query": author, "operator": "and"}) for author in query.authors
            ], minimum_should_match=1))
        date_range = {}
        if query.after:
            date_range["gte"] = self._midnight(query.after)
        if query.before:
            date_range["lt"] = self._midnight(query.before)
        if date_range:
            filters.append(Q("range", published_at=date_range))
        if query.year is not None:
            filters.append(Q("term", year=query.year))
        if query.answered is not None:
            filters.append(Q("term", answered=query.answered))
        return filters

    @staticmethod
    def _midnight(day) -> str:
        return timezone.make_aware(datetime.combine(day, datetime.min.time())).isoformat()

    @staticmethod
    def _text_clauses(words: list[str], phrases: list[str]) -> tuple[list, list]:
        must, should = [], []
        if words:
            text = " ".join(words)
            # All words must appear, in the title or the body; a title match counts more.
            must.append(Q("multi_match", query=text, fields=["title^3", "body"], type="cross_fields", operator="and"))
            if len(words) > 1:
                should.append(Q("match_phrase", title={"query": text, "slop": 2, "boost": 2}))
        for phrase in phrases:
            must.append(Q("bool", should=[
                Q("match_phrase", title={"query": phrase, "boost": 3}), Q("match_phrase", body=phrase),
            ], minimum_should_match=1))
        return must, should

    @staticmethod
    def _highlight_query(field: str, words: list[str], phrases) -> dict:
        should = [Q("match_phrase", **{field: phrase}) for phrase in phrases]
        if words:
            should.append(Q("match", **{field: " ".join(words)}))
        return Q("bool", should=should or [Q("match_none")]).to_dict()

    def _search_body(self, query: SearchQuery, words: list[str], *, facets: bool = True) -> Search:
        must, should = self._text_clauses(words, list(query.phrases))
        search = Search().query(Q("bool", must=must or [Q("match_all")], should=should, filter=self._filters(query)))
        if facets:
            for name in FACET_NAMES:
                terms = {"field": name, "size": FACET_SIZES[name]}
                if name == "category":
                    terms["exclude"] = [""]
                search.aggs.bucket(name, "terms", **terms)
        return search

    def search(self, query: SearchQuery) -> SearchResults:
        words = query.words
        offset, size = query.window
        search = self._search_body(query, words)
        by_date = query.sort == "date" or not query.has_text
        sort = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
        search = search.sort(*(sort if by_date else ["_score", *sort]))
        search = search.extra(from_=offset, size=size, track_total_hits=True)
        search = search.source(excludes=["body", "fingerprint"])
        search = search.highlight_options(
            pre_tags=[MARK_OPEN], post_tags=[MARK_CLOSE], encoder="default", require_field_match=True,
        )
        # Each field is highlighted with a plain query for the same words and phrases: it
        # marks the same text and is cheaper than re-running the cross_fields query.
        search = search.highlight(
            "title", number_of_fragments=0, highlight_query=self._highlight_query("title", words, query.phrases),
        )
        search = search.highlight(
            "body", fragment_size=SNIPPET_FRAGMENT_CHARS, number_of_fragments=SNIPPET_FRAGMENTS,
            no_match_size=SNIPPET_FALLBACK_CHARS, highlight_query=self._highlight_query("body", words, query.phrases),
        )
        with self.engine("search"):
            response = self.client.search(index=self.alias, body=search.to_dict(), ignore_unavailable=True)
        total = response["hits"]["total"]["value"]
        # Spelling is only looked at when nothing matched (two more small requests).
        did_you_mean = self._did_you_mean(query, words) if total == 0 and words else None
        return SearchResults(
            total=total,
            hits=[self._hit(hit) for hit in response["hits"]["hits"]],
            facets=self._facets(response.get("aggregations")),
            did_you_mean=did_you_mean,
            page=query.page,
            per_page=query.per_page,
        )

    @staticmethod
    def _hit(hit: dict) -> SearchHit:
        source = hit["_source"]
        highlight = hit.get("highlight", {})
        fragments = highlight.get("body") or []
        snippet = " … ".join(marked_html(fragment) for fragment in fragments)
        published_at = source.get("published_at")
        return SearchHit(
            id=hit["_id"],
            kind=source.get("kind", ""),
            title=source.get("title", ""),
            url=source.get("url", ""),
            snippet_html=snippet if fragments else "",
            association=source.get("association", ""),
            published_at=datetime.fromisoformat(published_at) if published_at else None,
            author=source.get("author", ""),
            tags=list(source.get("tags") or []),
            jurisdictions=list(source.get("jurisdictions") or []),
            answered=bool(source.get("answered")),
            title_html=marked_html(highlight["title"][0]) if highlight.get("title") else marked_html(
                source.get("title", "")
            ),
            category=source.get("category", ""),
            topic_kind=source.get("topic_kind", ""),
            score=hit.get("_score"),
        )

    @staticmethod
    def _facets(aggregations: dict | None) -> dict[str, list[tuple]]:
        facets = empty_facets()
        if not aggregations:
            return facets
        for name in FACET_NAMES:
            buckets = aggregations.get(name, {}).get("buckets", [])
            if name == "answered":
                counts = [(bool(bucket["key"]), bucket["doc_count"]) for bucket in buckets]
            elif name == "year":
                counts = [(int(bucket["key"]), bucket["doc_count"]) for bucket in buckets]
            else:
                counts = [(bucket["key"], bucket["doc_count"]) for bucket in buckets]
            facets[name] = sort_facet(name, counts)
        return facets

    @staticmethod
    def _spelling_suggesters(words: list[str]) -> dict:
        text = " ".join(words)
        term = {"suggest_mode": "missing", "size": 3, "sort": "score", "min_word_length": 3}
        return {
            "text": text,
            "spelling_title": {"term": {"field": "title", **term}},
            "spelling_body": {"term": {"field": "body", **term}},
        }

    def _did_you_mean(self, query: SearchQuery, words: list[str]) -> str | None:
        """Correct each word the term suggesters (built in) know a better spelling for, then
        offer the correction only if it finds something this searcher may see (so a word
        that only occurs in documents hidden from them is never suggested). The suggestion
        is the corrected free-text words, lowercased; phrases and filters stay as they were."""
        with self.engine("suggest a spelling"):
            response = self.client.search(
                index=self.alias, size=0, suggest=self._spelling_suggesters(words), ignore_unavailable=True
            )
        suggest = response.get("suggest", {})
        best: dict[int, tuple[tuple[float, int, str], int]] = {}
        for name in ("spelling_title", "spelling_body"):
            for entry in suggest.get(name, []):
                for option in entry.get("options", [])[:1]:
                    candidate = (option["score"], option.get("freq", 0), option["text"])
                    if entry["offset"] not in best or candidate > best[entry["offset"]][0]:
                        best[entry["offset"]] = (candidate, entry["length"])
        if not best:
            return None
        text = " ".join(words)
        pieces, cursor = [], 0
        for offset in sorted(best):
            (_score, _freq, replacement), length = best[offset]
            pieces += [text[cursor:offset], replacement]
            cursor = offset + length
        pieces.append(text[cursor:])
        corrected_words = words_of("".join(pieces))
        if corrected_words == words:
            return None
        check = self._search_body(query, corrected_words, facets=False).extra(size=0, track_total_hits=1)
        with self.engine("check a spelling suggestion"):
            response = self.client.search(index=self.alias, body=check.to_dict(), ignore_unavailable=True)
        return " ".join(corrected_words) if response["hits"]["total"]["value"] else None

    def suggest(self, prefix: str, *, audience: frozenset[str], limit: int = 8) -> list[Suggestion]:
        """Titles containing what was typed as a phrase whose last word may be unfinished
        ("uifsa reg" finds "Registering a UIFSA registration..."), titles starting with it
        first; only documents `audience` may see."""
        words = words_of(prefix, limit=12)
        limit = max(1, min(int(limit), 20))
        if not words:
            return []
        typed = " ".join(words)
        search = Search().query(Q(
            "bool",
            must=[Q("match_phrase_prefix", title={"query": typed, "max_expansions": 50})],
            should=[Q("prefix", **{"title.prefix": {"value": " ".join(prefix.lower().split()), "boost": 3}})],
            filter=[Q("terms", audience=sorted(str(value) for value in audience))],
        ))
        search = search.sort("_score", {"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"})
        search = search.extra(size=limit * 2, track_total_hits=False).source(["title", "url", "kind"])
        with self.engine("suggest titles"):
            response = self.client.search(index=self.alias, body=search.to_dict(), ignore_unavailable=True)
        suggestions, seen = [], set()
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            key = source.get("title", "").casefold()
            if key in seen:
                continue
            seen.add(key)
            suggestions.append(Suggestion(id=hit["_id"], kind=source.get("kind", ""), title=source.get("title", ""),
                                          url=source.get("url", "")))
            if len(suggestions) >= limit:
                break
        return suggestions

