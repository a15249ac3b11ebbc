"""The one write path of the ledger, and the operations built on it.

Every movement is a `transfer_post`: lock the accounts in id order, check balances,
write the entries and the new balances, all in one transaction. Checking a balance
and writing in separate steps is how a coin gets spent twice; here the row locks
make the check and the write one step."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from coins.models import Account, AuditRecord, Currency, Entry, Scheme, Transfer, owner_key


class LedgerError(Exception):
    """A movement the ledger refuses; the message is written for the person asking."""


class InsufficientFunds(LedgerError):
    def __init__(self, message: str, *, account: Account) -> None:
        super().__init__(message)
        self.account = account


class TransferConflict(LedgerError):
    """The idempotency key was already used for a different movement."""


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: int


def account_for(
    *,
    scheme: Scheme,
    kind: str,
    owner: models.Model | None = None,
    currency: str = Currency.COIN,
) -> Account:
    """The account of this kind for this owner (a system account without one),
    created the first time it is asked for."""
    found = {"owner_type": None, "owner_id": None} if owner is None else owner_key(owner)
    try:
        with transaction.atomic():
            account, _ = Account.objects.get_or_create(
                scheme=scheme, kind=kind, currency=currency, **found
            )
    except IntegrityError:  # two requests created it at once: the other one won
        account = Account.objects.get(scheme=scheme, kind=kind, currency=currency, **found)
    return account


def wallet_for(*, scheme: Scheme, user: User) -> Account:
    return account_for(scheme=scheme, kind=Account.Kind.WALLET, owner=user)


def transfer_post(
    *,
    scheme: Scheme,
    kind: str,
    key: str,
    legs: Sequence[Leg],
    memo: str = "",
    actor: User | None = None,
    value_date: date | None = None,
    reverses: Transfer | None = None,
) -> Transfer:
    """Move amounts between accounts as one transfer.

    Posting a key again returns the first transfer and moves nothing; the same key
    with other amounts or accounts raises TransferConflict. A leg that would take a
    non-system account below zero raises InsufficientFunds and nothing is written."""
    _check_legs(scheme, legs)
    fingerprint = _fingerprint(kind, legs, reverses)
    with transaction.atomic():
        # A fixed order (by id) so that two transfers over the same accounts never
        # wait on each other in a circle. NO KEY UPDATE leaves the key-share locks that
        # inserting entries takes on their account free to be granted.
        locked = lock_accounts([leg.account.pk for leg in legs])
        existing = Transfer.objects.filter(key=key).first()
        if existing is not None:
            return _same_or_conflict(existing, fingerprint)
        after = {}
        for leg in legs:
            account = locked[leg.account.pk]
            after[account.pk] = account.balance + leg.amount
            if after[account.pk] < 0 and not account.is_system:
                raise InsufficientFunds(_short_of(account, -leg.amount), account=account)
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(
                    scheme=scheme,
                    kind=kind,
                    key=key,
                    fingerprint=fingerprint,
                    memo=memo[:300],
                    value_date=value_date or timezone.localdate(),
                    actor=actor,
                    reverses=reverses,
                )
        except IntegrityError:
            # The same key posted at this moment over other accounts: it is theirs.
            return _same_or_conflict(Transfer.objects.get(key=key), fingerprint)
        Entry.objects.bulk_create(
            Entry(
                transfer=transfer,
                account_id=leg.account.pk,
                amount=leg.amount,
                balance_after=after[leg.account.pk],
            )
            for leg in legs
        )
        for leg in legs:
            Account.objects.filter(pk=leg.account.pk).update(balance=after[leg.account.pk])
            leg.account.balance = after[leg.account.pk]
    return transfer


def lock_accounts(ids: list[int]) -> dict[int, Account]:
    """Lock accounts in id order (ORDER BY in the locking query itself: PostgreSQL takes
    row locks in the order it reads the rows), so that two transactions over the same
    accounts always queue rather than wait on each other in a circle."""
    rows = Account.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    return {account.pk: account for account in rows}


def _check_legs(scheme: Scheme, legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise LedgerError("A transfer needs at least two accounts.")
    if len({leg.account.pk for leg in legs}) != len(legs):
        raise LedgerError("Each account may appear once in a transfer.")
    totals: dict[str, int] = {}
    for leg in legs:
        if not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0:
            raise LedgerError("Amounts are whole numbers other than zero.")
        if leg.account.scheme_id != scheme.pk:
            raise LedgerError("Coins cannot move between schemes.")
        totals[leg.account.currency] = totals.get(leg.account.currency, 0) + leg.amount
    if any(totals.values()):
        raise LedgerError("A transfer's amounts must add up to zero in each currency.")


def _fingerprint(kind: str, legs: Sequence[Leg], reverses: Transfer | None) -> str:
    parts = [kind, str(reverses.pk if reverses else "")]
    parts += [f"{leg.account.pk}:{leg.amount}" for leg in sorted(legs, key=lambda x: x.account.pk)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _same_or_conflict(existing: Transfer, fingerprint: str) -> Transfer:
    if existing.fingerprint != fingerprint:
        raise TransferConflict("That request was already used for a different movement.")
    return existing


def _short_of(account: Account, wanted: int) -> str:
    unit = "pence" if account.currency == Currency.GBP else "coins"
    if account.kind == Account.Kind.WALLET:
        return f"Not enough coins: this needs {wanted} and the wallet has {account.balance}."
    return f"Not enough in the account: this needs {wanted} {unit} and it has {account.balance}."


def transfer_reverse(
    *, transfer: Transfer, actor: User | None, reason: str, audit: bool = False
) -> Transfer:
    """Undo a transfer by posting its mirror image. Reversing twice moves nothing more.
    With `audit`, the admin's action is recorded in the same transaction."""
    reason = reason.strip()
    if not reason:
        raise LedgerError("Give a reason for the reversal.")
    if transfer.kind == Transfer.Kind.REVERSAL:
        raise LedgerError("This is already a reversal; it cannot be reversed again.")
    legs = [
        Leg(entry.account, -entry.amount) for entry in transfer.entries.select_related("account")
    ]
    with transaction.atomic():
        reversal = transfer_post(
            scheme=transfer.scheme,
            kind=Transfer.Kind.REVERSAL,
            key=f"reverse:{transfer.pk}",
            legs=legs,
            memo=f"Reversal: {reason}",
            actor=actor,
            reverses=transfer,
        )
        if audit and actor is not None:
            AuditRecord.objects.create(
                scheme=transfer.scheme,
                actor=actor,
                action="reverse",
                transfer=reversal,
                reason=reason[:300],
            )
    return reversal


@dataclass(frozen=True)
class MintResult:
    transfer: Transfer | None
    coins: int  # minted into the wallet
    capped: int  # held back by the scheme's caps
    note: str  # the explanation the volunteer sees; empty when nothing was held back


def coins_mint(
    *,
    scheme: Scheme,
    user: User,
    minutes: int,
    key: str,
    on: date,
    memo: str,
    actor: User | None = None,
    replacing: Transfer | None = None,
) -> MintResult:
    """Mint coins for time given on day `on`, at the scheme's rate, within its daily and
    weekly caps. `replacing` is a mint being corrected: it does not count against the caps."""
    if scheme.participation_only:
        return MintResult(None, 0, 0, "This scheme counts your hours; it does not give coins.")
    full = minutes * scheme.coins_per_hour // 60
    issuance = account_for(scheme=scheme, kind=Account.Kind.ISSUANCE)
    wallet = wallet_for(scheme=scheme, user=user)
    with transaction.atomic():
        # The caps count what this wallet already earned, so hold its lock while counting.
        lock_accounts([issuance.pk, wallet.pk])
        coins, note = _within_caps(scheme, wallet, full, on, replacing)
        if coins == 0:
            return MintResult(None, 0, full, note)
        transfer = transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.MINT,
            key=key,
            legs=[Leg(issuance, -coins), Leg(wallet, coins)],
            memo=f"{memo}; {note}" if note else memo,
            actor=actor,
            value_date=on,
        )
    return MintResult(transfer, coins, full - coins, note)


def _within_caps(
    scheme: Scheme, wallet: Account, full: int, on: date, replacing: Transfer | None
) -> tuple[int, str]:
    coins, note = full, ""
    monday = on - timedelta(days=on.weekday())
    for cap, start, end, period in (
        (scheme.daily_cap, on, on, "daily"),
        (scheme.weekly_cap, monday, monday + timedelta(days=6), "weekly"),
    ):
        if cap is None:
            continue
        room = max(cap - _minted(wallet, start, end, replacing), 0)
        if coins > room:
            coins = room
            note = f"{full - coins} coins held back by the {period} limit of {cap}"
    return coins, note


def _minted(wallet: Account, start: date, end: date, replacing: Transfer | None) -> int:
    minted = Entry.objects.filter(
        account=wallet,
        transfer__kind=Transfer.Kind.MINT,
        transfer__value_date__range=(start, end),
        transfer__reversed_by__isnull=True,
    )
    if replacing is not None:
        minted = minted.exclude(transfer=replacing)
    return int(minted.aggregate(total=Sum("amount"))["total"] or 0)


def coins_donate(
    *, scheme: Scheme, sender: User, to: Account, amount: int, key: str, memo: str
) -> Transfer:
    """A resident gives coins to a community group or to another resident."""
    if amount < 1:
        raise LedgerError("Give at least 1 coin.")
    if (
        to.kind not in (Account.Kind.WALLET, Account.Kind.GROUP)
        or to.currency != Currency.COIN
        or to.scheme_id != scheme.pk
    ):
        raise LedgerError("Coins can be given to a community group or a resident of this scheme.")
    wallet = wallet_for(scheme=scheme, user=sender)
    if wallet.pk == to.pk:
        raise LedgerError("You cannot give coins to yourself.")
    return transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.DONATION,
        key=key,
        legs=[Leg(wallet, -amount), Leg(to, amount)],
        memo=memo,
        actor=sender,
    )
