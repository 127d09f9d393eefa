"""The search backend contract: the same tests against every backend.

- "elasticsearch": real Elasticsearch, in the real-engines run only (these cases carry no
  smoke/contract mark, so the embedded pass `-m "smoke or contract"` deselects them; in the
  real run they fail, never skip, when Elasticsearch is not configured).
- "database": the database backend on whatever database the run uses (PostgreSQL in the
  real run, SQLite in the embedded one); marked `contract`, so it runs in both.

Each test gets an empty index (its own Elasticsearch prefix under the run's prefix, or the
test's own transaction) and indexes the small corpus below.
"""

import re
import socket
import uuid
from datetime import UTC, date, datetime

import pytest
from django.conf import settings

from search.backends import SearchUnavailable
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend
from search.documents import document_fingerprint
from search.query import MAX_PER_PAGE, MAX_RESULT_WINDOW, SearchQuery

PUBLIC = frozenset({"public"})
SIGNED_IN = frozenset({"public", "signed-in"})
GROUP_5 = frozenset({"public", "group:5"})
EVERYONE = frozenset({"public", "signed-in", "group:5"})


def at(year, month, day) -> datetime:
    # Noon UTC is the same calendar day in the site's zone (America/Chicago).
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def document(document_id, title, body, **fields) -> dict:
    kind, pk = document_id.split(":")
    return {
        "id": document_id, "kind": kind, "title": title, "body": body, "url": f"/{kind}/{pk}/",
        "association": "", "category": "", "tags": [], "jurisdictions": [], "author": "", "author_id": None,
        "published_at": None, "answered": False, "topic_kind": "", "audience": ["public"],
        **fields,
    }


CORPUS = [
    document("topic:1", "Registering a UIFSA order in Oregon",
             "Steps to register an out-of-state support order with the tribunal.",
             association="western", category="interstate", tags=["uifsa", "registration"], jurisdictions=["or"],
             author="Jane Smith", author_id=1, published_at=at(2024, 3, 10), answered=True, topic_kind="question"),
    document("topic:2", "Income withholding across state lines",
             "An income withholding order goes straight to the employer. Registration is not required.",
             association="western", category="enforcement", tags=["income-withholding", "uifsa"],
             jurisdictions=["wa", "or"], author="Carlos Diaz", author_id=2, published_at=at(2025, 6, 1),
             topic_kind="question"),
    document("post:3", "Re: employer questions",
             "The employer received an order for income and asked about withholding limits.",
             association="western", category="enforcement", tags=["income-withholding"], jurisdictions=["wa"],
             author="Jane Smith", author_id=1, published_at=at(2025, 6, 2)),
    document("article:4", "Garnishment basics for new caseworkers", "What every caseworker should know first.",
             association="missouri", tags=["training"], jurisdictions=["mo"], author="Pat O'Brien",
             published_at=at(2025, 11, 20)),
    document("update:5", "Legislative update: arrears interest",
             "The bill changes how garnishment interacts with arrears interest.",
             association="missouri", tags=["legislation"], jurisdictions=["mo"], published_at=at(2026, 1, 15)),
    document("event:6", "Tribal child support town hall",
             "Regional town hall with the Navajo Nation program. <script>alert('x')</script> "
             "Bring questions & answers.",
             tags=["tribal"], jurisdictions=["tribe-navajo-nation"], published_at=at(2026, 2, 1)),
    document("page:7", "Membership", "Join the association.", association="western"),
    # Not public: a board group's topic and a members-only procedure.
    document("topic:8", "Confidential garnishment board minutes", "Board discussion of the zanzibar proposal.",
             association="western", category="board", tags=["board-only"], jurisdictions=["ca"],
             audience=["group:5"], published_at=at(2025, 6, 3)),
    document("topic:9", "Members-only garnishment procedure", "Signed-in members see this quixotic procedure.",
             association="missouri", category="procedures", tags=["members-only"], jurisdictions=["ks"],
             audience=["signed-in"], topic_kind="procedure", published_at=at(2025, 7, 1)),
]
PUBLIC_IDS = {"topic:1", "topic:2", "post:3", "article:4", "update:5", "event:6", "page:7"}

BACKENDS = [
    pytest.param("database", marks=[pytest.mark.contract, pytest.mark.django_db], id="database"),
    pytest.param("elasticsearch", id="elasticsearch"),
]


@pytest.fixture(params=BACKENDS)
def backend(request, isolated_search_indices):
    if request.param == "elasticsearch":
        request.getfixturevalue("real_engines")
        engine = ElasticsearchBackend(
            url=settings.COMITY_SEARCH["URL"] or "http://127.0.0.1:9200",
            index_prefix=f"{isolated_search_indices}-contract-{uuid.uuid4().hex[:8]}",
            timeout=30,
        )
        yield engine
        engine.delete_indices_with_prefix()
    else:
        yield DatabaseBackend(index_prefix=isolated_search_indices)


@pytest.fixture
def corpus(backend):
    assert backend.index(CORPUS, refresh=True) == len(CORPUS)
    return backend


def search(backend, audience=PUBLIC, **fields):
    return backend.search(SearchQuery(audience=audience, **fields))


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


# ---------------------------------------------------------------- writes


def test_indexed_documents_are_found(corpus):
    results = search(corpus, text="tribunal")
    assert ids(results) == ["topic:1"]
    hit = results.hits[0]
    assert (hit.kind, hit.title, hit.url, hit.association) == ("topic", "Registering a UIFSA order in Oregon",
                                                               "/topic/1/", "western")
    assert (hit.author, hit.tags, hit.jurisdictions, hit.answered) == ("Jane Smith", ["registration", "uifsa"],
                                                                       ["or"], True)
    assert hit.published_at == at(2024, 3, 10)
    assert hit.category == "interstate" and hit.topic_kind == "question"


def test_indexing_an_existing_id_replaces_the_document(corpus):
    changed = {**CORPUS[0], "title": "Registering a support order in Idaho", "tags": ["idaho"]}
    assert corpus.index([changed], refresh=True) == 1
    assert search(corpus, text="oregon").total == 0
    assert ids(search(corpus, text="idaho")) == ["topic:1"]
    assert search(corpus).total == len(PUBLIC_IDS)
    assert ("idaho", 1) in search(corpus).facets["tags"]
    assert "registration" not in dict(search(corpus).facets["tags"])


def test_delete_removes_documents_and_ignores_unknown_ids(corpus):
    assert corpus.delete(["topic:1", "topic:404"], refresh=True) == 1
    assert search(corpus, text="tribunal").total == 0
    assert corpus.delete(["topic:1"], refresh=True) == 0
    assert corpus.delete([]) == 0
    assert "topic:1" not in corpus.document_ids()


def test_document_versions_hold_each_documents_fingerprint(corpus):
    versions = corpus.document_versions()
    assert versions == {item["id"]: document_fingerprint(item) for item in CORPUS}
    corpus.index([{**CORPUS[1], "body": "Edited."}], refresh=True)
    assert corpus.document_versions()["topic:2"] != versions["topic:2"]
    assert corpus.document_versions()["topic:1"] == versions["topic:1"]


def test_rebuild_replaces_everything_and_reports_progress(corpus):
    progress = []
    result = corpus.rebuild(CORPUS[:2], on_progress=lambda done, total: progress.append((done, total)))
    assert result.documents == 2
    assert progress[-1] == (2, 2)
    assert corpus.document_ids() == {"topic:1", "topic:2"}
    assert search(corpus).total == 2
    # A generator has no length: the total is reported as None.
    corpus.rebuild((item for item in CORPUS[:3]), on_progress=lambda done, total: progress.append((done, total)))
    assert progress[-1] == (3, None)
    assert search(corpus).total == 3


def test_health(backend):
    assert isinstance(backend.health(), str)


# ---------------------------------------------------------------- free text


def test_title_match_outranks_body_match(corpus):
    assert ids(search(corpus, text="garnishment")) == ["article:4", "update:5"]


def test_every_word_must_match_in_title_or_body(corpus):
    assert set(ids(search(corpus, text="income withholding employer"))) == {"topic:2", "post:3"}
    assert ids(search(corpus, text="Income WITHHOLDING limits")) == ["post:3"]
    assert search(corpus, text="income tribunal").total == 0


def test_phrases_match_only_the_exact_sequence(corpus):
    assert set(ids(search(corpus, text="income withholding"))) == {"topic:2", "post:3"}
    assert ids(search(corpus, phrases=["income withholding"])) == ["topic:2"]
    assert ids(search(corpus, text="employer", phrases=["withholding order"])) == ["topic:2"]
    assert search(corpus, phrases=["withholding income"]).total == 0


@pytest.mark.parametrize("text", [
    "x" * 10_000,
    'unbalanced "quote (paren [bracket {brace',
    'title:"x" AND OR NOT + - && || ! ( ) { } [ ] ^ " ~ * ? : \\ / <script>',
    "garnishment " * 2_000,
    "*", "", "   ", "NEAR(a b)", "a' OR '1'='1",
])
def test_awkward_text_never_breaks_the_engine(corpus, text):
    results = search(corpus, text=text, phrases=[text])
    assert results.total >= 0


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(("filters", "expected"), [
    ({"kinds": ["article"]}, {"article:4"}),
    ({"kinds": ["article", "Update"]}, {"article:4", "update:5"}),
    ({"topic_kinds": ["question"]}, {"topic:1", "topic:2"}),
    ({"topic_kinds": ["question"], "kinds": ["post"]}, set()),
    ({"topic_kinds": ["Discussion"]}, set()),
    ({"associations": ["missouri"]}, {"article:4", "update:5"}),
    ({"associations": [""]}, {"event:6"}),
    ({"categories": ["enforcement"]}, {"topic:2", "post:3"}),
    ({"tags": ["UIFSA"]}, {"topic:1", "topic:2"}),
    ({"tags": ["uifsa", "training"]}, {"topic:1", "topic:2", "article:4"}),
    ({"tags": ["uifsa"], "jurisdictions": ["wa"]}, {"topic:2"}),
    ({"jurisdictions": ["mo"]}, {"article:4", "update:5"}),
    ({"jurisdictions": ["tribe-navajo-nation"]}, {"event:6"}),
    ({"authors": ["jane smith"]}, {"topic:1", "post:3"}),
    ({"authors": ["Smith"]}, {"topic:1", "post:3"}),
    ({"authors": ["o'brien"]}, {"article:4"}),
    ({"authors": ["smith", "diaz"]}, {"topic:1", "topic:2", "post:3"}),
    ({"authors": ["jane doe"]}, set()),
    ({"year": 2025}, {"topic:2", "post:3", "article:4"}),
    ({"answered": True}, {"topic:1"}),
    ({"answered": False}, PUBLIC_IDS - {"topic:1"}),
    ({"tags": ["no-such-tag"]}, set()),
])
def test_filters(corpus, filters, expected):
    results = search(corpus, **filters)
    assert set(ids(results)) == expected
    assert results.total == len(expected)


@pytest.mark.parametrize(("after", "before", "expected"), [
    (date(2025, 6, 2), None, {"post:3", "article:4", "update:5", "event:6"}),  # after is inclusive
    (None, date(2025, 6, 2), {"topic:1", "topic:2"}),  # before is exclusive
    (date(2025, 1, 1), date(2026, 1, 1), {"topic:2", "post:3", "article:4"}),
    (date(2027, 1, 1), None, set()),
])
def test_date_filters(corpus, after, before, expected):
    # page:7 has no date: any date filter leaves it out.
    assert set(ids(search(corpus, after=after, before=before))) == expected


def test_filters_combine_with_text(corpus):
    assert ids(search(corpus, text="order", jurisdictions=["or"], answered=True)) == ["topic:1"]
    assert set(ids(search(corpus, text="order", categories=["enforcement"]))) == {"topic:2", "post:3"}


# ---------------------------------------------------------------- facets


def test_facets_count_every_visible_match(corpus):
    facets = search(corpus).facets
    assert facets["kind"] == [("topic", 2), ("article", 1), ("event", 1), ("page", 1), ("post", 1), ("update", 1)]
    assert facets["association"] == [("western", 4), ("missouri", 2), ("", 1)]
    assert facets["category"] == [("enforcement", 2), ("interstate", 1)]
    assert facets["tags"] == [("income-withholding", 2), ("uifsa", 2), ("legislation", 1), ("registration", 1),
                              ("training", 1), ("tribal", 1)]
    assert facets["jurisdictions"] == [("mo", 2), ("or", 2), ("wa", 2), ("tribe-navajo-nation", 1)]
    assert facets["year"] == [(2026, 2), (2025, 3), (2024, 1)]
    assert facets["answered"] == [(False, 6), (True, 1)]


def test_facets_follow_the_query(corpus):
    facets = search(corpus, associations=["missouri"]).facets
    assert facets["kind"] == [("article", 1), ("update", 1)]
    assert facets["association"] == [("missouri", 2)]
    assert facets["category"] == []
    facets = search(corpus, text="withholding").facets
    assert facets["kind"] == [("post", 1), ("topic", 1)]
    assert facets["jurisdictions"] == [("wa", 2), ("or", 1)]


# ---------------------------------------------------------------- sorting and pages

BY_DATE = ["event:6", "update:5", "article:4", "post:3", "topic:2", "topic:1", "page:7"]


def test_sort_by_date_newest_first_undated_last(corpus):
    assert ids(search(corpus, sort="date")) == BY_DATE
    # With no text to rank by, relevance falls back to date order.
    assert ids(search(corpus, sort="relevance")) == BY_DATE
    assert ids(search(corpus, text="garnishment", sort="date")) == ["update:5", "article:4"]


def test_pages(corpus):
    pages = [search(corpus, sort="date", per_page=2, page=page) for page in (1, 2, 3, 4)]
    assert [ids(page) for page in pages] == [BY_DATE[0:2], BY_DATE[2:4], BY_DATE[4:6], BY_DATE[6:]]
    assert all(page.total == 7 and page.pages == 4 for page in pages)
    assert pages[0].has_next and not pages[0].has_previous and not pages[3].has_next


@pytest.mark.parametrize("page", [5, 501, 10**9])
def test_pages_past_the_end_are_empty_not_errors(corpus, page):
    results = search(corpus, page=page)
    assert results.hits == [] and results.total == 7 and results.beyond_window
    assert results.facets["kind"]  # the facets still describe the whole result


def test_page_and_page_size_are_clamped(corpus):
    assert search(corpus, page=-1).page == 1
    assert ids(search(corpus, page=0, per_page=0, sort="date")) == BY_DATE[:1]
    assert search(corpus, per_page=10**6).per_page == MAX_PER_PAGE


def test_the_result_window_is_capped():
    # 10,000 results fit; page 501 of 20 would start at result 10,001.
    assert SearchQuery(audience=PUBLIC, page=500).window == (MAX_RESULT_WINDOW - 20, 20)
    assert SearchQuery(audience=PUBLIC, page=501).window == (0, 0)
    assert SearchQuery(audience=PUBLIC, page=334, per_page=30).window == (9_990, 10)


# ---------------------------------------------------------------- snippets

TAG = re.compile(r"<[^>]*>")


def test_snippets_are_escaped_with_only_mark_tags(corpus):
    [hit] = search(corpus, text="answers").hits
    assert set(TAG.findall(hit.snippet_html)) == {"<mark>", "</mark>"}
    assert "<mark>answers</mark>" in hit.snippet_html
    assert "&amp;" in hit.snippet_html and "<script" not in hit.snippet_html
    [hit] = search(corpus, text="town hall").hits
    # Engines may mark "town" and "hall" apart or as one run: "<mark>town hall</mark>".
    assert hit.title_html.replace("</mark> <mark>", " ") == "Tribal child support <mark>town hall</mark>"
    assert set(TAG.findall(hit.snippet_html)) <= {"<mark>", "</mark>"}


def test_a_script_in_the_title_comes_back_escaped(corpus):
    corpus.index([document("post:66", "<script>alert(1)</script> wage <b>question</b>", "Plain & simple wage text.")],
                 refresh=True)
    [hit] = search(corpus, text="wage").hits
    assert hit.title == "<script>alert(1)</script> wage <b>question</b>"  # plain text, for the template to escape
    for html in (hit.title_html, hit.snippet_html):
        assert set(TAG.findall(html)) <= {"<mark>", "</mark>"}, html
        assert "<mark>wage</mark>" in html
    assert "&amp;" in hit.snippet_html


def test_without_text_the_snippet_is_the_escaped_start_of_the_body(corpus):
    [hit] = search(corpus, kinds=["event"]).hits
    assert hit.snippet_html.startswith("Regional town hall with the Navajo Nation program.")
    assert "<script" not in hit.snippet_html and "<mark>" not in hit.snippet_html


# ---------------------------------------------------------------- suggestions


def titles(suggestions) -> list[str]:
    return [suggestion.title for suggestion in suggestions]


def test_suggestions_complete_the_title_being_typed(corpus):
    assert titles(corpus.suggest("regis", audience=PUBLIC)) == ["Registering a UIFSA order in Oregon"]
    assert titles(corpus.suggest("uifsa or", audience=PUBLIC)) == ["Registering a UIFSA order in Oregon"]
    assert titles(corpus.suggest("TOWN HA", audience=PUBLIC)) == ["Tribal child support town hall"]
    [suggestion] = corpus.suggest("membership", audience=PUBLIC)
    assert (suggestion.id, suggestion.kind, suggestion.url) == ("page:7", "page", "/page/7/")
    assert corpus.suggest("", audience=PUBLIC) == []
    assert corpus.suggest("  ?!* ", audience=PUBLIC) == []
    assert corpus.suggest("zzzz", audience=PUBLIC) == []


def test_suggestions_put_titles_starting_with_the_text_first_and_respect_the_limit(corpus):
    suggested = titles(corpus.suggest("garnish", audience=EVERYONE))
    assert suggested[0] == "Garnishment basics for new caseworkers"
    assert set(suggested) == {"Garnishment basics for new caseworkers", "Confidential garnishment board minutes",
                              "Members-only garnishment procedure"}
    assert len(corpus.suggest("garnish", audience=EVERYONE, limit=2)) == 2


# ---------------------------------------------------------------- did you mean


def test_did_you_mean_when_nothing_matches(corpus):
    results = search(corpus, text="garnishmnt")
    assert results.total == 0
    if corpus.name == "elasticsearch":
        assert results.did_you_mean == "garnishment"
    else:
        assert results.did_you_mean is None or isinstance(results.did_you_mean, str)
    assert search(corpus, text="garnishment").did_you_mean is None


# ---------------------------------------------------------------- privacy


def test_hidden_documents_never_appear_or_count(corpus):
    results = search(corpus, text="garnishment")
    assert set(ids(results)) == {"article:4", "update:5"} and results.total == 2
    everything = search(corpus)
    assert set(ids(everything)) == PUBLIC_IDS and everything.total == len(PUBLIC_IDS)
    values = {value for facet in everything.facets.values() for value, _count in facet}
    assert not values & {"board", "procedures", "board-only", "members-only", "ca", "ks"}
    assert search(corpus, text="zanzibar").total == 0
    assert search(corpus, text="quixotic").total == 0
    assert search(corpus, tags=["board-only"]).total == 0
    assert search(corpus, categories=["procedures"]).facets["kind"] == []


def test_each_audience_sees_its_own_documents(corpus):
    assert set(ids(search(corpus, text="garnishment", audience=SIGNED_IN))) == {"article:4", "update:5", "topic:9"}
    assert set(ids(search(corpus, text="garnishment", audience=GROUP_5))) == {"article:4", "update:5", "topic:8"}
    assert set(ids(search(corpus, text="garnishment", audience=frozenset({"group:5"})))) == {"topic:8"}
    assert set(ids(search(corpus, audience=EVERYONE))) == {item["id"] for item in CORPUS}
    assert ("board-only", 1) in search(corpus, audience=GROUP_5).facets["tags"]


def test_an_empty_audience_sees_nothing(corpus):
    results = search(corpus, audience=frozenset())
    assert results.total == 0 and results.hits == []
    assert all(facet == [] for facet in results.facets.values())
    assert corpus.suggest("garnish", audience=frozenset()) == []


def test_suggestions_respect_the_audience(corpus):
    assert titles(corpus.suggest("garnish", audience=PUBLIC)) == ["Garnishment basics for new caseworkers"]
    assert corpus.suggest("confidential", audience=PUBLIC) == []
    assert corpus.suggest("confidential", audience=SIGNED_IN) == []
    assert titles(corpus.suggest("confidential", audience=GROUP_5)) == ["Confidential garnishment board minutes"]
    assert titles(corpus.suggest("members-only", audience=SIGNED_IN)) == ["Members-only garnishment procedure"]


def test_did_you_mean_never_reveals_hidden_words(corpus):
    # "zanzibar" only occurs in a group:5 document.
    assert search(corpus, text="zanzibr").did_you_mean is None
    if corpus.name == "elasticsearch":
        assert search(corpus, text="zanzibr", audience=GROUP_5).did_you_mean == "zanzibar"


def test_a_document_without_audience_is_visible_to_nobody(corpus):
    corpus.index([{**document("post:77", "Orphaned wage note", "No audience."), "audience": []}], refresh=True)
    assert search(corpus, text="orphaned", audience=EVERYONE).total == 0


# ---------------------------------------------------------------- engine down


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.contract
@pytest.mark.parametrize("call", [
    lambda backend: backend.health(),
    lambda backend: backend.search(SearchQuery(audience=PUBLIC, text="order")),
    lambda backend: backend.suggest("ord", audience=PUBLIC),
    lambda backend: backend.index(CORPUS),
    lambda backend: backend.delete(["topic:1"]),
    lambda backend: backend.rebuild(CORPUS),
    lambda backend: backend.document_versions(),
], ids=["health", "search", "suggest", "index", "delete", "rebuild", "document_versions"])
def test_elasticsearch_down_raises_search_unavailable(call):
    backend = ElasticsearchBackend(url=f"http://127.0.0.1:{closed_port()}", index_prefix="down", timeout=2)
    with pytest.raises(SearchUnavailable) as raised:
        call(backend)
    # The message is for logs and a "search is degraded" notice: no engine error text.
    assert "127.0.0.1" not in str(raised.value) and "Error" not in str(raised.value)
