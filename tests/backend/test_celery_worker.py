import os
import subprocess
from collections.abc import Iterator

import pytest
from celery.result import allow_join_result

from backend.celery import ping
from tests.backend.workers import broker, worker_start, worker_stop


@pytest.fixture
def worker(redis_url: str) -> Iterator[subprocess.Popen[str]]:
    """A real `celery worker` process on the Redis broker, as production runs it."""
    process = worker_start(redis_url, "--pool=solo")
    try:
        with broker(redis_url):
            yield process
    finally:
        worker_stop(process)


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
