"""`python -m load` (`make load`): a Saturday morning against 127.0.0.1, in five minutes.

A scratch database (on DATABASE_URL's server, else the embedded PostgreSQL) and Redis
(REDIS_URL, else the embedded one), the demo town with residents who have coins and
tills with keys (load/data.py), then TWO uvicorn web processes, TWO Celery workers and
beat, as the demo starts them (backend.demo_services), so that anything kept in one
process's memory would show as a failed request. Locust runs headless against both for
about two minutes (load/locustfile.py); then the table of each endpoint's requests,
failures, p50 and p95, and `manage.py verify_ledger` on what the morning left. It exits
non-zero if any request failed or the ledger does not verify. Every child process stops
and the scratch database is dropped however the run ends."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from load import report

if TYPE_CHECKING:  # imported once Django is set up, in _run
    from backend.demo_services import Children

USERS = 40
# Users arriving a second. Each logs in, and a password hash takes most of a core for
# most of a second by design: a morning's residents arrive over a minute, not at once.
SPAWN_RATE = 1
RUN_SECONDS = 120
BUDGET_SECONDS = 290  # the whole run, set-up and tear-down included, inside five minutes
RESIDENTS, SHOPPERS = 30, 15  # more logins than users of each class: none shares one
PROBLEM = re.compile(r"Traceback|ERROR|CRITICAL|\bException\b|\" 5\d\d")
TASK_DONE = re.compile(r"Task \S+\[[^\]]+\] succeeded")


def main() -> int:
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="cc-load-"))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(folder, started)
    except KeyboardInterrupt:
        say("\nload: stopped")
        return 130
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        say(f"load: finished in {time.perf_counter() - started:.0f} s")


def _run(folder: Path, started: float) -> int:
    _django(folder)
    from backend import demo_services
    from load.data import load_town

    with ExitStack() as stack:
        database_url = stack.enter_context(_scratch_database())
        redis_url = _redis(stack, folder)
        say(f"load: the demo town, {RESIDENTS + SHOPPERS} residents with coins, the tills …")
        step = time.perf_counter()
        plan = load_town(residents=RESIDENTS, shoppers=SHOPPERS, progress=lambda s: say(f"  {s}"))
        say(f"  loaded in {time.perf_counter() - step:.0f} s")
        log = stack.enter_context((folder / "children.log").open("w"))
        echo = Echo(log)
        children = stack.enter_context(demo_services.Children(echo=echo))
        env = _environment(folder, database_url=database_url, redis_url=redis_url)
        plan.hosts = _serve(children, env, folder)
        plan.write(folder / "plan.json")
        seconds = max(
            30, min(RUN_SECONDS, int(BUDGET_SECONDS - (time.perf_counter() - started) - 40))
        )
        say(f"load: {USERS} users for {seconds} s over {' and '.join(plan.hosts)} …")
        code = _swarm(folder, plan.hosts[0], seconds)
        say("load: stopping the web processes, the workers and beat …")
        children.stop()
        say(f"  tasks run: {echo.tasks_summary()}")
        stats = report.read(folder / "locust")
        say("\n" + report.table(stats))
        say("\nload: manage.py verify_ledger on the scratch database …")
        verified = subprocess.run(  # noqa: S603 - our own interpreter and command
            demo_services.manage("verify_ledger"),
            cwd=demo_services.ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        say((verified.stdout + verified.stderr).strip())
    failed = stats.errors > 0 or code != 0 or verified.returncode != 0
    say(f"\nload: {'FAILED' if failed else 'OK'} ({stats.errors} errors, locust exit {code})")
    return 1 if failed else 0


def _django(folder: Path) -> None:
    """Settings for this process before Django reads them: the town's tasks run here as
    it is loaded (as `load_demo` runs them), its photos go to the run's own folder."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.update(
        CELERY_TASK_ALWAYS_EAGER="true",
        MEDIA_ROOT=str(folder / "media"),
        CACHE_KEY_PREFIX=f"cc-load-{os.getpid()}",
    )
    from django.conf import settings

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"load_{database['NAME']}_{os.getpid()}"
    import django

    django.setup()
    # The town's e-mails (hours confirmed) are sent as it is loaded: kept, not printed,
    # nor each task that sent them.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.getLogger("celery").setLevel(logging.WARNING)


@contextmanager
def _scratch_database() -> Iterator[str]:
    """Created and migrated, and dropped however the run ends; its DATABASE_URL."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from backend import demo_services

    embedded = connection.settings_dict["ENGINE"] == "backend.embedded"
    say("load: migrating a scratch database " + ("(embedded PostgreSQL) …" if embedded else "…"))
    step = time.perf_counter()
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        say(f"  {connection.settings_dict['NAME']} in {time.perf_counter() - step:.0f} s")
        params = {k: v for k, v in connection.get_connection_params().items() if k != "options"}
        yield demo_services.database_url(params)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
        say("load: scratch database dropped")


def _redis(stack: ExitStack, folder: Path) -> str:
    url = os.environ.get("REDIS_URL", "")
    if url:
        say(f"load: Redis at {url}")
        return url
    from backend.embedded import redis as embedded_redis

    say("load: starting the embedded Redis …")
    stack.callback(embedded_redis.stop)
    return embedded_redis.serve(folder / "redis")


def _environment(folder: Path, *, database_url: str, redis_url: str) -> dict[str, str]:
    """The demo's environment for its children, on the scratch database and this run's
    key space, folders and no debug pages."""
    from backend import demo_services

    env = demo_services.environment(
        site_url="http://127.0.0.1", redis_url=redis_url, database_url=database_url
    )
    env.update(
        DEBUG="false",
        MEDIA_ROOT=os.environ["MEDIA_ROOT"],
        CACHE_KEY_PREFIX=os.environ["CACHE_KEY_PREFIX"],
        EMBEDDED_BEAT_SCHEDULE=str(folder / "celerybeat-schedule"),
    )
    return env


def _serve(children: Children, env: dict[str, str], folder: Path) -> list[str]:
    """Two workers and beat, then two web processes; their addresses once they answer."""
    from backend import demo_services

    say("load: starting two Celery workers and beat, and two web processes …")
    for n in (1, 2):
        worker = ("worker", "--loglevel=info", "--concurrency=1", "-n", f"load{n}@%h")
        children.start(f"worker{n}", demo_services.celery(*worker), env)
    schedule = str(folder / "celerybeat-schedule")
    children.start("beat", demo_services.celery("beat", "--schedule", schedule), env)
    hosts = []
    for n in (1, 2):
        port = _free_port()
        url = demo_services.site_url(host="127.0.0.1", port=port)
        argv = demo_services.web(host="127.0.0.1", port=port, workers=1)
        children.start(f"web{n}", argv, {**env, **demo_services.WEB_ENVIRONMENT, "SITE_URL": url})
        hosts.append(url)
    for n, url in enumerate(hosts, start=1):
        _wait_until_serving(children, f"web{n}", url)
    say("  serving on " + ", ".join(hosts))
    return hosts


def _wait_until_serving(children: Children, name: str, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5):  # noqa: S310 - ours
                return
        except OSError:
            web = children.running.get(name)
            if web is None or web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer on {url}") from None
            time.sleep(0.3)


def _swarm(folder: Path, host: str, seconds: int) -> int:
    """Locust, headless, in a process of its own (it patches the standard library for
    gevent, which this process's Django must not share); its exit code."""
    from backend.embedded import process

    argv = [
        *(sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py"))),
        *("--headless", "--only-summary", "-u", str(USERS), "-r", str(SPAWN_RATE)),
        *("-t", f"{seconds}s", "--stop-timeout", "10", "--host", host),
        *("--csv", str(folder / "locust"), "--loglevel", "WARNING"),
    ]
    env = {**os.environ, "LOAD_PLAN": str(folder / "plan.json"), "PYTHONUNBUFFERED": "1"}
    with (folder / "locust.log").open("w") as log:
        swarm = process.popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            began = time.perf_counter()
            while swarm.poll() is None:
                time.sleep(1)
                if int(time.perf_counter() - began) % 20 == 0:
                    so_far = report.progress(folder / "locust")
                    say(f"  {time.perf_counter() - began:3.0f} s: {so_far}")
        finally:
            process.stop(swarm, timeout=20)
    output = (folder / "locust.log").read_text()
    if swarm.returncode != 0:  # the table shows failed requests; this, what else went wrong
        say(output[-3000:])
    return int(swarm.returncode)


class Echo:
    """The children's lines into the run's log; problems also on the screen; and how
    many tasks each worker ran, to show both took their share."""

    def __init__(self, log: IO[str]) -> None:
        self.log = log
        self.tasks: dict[str, int] = {}

    def __call__(self, line: str) -> None:
        self.log.write(line + "\n")
        name = line.split("|", 1)[0].strip()
        if TASK_DONE.search(line):
            self.tasks[name] = self.tasks.get(name, 0) + 1
        elif PROBLEM.search(line):
            say(line)

    def tasks_summary(self) -> str:
        return ", ".join(f"{name} {n}" for name, n in sorted(self.tasks.items())) or "none"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
