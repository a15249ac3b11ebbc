"""Issue 16's live rows, each against the bare engine in the same run:

- P5: the real web process (uvicorn serving backend.asgi as the demo starts it, on the
  scratch database, with Redis pub/sub as the channel layer, as in production) holds
  2,000 logged-in sockets opened from one asyncio client on 127.0.0.1. The bench calls
  notify() for one resident at a time, 50 a second, and times each notification from
  the call to its arrival at the socket. Baseline: 2,000 bare Redis subscriptions sent
  PUBLISHes of the same size at the same rate.
- P5_open: the time to open those 2,000 sockets until each has said hello, against the
  same handshakes with `bare_socket_app` below, served by the same uvicorn command line.
  When they open slower than the budget allows, the figure is the time all 2,000 would
  take at the rate the ones that opened did, and P5 is measured on those.
- P6: the work the workers do for one publish, saved_searches_match for every chunk of
  saved_search_chunks(), with 5,000 residents each holding a matching search. Baseline:
  one INSERT of 5,000 notification rows and 5,000 pipelined PUBLISHes of the same size.

The sockets live in a thread of their own with its own event loop, and the ORM stays in
the main thread; both read time.perf_counter(). Without REDIS_URL the embedded Redis of
`manage.py demo` is started. The residents, their sessions and notifications are left
for the scratch database's drop: nothing that runs after this reads them.

uvicorn imports this module for `bare_socket_app` without setting Django up, so the
models are imported inside the functions that use them."""

import asyncio
import itertools
import json
import math
import os
import random
import resource
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from unittest import mock

import redis
import redis.asyncio
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from bench import harness
from bench.harness import ratio, say
from bench.rows import row

if TYPE_CHECKING:
    from accounts.models import User
    from coins.models import Scheme
    from notifications.models import Notification

SOCKETS = 2_000
RATE = 50  # notify() calls a second
SECONDS = 9  # of them, when the budget allows
FAN_OUT = 5_000
OPENING_AT_ONCE = 100  # handshakes in flight: many, but none left to time out
SUBSCRIBERS = 4  # bare Redis connections sharing the 2,000 channels
ARRIVAL_WAIT_S = 5.0  # after the last send; what has not arrived by then is lost
WARM_UP_S = 1.0  # of sends before each timed run, not counted
OPEN_RESERVE_S = 34  # of the budget, kept from opening sockets for the rest of P5
SETTLE_S = 2.0
P5_TARGET_MS = 50
OPEN_TARGET_S = 10
P6_TARGET_S = 2
DOMAIN = "live.bench.localhost"
SOCKET_PATH = "/ws/notifications/"
POSTCODE = "BK3 2AA"  # in the demo town, whose postcodes the scratch database has
# Filters the published opportunity matches, as residents save them: many people save
# the same few, which the fan-out asks about once per chunk each.
QUERIES = [
    {"q": "garden"},
    {"cause": "environment"},
    {"skill": "gardening"},
    {"q": "garden", "postcode": POSTCODE, "miles": "5"},
    {"cause": "environment", "step_free": "on"},
]
T = TypeVar("T")


def run() -> dict[str, Any]:
    _more_open_files()
    say(f"\nlive: notify() to {SOCKETS:,} sockets, and a saved-search fan-out to {FAN_OUT:,}")
    with _redis() as redis_url:
        say(f"  creating {FAN_OUT:,} residents, each with a saved search …")
        scheme, people = _residents(FAN_OUT)
        _saved_searches(people)
        fan_out = _fan_out_compared(scheme, redis_url)
        say(f"  {SOCKETS:,} of them logged in; starting uvicorn for the product and a bare app")
        live = _live_compared(people[:SOCKETS], redis_url)
    fewer = f" ({live['opened']:,} sockets)" if live["opened"] < SOCKETS else ""
    rows = [
        row(
            "P5",
            live["p99_ms"],
            "ms",
            name=f"notify() to the socket, p99{fewer}",
            baseline=live["bare_p99_ms"],
            ratio=ratio(live["bare_p99_ms"], live["p99_ms"]),
            target=f"p99 <= {P5_TARGET_MS} ms",
            meets=live["p99_ms"] <= P5_TARGET_MS and live["lost"] == 0,
        ),
        row(
            "P5_open",
            live["open_s"],
            "s",
            baseline=live["bare_open_s"],
            ratio=ratio(live["bare_open_s"], live["open_s"]),
            target=f"<= {OPEN_TARGET_S} s",
            meets=live["open_s"] <= OPEN_TARGET_S,
        ),
        row(
            "P6",
            fan_out["seconds"],
            "s",
            baseline=fan_out["bare_seconds"],
            ratio=ratio(fan_out["bare_seconds"], fan_out["seconds"]),
            target=f"<= {P6_TARGET_S} s",
            meets=fan_out["seconds"] <= P6_TARGET_S,
        ),
    ]
    return {"sockets": SOCKETS, "residents": FAN_OUT, **live, "fan_out": fan_out, "rows": rows}


def percentile(values: Sequence[float], share: float) -> float:
    """The value `share` (0.99 for p99) of them are at or under; infinite for none."""
    if not values:
        return math.inf
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def bare_socket_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """P5_open's baseline: a websocket that accepts and says hello, and nothing else."""
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps({"type": "hello"})})
        elif event["type"] == "websocket.disconnect":
            return


def _more_open_files() -> None:
    """2,000 sockets each side, here and in the server (which inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65_536 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@contextmanager
def _redis() -> Iterator[str]:
    """REDIS_URL, or the demo's embedded Redis with this process's channel layer (and the
    servers' environment) pointed at it, as production's settings would be."""
    url = os.environ.get("REDIS_URL", "")
    if url:
        yield url
        return
    from django.test import override_settings

    from backend.embedded import redis as embedded

    url = embedded.start()
    config = {"hosts": [url], "prefix": f"{settings.CACHE_KEY_PREFIX}:asgi"}
    layers = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": config}
    }
    say(f"  no REDIS_URL: on the embedded Redis at {url}")
    try:
        with override_settings(CHANNEL_LAYERS=layers), mock.patch.dict(os.environ, REDIS_URL=url):
            yield url
    finally:
        embedded.stop()


# Residents, their searches and their sessions: written in bulk, as no page would.


def _residents(count: int) -> tuple["Scheme", list["User"]]:
    from accounts.models import User
    from coins.models import Residence, Scheme

    scheme = Scheme.objects.create(name="Livebench", slug="livebench")
    people = [User(email=f"resident{n}@{DOMAIN}") for n in range(count)]
    for person in people:
        person.set_unusable_password()
    User.objects.bulk_create(people, batch_size=1000)
    Residence.objects.bulk_create([Residence(user=p, scheme=scheme) for p in people])
    return scheme, people


def _saved_searches(people: list["User"]) -> None:
    from marketplace.board.models import SavedSearch

    SavedSearch.objects.bulk_create(
        [
            SavedSearch(user=person, query=QUERIES[n % len(QUERIES)], summary="Gardening")
            for n, person in enumerate(people)
        ],
        batch_size=1000,
    )


def _session_keys(people: list["User"]) -> list[str]:
    """A logged-in session for each, as django.contrib.auth.login() would leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    sessions = [
        Session(
            session_key=get_random_string(32, VALID_KEY_CHARS),
            session_data=store.encode(
                {
                    SESSION_KEY: str(person.pk),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: person.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for person in people
    ]
    Session.objects.bulk_create(sessions, batch_size=1000)
    return [session.session_key for session in sessions]


# P6: the saved-search fan-out of one publish.


def _fan_out_compared(scheme: "Scheme", redis_url: str) -> dict[str, Any]:
    """One publish's fan-out, then the bare engine's same rows and messages. (Once: a
    second publish would time the same, after a wait the budget cannot spare.)"""
    say(f"  publishing an opportunity: fan-out to {FAN_OUT:,} saved searches …")
    seconds = _fan_out(_published(scheme))
    client = redis.Redis.from_url(redis_url)
    try:
        bare_seconds = _bare_fan_out(client)
    finally:
        client.close()
    say(f"  P6 fan-out {seconds:.2f} s; bare INSERT and PUBLISHes {bare_seconds:.2f} s")
    return {"seconds": seconds, "bare_seconds": bare_seconds}


def _published(scheme: "Scheme") -> int:
    """A newly published opportunity that every saved search in QUERIES matches."""
    from django.utils import timezone

    from marketplace.board.models import Cause, CommunityGroup, Opportunity, Shift, Skill
    from marketplace.organisations import Status
    from places.selectors import postcode_point

    group = CommunityGroup.objects.create(
        scheme=scheme, name="Livebench Garden", slug="livebench-garden", status=Status.VERIFIED
    )
    latitude, longitude = postcode_point(POSTCODE) or (None, None)
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        scheme=scheme,
        group=group,
        status=Opportunity.State.PUBLISHED,
        published_at=now,
        title="Community garden day",
        description="Weeding, planting and watering, with tea after.",
        causes=[Cause.ENVIRONMENT],
        skills=[Skill.GARDENING],
        latitude=latitude,
        longitude=longitude,
        step_free=True,
    )
    start = now + timedelta(days=3)
    Shift.objects.create(
        opportunity=opportunity, start=start, end=start + timedelta(hours=3), capacity=10
    )
    return opportunity.pk


def _fan_out(opportunity_id: int) -> float:
    """Seconds for the fan-out tasks' work, one chunk after another as one worker would:
    a worker that has run before, so with its URLs loaded (the first reverse() imports
    every URLconf, over a second here, once in a process's life)."""
    from django.urls import get_resolver

    from marketplace.board.services.searches import saved_search_chunks, saved_searches_match

    get_resolver().url_patterns  # noqa: B018 - loads them
    started = time.perf_counter()
    told = sum(
        saved_searches_match(opportunity_id=opportunity_id, search_ids=chunk)
        for chunk in saved_search_chunks()
    )
    took = time.perf_counter() - started
    if told != FAN_OUT:
        raise RuntimeError(f"the fan-out told {told:,} of {FAN_OUT:,} residents")
    return took


def _bare_fan_out(client: redis.Redis) -> float:
    """Seconds for the same rows and messages on the bare engine: one INSERT of rows
    copied from the fan-out's own, and their PUBLISHes, of the same size, pipelined."""
    from django.db import connection, transaction

    from notifications.live import PUBLISH_BATCH, user_group
    from notifications.models import Notification

    sample = _latest("saved_search_match")
    like = Notification.objects.filter(kind=sample.kind).order_by("-pk")
    user_ids = list(like.values_list("user_id", flat=True)[:FAN_OUT])
    payload = b"x" * _event_size(sample)
    prefix = _channel_prefix()
    table = connection.ops.quote_name(Notification._meta.db_table)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, kind, title, body, url, created, in_page) "
            "SELECT unnest(%s::bigint[]), %s, %s, %s, %s, now(), true RETURNING id",
            [user_ids, sample.kind, sample.title, sample.body, sample.url],
        )
        ids = [found[0] for found in cursor.fetchall()]
    for first in range(0, len(user_ids), PUBLISH_BATCH):
        pipe = client.pipeline(transaction=False)
        for user_id in user_ids[first : first + PUBLISH_BATCH]:
            pipe.publish(f"{prefix}__group__{user_group(user_id)}", payload)
        pipe.execute()
    took = time.perf_counter() - started
    Notification.objects.filter(pk__in=ids).delete()  # so that only the fan-out's rows stay
    return took


def _latest(kind: str) -> "Notification":
    from notifications.models import Notification

    return Notification.objects.filter(kind=kind).order_by("-pk")[:1].get()


def _event_size(notification: "Notification") -> int:
    """The bytes the channel layer publishes for this notification."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert layer is not None
    message = notification.as_message() | {"unread": 1}
    return len(layer.serialize({"type": "notification.new", "message": message}))


def _channel_prefix() -> str:
    config: dict[str, Any] = settings.CHANNEL_LAYERS["default"].get("CONFIG") or {}  # type: ignore[assignment]
    return str(config.get("prefix", "asgi"))


# P5 and P5_open: the sockets.


def _live_compared(people: list["User"], redis_url: str) -> dict[str, Any]:
    cookies = _session_keys(people)
    client = _Client()
    try:
        with (
            harness.served("backend.asgi:application", redis_url=redis_url) as ours,
            harness.served("bench.live:bare_socket_app", redis_url=redis_url) as bare,
        ):
            figures = _opening_compared(client, ours, bare, cookies)
            recipients = [people[n] for n in figures.pop("greeted")]
            seconds = max(3.0, min(SECONDS, (harness.remaining() - 16) / 2))
            say(f"  notify() to one of them at {RATE}/s for {seconds:.0f} s …")
            _at_rate(client, _notify_one(recipients), WARM_UP_S)
            latencies, lost = _at_rate(client, _notify_one(recipients), seconds)
            client.do(client.close(), 60)
        size = _event_size(_latest("signup_confirmed"))
        say(f"  bare Redis pub/sub, {len(recipients):,} channels at {RATE}/s for {seconds:.0f} s …")
        client.do(client.subscribe(redis_url, _bare_channels(len(recipients))), 60)
        send = _publish_one(redis_url, size, len(recipients))
        _at_rate(client, send, WARM_UP_S)
        bare_latencies, _ = _at_rate(client, send, seconds)
    finally:
        client.stop()
    figures |= {
        "p99_ms": percentile(latencies, 0.99),
        "median_ms": percentile(latencies, 0.5),
        "bare_p99_ms": percentile(bare_latencies, 0.99),
        "bare_median_ms": percentile(bare_latencies, 0.5),
        "sent": len(latencies) + lost,
        "lost": lost,
        "seconds": round(seconds, 1),
    }
    say(
        f"  P5 notify() to the socket p99 {figures['p99_ms']:.1f} ms "
        f"(median {figures['median_ms']:.1f}, {lost} lost); bare pub/sub p99 "
        f"{figures['bare_p99_ms']:.1f} ms (median {figures['bare_median_ms']:.1f})"
    )
    return figures


def _opening_compared(
    client: "_Client", ours: int, bare: int, cookies: list[str]
) -> dict[str, Any]:
    """P5_open: the seconds to open a socket per session to the product, and to the bare
    app. The product's are given what the budget can spare; opening slower than that,
    its figure is the time all would take at the rate it opened the ones it did."""
    say(f"  opening {len(cookies):,} sockets to the bare app …")
    bare_s, _ = client.do(client.connect(bare, cookies, within=60), 90)
    client.do(client.close(), 60)
    within = max(10.0, harness.remaining() - OPEN_RESERVE_S)
    say(f"  opening {len(cookies):,} sockets to the product (for up to {within:.0f} s) …")
    took, greeted = client.do(client.connect(ours, cookies, within=within), within + 30)
    if not greeted:
        raise RuntimeError(f"no socket to the product said hello within {within:.0f} s")
    opened_s = took * len(cookies) / len(greeted)
    if len(greeted) < len(cookies):
        say(
            f"  only {len(greeted):,} opened in {took:.0f} s: all {len(cookies):,} would take "
            f"{opened_s:.0f} s; the rest of the run uses those {len(greeted):,}"
        )
        time.sleep(SETTLE_S)  # for the server to finish the handshakes left
    say(f"  opened in {opened_s:.1f} s (bare app {bare_s:.1f} s)")
    return {"open_s": opened_s, "bare_open_s": bare_s, "opened": len(greeted), "greeted": greeted}


def _notify_one(people: list["User"]) -> Callable[[int], int]:
    from django.db import transaction

    from notifications.services import notify

    rng = random.Random(16)  # noqa: S311 - who gets it, not a secret

    def send(n: int) -> int:
        with transaction.atomic():  # its socket send runs on commit, as in any view
            (stored,) = notify(
                recipients=[rng.choice(people)],
                kind="signup_confirmed",
                title="You have a place on Saturday's litter pick",
                body="See you at the library at ten.",
                url="/board/",
            )
        return stored.pk

    return send


def _bare_channels(count: int) -> list[str]:
    return [f"bench-live-{os.getpid()}:{n}" for n in range(count)]


def _publish_one(redis_url: str, size: int, count: int) -> Callable[[int], int]:
    """A PUBLISH of `size` bytes (its id in it) to one of the bare channels at random."""
    client = redis.Redis.from_url(redis_url)
    channels = _bare_channels(count)
    rng = random.Random(16)  # noqa: S311
    ids = itertools.count(1)

    def send(n: int) -> int:
        pk = next(ids)  # unique across runs, like a notification's
        head = json.dumps({"id": pk, "pad": ""})
        body = head.replace('""', '"' + "x" * max(0, size - len(head)) + '"')
        client.publish(rng.choice(channels), body)
        return pk

    return send


def _at_rate(
    client: "_Client", send: Callable[[int], int], seconds: float
) -> tuple[list[float], int]:
    """send() RATE times a second for `seconds`, each returning the id the client should
    receive: the latencies in ms of those that arrived, and how many never did."""
    client.arrived = {}
    sent: dict[int, float] = {}
    started = time.perf_counter()
    for n in range(int(seconds * RATE)):
        wait = started + n / RATE - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        at = time.perf_counter()
        sent[send(n)] = at
    deadline = time.perf_counter() + ARRIVAL_WAIT_S
    while time.perf_counter() < deadline and not all(pk in client.arrived for pk in sent):
        time.sleep(0.05)
    arrived = dict(client.arrived)
    latencies = [(arrived[pk] - at) * 1000 for pk, at in sent.items() if pk in arrived]
    return latencies, len(sent) - len(latencies)


class _Client:
    """One asyncio client in a thread of its own: the websockets, or the bare Redis
    subscriptions, and when each notification arrived, by its id."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.arrived: dict[int, float] = {}
        self.sockets: list[ClientConnection] = []
        self.subscribed: list[tuple[redis.asyncio.Redis, Any]] = []
        self.readers: list[asyncio.Task[None]] = []

    def do(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run `work` on the client's loop, from the main thread, and wait for it."""
        future = asyncio.run_coroutine_threadsafe(work, self.loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()  # not left running against a server that is going away
            raise

    def stop(self) -> None:
        with suppress(Exception):  # stopping whatever was left, on the way out
            self.do(self.close(), 60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def connect(
        self, port: int, session_keys: list[str], *, within: float
    ) -> tuple[float, list[int]]:
        """Open a socket per session, as a page does (hello, then resume), for up to
        `within` seconds: the seconds taken, and the indexes of the sessions whose
        socket said hello (every one, unless the time ran out)."""
        url = f"ws://127.0.0.1:{port}{SOCKET_PATH}"
        origin = Origin(f"http://127.0.0.1:{port}")
        at_once = asyncio.Semaphore(OPENING_AT_ONCE)
        greeted: list[int] = []

        async def one(n: int, key: str) -> None:
            async with at_once:
                opened = await connect(
                    url,
                    origin=origin,
                    additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"},
                    open_timeout=None,  # the time limit is `within`, for all of them
                    ping_interval=None,
                    close_timeout=2,
                )
                self.sockets.append(opened)
                hello = json.loads(await opened.recv())
            if hello.get("type") != "hello":
                raise RuntimeError(f"the socket said {hello} rather than hello")
            greeted.append(n)
            if len(greeted) % 500 == 0 and len(greeted) < len(session_keys):
                took = time.perf_counter() - started
                say(f"  opening {len(session_keys):,} sockets: {len(greeted):,} in {took:.0f} s …")
            await opened.send(json.dumps({"type": "resume", "after": 0}))  # as live.js does
            self.readers.append(asyncio.create_task(self._read(opened)))

        started = time.perf_counter()
        tasks = [asyncio.create_task(one(n, key)) for n, key in enumerate(session_keys)]
        done, left = await asyncio.wait(tasks, timeout=within, return_when="FIRST_EXCEPTION")
        took = time.perf_counter() - started
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)
        for task in done:
            task.result()  # a socket refused is an error, not a slow figure
        return took, sorted(greeted)

    async def subscribe(self, url: str, channels: list[str]) -> None:
        """SUBSCRIBERS connections, each subscribed to its share of the channels."""
        for n in range(SUBSCRIBERS):
            share = channels[n::SUBSCRIBERS]
            connection = redis.asyncio.Redis.from_url(url)
            pubsub = connection.pubsub()
            self.subscribed.append((connection, pubsub))
            await pubsub.subscribe(*share)
            confirmed = 0
            while confirmed < len(share):  # Redis has them all before any PUBLISH is sent
                said = await pubsub.get_message(timeout=10)
                if said is None:
                    raise RuntimeError("Redis did not confirm the bare subscriptions")
                confirmed += said["type"] == "subscribe"
            self.readers.append(asyncio.create_task(self._listen(pubsub)))

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)
        for connection, pubsub in self.subscribed:
            await pubsub.aclose()
            await connection.aclose()
        self.sockets, self.subscribed, self.readers = [], [], []

    async def _read(self, opened: ClientConnection) -> None:
        with suppress(ConnectionClosed):
            async for text in opened:
                now = time.perf_counter()
                message = json.loads(text)
                if message.get("type") == "notification":
                    self.arrived.setdefault(message["id"], now)

    async def _listen(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message["type"] == "message":
                now = time.perf_counter()
                self.arrived.setdefault(json.loads(message["data"])["id"], now)
