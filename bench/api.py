"""The board search API through uvicorn, 16 clients at once, against the bare engine:
a django-ninja "hello" (bench/hello.py) served by the same uvicorn command line, with
the same environment, on the same machine, in the same run.

Both servers are started as the demo starts the web process
(backend.demo_services.web and .environment: its workers, its logging, its database
pool), with DEBUG off, on a board of 10,000 published opportunities (bench/board_data)
that is taken away afterwards. The client is asyncio on 127.0.0.1: 16 connections kept
alive, each sending its next request when the last one is answered, for a fixed time."""

import asyncio
import json
import math
import os
import sys
import time
import urllib.request
from statistics import median
from typing import Any
from urllib.parse import urlencode

from django.db import connection

from accounts.models import User
from backend import demo_services
from bench import board_data, harness
from bench.harness import ratio, say
from bench.rows import row
from coins.models import Scheme

OPPORTUNITIES = 10_000
CLIENTS = 16
ROUNDS = 2
TARGET = 0.5
SEARCH = "/api/v1/opportunities?" + urlencode(
    {"q": "garden", "cause": "environment", "postcode": "BK3 2AA", "miles": "5"}
)
HELLO = "/api/hello"


def run() -> dict[str, Any]:
    started = time.perf_counter()
    say(f"\napi: writing {OPPORTUNITIES:,} published opportunities …")
    try:
        board_data.generate(OPPORTUNITIES)
        say(
            f"  written in {time.perf_counter() - started:.0f} s; "
            "starting uvicorn for the product and for hello"
        )
        redis_url = os.environ.get("REDIS_URL", "")
        with (
            harness.served("backend.asgi:application", redis_url=redis_url) as ours,
            harness.served("bench.hello:application", redis_url=redis_url) as bare,
        ):
            found = _get(ours, SEARCH)
            _get(bare, HELLO)
            say(f"  GET {SEARCH}: {found} found; {CLIENTS} clients, {ROUNDS} rounds, turn about")
            seconds = max(2.0, min(6.0, (harness.remaining() - 15) / (2 * ROUNDS + 1)))
            asyncio.run(_load(ours, SEARCH, 1.0))  # warm both: pools, caches, code
            asyncio.run(_load(bare, HELLO, 1.0))
            figures: dict[str, list[dict[str, float]]] = {"ours": [], "hello": []}
            for _ in range(ROUNDS):
                figures["ours"].append(asyncio.run(_load(ours, SEARCH, seconds)))
                figures["hello"].append(asyncio.run(_load(bare, HELLO, seconds)))
    finally:
        _board_removed()
    ours_rps = median(f["rps"] for f in figures["ours"])
    hello_rps = median(f["rps"] for f in figures["hello"])
    ours_p95 = median(f["p95_ms"] for f in figures["ours"])
    hello_p95 = median(f["p95_ms"] for f in figures["hello"])
    times = ratio(ours_rps, hello_rps)
    say(f"  board search {ours_rps:7.0f} requests/s, p95 {ours_p95:5.0f} ms")
    say(f"  ninja hello  {hello_rps:7.0f} requests/s, p95 {hello_p95:5.0f} ms")
    say(f"  P1 search/hello {times:.2f} (target >= {TARGET})")
    return {
        "opportunities": OPPORTUNITIES,
        "clients": CLIENTS,
        "seconds_each": round(seconds, 1),
        "found": found,
        "search": figures["ours"],
        "hello": figures["hello"],
        "server": demo_services.web(host="127.0.0.1", port=0),
        "rows": [
            row(
                "P1",
                ours_rps,
                "req/s",
                baseline=hello_rps,
                ratio=times,
                target=f"ratio >= {TARGET}",
                meets=times >= TARGET,
            )
        ],
    }


def _get(port: int, path: str) -> int:
    """One request that must work; the number of opportunities found, if it says."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
        assert answer.status == 200, path
        body = answer.read()
    return int(json.loads(body).get("count", 0))


async def _load(port: int, path: str, seconds: float) -> dict[str, float]:
    """CLIENTS connections kept alive, each asking again as soon as it is answered, for
    `seconds`: requests answered per second, and the median and p95 of their times."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    times: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                writer.write(request)
                status, length, close = await _answer(reader)
                times.append(time.perf_counter() - sent)
                errors += status != 200
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    del length
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(client() for _ in range(CLIENTS))), seconds + 60)
    took = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{errors} of {len(times)} requests to {path} were not 200")
    times.sort()
    return {
        "requests": len(times),
        "rps": round(len(times) / took, 1),
        "median_ms": round(median(times) * 1000, 1),
        "p95_ms": round(times[math.ceil(0.95 * len(times)) - 1] * 1000, 1),
    }


async def _answer(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Read one HTTP/1.1 answer: its status, its length, and whether the server closes."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    if headers.get("transfer-encoding") == "chunked":
        length = 0
        while size := int((await reader.readline()).strip(), 16):
            await reader.readexactly(size + 2)
            length += size
        await reader.readline()
    else:
        length = int(headers.get("content-length", 0))
        await reader.readexactly(length)
    return status, length, headers.get("connection") == "close"


def _board_removed() -> None:
    """Take the board away again, so the search benchmark writes its own on a clean
    table (board_data names its town and volunteers the same every time)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE marketplace_signup, marketplace_shift, marketplace_opportunity, "
            "marketplace_communitygroup CASCADE"
        )
    Scheme.objects.filter(slug="benchford").delete()
    User.objects.filter(email__startswith="volunteer", email__endswith="@bench.localhost").delete()


if __name__ == "__main__":
    sys.exit("python -m bench api")
