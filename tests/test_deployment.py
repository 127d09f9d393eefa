"""The container files users deploy with: a non-root image with a health check, and a
compose file that runs every engine Comity uses at the versions it is tested against."""

from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.smoke


def test_dockerfile_runs_as_non_root_with_a_health_check():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 3  # assets, python dependencies, runtime
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1].split(":")[0] not in {"root", "0"}
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "collectstatic" in dockerfile
    assert "uv sync --frozen" in dockerfile


def test_compose_runs_every_engine_and_shares_one_environment():
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "elasticsearch", "migrate", "web", "worker"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["elasticsearch"]["image"].endswith(":8.19.21")
    for name in ("web", "worker"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert environment["ELASTICSEARCH_URL"].startswith("http://elasticsearch:")
        assert environment["DJANGO_ENV"] == "production"
    assert "db_worker" in " ".join(services["worker"]["command"])
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
