"""The notification socket: one per open page, resuming from the last id it saw. Never
writes anything but what a page marks read."""

import asyncio
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.live import user_group
from notifications.models import Notification
from notifications.socket_auth import unread_count

# Like HTTP 401: the page should send the person to log in, not retry.
CLOSE_UNAUTHENTICATED = 4401
# A page back after a long sleep gets its newest notifications, not a flood; the rest
# are in the notifications list.
RESUME_MOST = 50
# Live notifications wait for the page to say what it has seen (its first message,
# sent on open) so that the missed ones go first. A page that never says (a script
# from before resume existed) gets them after this long; one that says later still
# gets what it missed.
RESUME_WAIT_S = 5.0


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """One socket per open page. The page sends {"type": "resume", "after": <id>} on open
    and gets every in-page notification newer than that once, oldest first, then the
    live ones; {"type": "ping"} gets {"type": "pong"}; live_refresh() arrives as
    {"type": "refresh", "fragments": [...]}."""

    group_name: str | None = None
    user_id: int | None = None
    # Live notifications held until the page has resumed; None once it has.
    held: list[dict[str, Any]] | None = None
    # Ids this socket has sent, so that one both missed and live is sent once, and the
    # newest the page said it had already seen.
    sent: set[int]
    seen_up_to: int = 0
    resumed = False
    hold_timer: asyncio.TimerHandle | None = None
    release_task: "asyncio.Future[None] | None" = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first so that the browser sees our close code, not a failed handshake.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.held, self.sent = [], set()
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        # The socket's middleware (SocketAuthStack) counted it with the session and user.
        unread = self.scope.get("unread")
        if not isinstance(unread, int):
            unread = await self.unread_count(user.pk)
        await self.send_json({"type": "hello", "unread": unread})
        self.hold_timer = asyncio.get_running_loop().call_later(RESUME_WAIT_S, self.stop_holding)

    def stop_holding(self) -> None:
        self.release_task = asyncio.ensure_future(self.release_held())

    async def disconnect(self, code: int) -> None:
        if self.hold_timer:
            self.hold_timer.cancel()
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        # Anything but the two messages below is ignored: a confused page keeps its socket.
        try:
            content = json.loads(text_data or "")
        except ValueError:
            return
        if not isinstance(content, dict) or self.user_id is None:
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif content.get("type") == "resume":
            await self.resume(content.get("after"))

    async def resume(self, after: object) -> None:
        if self.resumed:
            return  # once per socket
        self.resumed = True
        if self.hold_timer:
            self.hold_timer.cancel()
        # Without a sensible id there is no telling what the page has seen: send no backlog.
        if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
            assert self.user_id is not None
            # The page has these already. (The pub/sub layer can hand a message that was
            # still on its way to a socket that has just closed to that person's next one.)
            self.seen_up_to = after
            missed, unread = await self.newer_than(self.user_id, after)
            for message in missed:
                await self.send_notification({**message, "unread": unread})
        await self.release_held()

    async def release_held(self) -> None:
        held, self.held = self.held or [], None
        for message in sorted(held, key=lambda message: message.get("id") or 0):
            await self.send_notification(message)

    async def notification_new(self, event: dict[str, Any]) -> None:
        message = event["message"]
        if self.held is not None:
            self.held.append(message)
        else:
            await self.send_notification(message)

    async def live_refresh(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "refresh", "fragments": list(event["fragments"])})

    async def send_notification(self, message: dict[str, Any]) -> None:
        pk = message.get("id")
        if isinstance(pk, int):
            if pk in self.sent or pk <= self.seen_up_to:
                return
            self.sent.add(pk)
        await self.send_json({"type": "notification", **message})

    @database_sync_to_async
    def unread_count(self, user_id: int) -> int:
        return unread_count(user_id)

    @database_sync_to_async
    def newer_than(self, user_id: int, after: int) -> tuple[list[dict[str, Any]], int]:
        """The newest RESUME_MOST in-page notifications after `after`, oldest first, and
        the unread count to show with them."""
        rows = Notification.objects.filter(user_id=user_id, pk__gt=after, in_page=True)
        newest = list(rows.order_by("-pk")[:RESUME_MOST])
        return [row.as_message() for row in reversed(newest)], unread_count(user_id)
