"""Settling retailers: coins a shop took become GBP it is owed, then paid.

Where a scheme sets a coin value, the coins sitting in a retailer's account are the
ones it took since its last settlement (settling retires them). Each settlement is two
transfers in one transaction: the coins retire (retailer -> RETIRED) and the fund owes
their value (FUND -> the retailer's GBP payable). The fund never goes below zero, so
when it cannot cover everyone, shops are settled oldest takings first and whatever is
not covered stays with the shop as coins, shown as owed. Then each payable holding
money gets one payout request (coins/payouts.py).

A retailer's coins sit in parts (coins.models.RETAILER_PARTS), so that sales at the
same moment do not queue on one row; a settlement takes from all of them at once. Keys
name the first part and the parts' last entry, read under their locks: running this
twice finds the settlement already posted (or a new last entry) and moves nothing twice.

The ledger knows nothing of shops: a retailer is the owner of its RETAILER accounts."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, QuerySet, Sum

from coins.models import Account, Currency, Entry, Payout, Scheme, Settlement, Transfer
from coins.payouts import payouts_request
from coins.services import Leg, account_for, lock_accounts, transfer_post


@dataclass(frozen=True)
class SettlementRun:
    settled: list[Settlement]
    payouts: list[Payout]
    owed_pence: int  # the value of coins still waiting because the fund ran short


def settlement_run(*, scheme: Scheme, today: date) -> SettlementRun:
    """The monthly job (and the council's "Settle now"): settle, then ask for payouts."""
    if not scheme.coin_value_pence:
        return SettlementRun([], [], 0)
    settled = retailers_settle(scheme=scheme, today=today)
    payables = Account.objects.filter(
        scheme=scheme, kind=Account.Kind.RETAILER, currency=Currency.GBP, balance__gt=0
    ).order_by("pk")
    payouts = payouts_request(payables=list(payables))
    return SettlementRun(settled, payouts, _waiting_coins(scheme) * scheme.coin_value_pence)


def retailers_settle(*, scheme: Scheme, today: date) -> list[Settlement]:
    """Settle every retailer holding coins, oldest takings first, as far as the fund goes."""
    if not scheme.coin_value_pence:
        return []
    settled = []
    for parts in _oldest_first(scheme):
        settlement = _settle(scheme, [account.pk for account in parts], today)
        if settlement is not None:
            settled.append(settlement)
    return settled


def _oldest_first(scheme: Scheme) -> list[list[Account]]:
    """Each retailer holding coins, as its coin accounts (its parts, RETAILER_PARTS),
    by when its unsettled coins began to wait: in each part, the first entry after it
    last stood at zero. A shop settled only in part keeps its place, since its balance
    never went back to zero."""
    owners: dict[tuple[int | None, int | None], list[Account]] = {}
    for account in _coin_accounts(scheme).order_by("pk"):
        owners.setdefault((account.owner_type_id, account.owner_id), []).append(account)
    waiting = []
    for parts in owners.values():
        since = [_waiting_since(account) for account in parts if account.balance > 0]
        if since:
            waiting.append((min(since), parts[0].pk, parts))
    return [parts for *_, parts in sorted(waiting, key=lambda w: w[:2])]


def _waiting_since(account: Account) -> int:
    emptied = account.entries.filter(balance_after=0).aggregate(last=Max("id"))["last"]
    waiting = account.entries.filter(id__gt=emptied or 0).aggregate(first=Min("id"))
    return int(waiting["first"] or 0)


def _coin_accounts(scheme: Scheme) -> QuerySet[Account]:
    return Account.objects.filter(scheme=scheme, kind=Account.Kind.RETAILER, currency=Currency.COIN)


def _settle(scheme: Scheme, part_ids: list[int], today: date) -> Settlement | None:
    """One retailer: as many coins as the fund covers, taken from its parts in turn."""
    value = scheme.coin_value_pence or 0
    retired = account_for(scheme=scheme, kind=Account.Kind.RETIRED)
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    payable = _payable_for(Account.objects.get(pk=part_ids[0]))
    with transaction.atomic():
        # All at once, in id order: the balances read here are the ones moved.
        locked = lock_accounts([*part_ids, retired.pk, fund.pk, payable.pk])
        parts, fund = [locked[pk] for pk in part_ids], locked[fund.pk]
        last = Entry.objects.filter(account_id__in=part_ids).aggregate(last=Max("id"))["last"]
        coins = min(sum(part.balance for part in parts), fund.balance // value)
        if coins <= 0 or last is None:
            return None
        taken, left = [], coins
        for part in parts:
            if take := min(part.balance, left):
                taken.append(Leg(part, -take))
                left -= take
        key = f"settle:{parts[0].pk}:{last}"
        memo = f"Settled {scheme.coins(coins)} at {value}p"
        retire = transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.SETTLEMENT,
            key=f"{key}:retire",
            legs=[*taken, Leg(locked[retired.pk], coins)],
            memo=memo,
            value_date=today,
        )
        owed = transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.SETTLEMENT,
            key=f"{key}:payable",
            legs=[Leg(fund, -coins * value), Leg(locked[payable.pk], coins * value)],
            memo=memo,
            value_date=today,
        )
        settlement, _ = Settlement.objects.get_or_create(
            retire=retire,
            defaults={
                "scheme": scheme,
                "retailer_account": parts[0],
                "coins": coins,
                "coin_value_pence": value,
                "pence": coins * value,
                "payable": owed,
            },
        )
    return settlement


def _payable_for(coins_account: Account) -> Account:
    """The same owner's GBP retailer account: what the scheme owes the shop."""
    found: dict[str, Any] = {
        "scheme_id": coins_account.scheme_id,
        "kind": Account.Kind.RETAILER,
        "currency": Currency.GBP,
        "owner_type_id": coins_account.owner_type_id,
        "owner_id": coins_account.owner_id,
        "part": 0,
    }
    try:
        with transaction.atomic():
            account, _ = Account.objects.get_or_create(**found)
    except IntegrityError:  # created by another run at this moment
        account = Account.objects.get(**found)
    return account


def _waiting_coins(scheme: Scheme) -> int:
    return int(_coin_accounts(scheme).aggregate(total=Sum("balance"))["total"] or 0)


# Reads for the council's settlement page and a shop's dashboard.


@dataclass
class RetailerPosition:
    coins_account: Account | None
    payable: Account | None
    coins: int = 0  # taken and not yet settled
    owed_pence: int = 0  # what those coins are worth at the scheme's value
    payable_pence: int = 0  # settled, not yet paid out
    paid_pence: int = 0
    payouts: list[Payout] = field(default_factory=list)  # open or failed, newest first

    @property
    def owner(self) -> object:
        account = self.coins_account or self.payable
        return account.owner if account else None


def retailer_position(*, scheme: Scheme, owner_type_id: int, owner_id: int) -> RetailerPosition:
    """One retailer's settlement state, read without creating any account."""
    accounts = Account.objects.filter(
        scheme=scheme, kind=Account.Kind.RETAILER, owner_type_id=owner_type_id, owner_id=owner_id
    )
    return _position(scheme, list(accounts.order_by("part")))


def _position(scheme: Scheme, accounts: list[Account]) -> RetailerPosition:
    """From a retailer's accounts: its coins in parts, its GBP payable in one."""
    coins = [account for account in accounts if account.currency == Currency.COIN]
    payable = next((a for a in accounts if a.currency == Currency.GBP), None)
    position = RetailerPosition(coins[0] if coins else None, payable)
    position.coins = sum(account.balance for account in coins)
    position.owed_pence = position.coins * (scheme.coin_value_pence or 0)
    if payable is not None:
        position.payable_pence = payable.balance
        paid = payable.entries.filter(transfer__kind=Transfer.Kind.PAYOUT, amount__lt=0)
        position.paid_pence = -int(paid.aggregate(total=Sum("amount"))["total"] or 0)
        position.payouts = list(
            Payout.objects.filter(payable_account=payable)
            .exclude(status=Payout.State.PAID)
            .order_by("-pk")
        )
    return position


@dataclass(frozen=True)
class SchemeSettlement:
    scheme: Scheme
    fund_pence: int
    retailers: list[RetailerPosition]

    @property
    def owed_pence(self) -> int:
        return sum(r.owed_pence for r in self.retailers)


def scheme_settlement(*, scheme: Scheme) -> SchemeSettlement:
    """The fund and every retailer with coins or money in the settlement's path."""
    fund = Account.objects.filter(
        scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP
    ).first()
    accounts = Account.objects.filter(scheme=scheme, kind=Account.Kind.RETAILER)
    owners: dict[tuple[int | None, int | None], list[Account]] = {}
    for account in accounts.order_by("part", "pk"):
        owners.setdefault((account.owner_type_id, account.owner_id), []).append(account)
    positions = [_position(scheme, found) for found in owners.values()]
    shown = [p for p in positions if p.coins or p.payable_pence or p.paid_pence or p.payouts]
    return SchemeSettlement(scheme, fund.balance if fund else 0, shown)
