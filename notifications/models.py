from typing import Any

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One message to one person, kept so that nothing is missed while offline."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=140)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["user", "-id"], name="notification_user_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id}"

    def as_message(self) -> dict[str, Any]:
        """What the socket sends: nothing the recipient may not see."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "created": self.created.isoformat(),
        }
