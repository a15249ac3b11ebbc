"""Celery tasks that send stored notifications by e-mail and web push. Rows another run
is sending make the task try again once that run's claim lapses (WaitsForHeldWork)."""

from celery import shared_task

from notifications.mail import notifications_email_send
from notifications.push import PushDeferred, notifications_webpush_send
from outbox.services import WaitsForHeldWork


@shared_task(base=WaitsForHeldWork, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_email(notification_ids: list[int], subject: str = "", reply_to: str = "") -> int:
    return notifications_email_send(
        notification_ids=notification_ids, subject=subject, reply_to=reply_to
    )


@shared_task(
    base=WaitsForHeldWork, autoretry_for=(PushDeferred,), retry_backoff=True, max_retries=5
)
def notifications_webpush(notification_ids: list[int]) -> int:
    return notifications_webpush_send(notification_ids=notification_ids)
