"""Sponsorship: GBP paid through Stripe into a scheme's fund or a group's account.

The money is recorded from Stripe's webhook, never from the browser: a payment counts
once Stripe says it succeeded. Stripe may send an event twice, late or out of order, so
each event is stored once by its id, and the credit is keyed on the PaymentIntent, so
that a second event about the same payment moves nothing either.

A payment the sponsor leaves unfinished (the PaymentIntent created, never paid) can be
cancelled by them, and is cancelled after a day: at Stripe first, so that the card can no
longer be charged, then here. A cancelled sponsorship is never credited (a database
constraint says so), whatever Stripe sends afterwards."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins import stripe_gateway
from coins.models import Account, Currency, Scheme, Sponsorship, StripeEvent, Transfer
from coins.services import LedgerError, Leg, account_for, transfer_post, transfer_reverse
from coins.sponsor_selectors import (
    UNFINISHED,
    sponsorship_cancellable,
    sponsorships_unfinished,
)
from coins.tasks import stripe_event_process_task
from coins.templatetags.pounds import pounds
from notifications.services import notify
from outbox.services import outbox_enqueue

log = logging.getLogger(__name__)

MIN_PENCE = 100
MAX_PENCE = 1_000_000
UNFINISHED_FOR = timedelta(hours=24)  # then an unpaid PaymentIntent is cancelled


class SponsorshipUnavailable(LedgerError):
    """Stripe is not configured here, or could not be reached."""


def sponsorship_start(
    *, scheme: Scheme, sponsor: User, account: Account, amount_pence: int
) -> tuple[Sponsorship, str]:
    """Record a pending sponsorship and create its PaymentIntent; returns the client
    secret Stripe.js confirms it with. Nothing is credited until Stripe's webhook says so."""
    if not stripe_gateway.configured():
        raise SponsorshipUnavailable("Sponsorship is not set up here yet.")
    _check_amount(amount_pence)
    _check_account(scheme, account)
    sponsorship = Sponsorship.objects.create(
        scheme=scheme, sponsor=sponsor, account=account, amount_pence=amount_pence
    )
    try:
        intent = stripe_gateway.payment_intent_create(
            amount_pence=amount_pence,
            key=f"sponsorship-{sponsorship.pk}",
            metadata={"sponsorship": str(sponsorship.pk), "scheme": scheme.slug},
        )
    except stripe_gateway.GatewayError as error:
        Sponsorship.objects.filter(pk=sponsorship.pk).update(status=Sponsorship.State.FAILED)
        raise SponsorshipUnavailable(str(error)) from error
    Sponsorship.objects.filter(pk=sponsorship.pk).update(payment_intent_id=intent.id)
    sponsorship.payment_intent_id = intent.id
    return sponsorship, intent.client_secret


def _check_amount(amount_pence: int) -> None:
    if amount_pence < MIN_PENCE:
        raise LedgerError("The smallest sponsorship is £1.")
    if amount_pence > MAX_PENCE:
        raise LedgerError("The largest sponsorship online is £10,000. For more, ask the council.")


def _check_account(scheme: Scheme, account: Account) -> None:
    if (
        account.scheme_id != scheme.pk
        or account.currency != Currency.GBP
        or account.kind not in (Account.Kind.FUND, Account.Kind.GROUP)
    ):
        raise LedgerError("Sponsorship goes to the scheme's fund or to one of its groups.")


def stripe_event_receive(payload: bytes, signature: str) -> StripeEvent | None:
    """Verify and store a webhook event once, and queue its processing after commit.
    Returns the stored event, or None when it was already here. A bad signature raises
    WebhookRefused and stores nothing."""
    event = stripe_gateway.event_verify(payload, signature)
    try:
        with transaction.atomic():
            row, created = StripeEvent.objects.get_or_create(
                event_id=event["id"],
                defaults={"type": str(event.get("type", ""))[:100], "payload": event},
            )
            if row.processed_at is None:
                # Queued again for a repeat that finds it unprocessed (a lost task);
                # processing is idempotent, so two runs do no harm.
                outbox_enqueue(stripe_event_process_task.name, row.event_id)
    except IntegrityError:  # the same event arriving twice at this moment: the other won
        return None
    return row if created else None


def stripe_event_process(*, event_id: str) -> str:
    """Apply one stored event to its sponsorship, once. Returns what became of it."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(event_id=event_id)
        if event.processed_at is not None:
            return event.outcome
        handler = HANDLERS.get(event.type)
        outcome = handler(event.payload["data"]["object"]) if handler else "ignored"
        event.processed_at = timezone.now()
        event.outcome = outcome[:300]
        event.save(update_fields=["processed_at", "outcome"])
    return outcome


def _sponsorship_for(intent_id: str, metadata: dict[str, Any]) -> Sponsorship | None:
    """The sponsorship of a PaymentIntent, locked. The metadata finds it should the
    webhook arrive before the intent's id was saved."""
    if not intent_id:
        return None
    found = Sponsorship.objects.select_for_update().filter(payment_intent_id=intent_id).first()
    if found is None and str(metadata.get("sponsorship", "")).isdigit():
        found = (
            Sponsorship.objects.select_for_update()
            .filter(pk=int(metadata["sponsorship"]), payment_intent_id__isnull=True)
            .first()
        )
        if found is not None:
            found.payment_intent_id = intent_id
            found.save(update_fields=["payment_intent_id"])
    return found


def _on_succeeded(intent: dict[str, Any]) -> str:
    sponsorship = _sponsorship_for(intent["id"], intent.get("metadata") or {})
    if sponsorship is None:
        return "no sponsorship for this payment"
    if sponsorship.status == Sponsorship.State.CANCELLED:
        # Stripe refuses to cancel a paid intent, so this should not happen; if it does,
        # the money is at Stripe but not in the ledger, and the council refunds it there.
        log.error("Stripe says cancelled sponsorship %s was paid", sponsorship.pk)
        return "paid after it was cancelled here: not credited; refund it at Stripe"
    if intent.get("amount") != sponsorship.amount_pence or intent.get("currency") != "gbp":
        log.error("Stripe paid %s for sponsorship %s", intent.get("amount"), sponsorship.pk)
        return "amount or currency differs from the sponsorship: not credited"
    return _credit(sponsorship)


def _credit(sponsorship: Sponsorship, *, receipt: bool = True) -> str:
    """Post the sponsorship's money from Stripe clearing to its account (locked by caller)."""
    if sponsorship.transfer_id is not None:
        return "already credited"
    clearing = account_for(
        scheme=sponsorship.scheme, kind=Account.Kind.CLEARING, currency=Currency.GBP
    )
    sponsorship.transfer = transfer_post(
        scheme=sponsorship.scheme,
        kind=Transfer.Kind.SPONSORSHIP,
        key=f"sponsorship:{sponsorship.payment_intent_id}",
        legs=[
            Leg(clearing, -sponsorship.amount_pence),
            Leg(sponsorship.account, sponsorship.amount_pence),
        ],
        memo=f"Sponsorship {sponsorship.pk}",
    )
    if sponsorship.status != Sponsorship.State.REFUNDED:
        sponsorship.status = Sponsorship.State.PAID
    sponsorship.save(update_fields=["transfer", "status"])
    if receipt and sponsorship.status == Sponsorship.State.PAID:
        _receipt_send(sponsorship)
    return "credited"


def _receipt_send(sponsorship: Sponsorship) -> None:
    """The sponsor's receipt, in the page and always by e-mail, once: only a payment's
    first credit comes here, and notify() sends only if the credit commits."""
    sponsor = User.objects.filter(pk=sponsorship.sponsor_id).first()  # may have been erased
    if sponsor is None:
        return
    amount = pounds(sponsorship.amount_pence)
    body = render_to_string(
        "sponsor/receipt_body.txt",
        {"sponsorship": sponsorship, "pounds": amount, "to": recipient_name(sponsorship.account)},
    )
    notify(
        recipients=[sponsor],
        kind="sponsorship_receipt",
        title=f"Receipt for your sponsorship of {amount}",
        body=body.strip(),
        url=reverse("sponsor:receipt", args=[sponsorship.pk]),
        subject=f"Citizen Coin: receipt for your sponsorship of {amount}",
    )
    sponsorship.receipt_sent_at = timezone.now()
    sponsorship.save(update_fields=["receipt_sent_at"])


def _on_failed(intent: dict[str, Any]) -> str:
    # A failed attempt leaves the intent open for another card: a later success still counts.
    sponsorship = _sponsorship_for(intent["id"], intent.get("metadata") or {})
    if sponsorship is None:
        return "no sponsorship for this payment"
    if sponsorship.status != Sponsorship.State.PENDING:
        return f"already {sponsorship.status}"
    sponsorship.status = Sponsorship.State.FAILED
    sponsorship.save(update_fields=["status"])
    return "failed"


def _on_refunded(charge: dict[str, Any]) -> str:
    """A full refund reverses the credit. A refund that arrives before the success event
    proves the payment was taken: credit it first, then reverse, so both orders end alike."""
    sponsorship = _sponsorship_for(
        str(charge.get("payment_intent") or ""), charge.get("metadata") or {}
    )
    if sponsorship is None:
        return "no sponsorship for this payment"
    if not charge.get("refunded"):
        log.error("Partial refund on sponsorship %s: not applied", sponsorship.pk)
        return "partial refund: not applied to the ledger; reverse it by hand"
    if sponsorship.refund_id is not None:
        return "already refunded"
    if sponsorship.status == Sponsorship.State.CANCELLED:
        return "refund of a cancelled payment: nothing to reverse"
    if sponsorship.transfer_id is None:
        if not charge.get("paid") or charge.get("amount") != sponsorship.amount_pence:
            return "refund of a payment that was never credited: nothing to reverse"
        _credit(sponsorship, receipt=False)  # no thank-you for money that goes back
    assert sponsorship.transfer is not None
    try:
        with transaction.atomic():
            sponsorship.refund = transfer_reverse(
                transfer=sponsorship.transfer, actor=None, reason="Refunded through Stripe"
            )
    except LedgerError as refused:
        # The money was already passed on (settled): the council must make it up by hand.
        log.error("Refund of sponsorship %s not reversed: %s", sponsorship.pk, refused)
        return f"refund not reversed: {refused}"
    sponsorship.status = Sponsorship.State.REFUNDED
    sponsorship.save(update_fields=["refund", "status"])
    return "refunded"


def _on_canceled(intent: dict[str, Any]) -> str:
    sponsorship = _sponsorship_for(intent["id"], intent.get("metadata") or {})
    if sponsorship is None:
        return "no sponsorship for this payment"
    return _cancelled_here(sponsorship)


def _cancelled_here(sponsorship: Sponsorship) -> str:
    """Mark a locked sponsorship cancelled, once Stripe has cancelled its intent."""
    if sponsorship.status == Sponsorship.State.CANCELLED:
        return "already cancelled"
    if sponsorship.status not in UNFINISHED or sponsorship.transfer_id is not None:
        log.error(
            "Stripe cancelled sponsorship %s, which is %s", sponsorship.pk, sponsorship.status
        )
        return f"already {sponsorship.status}: not cancelled"
    sponsorship.status = Sponsorship.State.CANCELLED
    sponsorship.save(update_fields=["status"])
    return "cancelled"


HANDLERS = {
    "payment_intent.succeeded": _on_succeeded,
    "payment_intent.payment_failed": _on_failed,
    "payment_intent.canceled": _on_canceled,
    "charge.refunded": _on_refunded,
}


def sponsorship_cancel(*, sponsorship: Sponsorship) -> Sponsorship:
    """Cancel an unfinished payment: its PaymentIntent at Stripe, then the sponsorship.
    Cancelling one already cancelled changes nothing. Raises LedgerError for a payment
    that went through (even if Stripe's webhook has not said so yet: it will credit it),
    and SponsorshipUnavailable when Stripe cannot be reached (nothing changes here)."""
    if sponsorship.status == Sponsorship.State.CANCELLED:
        return sponsorship
    if not sponsorship_cancellable(sponsorship) or not sponsorship.payment_intent_id:
        state = sponsorship.get_status_display().lower()
        raise LedgerError(f"This payment is {state}: there is nothing to cancel.")
    try:
        intent = stripe_gateway.payment_intent_cancel(sponsorship.payment_intent_id)
    except stripe_gateway.GatewayError as error:
        raise SponsorshipUnavailable(str(error)) from error
    if intent.status != "canceled":
        raise LedgerError(
            "This payment has just gone through, so it cannot be cancelled. It will show as "
            "paid in a moment; to have it back, ask the council for a refund."
        )
    with transaction.atomic():
        locked = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
        _cancelled_here(locked)
    return locked


def sponsorships_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Cancel every payment left unfinished for a day (celery beat, hourly). Safe to run
    again: a cancelled one is not picked up, and one Stripe cancelled but this site did
    not record is recorded on the next run."""
    before = (now or timezone.now()) - UNFINISHED_FOR
    counts = {"cancelled": 0, "paid_meanwhile": 0, "stripe_unreachable": 0}
    for sponsorship in sponsorships_unfinished(before=before):
        try:
            sponsorship_cancel(sponsorship=sponsorship)
        except SponsorshipUnavailable:
            counts["stripe_unreachable"] += 1  # the next run asks again
        except LedgerError:
            counts["paid_meanwhile"] += 1
        else:
            counts["cancelled"] += 1
    return counts


def recipient_name(account: Account) -> str:
    """Who a sponsorship went to, in words: the scheme's fund or the group's name."""
    if account.kind == Account.Kind.FUND:
        return f"the {account.scheme.name} fund"
    owner = account.owner
    return str(owner) if owner is not None else "a community group"


def sponsorship_offered() -> bool:
    """Whether this site can take sponsorship (Stripe's keys are set)."""
    return stripe_gateway.configured()


def sponsorship_intent(sponsorship: Sponsorship) -> stripe_gateway.Intent:
    """The sponsorship's PaymentIntent as Stripe has it now (for the Payment Element)."""
    if not sponsorship.payment_intent_id or not stripe_gateway.configured():
        raise SponsorshipUnavailable("This payment cannot be taken now.")
    try:
        return stripe_gateway.payment_intent_get(sponsorship.payment_intent_id)
    except stripe_gateway.GatewayError as error:
        raise SponsorshipUnavailable(str(error)) from error
