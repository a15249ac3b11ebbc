"""The board's Celery tasks: thin, ids in, one service each."""

from celery import shared_task
from django.db import transaction

from marketplace.board.services import searches
from marketplace.board.services.dbs import dbs_reminders_send
from marketplace.board.services.messages import shift_message_email_send
from marketplace.board.services.opportunities import opportunities_roll, photo_thumbnails_make
from marketplace.board.services.reminders import shift_reminders_send
from outbox.services import outbox_enqueue


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def photo_thumbnails(opportunity_id: int) -> None:
    photo_thumbnails_make(opportunity_id=opportunity_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def shift_message_email(message_id: int) -> None:
    shift_message_email_send(message_id=message_id)


@shared_task
def shift_reminders() -> dict[str, int]:
    """Every 10 minutes (celery beat): reminders a day and two hours before shifts."""
    return shift_reminders_send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def saved_searches_fan_out(opportunity_id: int) -> int:
    """A newly published opportunity: one task per chunk of saved searches, queued
    through the outbox in one transaction, so a broker that fails part-way loses none."""
    chunks = 0
    with transaction.atomic():
        for search_ids in searches.saved_search_chunks():
            outbox_enqueue(saved_searches_match.name, opportunity_id, search_ids)
            chunks += 1
    return chunks


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def saved_searches_match(opportunity_id: int, search_ids: list[int]) -> int:
    return searches.saved_searches_match(opportunity_id=opportunity_id, search_ids=search_ids)


@shared_task
def opportunities_roll_on() -> int:
    """Every minute (celery beat): opportunities whose next shift began show the next."""
    return opportunities_roll()


@shared_task
def dbs_reminders() -> int:
    """Daily (celery beat): DBS checks that stop counting in 60, 30 or 7 days."""
    return dbs_reminders_send()
