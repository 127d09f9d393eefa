"""Shared by the page benchmarks: the scratch-database guard, percentiles, and timing one
URL through Django's test client with its SQL query count."""

import os
import statistics
import sys
import time


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def fail(bench_name: str, message: str) -> None:
    print(f"bench.{bench_name}: {message}", file=sys.stderr)
    sys.exit(2)


def check_scratch_database(bench_name: str, example_database: str) -> None:
    """Only ever fill a scratch PostgreSQL database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        fail(
            bench_name,
            "set DATABASE_URL to a scratch PostgreSQL database whose name contains 'bench', e.g.\n"
            f"  DATABASE_URL=postgres://comity:comity@127.0.0.1:55432/{example_database} python -m bench.{bench_name}\n"
            f"(create it first: CREATE DATABASE {example_database};)",
        )
    from django.db import connection
    from django.db.utils import OperationalError

    if connection.vendor != "postgresql":
        fail(bench_name, f"this benchmark runs on PostgreSQL only, not {connection.vendor}")
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        fail(
            bench_name,
            f"refusing to fill database {name!r} with benchmark data: use a scratch database named like '{example_database}'",
        )
    try:
        connection.ensure_connection()
    except OperationalError as error:
        fail(bench_name, f"cannot connect to {name!r} ({error}); create it first: CREATE DATABASE {name};")


def status_and_queries(client, url: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm template loaders, caches and the connection
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, len(queries)


def measure(client, url: str, count: int, **extra) -> dict:
    status, queries = status_and_queries(client, url)
    result = {"url": url, "status": status, "queries": queries, **extra}
    if status != 200:
        result.update(median_ms=None, p95_ms=None, requests=0)
        return result
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    result.update(
        requests=count, median_ms=round(statistics.median(samples), 2), p95_ms=round(percentile(samples, 0.95), 2)
    )
    return result
