"""Celery no-op tasks through one real worker, started as production starts it
(backend.demo_services.celery, the project's settings: late acks, prefetch 1, results
stored), against the bare engine: a process popping the same number of messages of
the same size off a Redis list (LPUSH here, BRPOP there), in the same run.

Both are timed from the first message sent to the last one done, with the sending in
this process and the work in another. Skipped, with a message, without REDIS_URL."""

import os
import subprocess
import sys
import time
from statistics import median
from typing import Any

import redis
from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.db import connection

from backend import demo_services
from backend.celery import app
from bench.harness import ratio, say, stop
from bench.rows import row

TASKS = 2_000
MESSAGES = 20_000
ROUNDS = 2
TARGET = 0.3
QUEUE = "bench:bare"
# The bare consumer: pop until the count is reached, then say so on a second list.
CONSUMER = """
import sys, redis
r = redis.Redis.from_url(sys.argv[1], socket_timeout=None)  # it waits while Celery runs
queue, count = sys.argv[2], int(sys.argv[3])
while True:
    for _ in range(count):
        r.brpop(queue)
    r.lpush(queue + ":done", b"1")
"""


def run() -> dict[str, Any]:
    url = os.environ.get("REDIS_URL", "")
    if not url or settings.CELERY_TASK_ALWAYS_EAGER:
        say("\ntasks: skipped, no REDIS_URL (Celery runs tasks in the caller without one)")
        return {}
    say(f"\ntasks: starting one Celery worker ({' '.join(_worker_argv()[2:])})")
    broker = redis.Redis.from_url(url, socket_timeout=180)  # waits up to 120 s below
    size = _message_size(broker)
    worker = _worker(url)
    consumer = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, "-c", CONSUMER, url, QUEUE, str(MESSAGES)],
        start_new_session=True,
    )
    try:
        _ping_through(worker)
        say(f"  {TASKS:,} backend.ping tasks, against {MESSAGES:,} bare messages of {size} bytes")
        celery: list[float] = []
        bare: list[float] = []
        for _ in range(ROUNDS):  # turn about
            celery.append(_celery_rate(broker))
            bare.append(_bare_rate(broker, size))
    finally:
        for process in (worker, consumer):
            stop(process)
        broker.delete(QUEUE, f"{QUEUE}:done")
    ours, against = median(celery), median(bare)
    times = ratio(ours, against)
    say(f"  celery worker  {ours:7.0f} tasks/s    (each round: {_listed(celery)})")
    say(f"  LPUSH/BRPOP    {against:7.0f} messages/s (each round: {_listed(bare)})")
    say(f"  P7 celery/bare {times:.2f} (target >= {TARGET})")
    return {
        "tasks": TASKS,
        "messages": MESSAGES,
        "message_bytes": size,
        "celery_per_s": [round(r) for r in celery],
        "bare_per_s": [round(r) for r in bare],
        "worker": _worker_argv(),
        "rows": [
            row(
                "P7",
                ours,
                "tasks/s",
                baseline=against,
                ratio=times,
                target=f"ratio >= {TARGET}",
                meets=times >= TARGET,
            )
        ],
    }


def _worker_argv() -> list[str]:
    return demo_services.celery("worker", "--loglevel=info")


def _worker(url: str) -> subprocess.Popen[bytes]:
    params = {k: v for k, v in connection.get_connection_params().items() if k != "options"}
    env = {
        **os.environ,
        "REDIS_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": demo_services.database_url(params),
    }
    return subprocess.Popen(  # noqa: S603 - our own command line
        _worker_argv(),
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _ping_through(worker: subprocess.Popen[bytes]) -> None:
    """Wait until the worker answers (it takes a few seconds to start)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError("the Celery worker stopped on starting")
        try:
            app.send_task("backend.ping").get(timeout=2)
            return
        except CeleryTimeout:
            continue
    raise RuntimeError("the Celery worker did not answer within a minute")


def _message_size(broker: redis.Redis) -> int:
    """The bytes one backend.ping message takes on the broker's list, as sent."""
    queue = app.conf.task_default_queue
    before = broker.llen(queue)
    result = app.send_task("backend.ping")
    message = broker.lindex(queue, 0)
    broker.lrem(queue, 1, message)  # type: ignore[arg-type]
    result.forget()
    assert before == broker.llen(queue), "someone else uses this Redis database"
    return len(message or b"")


def _celery_rate(broker: redis.Redis) -> float:
    """Tasks/s from the first sent to the last one done. They are sent as the outbox
    relay sends a batch: through one producer, storing no result (the project's
    default); the last alone stores one, and the worker takes them in order, so it is
    done when they all are (but for one another process may still hold)."""
    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(TASKS - 1):
            app.send_task("backend.ping", producer=producer, ignore_result=True)
        last = app.send_task("backend.ping", producer=producer)
    try:
        last.get(timeout=120)
    except CeleryTimeout:
        raise RuntimeError("the Celery worker did not finish the tasks in two minutes") from None
    took = time.perf_counter() - started
    last.forget()
    return TASKS / took


def _bare_rate(broker: redis.Redis, size: int) -> float:
    payload = b"x" * size
    started = time.perf_counter()
    for _ in range(MESSAGES):  # one round trip each, as Celery publishes each task
        broker.lpush(QUEUE, payload)
    if broker.brpop([f"{QUEUE}:done"], timeout=120) is None:
        raise RuntimeError("the bare consumer did not finish in two minutes")
    return MESSAGES / (time.perf_counter() - started)


def _listed(figures: list[float]) -> str:
    return ", ".join(f"{f:.0f}" for f in figures)
