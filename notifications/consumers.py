from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.models import Notification
from notifications.services import user_group

# Like HTTP 401: the page should send the person to log in, not retry.
CLOSE_UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """One socket per open page; receives what notify() sends to its user."""

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first so that the browser sees our close code, not a failed handshake.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "unread": await self.unread_count(user.pk)})

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def notification_new(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "notification", **event["message"]})

    @database_sync_to_async
    def unread_count(self, user_id: int) -> int:
        return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
