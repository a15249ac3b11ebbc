"""Stored notifications, each person's choices per kind, and their phones for web push."""

from typing import Any

from django.conf import settings
from django.db import models

from notifications.kinds import Channels


class Notification(models.Model):
    """One message to one person, kept so that nothing is missed while offline.

    A row the person chose not to see in the page (in_page False) is kept as the
    record of what was emailed or pushed; it is stored already read, so that no
    unread count anywhere can include it (a constraint says so)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=140)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    in_page = models.BooleanField(default=True)
    # Sent on each channel at; and claimed by a sending run at (a claim lapses after
    # DELIVERY_LEASE_SECONDS, so a worker killed mid-send loses nothing).
    emailed_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    push_claimed_at = models.DateTimeField(null=True, blank=True)

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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(in_page=True) | models.Q(read_at__isnull=False),
                name="notification_hidden_is_read",
            ),
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


class NotificationPreference(models.Model):
    """How one person wants one kind of notification; no row means the kind's defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=40)
    in_page = models.BooleanField()
    email = models.BooleanField()
    push = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id}"

    @property
    def channels(self) -> Channels:
        return Channels(in_page=self.in_page, email=self.email, push=self.push)


class PushSubscription(models.Model):
    """One browser on one device that agreed to receive web push for a person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"push subscription {self.pk} for user {self.user_id}"

    def as_info(self) -> dict[str, Any]:
        """What pywebpush needs: the shape of the browser's PushSubscription.toJSON()."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
