"""Index lifecycle on real Elasticsearch: rebuilds swap an alias, and each test run's
indices carry the run's own prefix so they can be removed afterwards."""

import io
import threading

import pytest
from django.core.management import call_command

from search.backends import get_search_backend
from search.documents import DOCUMENT_SOURCES
from search.query import SearchQuery


@pytest.fixture
def elasticsearch(real_engines):
    backend = get_search_backend()
    assert backend.name == "elasticsearch"
    yield backend
    backend.delete_indices_with_prefix()


def sample_documents(count: int):
    return [
        {"id": f"post-{n}", "kind": "post", "title": f"Registering an order {n}", "body": "UIFSA registration",
         "audience": ["public"]}
        for n in range(count)
    ]


def test_rebuild_swaps_the_alias_to_a_new_index_and_drops_the_old(elasticsearch, isolated_search_indices):
    progress = []
    first = elasticsearch.rebuild(sample_documents(3), on_progress=lambda done, total: progress.append((done, total)))
    assert first.documents == 3
    assert progress == [(0, 3), (3, 3)]
    assert elasticsearch.indices_behind_alias() == [first.index]
    assert elasticsearch.client.count(index=elasticsearch.alias)["count"] == 3

    second = elasticsearch.rebuild(sample_documents(5))
    assert second.replaced == [first.index]
    assert elasticsearch.indices_behind_alias() == [second.index]
    assert elasticsearch.client.count(index=elasticsearch.alias)["count"] == 5
    assert not elasticsearch.client.indices.exists(index=first.index)
    # Every index this run makes starts with the run's own prefix.
    assert second.index.startswith(f"{isolated_search_indices}-")


def test_mapping_uses_only_built_in_analyzers(elasticsearch):
    result = elasticsearch.rebuild([])
    mapping = elasticsearch.client.indices.get_mapping(index=result.index)[result.index]["mappings"]
    assert mapping["properties"]["title"] == {
        "type": "text", "analyzer": "standard",
        "fields": {"prefix": {"type": "keyword", "normalizer": "lowercase_keyword", "ignore_above": 256}},
    }
    assert mapping["properties"]["body"] == {"type": "text", "analyzer": "standard"}
    assert mapping["properties"]["audience"] == {"type": "keyword"}
    analyzers = {
        properties.get("analyzer") for properties in mapping["properties"].values() if properties["type"] == "text"
    }
    assert analyzers == {"standard"}
    # The one custom piece: a normalizer made of the server-core `lowercase` filter.
    settings = elasticsearch.client.indices.get_settings(index=result.index)[result.index]["settings"]["index"]
    assert settings["analysis"] == {"normalizer": {"lowercase_keyword": {"type": "custom", "filter": ["lowercase"]}}}


def test_the_lowercase_normalizer_works_on_this_server(elasticsearch):
    elasticsearch.index([{"id": "post-1", "kind": "post", "title": "UIFSA Registration", "audience": ["public"]}],
                        refresh=True)
    found = elasticsearch.client.search(index=elasticsearch.alias, query={"term": {"title.prefix": "uifsa registration"}})
    assert found["hits"]["total"]["value"] == 1


def test_the_first_write_creates_a_mapped_index_behind_the_alias(elasticsearch):
    assert elasticsearch.indices_behind_alias() == []
    assert elasticsearch.index(sample_documents(2), refresh=True) == 2
    [index] = elasticsearch.indices_behind_alias()
    assert index == f"{elasticsearch.alias}-initial"
    mapping = elasticsearch.client.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["properties"]["audience"] == {"type": "keyword"}
    assert mapping["dynamic"] == "false"
    # A later rebuild replaces the initial index like any other.
    result = elasticsearch.rebuild(sample_documents(3))
    assert result.replaced == [index]


def test_searches_keep_answering_while_the_alias_is_swapped(elasticsearch):
    elasticsearch.rebuild(sample_documents(200))
    query = SearchQuery(text="registering", audience=frozenset({"public"}))
    totals, errors, done = [], [], threading.Event()

    def keep_searching():
        while not done.is_set():
            try:
                totals.append(elasticsearch.search(query).total)
            except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(error)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        for _ in range(3):
            elasticsearch.rebuild(sample_documents(200))
    finally:
        done.set()
        searcher.join()
    assert errors == []
    assert totals and set(totals) == {200}


@pytest.fixture
def only_sample_sources():
    """Replace the registered sources in place (modules that imported the list keep seeing
    the same object), and put them back afterwards."""
    registered = list(DOCUMENT_SOURCES)
    DOCUMENT_SOURCES[:] = [lambda: sample_documents(2)]
    yield
    DOCUMENT_SOURCES[:] = registered


@pytest.mark.django_db  # the command pauses and drains the indexing outbox around the rebuild
def test_search_index_command_rebuilds_through_the_registered_sources(elasticsearch, only_sample_sources):
    output = io.StringIO()
    call_command("search_index", "--rebuild", stdout=output, stderr=io.StringIO())
    assert "elasticsearch: indexed 2 documents" in output.getvalue()
    assert elasticsearch.client.count(index=elasticsearch.alias)["count"] == 2


def test_delete_indices_with_prefix_removes_only_this_runs_indices(elasticsearch):
    elasticsearch.rebuild(sample_documents(1))
    stranger = "unrelated-index-kept"
    elasticsearch.client.indices.create(index=stranger)
    try:
        deleted = elasticsearch.delete_indices_with_prefix()
        assert deleted and all(name.startswith(elasticsearch.index_prefix + "-") for name in deleted)
        assert elasticsearch.client.indices.exists(index=stranger)
    finally:
        elasticsearch.client.indices.delete(index=stranger)
