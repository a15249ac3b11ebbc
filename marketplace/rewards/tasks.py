"""The rewards' Celery tasks: thin, ids in, one service each."""

from celery import shared_task

from marketplace.rewards.services.shops import offer_photo_thumbnails_make


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def offer_photo_thumbnails(offer_id: int) -> None:
    offer_photo_thumbnails_make(offer_id=offer_id)
