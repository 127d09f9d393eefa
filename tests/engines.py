"""Which real engines the test run expects, and a quick reachability check for each."""

import os
import socket
from urllib.parse import urlparse

ENGINE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL")


def unreachable_engines() -> list[str]:
    problems = []
    for name in ENGINE_VARIABLES:
        url = urlparse(os.environ[name])
        try:
            with socket.create_connection((url.hostname, url.port), timeout=3):
                pass
        except OSError as error:
            problems.append(f"{name}={os.environ[name]} ({error})")
    return problems


def engine_run() -> str:
    """'real' or 'embedded': what `make test` says, else what the environment implies."""
    return os.environ.get("COMITY_TEST_ENGINES") or ("real" if os.environ.get("DATABASE_URL") else "embedded")
