"""`/healthz`: the real status of every backend Comity depends on.

Each check does a genuine round trip (a query, a cache write and read, a channel layer
message, a search cluster health call, a task queue query). Any failure turns the
response into 503 so load balancers and the container health check take the instance out.
"""

import asyncio
import time
import uuid
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_tasks import task_backends

CHECK_TIMEOUT_SECONDS = 3.0


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"backend": connection.vendor}


def check_cache() -> dict:
    cache = caches["default"]
    if hasattr(cache, "ping"):
        cache.ping()  # config.cache.ResilientRedisCache would otherwise answer from memory
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("value written to the cache could not be read back")
    return {"backend": type(cache).__name__}


async def check_channel_layer() -> dict:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "health.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "health.ping":
        raise RuntimeError("the channel layer returned a different message")
    return {"backend": type(layer).__name__}


def check_search() -> dict:
    from search.backends import get_search_backend

    backend = get_search_backend()
    return {"backend": backend.name, "detail": backend.health()}


def check_tasks() -> dict:
    backend_name = type(task_backends["default"]).__name__
    if backend_name == "DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        return {"backend": backend_name, "detail": f"{DBTaskResult.objects.ready().count()} tasks waiting"}
    return {"backend": backend_name, "detail": "tasks run inside the request"}


async def run_check(check: Callable) -> dict:
    started = time.perf_counter()
    try:
        call = check() if asyncio.iscoroutinefunction(check) else sync_to_async(check)()
        result = await asyncio.wait_for(call, timeout=CHECK_TIMEOUT_SECONDS)
        result["ok"] = True
    except Exception as error:  # a health check reports every failure instead of raising
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "search": check_search,
    "tasks": check_tasks,
}


@never_cache
async def healthz(request):
    results = {name: await run_check(check) for name, check in CHECKS.items()}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503)
