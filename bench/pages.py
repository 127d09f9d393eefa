"""Measure the home page and /healthz in-process through the ASGI application.

    python -m bench.pages [--requests 200]

Runs against whatever the environment configures (the embedded defaults, or the real
engines when DATABASE_URL, REDIS_URL and ELASTICSEARCH_URL are set), on the database
that is configured, after `migrate` and `seed_demo`. Prints one JSON object.
"""

import argparse
import asyncio
import io
import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def request(application, path: str) -> tuple[int, float]:
    """One GET through the ASGI app, as uvicorn would deliver it; returns status and ms."""
    received_request = False
    status = 0

    async def receive():
        nonlocal received_request
        if not received_request:
            received_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # the app never needs a second message for a GET

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000")], "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    started = time.perf_counter()
    await application(scope, receive, send)
    return status, (time.perf_counter() - started) * 1000


async def measure(application, path: str, count: int) -> dict:
    for _ in range(5):  # warm caches, template loaders and connections
        await request(application, path)
    samples, statuses = [], set()
    for _ in range(count):
        status, elapsed = await request(application, path)
        statuses.add(status)
        samples.append(elapsed)
    return {
        "requests": count,
        "statuses": sorted(statuses),
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())  # keep stdout to the one JSON object
    from config.asgi import application

    results = {}
    for name, path in (("home_page", "/"), ("healthz", "/healthz")):
        results[name] = asyncio.run(measure(application, path, args.requests))
    print(json.dumps({"benchmark": "pages", "database": connection.vendor, **results}))


if __name__ == "__main__":
    main()
