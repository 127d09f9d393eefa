from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from search.backends.base import SearchBackend, SearchUnavailable

HEALTHY_CLUSTER_STATES = {"yellow", "green"}


class ElasticsearchBackend(SearchBackend):
    """Elasticsearch 8.x through the official client and elasticsearch-dsl.

    The test distribution has only the built-in analyzers (standard, simple, whitespace,
    keyword), so mappings never rely on analysis-common.
    """

    name = "elasticsearch"

    def __init__(self, *, url: str, index_prefix: str, timeout: int = 5):
        super().__init__(index_prefix=index_prefix)
        self.url = url
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
