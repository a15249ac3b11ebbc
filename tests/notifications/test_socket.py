import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from accounts.models import User
from backend.asgi import application
from notifications.models import Notification
from notifications.services import notify
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect_as(user: User | None) -> WebsocketCommunicator:
    """A socket as the browser opens it: through the real ASGI stack, with a session cookie."""
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def session_cookie(user: User) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def unread_for(user: User, count: int) -> None:
    for n in range(count):
        Notification.objects.create(user=user, kind="test", title=f"Old news {n}")


def notify_then_roll_back(user: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[user], kind="test", title="Never happened", body="")
        raise RuntimeError("the work failed")


def notify_and_commit(user: User) -> None:
    with transaction.atomic():
        notify(recipients=[user], kind="hours", title="3 hours confirmed", body="+30 coins")


async def test_a_logged_in_socket_is_greeted_with_the_unread_count(
    channel_layer_kind: str,
) -> None:
    user = await database_sync_to_async(make_user)()
    await database_sync_to_async(unread_for)(user, 2)
    socket = await connect_as(user)
    assert await socket.receive_json_from(timeout=3) == {"type": "hello", "unread": 2}
    await socket.disconnect()


async def test_an_anonymous_socket_is_closed_with_4401(channel_layer_kind: str) -> None:
    socket = await connect_as(None)
    closed = await socket.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_notify_in_a_rolled_back_transaction_sends_and_stores_nothing(
    channel_layer_kind: str,
) -> None:
    user = await database_sync_to_async(make_user)()
    socket = await connect_as(user)
    await socket.receive_json_from(timeout=3)  # hello
    await database_sync_to_async(notify_then_roll_back)(user)
    assert await socket.receive_nothing(timeout=0.5)
    assert await database_sync_to_async(Notification.objects.count)() == 0
    await socket.disconnect()


async def test_notify_that_commits_arrives_at_every_open_page_of_that_person_only(
    channel_layer_kind: str,
) -> None:
    user = await database_sync_to_async(make_user)()
    other = await database_sync_to_async(make_user)("other@example.org")
    phone, laptop, someone_else = (
        await connect_as(user),
        await connect_as(user),
        await connect_as(other),
    )
    for socket in (phone, laptop, someone_else):
        await socket.receive_json_from(timeout=3)  # hello

    await database_sync_to_async(notify_and_commit)(user)

    for socket in (phone, laptop):
        message = await socket.receive_json_from(timeout=3)
        assert message["type"] == "notification"
        assert message["title"] == "3 hours confirmed"
        assert message["body"] == "+30 coins"
        assert message["unread"] == 1
    assert await someone_else.receive_nothing(timeout=0.5)
    for socket in (phone, laptop, someone_else):
        await socket.disconnect()
