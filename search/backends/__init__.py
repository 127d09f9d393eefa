"""One search interface with two backends: Elasticsearch (production) and the database
(the embedded default). `get_search_backend()` returns the one the settings choose."""

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed

from search.backends.base import SearchBackend, SearchUnavailable

__all__ = ["SearchBackend", "SearchUnavailable", "get_search_backend"]


@cache
def get_search_backend() -> SearchBackend:
    config = settings.COMITY_SEARCH
    if config["BACKEND"] == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(
            url=config["URL"],
            index_prefix=config["INDEX_PREFIX"],
            timeout=config["TIMEOUT"],
            replicas=config["REPLICAS"],
        )
    from search.backends.database import DatabaseBackend

    return DatabaseBackend(index_prefix=config["INDEX_PREFIX"])


def forget_backend_on_settings_change(*, setting, **kwargs):
    # Tests override COMITY_SEARCH; the next call must build a backend from the new value.
    if setting == "COMITY_SEARCH":
        get_search_backend.cache_clear()


setting_changed.connect(forget_backend_on_settings_change)
