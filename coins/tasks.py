"""Celery tasks of the ledger: thin, ids in, one service each."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import User
from coins.models import Scheme
from outbox.services import WaitsForHeldWork


@shared_task
def settlement_monthly() -> dict[str, int]:
    """Monthly (celery beat): settle retailers of every scheme that gives coins a value."""
    from coins.settlement import settlement_run

    totals = {"settled": 0, "payouts": 0, "owed_pence": 0}
    for scheme in Scheme.objects.filter(coin_value_pence__isnull=False).order_by("pk"):
        run = settlement_run(scheme=scheme, today=timezone.localdate())
        totals["settled"] += len(run.settled)
        totals["payouts"] += len(run.payouts)
        totals["owed_pence"] += run.owed_pence
    return totals


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def payout_send_task(payout_id: int) -> str:
    """Ask the payout provider to pay one request (after the request is committed)."""
    from coins.payouts import payout_send

    return payout_send(payout_id=payout_id).status


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def stripe_event_process_task(event_id: str) -> str:
    """Apply one stored Stripe webhook event (sponsorship paid, failed or refunded)."""
    from coins.funding import stripe_event_process

    return stripe_event_process(event_id=event_id)


@shared_task
def sponsorships_expire_task() -> dict[str, int]:
    """Hourly (celery beat): cancel sponsorship payments left unfinished for a day."""
    from coins.funding import sponsorships_expire

    return sponsorships_expire()


@shared_task
def coins_expiry() -> dict[str, int]:
    """Daily (celery beat): warn, then expire coins of wallets quiet for too long."""
    from coins.expiry import coins_expiry_run

    return coins_expiry_run()


@shared_task(base=WaitsForHeldWork, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def scheme_admin_invite_email(invite_id: int) -> int:
    """The e-mail asking someone to run a new town (after the town is committed)."""
    from coins.platform import scheme_admin_invite_send

    return scheme_admin_invite_send(invite_id=invite_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def pending_gifts_claim_task(user_id: int, email: str) -> int:
    """Someone confirmed an address: the gifts held for it become theirs (each once)."""
    from coins.gifts import pending_gifts_claim

    user = User.objects.filter(pk=user_id, is_active=True).first()
    return len(pending_gifts_claim(user=user, email=email)) if user else 0
