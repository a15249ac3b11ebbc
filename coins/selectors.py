"""Reads over the ledger for people: wallets, statements, months."""

from dataclasses import dataclass
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from accounts.models import User
from coins.models import Account, Bonus, Entry, Scheme, Transfer, owner_key
from coins.residence import home_scheme
from coins.volunteering import HoursLine, volunteering


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


def resident_by_email(email: str) -> User | None:
    """The active person who joined with this address and confirmed it; None for anyone
    else (an address not confirmed may be someone else's, typed in to catch their gifts)."""
    found = EmailAddress.objects.filter(
        email__iexact=email.strip(), verified=True, user__is_active=True
    ).select_related("user")
    address = found.first()
    return address.user if address else None


def wallets_of(user: User) -> QuerySet[Account]:
    return (
        Account.objects.filter(kind=Account.Kind.WALLET, **owner_key(user))
        .select_related("scheme")
        .order_by("scheme__name")
    )


def places_of(user: User, wallets: list[Account]) -> list[Scheme]:
    """The schemes whose wallet page the person may see, by name: those they have a wallet
    in, and the participation-only ones (no coins) they gave time in. With neither, their
    own town's when it counts hours only, so that its page speaks of hours, not coins."""
    schemes = {wallet.scheme_id: wallet.scheme for wallet in wallets}
    if volunteered := volunteering().schemes(user) - schemes.keys():
        hours_only = Scheme.objects.filter(pk__in=volunteered, participation_only=True)
        schemes.update({scheme.pk: scheme for scheme in hours_only})
    if not schemes and (home := home_scheme(user)) is not None and home.participation_only:
        return [home]
    return sorted(schemes.values(), key=lambda scheme: (scheme.name, scheme.pk))


@dataclass(frozen=True)
class HoursMonth:
    month: date
    sessions: int
    minutes: int


def hours_by_month(lines: list[HoursLine]) -> list[HoursMonth]:
    """Confirmed hours (newest first) added up by month, newest first."""
    months: dict[date, list[int]] = {}
    for line in lines:
        months.setdefault(line.day.replace(day=1), []).append(line.minutes)
    return [HoursMonth(month, len(m), sum(m)) for month, m in months.items()]


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
