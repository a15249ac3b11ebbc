"""What every benchmark shares: Django on a scratch database, a median timer, the results file.

The scratch database is named after the configured one plus this process's id, so a
run never touches the demo's data nor another run's (`make test` uses `test_<name>`)."""

import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

RESULTS = Path(__file__).parent / "results.json"
_deadline: list[float] = []  # the running module's, set by budget()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    from django.conf import settings

    database = settings.DATABASES["default"]
    # Before django.setup(): connections read these settings on first use.
    database.setdefault("TEST", {})["NAME"] = f"bench_{database['NAME']}_{os.getpid()}"
    import django

    django.setup()


@contextmanager
def scratch_database() -> Iterator[str]:
    """Create and migrate the scratch database, and drop it however the run ends."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    started = time.perf_counter()
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        name = str(connection.settings_dict["NAME"])
        from places.loader import postcodes_sample_load

        postcodes_sample_load()  # the demo town's postcodes, as the board's data uses
        say(f"scratch database {name} migrated in {time.perf_counter() - started:.1f} s")
        yield name
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """The running module's time, which `remaining()` counts down: a module sizes its
    timed loops by it, so the whole run fits in its ten minutes."""
    _deadline.append(time.perf_counter() + seconds)
    try:
        yield
    finally:
        _deadline.pop()


def remaining(default: float = 60.0) -> float:
    """Seconds left of the running module's budget (`default` outside `python -m bench`)."""
    return _deadline[-1] - time.perf_counter() if _deadline else default


@dataclass(frozen=True)
class Timing:
    median_ms: float
    repeats: int


def compare(
    work: Callable[[], object],
    baseline: Callable[[], object],
    *,
    baseline_inside: Callable[[], AbstractContextManager[None]],
    repeats: int,
    budget_s: float,
) -> tuple[Timing, Timing]:
    """Median wall times of `work` and of `baseline` (run inside `baseline_inside()`),
    timed turn about so that a machine growing busier or quieter weighs on both alike.
    Stops at `repeats` pairs, or at three once `budget_s` is spent. Warm up first."""
    done: list[float] = []
    against: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(done) < repeats and (len(done) < 3 or time.perf_counter() < deadline):
        done.append(timed_ms(work))
        with baseline_inside():
            against.append(timed_ms(baseline))
    measured = Timing(statistics.median(done), len(done))
    return measured, Timing(statistics.median(against), len(against))


def timed_ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def ratio(baseline: float, measured: float) -> float:
    return baseline / measured if measured > 0 else float("inf")


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    embedded = connection.settings_dict["ENGINE"] == "backend.embedded"
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgres": row[0] if row else "unknown",
        "database": "embedded" if embedded else "DATABASE_URL server",
    }


def write_results(results: dict[str, Any]) -> None:
    document = {"generated": datetime.now(UTC).isoformat(timespec="seconds"), **results}
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    say(f"results written to {RESULTS}")


def say(line: str) -> None:
    print(line, file=sys.stdout, flush=True)


@contextmanager
def served(app: str, *, redis_url: str) -> Iterator[int]:
    """uvicorn serving `app` ("module:attribute") as the demo serves the product
    (backend.demo_services.web, its environment and WEB_ENVIRONMENT, DEBUG off) on a
    free port, on the scratch database and `redis_url`; yields the port, and stops its
    whole process group however the run ends. Its log goes to a file: a line per
    request or socket would fill a pipe nobody reads, and stall it."""
    from django.conf import settings
    from django.db import connection

    from backend import demo_services

    port = free_port()
    argv = demo_services.web(host="127.0.0.1", port=port)
    argv = [app if part == "backend.asgi:application" else part for part in argv]
    params = {k: v for k, v in connection.get_connection_params().items() if k != "options"}
    env = demo_services.environment(
        site_url=demo_services.site_url(host="127.0.0.1", port=port),
        redis_url=redis_url,
        database_url=demo_services.database_url(params),
    )
    env |= {**demo_services.WEB_ENVIRONMENT, "DEBUG": "false"}
    env["PYTHONPATH"] = str(settings.BASE_DIR)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            argv,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(port, process, log)
            yield port
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in a session of its own, and all it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"uvicorn stopped on starting:\n{log.read().decode()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer on port {port} within a minute")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
