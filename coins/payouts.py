"""Paying retailers what settlement made them owed, through one boundary.

A `PayoutProvider` takes a `Payout` row and either asks for the money to move
(returning the provider's reference) or raises `PayoutFailed` with a message for the
council officer. Stripe Connect moves it at once; the manual provider records the
request and a council officer marks it paid after the bank transfer. Only the
provider talks to the outside world, so tests stub it and nothing else (localstripe
has no Connect).

The provider is called after commit, outside any transaction: a slow or failing
Stripe call never holds ledger locks, and the payout's key is Stripe's idempotency
key, so sending the same payout again never pays twice."""

from typing import Protocol

from django.conf import settings
from django.db import transaction

from accounts.models import User
from coins.models import Account, Payout, Transfer
from coins.services import LedgerError, Leg, account_for, lock_accounts, transfer_post
from coins.stripe_gateway import GatewayError, connect_transfer_create
from outbox.services import outbox_enqueue

# By name: coins.tasks imports this module.
PAYOUT_SEND_TASK = "coins.tasks.payout_send_task"


class PayoutFailed(LedgerError):
    """The provider did not move the money; the message says why, plainly."""


class PayoutProvider(Protocol):
    name: str
    # True when a successful request means the money has gone (Stripe Connect);
    # False when a person must confirm it later (a bank transfer).
    pays_at_once: bool

    def request(self, payout: Payout) -> str: ...


class ManualProvider:
    """For schemes without Stripe Connect: the request is the Payout row itself; the
    scheme pays by bank and marks it paid with the bank's reference."""

    name = "manual"
    pays_at_once = False

    def request(self, payout: Payout) -> str:
        return ""


class StripeConnectProvider:
    """A Stripe transfer from the platform's balance to the shop's connected account
    (its id is on the shop's GBP payable account, `Account.external_ref`)."""

    name = "stripe_connect"
    pays_at_once = True

    def request(self, payout: Payout) -> str:
        destination = payout.payable_account.external_ref
        if not destination.startswith("acct_"):
            raise PayoutFailed(
                "This shop has no Stripe account connected. Connect one, or pay it by bank."
            )
        try:
            return connect_transfer_create(
                pence=payout.pence, destination=destination, key=payout.key
            )
        except GatewayError as refused:
            raise PayoutFailed(f"Stripe did not make the transfer: {refused}"[:300]) from refused


PROVIDERS: dict[str, type[PayoutProvider]] = {
    ManualProvider.name: ManualProvider,
    StripeConnectProvider.name: StripeConnectProvider,
}


def payout_provider(name: str | None = None) -> PayoutProvider:
    """The provider by name, or the one the settings choose (PAYOUT_PROVIDER)."""
    name = name or settings.PAYOUT_PROVIDER
    if name not in PROVIDERS:
        raise PayoutFailed(f"There is no payout provider called “{name}”.")
    return PROVIDERS[name]()


def payouts_request(*, payables: list[Account]) -> list[Payout]:
    """One payout request for each payable holding money with none already open.
    The key names the payable's last entry: running this again asks for nothing new."""
    provider = settings.PAYOUT_PROVIDER
    requested = []
    for payable in payables:
        with transaction.atomic():
            locked = lock_accounts([payable.pk])[payable.pk]
            last = locked.entries.order_by("-id").values_list("id", flat=True).first()
            if locked.balance <= 0 or last is None:
                continue
            if Payout.objects.filter(payable_account=locked, status=Payout.State.REQUESTED):
                continue
            payout, created = Payout.objects.get_or_create(
                key=f"payout:{locked.pk}:{last}",
                defaults={
                    "scheme_id": locked.scheme_id,
                    "payable_account": locked,
                    "pence": locked.balance,
                    "provider": provider,
                },
            )
            if not created and payout.status == Payout.State.FAILED:
                # Nothing moved since it failed: ask again with the same key.
                payout.status, payout.error = Payout.State.REQUESTED, ""
                payout.save(update_fields=["status", "error"])
            elif not created:
                continue
            requested.append(payout)
            outbox_enqueue(PAYOUT_SEND_TASK, payout.pk)
    return requested


def payout_send(*, payout_id: int, provider: PayoutProvider | None = None) -> Payout:
    """Ask the provider to pay; Stripe's success posts the payout to the ledger at once.
    A refusal marks the payout failed with the provider's reason; the payable keeps
    the money owed until a later run asks again."""
    payout = Payout.objects.select_related("payable_account").get(pk=payout_id)
    if payout.status != Payout.State.REQUESTED:
        return payout
    try:
        provider = provider or payout_provider(payout.provider)
        reference = provider.request(payout)
    except PayoutFailed as refused:
        Payout.objects.filter(pk=payout.pk, status=Payout.State.REQUESTED).update(
            status=Payout.State.FAILED, error=str(refused)[:300]
        )
        payout.refresh_from_db()
        return payout
    if provider.pays_at_once:
        return payout_paid(payout=payout, reference=reference, by=None)
    Payout.objects.filter(pk=payout.pk).update(reference=reference[:255])
    payout.refresh_from_db()
    return payout


def payout_paid(*, payout: Payout, reference: str, by: User | None) -> Payout:
    """Record that the money reached the shop: payable -> paid out, once."""
    reference = reference.strip()
    if not reference:
        raise LedgerError("Give the bank's reference for the payment.")
    paid_out = account_for(scheme=payout.scheme, kind=Account.Kind.PAID_OUT, currency="GBP")
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status == Payout.State.PAID:
            return payout
        if payout.status != Payout.State.REQUESTED:
            raise LedgerError("This payout failed; settle again to ask for a new one.")
        payout.transfer = transfer_post(
            scheme=payout.scheme,
            kind=Transfer.Kind.PAYOUT,
            key=payout.key,
            legs=[Leg(payout.payable_account, -payout.pence), Leg(paid_out, payout.pence)],
            memo=f"Paid out, reference {reference}",
            actor=by,
        )
        payout.status, payout.reference = Payout.State.PAID, reference[:255]
        payout.save(update_fields=["transfer", "status", "reference"])
    return payout
