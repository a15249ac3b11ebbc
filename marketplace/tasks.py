from celery import shared_task

from marketplace.services import photo_thumbnails_make, shift_message_email_send
from marketplace.services.wallets import coins_expiry_run


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def photo_thumbnails(opportunity_id: int) -> None:
    photo_thumbnails_make(opportunity_id=opportunity_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def shift_message_email(message_id: int) -> None:
    shift_message_email_send(message_id=message_id)


@shared_task
def coins_expiry() -> dict[str, int]:
    """Daily (celery beat): warn, then expire coins of wallets quiet for too long."""
    return coins_expiry_run()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def offer_photo_thumbnails(offer_id: int) -> None:
    from marketplace.services.shops import offer_photo_thumbnails_make

    offer_photo_thumbnails_make(offer_id=offer_id)
