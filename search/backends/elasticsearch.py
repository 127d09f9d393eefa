import time
from collections.abc import Iterable

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions
from elasticsearch.helpers import streaming_bulk

from search.backends.base import RebuildResult, SearchBackend, SearchUnavailable
from search.documents import SearchDocument

HEALTHY_CLUSTER_STATES = {"yellow", "green"}


class ElasticsearchBackend(SearchBackend):
    """Elasticsearch 8.x through the official client and elasticsearch-dsl.

    The test distribution has only the built-in analyzers (standard, simple, whitespace,
    keyword), so mappings never rely on analysis-common.
    """

    name = "elasticsearch"

    def __init__(self, *, url: str, index_prefix: str, timeout: int = 5, replicas: int = 0):
        super().__init__(index_prefix=index_prefix)
        self.url = url
        self.replicas = replicas
        self.client = Elasticsearch(url, request_timeout=timeout, max_retries=1, retry_on_timeout=False)

    def health(self) -> str:
        try:
            # The test distribution may not serve `GET /`; cluster health always exists.
            status = self.client.cluster.health()["status"]
        except (es_exceptions.ApiError, es_exceptions.TransportError) as error:
            raise SearchUnavailable(f"Elasticsearch at {self.url} did not answer: {error}") from error
        if status not in HEALTHY_CLUSTER_STATES:
            raise SearchUnavailable(f"Elasticsearch cluster is {status}")
        return f"cluster {status}"

    def delete_indices_with_prefix(self) -> list[str]:
        """Delete every index this backend's prefix owns (used to clean up test runs)."""
        pattern = f"{self.index_prefix}-*"
        names = list(self.client.indices.get(index=pattern, expand_wildcards="all").keys())
        for name in names:
            self.client.indices.delete(index=name)
        return names

    @property
    def alias(self) -> str:
        """Queries always go through this alias; rebuilds swap the index behind it."""
        return self.index_name("documents")

    def indices_behind_alias(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias).keys())

    def rebuild(self, documents: Iterable[dict], *, on_progress=None) -> RebuildResult:
        """Index everything into a new index, then point the alias at it in one atomic
        step and drop the old index: searches keep working throughout."""
        new_index = f"{self.alias}-{time.time_ns()}"
        self.client.indices.create(
            index=new_index,
            mappings=SearchDocument._doc_type.mapping.to_dict(),
            settings={"number_of_shards": 1, "number_of_replicas": self.replicas},
        )
        indexed = 0
        actions = ({"_index": new_index, "_id": document["id"], "_source": document} for document in documents)
        for ok, item in streaming_bulk(self.client, actions, chunk_size=1000, raise_on_error=True):
            indexed += 1
            if on_progress:
                on_progress(indexed)
        self.client.indices.refresh(index=new_index)
        previous = self.indices_behind_alias()
        self.client.indices.update_aliases(
            actions=[{"add": {"index": new_index, "alias": self.alias}}]
            + [{"remove": {"index": index, "alias": self.alias}} for index in previous]
        )
        for index in previous:
            self.client.indices.delete(index=index)
        return RebuildResult(index=new_index, documents=indexed, replaced=previous)
