"""Celery tasks that send stored notifications by e-mail and web push."""

from celery import shared_task

from notifications.mail import notifications_email_send
from notifications.push import PushDeferred, notifications_webpush_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_email(notification_ids: list[int], subject: str = "", reply_to: str = "") -> int:
    return notifications_email_send(
        notification_ids=notification_ids, subject=subject, reply_to=reply_to
    )


@shared_task(autoretry_for=(PushDeferred,), retry_backoff=True, max_retries=5)
def notifications_webpush(notification_ids: list[int]) -> int:
    return notifications_webpush_send(notification_ids=notification_ids)
