import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from backend.asgi import application
from notifications import consumers
from notifications.live import live_refresh
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
    connected, _ = await communicator.connect(timeout=5)  # a busy CI machine is slow to start
    assert connected
    return communicator


async def open_page(user: User, *, after: int = 0) -> WebsocketCommunicator:
    """A socket as live.js opens it: greeted, then says which notification it saw last."""
    socket = await connect_as(user)
    assert (await socket.receive_json_from(timeout=3))["type"] == "hello"
    await socket.send_json_to({"type": "resume", "after": after})
    return socket


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


def notify_and_commit(user: User, title: str = "3 hours confirmed") -> int:
    with transaction.atomic():
        (row,) = notify(recipients=[user], kind="hours", title=title, body="+30 coins")
    return row.pk


def refresh_and_commit(user: User, fragments: list[str]) -> None:
    with transaction.atomic():
        live_refresh(user_ids=[user.pk], fragments=fragments)


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
        await open_page(user),
        await open_page(user),
        await open_page(other),
    )

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


async def nothing_more(socket: WebsocketCommunicator) -> None:
    if not await socket.receive_nothing(timeout=0.5):
        raise AssertionError(f"unexpected: {await socket.receive_output(timeout=1)}")


async def titles_of(socket: WebsocketCommunicator, count: int) -> list[str]:
    messages = [await socket.receive_json_from(timeout=3) for _ in range(count)]
    assert {message["type"] for message in messages} == {"notification"}
    return [message["title"] for message in messages]


async def test_a_socket_dropped_while_3_notifications_are_sent_gets_all_3_once_each_on_reconnect(
    channel_layer_kind: str,
) -> None:
    user = await database_sync_to_async(make_user)()
    phone = await open_page(user)
    seen = await database_sync_to_async(notify_and_commit)(user, "Seen before the drop")
    assert await titles_of(phone, 1) == ["Seen before the drop"]
    await phone.disconnect()  # the train goes into a tunnel

    for n in (1, 2, 3):
        await database_sync_to_async(notify_and_commit)(user, f"Missed {n}")
    phone = await connect_as(user)
    assert await phone.receive_json_from(timeout=3) == {"type": "hello", "unread": 4}
    # One more lands after the socket has joined but before the page says what it saw: it is
    # both missed (in the database) and live (on the channel layer), and still shown once.
    await database_sync_to_async(notify_and_commit)(user, "Both missed and live")
    await phone.send_json_to({"type": "resume", "after": seen})

    assert await titles_of(phone, 4) == ["Missed 1", "Missed 2", "Missed 3", "Both missed and live"]
    await nothing_more(phone)
    await database_sync_to_async(notify_and_commit)(user, "Live again")
    assert await titles_of(phone, 1) == ["Live again"]
    await phone.disconnect()


async def test_a_page_opened_after_a_notification_does_not_get_it_again(
    channel_layer_kind: str,
) -> None:
    user = await database_sync_to_async(make_user)()
    newest = await database_sync_to_async(notify_and_commit)(user, "Already on the page")
    page = await open_page(user, after=newest)
    assert await page.receive_nothing(timeout=0.5)
    await page.disconnect()


async def test_resume_sends_only_the_newest_in_page_notifications_with_the_unread_count(
    channel_layer_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "RESUME_MOST", 3)
    user = await database_sync_to_async(make_user)()
    await database_sync_to_async(unread_for)(user, 5)
    await database_sync_to_async(Notification.objects.create)(
        user=user, kind="test", title="Emailed only", in_page=False, read_at=timezone.now()
    )
    page = await open_page(user, after=0)
    messages = [await page.receive_json_from(timeout=3) for _ in range(3)]
    assert [m["title"] for m in messages] == ["Old news 2", "Old news 3", "Old news 4"]
    assert {m["unread"] for m in messages} == {5}
    assert await page.receive_nothing(timeout=0.5)
    await page.disconnect()


async def test_a_page_that_never_resumes_still_gets_live_notifications(
    channel_layer_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "RESUME_WAIT_S", 0.2)
    user = await database_sync_to_async(make_user)()
    old_page = await connect_as(user)  # a script from before resume existed
    await old_page.receive_json_from(timeout=3)  # hello
    await database_sync_to_async(notify_and_commit)(user)
    assert await titles_of(old_page, 1) == ["3 hours confirmed"]
    await old_page.disconnect()


async def test_a_ping_gets_a_pong_and_nonsense_is_ignored(channel_layer_kind: str) -> None:
    user = await database_sync_to_async(make_user)()
    page = await open_page(user)
    await page.send_to(text_data="not json")
    await page.send_json_to({"type": "shout"})
    await page.send_json_to({"type": "ping"})
    assert await page.receive_json_from(timeout=3) == {"type": "pong"}
    await page.disconnect()


async def test_live_refresh_reaches_that_persons_open_pages_after_commit(
    channel_layer_kind: str,
) -> None:
    user = await database_sync_to_async(make_user)()
    other = await database_sync_to_async(make_user)("other@example.org")
    page, someone_else = await open_page(user), await open_page(other)
    await database_sync_to_async(refresh_and_commit)(user, ["wallet", "redemption"])
    assert await page.receive_json_from(timeout=3) == {
        "type": "refresh",
        "fragments": ["wallet", "redemption"],
    }
    assert await someone_else.receive_nothing(timeout=0.5)
    for socket in (page, someone_else):
        await socket.disconnect()
