"""`/healthz` reports the real status of every backend, and 503 when one is down."""

import socket

import pytest
from django.conf import settings
from django.test import override_settings

from search.backends import get_search_backend
from tests.engines import engine_run

EXPECTED_CHECKS = {"database", "cache", "channel_layer", "search", "tasks"}


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_reports_every_backend_ok(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == EXPECTED_CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


ENGINES_BY_RUN = {
    "real": {
        "database": "postgresql",
        "cache": "ResilientRedisCache",
        "channel_layer": "RedisPubSubChannelLayer",
        "search": "elasticsearch",
        "tasks": "DatabaseBackend",
    },
    "embedded": {
        "database": "sqlite",
        "cache": "LocMemCache",
        "channel_layer": "InMemoryChannelLayer",
        "search": "database",
        "tasks": "ImmediateBackend",
    },
}


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_names_the_engines_of_this_run(client):
    checks = client.get("/healthz").json()["checks"]
    assert {name: check["backend"] for name, check in checks.items()} == ENGINES_BY_RUN[engine_run()]
    if engine_run() == "real":
        assert checks["search"]["detail"] in {"cluster green", "cluster yellow"}


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_unreachable(client):
    unreachable_redis = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",  # the production cache, which carries on without Redis
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    with override_settings(CACHES=unreachable_redis):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert "Connection" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_is_503_when_elasticsearch_is_unreachable(client):
    search = {**settings.COMITY_SEARCH, "BACKEND": "elasticsearch", "URL": f"http://127.0.0.1:{closed_port()}"}
    with override_settings(COMITY_SEARCH=search):
        response = client.get("/healthz")
        assert get_search_backend().url == search["URL"]
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["search"]["ok"] is False
    assert body["checks"]["search"]["error"] == "SearchUnavailable: The search engine could not report its health."


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_is_503_when_the_channel_layer_is_unreachable(client):
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{closed_port()}/0"]},
        }
    }
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=layers):
        channel_layers.backends.clear()
        response = client.get("/healthz")
    channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["ok"] is False
