"""Gifts to another resident by e-mail address, which never tell the giver whether the
address has an account here.

An address someone has joined with and confirmed gets the coins at once (gift_give). Any
other address gets them held: they leave the giver's wallet for the giver's held-gifts
account, exactly as a delivered gift leaves it, and wait HOLD_DAYS for someone to join
with that address and confirm it (then they are theirs), after which the hold is
reversed and they come back. Either way the giver's page, balance and statement read the
same; only a gift coming back, days later, says that nobody claimed it."""

import hashlib
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.models import Account, Entry, PendingGift, Scheme, Transfer
from coins.selectors import resident_by_email
from coins.services import (
    LedgerError,
    Leg,
    TransferConflict,
    account_for,
    transfer_post,
    transfer_reverse,
    wallet_for,
)
from coins.wallets import gift_give, tell_received
from notifications.live import live_refresh
from notifications.services import notify
from outbox.services import outbox_enqueue

HOLD_DAYS = 14
# The statement says this for a gift to any resident, delivered or held.
RESIDENT_GIFT = "Gift to another resident"


def gift_send(
    *,
    scheme: Scheme,
    sender: User,
    group: Account | None,
    email: str,
    amount: int,
    request_id: object,
) -> Transfer:
    """The give page's (and the API's) gift: to a community group's account, or else to
    a resident by e-mail address. The same request again gives once."""
    if group is None:
        key = gift_key(sender=sender, request_id=request_id, email=email)
        return gift_to_resident(scheme=scheme, sender=sender, email=email, amount=amount, key=key)
    return gift_give(
        scheme=scheme,
        sender=sender,
        to=group,
        amount=amount,
        key=f"give:{sender.pk}:{request_id}",
        memo=f"Gift to {group.owner}",
    )


def gift_thanks(*, scheme: Scheme, group: Account | None, email: str, amount: int) -> str:
    """What the giver reads after giving: to a resident, the same whether or not anyone
    has joined with the address."""
    coins = scheme.coins(amount)
    if group is not None:
        return f"Thank you! Gift to {group.owner}: {coins}."
    return (
        f"Thank you! If someone with the address {email} has joined {scheme.name}, your "
        f"gift of {coins} is theirs now. If nobody has yet, we keep it for {HOLD_DAYS} "
        "days for whoever joins with that address, then give it back to you."
    )


def gift_key(*, sender: User, request_id: object, email: str) -> str:
    """One gift per form shown and address: pressing Give twice gives once, and the
    same form sent again to another address is another gift."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]
    return f"give:{sender.pk}:{request_id}:{digest}"


def gift_to_resident(
    *, scheme: Scheme, sender: User, email: str, amount: int, key: str
) -> Transfer:
    """Give coins to whoever has (or will have) this e-mail address. What the giver gets
    back, a refusal included, is the same whether or not the address has an account."""
    email = email.strip().lower()
    if amount < 1:
        raise LedgerError("Give at least 1 coin.")
    wallet = wallet_for(scheme=scheme, user=sender)
    with transaction.atomic():
        # Gift keys are the sender's own: under a lock on the sender, a key is either
        # used or not. A key used before is answered by its amount alone, never by where
        # the coins went, which would tell whether the address has an account.
        User.objects.select_for_update(no_key=True).get(pk=sender.pk)
        first = Entry.objects.filter(transfer__key=key, account=wallet).first()
        if first is not None:
            if first.amount != -amount:
                raise TransferConflict("That request was already used for a different movement.")
            return first.transfer
        person = resident_by_email(email)
        if person is not None and person.pk == sender.pk:
            raise LedgerError("You cannot give coins to yourself.")
        if person is not None:
            return gift_give(
                scheme=scheme,
                sender=sender,
                to=wallet_for(scheme=scheme, user=person),
                amount=amount,
                key=key,
                memo=RESIDENT_GIFT,
            )
        return _hold(
            scheme=scheme, sender=sender, wallet=wallet, email=email, amount=amount, key=key
        )


def _hold(
    *, scheme: Scheme, sender: User, wallet: Account, email: str, amount: int, key: str
) -> Transfer:
    held = account_for(scheme=scheme, kind=Account.Kind.HELD, owner=sender)
    transfer = transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.DONATION,
        key=key,
        legs=[Leg(wallet, -amount), Leg(held, amount)],
        memo=RESIDENT_GIFT,
        actor=sender,
    )
    PendingGift.objects.create(
        scheme=scheme,
        sender=sender,
        email=email,
        amount=amount,
        hold=transfer,
        expires=transfer.created + timedelta(days=HOLD_DAYS),
    )
    live_refresh(user_ids=[sender.pk], fragments=["wallet"])  # the giver's open wallet
    return transfer


def pending_gifts_claim(*, user: User, email: str) -> list[PendingGift]:
    """Someone confirmed this address: the gifts held for it become theirs, each once."""
    claimed = []
    for pk in PendingGift.objects.filter(
        state=PendingGift.State.HELD, email=email.strip().lower()
    ).values_list("pk", flat=True):
        try:
            gift = _claim(pk, user)
        except LedgerError:  # the council reversed the hold by hand: nothing left to claim
            continue
        if gift is not None:
            claimed.append(gift)
    return claimed


def _claim(pk: int, user: User) -> PendingGift | None:
    with transaction.atomic():
        gift = _locked_if_held(pk)
        if gift is None:
            return None
        wallet = wallet_for(scheme=gift.scheme, user=user)
        transfer = transfer_post(
            scheme=gift.scheme,
            kind=Transfer.Kind.DONATION,
            key=f"gift-claim:{gift.pk}",
            legs=[Leg(_held(gift), -gift.amount), Leg(wallet, gift.amount)],
            memo=RESIDENT_GIFT,
            actor=gift.sender,
        )
        _settle(gift, PendingGift.State.CLAIMED, transfer)
        tell_received(scheme=gift.scheme, sender=gift.sender, to=wallet, amount=gift.amount)
    return gift


def pending_gifts_return(*, now: datetime | None = None) -> list[PendingGift]:
    """Gifts nobody claimed in HOLD_DAYS go back to their givers: the hold reversed."""
    now = now or timezone.now()
    returned = []
    due = PendingGift.objects.filter(state=PendingGift.State.HELD, expires__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            gift = _locked_if_held(pk)
            if gift is None:
                continue
            reversal = transfer_reverse(
                transfer=gift.hold,
                actor=None,
                reason=f"nobody claimed the gift within {HOLD_DAYS} days",
            )
            _settle(gift, PendingGift.State.RETURNED, reversal)
            notify(
                recipients=[gift.sender],
                kind="gift_returned",
                title=f"Your gift of {gift.scheme.coins(gift.amount)} came back to you",
                body=f"Nobody joined with the address you gave it to within {HOLD_DAYS} "
                "days, so it is back in your wallet.",
                url=reverse("coins:wallet"),
            )
        returned.append(gift)
    return returned


def _locked_if_held(pk: int) -> PendingGift | None:
    gift = (
        PendingGift.objects.select_for_update(of=("self",))
        .select_related("scheme", "hold")
        .get(pk=pk)
    )
    return gift if gift.state == PendingGift.State.HELD else None


def _held(gift: PendingGift) -> Account:
    return gift.hold.entries.select_related("account").get(amount__gt=0).account


def _settle(gift: PendingGift, state: str, transfer: Transfer) -> None:
    gift.state, gift.settled, gift.email = state, transfer, ""
    gift.save(update_fields=["state", "settled", "email"])


def gifts_claim_on_confirm(*, email_address: EmailAddress, **kwargs: object) -> None:
    """allauth's email_confirmed: once the confirmation commits, a task claims the gifts
    held for the address, so that a hitch with a gift never stops anyone confirming,
    and a worker or broker down only delays the claim (the outbox keeps it)."""
    from coins.tasks import pending_gifts_claim_task

    outbox_enqueue(pending_gifts_claim_task.name, email_address.user_id, email_address.email)


def pending_gifts_return_of(*, sender: User, reason: str) -> list[PendingGift]:
    """Every gift this person sent that is still waiting comes back to their wallet now
    (the hold reversed), told to nobody: deleting an account calls it first."""
    returned = []
    held = PendingGift.objects.filter(state=PendingGift.State.HELD, sender=sender)
    for pk in held.values_list("pk", flat=True):
        with transaction.atomic():
            gift = _locked_if_held(pk)
            if gift is None:
                continue
            reversal = transfer_reverse(transfer=gift.hold, actor=None, reason=reason)
            _settle(gift, PendingGift.State.RETURNED, reversal)
        returned.append(gift)
    return returned
