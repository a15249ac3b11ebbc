"""Coins in a wallet that has not moved for the scheme's N months expire to the
scheme's expiry account, after warnings 30 and 7 days before. Every step is keyed
on the wallet's last entry, so running it twice warns and expires nothing twice.
The owners are told (notify) after each step commits."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from coins.gifts import pending_gifts_return
from coins.models import Account, Entry, ExpiryNotice, Scheme, Transfer
from coins.services import Leg, account_for, lock_accounts, transfer_post
from notifications.services import notify

WARN_DAYS = (30, 7)  # most urgent last


@dataclass(frozen=True)
class ExpiryWarning:
    account: Account
    coins: int
    due: date
    days_before: int


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ExpiryDue:
    coins: int
    on: date


def wallet_expiry(account: Account, today: date | None = None) -> ExpiryDue | None:
    """When the wallet's coins expire unless it moves (a selector for the wallet page), by
    the rule coins_expiry_run applies: all of them, the scheme's months after the wallet
    last moved (or today, when the daily run has yet to take them). None where coins
    never expire or there are none. One query, none where nothing can expire."""
    scheme = account.scheme
    if account.balance <= 0 or not scheme.expiry_months or scheme.participation_only:
        return None
    moved = Entry.objects.filter(account=account).aggregate(last=Max("transfer__created"))["last"]
    if moved is None:
        return None
    today = today or timezone.localdate()
    due = add_months(timezone.localdate(moved), scheme.expiry_months)
    return ExpiryDue(coins=account.balance, on=max(due, today))


def _quiet_wallets(scheme: Scheme) -> QuerySet[Account]:
    return Account.objects.filter(scheme=scheme, kind=Account.Kind.WALLET, balance__gt=0).annotate(
        last_entry=Max("entries__id"), last_moved=Max("entries__transfer__created")
    )


def _moved(wallet: Account) -> date:
    """The day of the wallet's last movement (annotated by _quiet_wallets)."""
    return timezone.localdate(wallet.last_moved)  # type: ignore[attr-defined]


def expiry_warnings(*, scheme: Scheme, today: date) -> list[ExpiryWarning]:
    """Wallets whose coins expire within 30 (or 7) days and have not been told yet."""
    if not scheme.expiry_months:
        return []
    warnings = []
    for wallet in _quiet_wallets(scheme):
        due = add_months(_moved(wallet), scheme.expiry_months)
        days_left = (due - today).days
        steps = [d for d in WARN_DAYS if 0 < days_left <= d]
        if not steps:
            continue
        # Record every step reached; tell the person only of the most urgent new one.
        created = [
            ExpiryNotice.objects.get_or_create(
                account=wallet,
                last_entry_id=wallet.last_entry,  # type: ignore[attr-defined]
                days_before=step,
            )[1]
            for step in steps
        ]
        if not created[-1]:
            continue
        warnings.append(ExpiryWarning(wallet, wallet.balance, due, min(steps)))
    return warnings


def wallets_expire(*, scheme: Scheme, today: date) -> list[Transfer]:
    """Expire the coins of every wallet quiet for the scheme's months."""
    if not scheme.expiry_months:
        return []
    expired = []
    for wallet in _quiet_wallets(scheme):
        due = add_months(_moved(wallet), scheme.expiry_months)
        if due <= today:
            transfer = _expire(scheme, wallet.pk)
            if transfer is not None:
                expired.append(transfer)
    return expired


def _expire(scheme: Scheme, wallet_id: int) -> Transfer | None:
    expiry = account_for(scheme=scheme, kind=Account.Kind.EXPIRY)
    with transaction.atomic():
        locked = lock_accounts([wallet_id, expiry.pk])
        wallet = locked[wallet_id]
        last = Entry.objects.filter(account=wallet).order_by("-id").first()
        if wallet.balance <= 0 or last is None:
            return None
        return transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.EXPIRY,
            key=f"expiry:{wallet.pk}:{last.pk}",
            legs=[Leg(wallet, -wallet.balance), Leg(expiry, wallet.balance)],
            memo=f"Expired after {scheme.expiry_months} months without use",
        )


def coins_expiry_run(*, today: date | None = None) -> dict[str, int]:
    """The daily run: give back the gifts nobody claimed (coins.gifts), warn wallets whose
    coins expire soon, then expire the ones that are due. Safe to run twice on a day:
    each step is keyed on the gift or on the wallet's last movement."""
    today = today or timezone.localdate()
    # Gifts held until the start of the day given: the demo's history runs on past days.
    start = timezone.make_aware(datetime.combine(today, time.min))
    returned = len(pending_gifts_return(now=start))
    warned = expired = 0
    for scheme in Scheme.objects.filter(expiry_months__isnull=False, participation_only=False):
        with transaction.atomic():
            for warning in expiry_warnings(scheme=scheme, today=today):
                notify(
                    recipients=_owner(warning.account),
                    kind="coins_expiring",
                    title=expiry_line(scheme, warning.coins, warning.due),
                    body="Your wallet has not moved for a while. Spend them, or give them "
                    "to a community group, before then.",
                    url=reverse("coins:give"),
                )
                warned += 1
        for transfer in wallets_expire(scheme=scheme, today=today):
            entry = transfer.entries.select_related("account").filter(amount__lt=0).get()
            with transaction.atomic():
                notify(
                    recipients=_owner(entry.account),
                    kind="coins_expired",
                    title=f"{scheme.coins(-entry.amount)} expired",
                    body=transfer.memo,
                    url=reverse("coins:wallet"),
                )
            expired += 1
    return {"returned": returned, "warned": warned, "expired": expired}


def expiry_line(scheme: Scheme, coins: int, due: date) -> str:
    """ "12 Brackens expire on 3 March 2027": with the year, as the date may be next year's."""
    verb = "expires" if coins == 1 else "expire"
    return f"{scheme.coins(coins)} {verb} on {date_format(due, 'j F Y')}"


def _owner(wallet: Account) -> list[User]:
    """A wallet's person, if they still have an account (erased people are not told)."""
    owner = wallet.owner
    return [owner] if isinstance(owner, User) else []
