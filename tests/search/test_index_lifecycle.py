"""Index lifecycle on real Elasticsearch: rebuilds swap an alias, and each test run's
indices carry the run's own prefix so they can be removed afterwards."""

import io

import pytest
from django.core.management import call_command

from search.backends import get_search_backend


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
    first = elasticsearch.rebuild(sample_documents(3))
    assert first.documents == 3
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
    assert mapping["properties"]["title"] == {"type": "text", "analyzer": "standard"}
    assert mapping["properties"]["audience"] == {"type": "keyword"}


def test_search_index_command_rebuilds_through_the_registered_sources(elasticsearch, monkeypatch):
    monkeypatch.setattr("search.documents.DOCUMENT_SOURCES", [lambda: sample_documents(2)])
    output = io.StringIO()
    call_command("search_index", "--rebuild", stdout=output)
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
