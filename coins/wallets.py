"""Gifts from a wallet: coins_donate moves them, and whoever receives them is told (the
resident, or a community group's members through coins.owners)."""

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from coins.models import Account, Scheme, Transfer
from coins.owners import groups
from coins.services import coins_donate
from notifications.live import live_refresh
from notifications.services import headline, notify


def gift_give(
    *, scheme: Scheme, sender: User, to: Account, amount: int, key: str, memo: str
) -> Transfer:
    """A resident gives coins (coins_donate) and whoever receives them is told: the
    resident, or the group's organisers. The same key again returns the first gift
    and tells nobody a second time."""
    with transaction.atomic():
        # Gift keys are the sender's own ("give:<their id>:..."): under a lock on the
        # sender, the key is either already used or not, with no race between.
        User.objects.select_for_update(no_key=True).get(pk=sender.pk)
        again = Transfer.objects.filter(key=key).exists()
        transfer = coins_donate(
            scheme=scheme, sender=sender, to=to, amount=amount, key=key, memo=memo
        )
        if not again:
            tell_received(scheme=scheme, sender=sender, to=to, amount=amount)
    live_refresh(user_ids=[sender.pk], fragments=["wallet"])  # the giver's open wallet
    return transfer


def tell_received(*, scheme: Scheme, sender: User, to: Account, amount: int) -> None:
    """Whoever received a gift hears of it (after commit, through notify)."""
    giver = sender.public_name or "A resident"
    coins = scheme.coins(amount)
    owner = to.owner
    if isinstance(owner, User):
        notify(
            recipients=[owner],
            kind="coins_received",
            title=headline(f"{giver} gave you {coins}"),
            body="They are in your wallet now.",
            url=reverse("coins:wallet"),
        )
    elif isinstance(owner, groups().model):
        notify(
            recipients=list(groups().members(owner)),
            kind="coins_received",
            title=headline(f"{giver} gave {owner} {coins}"),
            body="They are in your group's account now.",
            url=groups().account_url(),
        )
