"""The one write path of the ledger, and the operations built on it.

Every movement is a `transfer_post`: lock the accounts in id order, check balances,
write the entries and the new balances, all in one transaction. Checking a balance
and writing in separate steps is how a coin gets spent twice; here the row locks
make the check and the write one step."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from coins.models import (
    RETAILER_PARTS,
    Account,
    AuditRecord,
    Currency,
    Entry,
    Scheme,
    Transfer,
    owner_key,
)


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
    part: int = 0,
) -> Account:
    """The account of this kind for this owner (a system account without one),
    created the first time it is asked for. Only a shop's takings come in parts."""
    found = {"owner_type": None, "owner_id": None} if owner is None else owner_key(owner)
    found |= {"scheme": scheme, "kind": kind, "currency": currency, "part": part}
    try:
        with transaction.atomic():
            account, _ = Account.objects.get_or_create(**found)
    except IntegrityError:  # two requests created it at once: the other one won
        account = Account.objects.get(**found)
    return account


def takings_account_for(*, scheme: Scheme, shop: models.Model, payer: Account) -> Account:
    """The part of a shop's coin account that this payer's coins go to (RETAILER_PARTS):
    one wallet always pays into the same part, and different wallets spread over them."""
    return account_for(
        scheme=scheme, kind=Account.Kind.RETAILER, owner=shop, part=payer.pk % RETAILER_PARTS
    )


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
    memo, on, now = memo[:300], value_date or timezone.localdate(), timezone.now()
    # One call, so one round trip: the database function (migration coins 0019) locks
    # the accounts in id order, looks the key up under the locks, checks no non-system
    # account goes below zero, and writes the transfer and its entries, whose insert
    # trigger moves each balance. As one statement it is one transaction on its own, or
    # part of the caller's; nothing is written unless it all is.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM coins_transfer_post(%s::bigint, %s::text, %s::text, %s::text,"
            " %s::text, %s::date, %s::bigint, %s::bigint, %s::timestamptz,"
            " %s::bigint[], %s::bigint[], %s::text[])",
            [
                scheme.pk,
                kind,
                key,
                fingerprint,
                memo,
                on,
                actor.pk if actor else None,
                reverses.pk if reverses else None,
                now,
                [leg.account.pk for leg in legs],
                [leg.amount for leg in legs],
                list(Account.SYSTEM_KINDS),
            ],
        )
        rows = cursor.fetchall()
    outcome, transfer_id = rows[0][0], rows[0][1]
    if outcome == "short":
        leg = next(leg for leg in legs if leg.account.pk == rows[0][2])
        leg.account.balance = rows[0][3]
        raise InsufficientFunds(_short_of(leg.account, -leg.amount), account=leg.account)
    if outcome != "posted":
        return _same_or_conflict(Transfer.objects.get(pk=transfer_id), fingerprint)
    balances = {account_id: balance for _, _, account_id, balance in rows}
    for leg in legs:
        leg.account.balance = balances[leg.account.pk]
    transfer = Transfer(
        pk=transfer_id,
        scheme=scheme,
        kind=kind,
        key=key,
        fingerprint=fingerprint,
        memo=memo,
        value_date=on,
        actor=actor,
        reverses=reverses,
        created=now,
    )
    transfer._state.adding = False
    transfer._state.db = connection.alias
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
    unit = "pence" if account.currency == Currency.GBP else account.scheme.coin_plural
    if account.kind in (Account.Kind.WALLET, Account.Kind.HELD):
        return f"Not enough {unit}: this needs {wanted:,} and the wallet has {account.balance:,}."
    return (
        f"Not enough in the account: this needs {wanted:,} {unit} and it has {account.balance:,}."
    )


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
            note = f"{scheme.coins(full - coins)} held back by the {period} limit of {cap}"
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
