from celery import shared_task

from marketplace.services import photo_thumbnails_make


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def photo_thumbnails(opportunity_id: int) -> None:
    photo_thumbnails_make(opportunity_id=opportunity_id)
