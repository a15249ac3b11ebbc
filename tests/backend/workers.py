"""Real Celery workers for tests, started as production starts them, and a real SMTP
server on 127.0.0.1 (the mail server is a boundary we do not own)."""

import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.db import connection

from backend.celery import app
from backend.demo_services import database_url

ROOT = Path(__file__).resolve().parents[2]
CELERY_WORKER = [sys.executable, "-m", "celery", "-A", "backend", "worker", "--loglevel=warning"]


def worker_start(redis_url: str, *extra: str, **env: str) -> subprocess.Popen[str]:
    """`celery worker` in a process group of its own (so that all of it can be killed at
    once, as a container is), on the Redis broker and the tests' database."""
    params = {k: v for k, v in connection.get_connection_params().items() if k != "options"}
    env = {"DATABASE_URL": database_url(params), **env}
    return subprocess.Popen(
        [*CELERY_WORKER, "--without-heartbeat", "--without-gossip", "--without-mingle", *extra],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def worker_stop(process: subprocess.Popen[str], *, kill: bool = False) -> str:
    """Stop a worker (SIGKILL to its whole group if `kill`) and return what it printed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


@contextmanager
def broker(url: str, *, eager: bool = False) -> Iterator[None]:
    """Point the Celery app at another broker (its connection pool too), then back."""
    names = ("task_always_eager", "broker_url", "broker_connection_timeout")
    was = {name: app.conf[name] for name in names}

    def fresh_pool() -> None:  # the next publish opens a pool for the broker now set
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    fresh_pool()
    app.conf.update(task_always_eager=eager, broker_url=url, broker_connection_timeout=1)
    try:
        yield
    finally:
        fresh_pool()
        app.conf.update(was)


class SmtpServer(socketserver.ThreadingTCPServer):
    """Enough of SMTP for smtplib. A message counts as delivered once the server has
    answered 250 to its data; while `stall` is set the server holds that answer back,
    as a slow mail server does, and says so in `stalled`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.delivered: list[bytes] = []
        self.stall = threading.Event()
        self.stalled = threading.Event()
        self.released = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class PushServer(ThreadingHTTPServer):
    """A browser's push service: takes each push (201) and keeps what arrived."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _PushRequest)
        self.received: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/send/phone"


class _PushRequest(BaseHTTPRequestHandler):
    server: PushServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append(self.path)
        self.send_response(201)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def wait_for(condition: Callable[[], object], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


class _SmtpSession(socketserver.StreamRequestHandler):
    server: SmtpServer

    def handle(self) -> None:
        self._say("220 127.0.0.1 ready")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self._say("354 go on")
                if not self._take_message():
                    return
            elif verb == b"QUIT":
                self._say("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self._say("250 ok")

    def _take_message(self) -> bool:
        message = b""
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            message += line
        if not line:
            return False
        if self.server.stall.is_set():
            self.server.stalled.set()
            self.server.released.wait(60)
            return False  # the sender is gone: nothing was delivered
        self.server.delivered.append(message)
        self._say("250 delivered")
        return True

    def _say(self, text: str) -> None:
        with suppress(OSError):  # the sender may be gone
            self.wfile.write(text.encode() + b"\r\n")
