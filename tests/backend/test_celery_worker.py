import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.result import allow_join_result

from backend.celery import app, ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(redis_url: str) -> Iterator[subprocess.Popen[str]]:
    """A real `celery worker` process on the Redis broker, as production runs it."""
    env = {**os.environ, "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.update(broker_url=redis_url, result_backend=redis_url)
    try:
        yield process
    finally:
        app.conf.task_always_eager = was_eager
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_task_makes_a_round_trip_through_the_broker_and_a_real_worker(
    worker: subprocess.Popen[str],
) -> None:
    # Celery's "am I inside a task?" flag is one global that eager tasks run on
    # other threads (the live servers of earlier tests) can leave set; this
    # process is not a task, so waiting for the result is allowed.
    with allow_join_result():
        result = ping.delay().get(timeout=60)
    assert result["pong"] is True
    assert result["pid"] == worker.pid
    assert result["pid"] != os.getpid()
