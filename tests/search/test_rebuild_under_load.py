"""`search_index --rebuild` while searches run (real Elasticsearch only).

A few hundred forum documents are indexed; then the command rebuilds them into a new index
and swaps the alias, several times, while threads keep searching in a loop. No search may
fail, and every one must see the whole set: there is no moment where the alias points at
nothing, at an empty index or at a half-filled one. Afterwards the alias points at the
newest index only and the replaced ones are gone.
"""

import io
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from forum.models import Category
from search.backends import get_search_backend
from search.documents import DOCUMENT_SOURCES
from search.query import SearchQuery
from tests.factories import association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.django_db]

TOPICS = 100
REPLIES_PER_TOPIC = 2
REBUILDS = 3
SEARCHERS = 3


@pytest.fixture
def elasticsearch(real_engines, settings):
    """The shared Elasticsearch, under an index prefix of this test's own."""
    settings.COMITY_SEARCH = {
        **django_settings.COMITY_SEARCH,
        "INDEX_PREFIX": f"{django_settings.COMITY_SEARCH['INDEX_PREFIX']}-swap-{uuid.uuid4().hex[:8]}",
    }
    backend = get_search_backend()
    assert backend.name == "elasticsearch"
    yield backend
    backend.delete_indices_with_prefix()


@pytest.fixture
def archive():
    """TOPICS public practice questions about garnishment, each with replies, plus a
    members-only topic the public searches must never count."""
    west = association_with_groups(short_name="WEST", slug="western")
    public = CategoryFactory(association=None, visibility=Category.Visibility.PUBLIC, slug="open-questions")
    members = CategoryFactory(association=west, visibility=Category.Visibility.MEMBERS)
    author, answerer = member_of(west), member_of(west)
    for n in range(TOPICS):
        topic = make_topic(author, public, title=f"Garnishment question {n} about a seasonal employer",
                           body=f"How do we serve order {n} on a payroll that changes every season?",
                           tags=["garnishment"] if n % 2 else ["withholding"])
        for r in range(REPLIES_PER_TOPIC):
            make_reply(answerer, topic, body=f"Answer {r} to question {n}: send the notice to the payroll office.")
    make_topic(author, members, title="Garnishment question only members see")
    return SimpleNamespace(public=public, members=members)


def rebuild() -> str:
    output = io.StringIO()
    call_command("search_index", "--rebuild", "--no-progress", stdout=output, stderr=io.StringIO())
    return output.getvalue()


def test_searches_see_every_document_while_the_rebuild_swaps_the_alias(elasticsearch, archive):
    documents = [document for source in DOCUMENT_SOURCES for document in source()]
    public = [document for document in documents if "public" in document["audience"]]
    assert len(public) == TOPICS * (1 + REPLIES_PER_TOPIC)
    queries = {
        "words": (SearchQuery(text="garnishment seasonal", audience=frozenset({"public"})), len(public)),
        "facet": (
            SearchQuery(tags=("garnishment",), kinds=("topic",), audience=frozenset({"public"}), sort="date"),
            TOPICS // 2,
        ),
        "phrase": (
            SearchQuery(phrases=("payroll office",), audience=frozenset({"public"})), TOPICS * REPLIES_PER_TOPIC,
        ),
    }

    rebuild()
    elasticsearch.client.indices.refresh(index=elasticsearch.alias)
    for name, (query, expected) in queries.items():
        assert elasticsearch.search(query).total == expected, name

    # When each swap happens: rebuild() reads the indices behind the alias just before it
    # moves the alias (and deletes them just after).
    swaps: list[float] = []
    read_alias = elasticsearch.indices_behind_alias

    def indices_behind_alias():
        swaps.append(time.monotonic())
        return read_alias()

    elasticsearch.indices_behind_alias = indices_behind_alias

    answers: list[tuple[str, float, float, int]] = []  # (query, started, finished, total)
    errors: list[BaseException] = []
    done = threading.Event()

    def keep_searching(name: str):
        query, _expected = queries[name]
        while not done.is_set():
            began = time.monotonic()
            try:
                total = elasticsearch.search(query).total
            except BaseException as error:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(error)
                continue
            answers.append((name, began, time.monotonic(), total))

    searchers = [
        threading.Thread(target=keep_searching, args=(name,), daemon=True) for name in list(queries)[:SEARCHERS]
    ]
    indices_before = set(elasticsearch.client.indices.get(index=f"{elasticsearch.alias}-*"))
    for searcher in searchers:
        searcher.start()
    rebuilds = []
    try:
        time.sleep(0.2)  # searches under way before the first rebuild starts
        for _ in range(REBUILDS):
            began = time.monotonic()
            output = rebuild()
            rebuilds.append((began, time.monotonic(), output))
        time.sleep(0.2)
    finally:
        done.set()
        for searcher in searchers:
            searcher.join(timeout=30)
    elasticsearch.indices_behind_alias = read_alias

    assert errors == []
    wrong = [(name, total) for name, _began, _finished, total in answers if total != queries[name][1]]
    assert wrong == [], f"{len(wrong)} of {len(answers)} searches saw a partial index: {wrong[:10]}"
    # The searches really ran across the rebuilds and across each swap.
    assert len(swaps) == REBUILDS
    for began, finished, _output in rebuilds:
        assert sum(1 for _n, start, end, _t in answers if start >= began and end <= finished) >= 5
    for swap in swaps:
        around = [answer for answer in answers if swap - 1.0 <= answer[1] <= swap + 1.0]
        assert {name for name, *_ in around} == set(queries), "every searcher ran around the swap"
    for _began, _finished, output in rebuilds:
        assert f"indexed {len(documents)} documents" in output

    # The alias points at the newest index alone; the replaced ones are gone.
    [current] = elasticsearch.indices_behind_alias()
    assert f"into {current}" in rebuilds[-1][2]
    assert set(elasticsearch.client.indices.get(index=f"{elasticsearch.alias}-*")) == {current}
    assert current not in indices_before
    for index in indices_before:
        assert not elasticsearch.client.indices.exists(index=index)
    assert elasticsearch.client.count(index=elasticsearch.alias)["count"] == len(documents)
