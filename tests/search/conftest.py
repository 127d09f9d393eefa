import uuid

import pytest
from django.conf import settings as django_settings

from search import tasks
from search.backends import get_search_backend

# The search page against each backend: the database backend (PostgreSQL full text in the
# real run, SQLite FTS5 in the embedded one) and Elasticsearch (real run only).
PAGE_BACKENDS = [
    pytest.param("database", marks=[pytest.mark.contract], id="database"),
    pytest.param("elasticsearch", id="elasticsearch"),
]


@pytest.fixture(params=PAGE_BACKENDS)
def page_backend(request, settings):
    """Point the site's search at one backend, on an index of its own for this test."""
    prefix = f"{django_settings.COMITY_SEARCH['INDEX_PREFIX']}-page-{uuid.uuid4().hex[:8]}"
    if request.param == "elasticsearch":
        request.getfixturevalue("real_engines")
        settings.COMITY_SEARCH = {**django_settings.COMITY_SEARCH, "BACKEND": "elasticsearch", "INDEX_PREFIX": prefix,
                                  "TIMEOUT": 30}
    else:
        settings.COMITY_SEARCH = {**django_settings.COMITY_SEARCH, "BACKEND": "database", "INDEX_PREFIX": prefix}
    backend = get_search_backend()
    yield backend
    if backend.name == "elasticsearch":
        backend.delete_indices_with_prefix()


def index_now(backend) -> None:
    """Drain the outbox into `backend` and make the writes searchable at once."""
    report = tasks.drain_outbox(backend=backend)
    assert not report.unavailable and not report.failed, report
    if backend.name == "elasticsearch" and backend.client.indices.exists_alias(name=backend.alias):
        backend.client.indices.refresh(index=backend.alias)
