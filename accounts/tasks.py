"""The accounts' Celery tasks: thin, ids in, one send each."""

from celery import shared_task

from accounts.mail import guardian_consent_answer_send, guardian_consent_request_send
from outbox.services import WaitsForHeldWork


@shared_task(base=WaitsForHeldWork, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def guardian_consent_email(consent_id: int) -> int:
    return guardian_consent_request_send(consent_id=consent_id)


@shared_task(base=WaitsForHeldWork, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def guardian_consent_answer_email(consent_id: int) -> int:
    return guardian_consent_answer_send(consent_id=consent_id)
