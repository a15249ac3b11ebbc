"""Bonuses for volunteering that brings people together (BonusRule): each award is one
Bonus row under its own idempotency key and, where it pays coins, its own transfer.

Which rule a confirmation meets is the board's question (marketplace/board/services/
bonuses.py); writing the award, within the scheme's monthly cap, is this module's."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse

from accounts.models import User
from coins.models import Account, Bonus, BonusRule, Entry, Scheme, Transfer
from coins.services import Leg, account_for, lock_accounts, transfer_post, wallet_for
from notifications.services import notify


def bonus_award(
    *,
    scheme: Scheme,
    user: User,
    rule: str,
    coins: int,
    key: str,
    memo: str,
    on: date,
    actor: User | None = None,
) -> Bonus:
    """Award a bonus once per key: `coins` into the person's wallet, clipped to the
    scheme's monthly bonus cap, or a badge (no coins, no transfer) in a participation-
    only scheme or once the cap is spent. A repeated key returns the first award and
    moves nothing; the person is told once, when it is first written."""
    existing = Bonus.objects.filter(key=key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        if scheme.participation_only or coins <= 0:
            return _bonus_write(scheme, user, rule, key, memo, coins=0, transfer=None)
        issuance = account_for(scheme=scheme, kind=Account.Kind.ISSUANCE)
        wallet = wallet_for(scheme=scheme, user=user)
        # The cap counts what this wallet already got this month: hold its lock while
        # counting. A twin award that held the lock first is visible once it is ours.
        lock_accounts([issuance.pk, wallet.pk])
        existing = Bonus.objects.filter(key=key).first()
        if existing is not None:
            return existing
        given, note = _within_cap(scheme, wallet, coins, on)
        transfer = None
        if given:
            transfer = transfer_post(
                scheme=scheme,
                kind=Transfer.Kind.BONUS,
                key=key,
                legs=[Leg(issuance, -given), Leg(wallet, given)],
                memo=_with(memo, note),
                actor=actor,
                value_date=on,
            )
        return _bonus_write(
            scheme, user, rule, key, memo, coins=given, transfer=transfer, note=note
        )


def _with(memo: str, note: str) -> str:
    """The statement line, with what the cap held back."""
    return (f"{memo}; {note}" if note else memo)[:300]


def _within_cap(scheme: Scheme, wallet: Account, coins: int, on: date) -> tuple[int, str]:
    cap = scheme.bonus_monthly_cap
    if cap is None:
        return coins, ""
    first = on.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    had = Entry.objects.filter(
        account=wallet,
        transfer__kind=Transfer.Kind.BONUS,
        transfer__value_date__range=(first, last),
        transfer__reversed_by__isnull=True,
    ).aggregate(total=Sum("amount"))["total"]
    room = max(cap - int(had or 0), 0)
    if coins <= room:
        return coins, ""
    if room == 0:
        return 0, f"no {scheme.coin_plural}: the monthly bonus limit of {cap} is reached"
    held = scheme.coins(coins - room)
    return room, f"{held} held back by the monthly bonus limit of {cap}"


def _bonus_write(
    scheme: Scheme,
    user: User,
    rule: str,
    key: str,
    memo: str,
    *,
    coins: int,
    transfer: Transfer | None,
    note: str = "",
) -> Bonus:
    try:
        with transaction.atomic():
            bonus = Bonus.objects.create(
                scheme=scheme,
                user=user,
                rule=rule,
                key=key,
                coins=coins,
                transfer=transfer,
                memo=_with(memo, note),
            )
    except IntegrityError:
        # The same key written at this moment by another transaction: it is theirs.
        return Bonus.objects.get(key=key)
    _tell(bonus, memo, note)
    return bonus


def _tell(bonus: Bonus, memo: str, note: str) -> None:
    label = BonusRule(bonus.rule).label
    if bonus.coins:
        coins = bonus.scheme.coins(bonus.coins)
        body = f"You earned a bonus of {coins} for bringing people together."
    else:
        body = f"You earned a badge: {label[0].lower()}{label[1:]}."
    if note:
        body = f"{body} {note[0].upper()}{note[1:]}."
    notify(
        recipients=[bonus.user],
        kind="bonus_awarded",
        title=memo,
        body=body,
        url=reverse("coins:wallet"),
    )
