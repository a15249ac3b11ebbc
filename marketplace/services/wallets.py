"""What the ledger's scheduled work means for people: warnings and expiry notices."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.expiry import expiry_warnings, wallets_expire
from coins.models import Account, Scheme
from notifications.services import notify


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
                    url=reverse("coins:give"),
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
