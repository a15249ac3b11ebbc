"""Reads over the ledger for people: wallets, statements, months."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from accounts.models import User
from coins.models import Account, Bonus, Entry, Scheme, Transfer, owner_key


@dataclass(frozen=True)
class StatementLine:
    when: datetime
    description: str
    amount: int
    balance_after: int
    transfer: Transfer


def schemes_run_by(user: User) -> QuerySet[Scheme]:
    """The schemes a council officer administers; none for anyone else."""
    return Scheme.objects.filter(admin_memberships__user=user)


def wallets_of(user: User) -> QuerySet[Account]:
    return (
        Account.objects.filter(kind=Account.Kind.WALLET, **owner_key(user))
        .select_related("scheme")
        .order_by("scheme__name")
    )


def balance_of(user: User, scheme_id: int) -> int:
    """Coins in the person's wallet in one scheme (0 without one); never creates it."""
    wallet = wallets_of(user).filter(scheme_id=scheme_id).first()
    return wallet.balance if wallet else 0


def account_entries(account: Account, month: date | None = None) -> QuerySet[Entry]:
    entries = Entry.objects.filter(account=account).select_related("transfer__reverses")
    if month is not None:
        entries = entries.filter(
            transfer__created__year=month.year, transfer__created__month=month.month
        )
    return entries.order_by("-id")


def statement(account: Account, month: date | None = None) -> list[StatementLine]:
    """Newest first, each line saying in plain words what the movement was."""
    return [
        StatementLine(
            when=entry.transfer.created,
            description=describe(entry),
            amount=entry.amount,
            balance_after=entry.balance_after,
            transfer=entry.transfer,
        )
        for entry in account_entries(account, month)
    ]


def describe(entry: Entry) -> str:
    transfer = entry.transfer
    if transfer.kind == Transfer.Kind.DONATION:
        return transfer.memo if entry.amount < 0 else "Gift received from a resident"
    if transfer.kind == Transfer.Kind.EXPIRY:
        return transfer.memo or "Coins expired after a long time without use"
    return transfer.memo or transfer.get_kind_display()


def months_with_activity(account: Account) -> list[date]:
    """The months this account moved, newest first, for the statement's filter."""
    months = Transfer.objects.filter(entries__account=account).datetimes(
        "created", "month", order="DESC"
    )
    return [m.date() for m in months]


def badges_of(user: User) -> QuerySet[Bonus]:
    """The person's badges, by scheme and newest first: bonuses that gave no coins (a
    participation-only scheme, or the monthly bonus limit reached)."""
    return (
        Bonus.objects.filter(user=user, coins=0)
        .select_related("scheme")
        .order_by("scheme__name", "-id")
    )
