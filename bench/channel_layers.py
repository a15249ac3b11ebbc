"""From group_send to the page's socket: channels-redis's RedisChannelLayer (a sorted set
per channel, popped with BZPOPMIN) against its RedisPubSubChannelLayer (PUBLISH/SUBSCRIBE).

`python -m bench.channel_layers` runs on its own against REDIS_URL (default
redis://127.0.0.1:6379/0) and needs no database. The sockets are the real
NotificationConsumer behind channels' WebsocketCommunicator, with its two database
reads (the unread count, the missed notifications) stubbed out; the sends come from a
second layer instance, as they would from another process (a view or a Celery task).

Two figures per layer: "one at a time" (send, wait for the socket, repeat: latency on
a quiet server) and "burst" (every message sent back to back across all the sockets:
latency while the layer is busy)."""

import asyncio
import itertools
import os
import statistics
import sys
import time
import uuid
from types import SimpleNamespace
from typing import Any

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
SOCKETS = 20
MESSAGES = 500  # per layer and figure, over ROUNDS rounds
ROUNDS = 2
WARM_UP = 50


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    run()


def run(redis_url: str = "") -> dict[str, Any]:
    """Measure both layers in this run, turn about; {} (and a message) without Redis."""
    url = redis_url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if not redis_answers(url):
        say(f"\nchannel layers: skipped, no Redis answering at {url}")
        return {}
    say(
        f"\nchannel layers: group_send -> NotificationConsumer -> socket, {SOCKETS} sockets, "
        f"{MESSAGES} messages each way per layer"
    )
    taken: dict[str, dict[str, list[float]]] = {
        name: {"one_at_a_time": [], "burst": []} for name in LAYERS
    }
    # Turn about, so that a machine growing busier or quieter weighs on both alike.
    for _ in range(ROUNDS):
        for name, backend in LAYERS.items():
            for mode, figures in asyncio.run(measure(backend, url)).items():
                taken[name][mode].extend(figures)
    results: dict[str, Any] = {"sockets": SOCKETS, "messages": MESSAGES}
    for name, modes in taken.items():
        results[name] = {mode: summary(figures) for mode, figures in modes.items()}
        for mode, figures in results[name].items():
            say(
                f"  {name:6} {mode.replace('_', ' '):13} median {figures['median_ms']:.2f} ms, "
                f"p95 {figures['p95_ms']:.2f} ms"
            )
    for mode in ("one_at_a_time", "burst"):
        for figure in ("median_ms", "p95_ms"):
            core, pubsub = results["core"][mode][figure], results["pubsub"][mode][figure]
            ratio = round(core / pubsub, 2) if pubsub > 0 else float("inf")
            results[f"{mode}_{figure.removesuffix('_ms')}_ratio"] = ratio
            say(f"  {mode.replace('_', ' ')}, {figure[:-3]}: pubsub {ratio:.2f}x faster than core")
    return results


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


async def measure(backend: str, url: str) -> dict[str, list[float]]:
    """One round on one layer: the latencies in ms, one at a time and in a burst."""
    from channels.layers import channel_layers
    from channels.testing import WebsocketCommunicator
    from django.test import override_settings
    from django.utils.module_loading import import_string

    from notifications.consumers import NotificationConsumer

    class Consumer(NotificationConsumer):
        async def unread_count(self, user_id: int) -> int:
            return 0

        async def newer_than(self, user_id: int, after: int) -> tuple[list[dict[str, Any]], int]:
            return [], 0

    config = {"hosts": [url], "prefix": f"bench-{uuid.uuid4().hex[:8]}"}
    with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": backend, "CONFIG": config}}):
        sender = import_string(backend)(**config)
        sockets = []
        for user_id in range(1, SOCKETS + 1):
            socket = WebsocketCommunicator(Consumer.as_asgi(), "/ws/notifications/")
            socket.scope["user"] = SimpleNamespace(pk=user_id, is_authenticated=True)
            connected, _ = await socket.connect()
            assert connected
            assert (await socket.receive_json_from())["type"] == "hello"
            await socket.send_json_to({"type": "resume", "after": 0})
            sockets.append(socket)
        try:
            await one_at_a_time(sender, sockets, WARM_UP)
            quiet = await one_at_a_time(sender, sockets, MESSAGES // ROUNDS)
            busy = await burst(sender, sockets, MESSAGES // ROUNDS)
        finally:
            await asyncio.gather(*(socket.disconnect() for socket in sockets))
            await sender.flush()
            await channel_layers["default"].flush()
    return {"one_at_a_time": quiet, "burst": busy}


_ids = itertools.count(1)


def notification() -> dict[str, Any]:
    # A fresh id each time: the consumer sends any one id to a socket only once.
    n = next(_ids)
    message = {"id": n, "kind": "bench", "title": f"Message {n}", "body": "", "url": ""}
    return {"type": "notification.new", "message": {**message, "sent": time.perf_counter()}}


async def one_at_a_time(sender: Any, sockets: list[Any], count: int) -> list[float]:
    taken: list[float] = []
    for n in range(count):
        socket = sockets[n % len(sockets)]
        await sender.group_send(f"user.{n % len(sockets) + 1}", notification())
        received = await socket.receive_json_from(timeout=5)
        taken.append((time.perf_counter() - received["sent"]) * 1000)
    return taken


async def burst(sender: Any, sockets: list[Any], count: int) -> list[float]:
    taken: list[float] = []

    async def drain(socket: Any, expected: int) -> None:
        for _ in range(expected):
            received = await socket.receive_json_from(timeout=10)
            taken.append((time.perf_counter() - received["sent"]) * 1000)

    each = [len(range(i, count, len(sockets))) for i in range(len(sockets))]
    readers = [asyncio.ensure_future(drain(s, n)) for s, n in zip(sockets, each, strict=True)]
    for n in range(count):
        await sender.group_send(f"user.{n % len(sockets) + 1}", notification())
    await asyncio.gather(*readers)
    return taken


def summary(taken: list[float]) -> dict[str, float]:
    ordered = sorted(taken)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "count": len(ordered),
    }


def say(line: str) -> None:
    print(line, file=sys.stdout, flush=True)


if __name__ == "__main__":
    main()
