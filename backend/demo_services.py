"""The processes `manage.py demo` runs: production's parts, on embedded servers.

Production (docker/compose.yaml) is PostgreSQL, Redis, `manage.py migrate`, uvicorn,
`celery worker` and `celery beat`, each configured by its environment. The demo runs the
same programs as child processes on PostgreSQL and Redis from their wheels
(backend/embedded/) and localstripe for Stripe, and configures them the same way: the
environment `environment()` builds, read by backend/settings.py like any other. (The demo
command cannot change its own settings: they are loaded before it knows its port.)

`Children` starts them, prints each line they write under their name, and stops them
all, last started first, when the demo ends however it ends.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from django.conf import settings

from backend.embedded import process

ROOT: Path = settings.BASE_DIR
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104 - names, not a bind


def site_url(*, host: str, port: int) -> str:
    """The address links in e-mails and notifications point at (SITE_URL)."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def environment(
    *,
    site_url: str,
    redis_url: str,
    stripe: Mapping[str, str] | None = None,
    database_url: str = "",
    host: str = "",
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of the demo's Django processes: production's settings, on the
    embedded Redis, with links to `site_url` and reminders sent every minute."""
    env = dict(os.environ if base is None else base)
    env.update(
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        SITE_URL=site_url,
        SHIFT_REMINDER_MINUTES="1",
        PYTHONUNBUFFERED="1",  # each log line reaches the terminal when it is written
    )
    env.update(stripe or {})
    if database_url:
        env["DATABASE_URL"] = database_url
    if host not in (*WILDCARD_HOSTS, "127.0.0.1", "localhost") and "ALLOWED_HOSTS" not in env:
        env["ALLOWED_HOSTS"] = f"127.0.0.1,localhost,{host}"
    return env


def database_url(params: Mapping[str, Any]) -> str:
    """A DATABASE_URL for psycopg connection parameters (a socket folder for a host too:
    the embedded server's). The demo's children connect through it to the server the
    demo holds, rather than each joining the embedded server: a child stopped by a
    signal would never say it had left, and the server would outlive the demo."""
    auth = quote(str(params.get("user") or ""), safe="")
    if params.get("password"):
        auth += ":" + quote(str(params["password"]), safe="")
    where = quote(str(params.get("host") or ""), safe="")
    if params.get("port"):
        where += f":{params['port']}"
    return f"postgres://{auth}@{where}/{params['dbname']}"


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "backend", *args]


def web(*, host: str, port: int, workers: int = 0) -> list[str]:
    """uvicorn for HTTP and WebSocket, as the production image runs it: `workers`
    processes, or one per core (WEB_CONCURRENCY says otherwise); no access log, which
    costs a line per request on the hot path (the reverse proxy keeps one); idle
    connections kept 30 s, not uvicorn's 5, so that a client (or proxy) sending its next
    request as the server closes the connection is not reset. Its environment adds
    WEB_ENVIRONMENT to the others'."""
    workers = workers or int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
    return [
        *(sys.executable, "-m", "uvicorn", "backend.asgi:application"),
        *("--host", host, "--port", str(port), "--lifespan", "off"),
        *("--workers", str(workers), "--no-access-log", "--timeout-keep-alive", "30"),
    ]


# What the web processes' environment adds: psycopg's pool (see backend/settings.py:
# under ASGI a connection kept by CONN_MAX_AGE is not used again).
WEB_ENVIRONMENT = {"DATABASE_POOL": "true"}


class Children:
    """The demo's child processes, each line of their output echoed under its name."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.running: dict[str, subprocess.Popen[str]] = {}
        self._readers: list[threading.Thread] = []
        self._lock = threading.Lock()

    def __enter__(self) -> "Children":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def run(self, name: str, argv: list[str], env: Mapping[str, str]) -> None:
        """Run a step to its end (migrate, load the town); a failure stops the demo."""
        child = self.start(name, argv, env)
        code = child.wait()
        self.running.pop(name, None)
        if code != 0:
            raise RuntimeError(f"{name} failed (exit code {code}).")

    def start(self, name: str, argv: list[str], env: Mapping[str, str]) -> subprocess.Popen[str]:
        child = process.popen(
            argv,
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            bufsize=1,
        )
        self.running[name] = child
        reader = threading.Thread(target=self._echo, args=(name, child), daemon=True)
        reader.start()
        self._readers.append(reader)
        return child

    def first_exit(self, *, poll: float = 0.5) -> str:
        """Wait until a child stops by itself; its name."""
        while True:
            for name, child in self.running.items():
                if child.poll() is not None:
                    return name
            time.sleep(poll)

    def stop(self) -> None:
        """Stop every child, the last started first (web, beat, then the worker)."""
        for name in reversed(list(self.running)):
            process.stop(self.running.pop(name))
        for reader in self._readers:
            reader.join(timeout=5)
        self._readers.clear()

    def _echo(self, name: str, child: subprocess.Popen[str]) -> None:
        assert child.stdout is not None
        for line in child.stdout:
            with self._lock:
                self.echo(f"{name:>6} | {line.rstrip()}")


def background_start(children: Children, *, env: Mapping[str, str], schedule: Path) -> None:
    """A Celery worker and celery beat, started as production starts them; beat keeps
    when each job last ran in `schedule`, so a demo started again runs what fell due."""
    schedule.parent.mkdir(parents=True, exist_ok=True)
    children.start("worker", celery("worker", "--loglevel=info"), env)
    children.start("beat", celery("beat", "--loglevel=info", "--schedule", str(schedule)), env)


def wait_until_serving(children: Children, url: str, *, timeout: float = 60) -> None:
    """Until `url`/healthz answers; an error if the web process stopped or took too long."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            web = children.running.get("web")
            if web is None or web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The web server did not answer on {url}.") from None
            time.sleep(0.2)
