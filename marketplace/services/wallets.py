"""What the ledger's events mean for people: gifts, and the scheduled warnings and expiry
notices. coins/ moves the amounts and knows nobody to tell; this tells them."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.expiry import expiry_warnings, wallets_expire
from coins.models import Account, Scheme, Transfer
from coins.services import coins_donate
from marketplace.models import CommunityGroup
from marketplace.services.common import headline
from notifications.live import live_refresh
from notifications.services import notify


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
            _tell_received(sender=sender, to=to, amount=amount)
    live_refresh(user_ids=[sender.pk], fragments=["wallet"])  # the giver's open wallet
    return transfer


def _tell_received(*, sender: User, to: Account, amount: int) -> None:
    giver = sender.public_name or "A resident"
    coins = f"{amount} coin{'s' if amount != 1 else ''}"
    owner = to.owner
    if isinstance(owner, User):
        notify(
            recipients=[owner],
            kind="coins_received",
            title=headline(f"{giver} gave you {coins}"),
            body="They are in your wallet now.",
            url=reverse("coins:wallet"),
        )
    elif isinstance(owner, CommunityGroup):
        notify(
            recipients=list(User.objects.filter(organiser_memberships__group=owner)),
            kind="coins_received",
            title=headline(f"{giver} gave {owner.name} {coins}"),
            body="They are in your group's account now.",
            url=reverse("organise:dashboard"),
        )


def coins_expiry_run(*, today: date | None = None) -> dict[str, int]:
    """Warn wallets whose coins expire soon, then expire the ones that are due.
    Safe to run twice on a day: each step is keyed on the wallet's last movement."""
    today = today or timezone.localdate()
    warned = expired = 0
    for scheme in Scheme.objects.filter(expiry_months__isnull=False, participation_only=False):
        with transaction.atomic():
            for warning in expiry_warnings(scheme=scheme, today=today):
                notify(
                    recipients=_owner(warning.account),
                    kind="coins_expiring",
                    title=f"{warning.coins} coins expire on {warning.due:%-d %B}",
                    body="Your wallet has not moved for a while. Spend them, or give them "
                    "to a community group, before then.",
                    url=reverse("board:wallet_give"),
                )
                warned += 1
        for transfer in wallets_expire(scheme=scheme, today=today):
            entry = transfer.entries.select_related("account").filter(amount__lt=0).get()
            with transaction.atomic():
                notify(
                    recipients=_owner(entry.account),
                    kind="coins_expired",
                    title=f"{-entry.amount} coins expired",
                    body=transfer.memo,
                    url=reverse("coins:wallet"),
                )
            expired += 1
    return {"warned": warned, "expired": expired}


def _owner(wallet: Account) -> list[User]:
    """A wallet's person, if they still have an account (erased people are not told)."""
    owner = wallet.owner
    return [owner] if isinstance(owner, User) else []
