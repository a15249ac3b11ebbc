"""The live benchmark's parts that need no server: its p99, its bare socket app, and
that the residents it writes are logged in and matched as the product would have them."""

import math

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from backend.asgi import application
from bench import live
from marketplace.board.services.searches import saved_search_chunks, saved_searches_match


def test_p99_is_the_value_ninety_nine_in_a_hundred_are_at_or_under() -> None:
    assert live.percentile(list(range(100, 0, -1)), 0.99) == 99
    assert live.percentile([7.0], 0.99) == 7.0
    assert live.percentile([1, 2, 3, 4], 0.5) == 2
    assert live.percentile([], 0.99) == math.inf


@pytest.mark.asyncio
async def test_the_bare_socket_app_accepts_and_says_hello() -> None:
    socket = WebsocketCommunicator(live.bare_socket_app, "/ws/notifications/")
    connected, _ = await socket.connect(timeout=5)
    assert connected
    assert await socket.receive_json_from(timeout=3) == {"type": "hello"}
    await socket.disconnect()


@pytest.mark.django_db
def test_every_residents_saved_search_matches_the_published_opportunity() -> None:
    scheme, people = live._residents(12)
    live._saved_searches(people)
    opportunity_id = live._published(scheme)
    told = sum(
        saved_searches_match(opportunity_id=opportunity_id, search_ids=chunk)
        for chunk in saved_search_chunks()
    )
    assert told == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_bench_sessions_open_the_notification_socket() -> None:
    def logged_in() -> str:
        _, people = live._residents(1)
        return live._session_keys(people)[0]

    key = await database_sync_to_async(logged_in)()
    headers = [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"cookie", f"sessionid={key}".encode()),
    ]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    assert (await socket.receive_json_from(timeout=3))["type"] == "hello"
    await socket.disconnect()
