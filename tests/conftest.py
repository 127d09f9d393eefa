"""Shared test fixtures.

`make test` runs the suite twice: once with COMITY_TEST_ENGINES=real against PostgreSQL,
Redis and Elasticsearch (started by scripts/services.sh), and once with
COMITY_TEST_ENGINES=embedded for the smoke and contract tests on the embedded defaults.
In the real run a missing engine fails the whole session; nothing is skipped.
"""

import os
import uuid

import pytest
from django.conf import settings

from tests.engines import ENGINE_VARIABLES, unreachable_engines
from tests.live_server import *  # noqa: F403  (live server, browser and axe fixtures)

ENGINE_MODE = os.environ.get("COMITY_TEST_ENGINES", "")


def pytest_configure(config):
    if ENGINE_MODE not in {"real", "embedded", ""}:
        raise pytest.UsageError("COMITY_TEST_ENGINES must be 'real' or 'embedded'")
    scan_static_files_once()


def scan_static_files_once():
    """Every test client builds a new request handler, and ServeStatic scans all ~8,500
    static files (USWDS, Wagtail admin) each time: half a second per test. The files do not
    change during a run, so the first scan serves every later handler."""
    from servestatic.middleware import ServeStaticMiddleware

    scan = ServeStaticMiddleware.add_files_from_finders
    scanned: dict = {}

    def add_files_from_finders_once(middleware):
        if not scanned:
            scan(middleware)
            scanned.update(files=dict(middleware.files), directories=list(middleware.directories))
            return
        middleware.files.update(scanned["files"])
        for directory in scanned["directories"]:
            if directory not in middleware.directories:
                middleware.directories.append(directory)

    ServeStaticMiddleware.add_files_from_finders = add_files_from_finders_once


def pytest_sessionstart(session):
    if ENGINE_MODE != "real":
        return
    missing = [name for name in ENGINE_VARIABLES if not os.environ.get(name)]
    if missing:
        pytest.exit(f"COMITY_TEST_ENGINES=real but {', '.join(missing)} not set; run scripts/services.sh up", 3)
    down = unreachable_engines()
    if down:
        pytest.exit(f"real engines unreachable: {'; '.join(down)}", 3)


@pytest.fixture
def real_engines():
    """For tests that are only meaningful on the real engines: fails (never skips) when
    one is not configured."""
    missing = [name for name in ENGINE_VARIABLES if not os.environ.get(name)]
    if missing:
        pytest.fail(f"this test needs the real engines; {', '.join(missing)} not set")


@pytest.fixture(scope="session", autouse=True)
def isolated_search_indices():
    """Give this test run its own Elasticsearch index prefix and delete its indices after."""
    from search.backends import get_search_backend

    run_prefix = f"test-{uuid.uuid4().hex[:10]}"
    original = settings.COMITY_SEARCH
    settings.COMITY_SEARCH = {**original, "INDEX_PREFIX": run_prefix}
    get_search_backend.cache_clear()
    yield run_prefix
    backend = get_search_backend()
    if backend.name == "elasticsearch":
        backend.delete_indices_with_prefix()
    settings.COMITY_SEARCH = original
    get_search_backend.cache_clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is deliberately slow; tests check behaviour, not hash strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def isolated_cache():
    """Each test starts with an empty cache (real Redis or local memory)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Attachments go to a throwaway private folder for each test."""
    from django.core.files.storage import FileSystemStorage

    from forum.models import Attachment

    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage
