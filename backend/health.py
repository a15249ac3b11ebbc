"""/healthz says the process is alive; /readyz says whether it can do its work."""

import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from kombu import Connection


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    results = {name: _run(check, BACKENDS[name]()) for name, check in CHECKS.items()}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results},
        status=200 if healthy else 503,
    )


def _run(check: Callable[[], None], backend: str) -> dict[str, object]:
    try:
        check()
    except Exception as exc:  # any failure is the answer, not an error page
        return {"ok": False, "backend": backend, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "backend": backend}


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")

    # A send to a group nobody is in reaches Redis (the pub/sub layer publishes it) and
    # fails if Redis is away, without making a channel that would stay subscribed for
    # the life of the process.
    async_to_sync(layer.group_send)("readyz", {"type": "readyz.probe"})


def check_broker() -> None:
    if _broker_is_eager():
        return
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


def _broker_is_eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER) and settings.CELERY_BROKER_URL == "memory://"


def _named(path: str) -> str:
    return "Redis" if "redis" in path.lower() else "in-memory"


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}

# What each check talks to, named so that an operator knows which server to look at.
BACKENDS: dict[str, Callable[[], str]] = {
    "database": lambda: "PostgreSQL",
    "cache": lambda: _named(str(settings.CACHES["default"]["BACKEND"])),
    "channel_layer": lambda: _named(str(settings.CHANNEL_LAYERS["default"]["BACKEND"])),
    "broker": lambda: (
        "none: tasks run eagerly" if _broker_is_eager() else _named(settings.CELERY_BROKER_URL)
    ),
}
