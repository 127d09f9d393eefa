"""The settings module reads the environment: embedded defaults when nothing is set, the
real engines when their URLs are, and a production mode that passes `check --deploy`.
Each case runs Django in a fresh subprocess so the environment is exactly what we say."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIGURED_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "DJANGO_ENV", "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "TASKS_BACKEND",
)
REPORT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "search": settings.COMITY_SEARCH["BACKEND"],
    "wagtail_search": settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""


def run_django(code_or_args: list[str], **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in CONFIGURED_VARIABLES}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_under(**environment: str) -> dict:
    result = run_django(["-c", REPORT_SETTINGS], **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.smoke
def test_embedded_defaults_when_nothing_is_set():
    assert settings_under() == {
        "database": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "channel_layer": "channels.layers.InMemoryChannelLayer",
        "tasks": "django_tasks.backends.immediate.ImmediateBackend",
        "search": "database",
        "wagtail_search": "wagtail.search.backends.database",
        "debug": True,
    }


@pytest.mark.smoke
def test_engine_urls_switch_to_the_real_engines():
    assert settings_under(
        DATABASE_URL="postgres://comity:secret@127.0.0.1:5432/comity",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ELASTICSEARCH_URL="http://127.0.0.1:9200",
    ) == {
        "database": "django.db.backends.postgresql",
        "cache": "config.cache.ResilientRedisCache",
        "channel_layer": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "tasks": "django_tasks_db.DatabaseBackend",
        "search": "elasticsearch",
        # Wagtail's admin search stays on the database whatever the public search uses.
        "wagtail_search": "wagtail.search.backends.database",
        "debug": True,
    }


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "kq3v!x9z$production-like-secret-for-the-deploy-check-only-8h2m4n6p",
    "DJANGO_ALLOWED_HOSTS": "comity.example.org",
}


@pytest.mark.smoke
def test_production_settings_pass_the_deploy_check():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.smoke
@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_variables(missing):
    environment = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = run_django(["-c", REPORT_SETTINGS], **environment)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.smoke
def test_a_malformed_variable_is_reported_by_name():
    result = run_django(["-c", REPORT_SETTINGS], DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_this_run_uses_the_real_engines(real_engines):
    """The main `make test` run really talks to PostgreSQL, Redis and Elasticsearch."""
    from django.conf import settings
    from django.db import connection

    from search.backends import get_search_backend

    assert connection.vendor == "postgresql"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert get_search_backend().name == "elasticsearch"


@pytest.mark.smoke
def test_every_variable_the_settings_read_is_documented_in_env_example():
    import re

    settings_source = (PROJECT_ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^([A-Z_]+)=", (PROJECT_ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "no environment variables found in settings"
    assert read - documented == set()
