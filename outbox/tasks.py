"""The outbox's Celery task: thin, the work is outbox.services.outbox_relay."""

from celery import shared_task

from outbox.services import outbox_relay as relay


@shared_task
def outbox_relay() -> int:
    """Every minute (celery beat): hand on the tasks the broker could not take at commit."""
    return relay()
