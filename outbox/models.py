"""A Celery task waiting to be handed to the broker, and the keys of work done once."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One task call, written in the transaction of the change that asked for it, so it
    exists exactly when the change does. `sent_at` is set once the broker has it (or, in
    eager mode, once it ran); a row left unsent is sent again by the relay."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created"], condition=Q(sent_at__isnull=True), name="outbox_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({'sent' if self.sent_at else 'unsent'})"


class DoneOnce(models.Model):
    """A piece of outside work (an e-mail) claimed under this key, then marked done: a task
    run twice (the relay resending) finds it done and does it no second time; a claim
    left by a worker killed mid-task lapses after a lease, and the next run does it."""

    key = models.CharField(max_length=200, unique=True)
    created = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
