"""The person's town, wallets and statements, gifts, bonuses and sponsorships in the
download of their data; and, when they delete their account, their coins given to a
community group they chose, or else given up to the scheme (as expiry moves them: to
the expiry account), through the one write path."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count

from accounts.models import User
from coins.gifts import pending_gifts_return_of
from coins.models import (
    Account,
    Bonus,
    Currency,
    Entry,
    PendingGift,
    Residence,
    Scheme,
    SchemeAdmin,
    SchemeAdminInvite,
    Sponsorship,
    Transfer,
    owner_key,
)
from coins.owners import groups
from coins.selectors import statement
from coins.services import Leg, account_for, coins_donate, lock_accounts, transfer_post
from notifications.services import headline, notify

GIVEN_UP = "Given up when the account was deleted"
LEAVING_GIFT = "Gift to {group} when the account was deleted"
ANOTHER_RESIDENT = "another resident"


def personal_data(user: User) -> dict[str, Any]:
    residence = Residence.objects.filter(user=user).select_related("scheme").first()
    accounts = _accounts(user)
    return {
        "town": residence.scheme.name if residence else None,
        "ledger_accounts": [_account(a) for a in accounts],
        "statement": [line for a in accounts for line in _statement(a)],
        "gifts_waiting_to_be_claimed": [
            {
                "town": gift.scheme.name,
                "amount": gift.amount,
                # Who it was for is another person's data: their address is left out.
                "to": ANOTHER_RESIDENT,
                "state": gift.get_state_display(),
                "sent": gift.created,
                "comes_back_on": gift.expires,
            }
            for gift in PendingGift.objects.filter(sender=user).select_related("scheme")
        ],
        "bonuses_and_badges": [
            {
                "town": bonus.scheme.name,
                "rule": bonus.get_rule_display(),
                "coins": bonus.coins,
                "badge_only": bonus.coins == 0,
                "memo": bonus.memo,
                "when": bonus.created,
            }
            for bonus in Bonus.objects.filter(user=user).select_related("scheme").order_by("id")
        ],
        "sponsorships": [
            {
                "town": s.scheme.name,
                "amount_pence": s.amount_pence,
                "status": s.get_status_display(),
                "when": s.created,
            }
            for s in Sponsorship.objects.filter(sponsor=user).select_related("scheme")
        ],
        "runs_schemes": [
            m.scheme.name for m in SchemeAdmin.objects.filter(user=user).select_related("scheme")
        ],
    }


def _accounts(user: User) -> list[Account]:
    found = Account.objects.filter(**owner_key(user)).select_related("scheme")
    return list(found.order_by("scheme__name", "id"))


def _account(account: Account) -> dict[str, Any]:
    return {
        "town": account.scheme.name,
        "kind": account.get_kind_display(),
        "currency": account.currency,
        "balance": account.balance,
        "opened": account.created,
    }


def _statement(account: Account) -> list[dict[str, Any]]:
    """Oldest first, each line naming its account's town and kind."""
    return [
        {
            "town": account.scheme.name,
            "account": account.get_kind_display(),
            "when": line.when,
            "description": line.description,
            "amount": line.amount,
            "balance_after": line.balance_after,
        }
        for line in reversed(statement(account))
    ]


def personal_data_refusals(user: User) -> list[str]:
    """Why the account cannot be deleted yet: a town nobody else runs."""
    runs = Scheme.objects.filter(pk__in=SchemeAdmin.objects.filter(user=user).values("scheme"))
    alone = runs.annotate(admins=Count("admin_memberships")).filter(admins=1).order_by("name")
    return [
        f"You are the only council officer running {scheme.name}. Add another officer "
        "first, then come back to delete your account."
        for scheme in alone
    ]


@dataclass(frozen=True)
class CoinsToGive:
    """Coins in one town's wallet, and the community groups there they may go to."""

    wallet: Account
    groups: list[Account]


def coins_to_give(user: User) -> list[CoinsToGive]:
    """Each wallet with coins in it, with the groups of its town (as the give page lists
    them), for the choice before deleting the account."""
    wallets = [a for a in _accounts(user) if a.currency == Currency.COIN and a.balance > 0]
    return [CoinsToGive(wallet=w, groups=_groups_of(w.scheme)) for w in wallets]


def _groups_of(scheme: Scheme) -> list[Account]:
    found = Account.objects.filter(
        scheme=scheme, kind=Account.Kind.GROUP, currency=Currency.COIN
    ).prefetch_related("owner")
    return sorted((a for a in found if a.owner is not None), key=lambda a: str(a.owner))


def personal_data_erase(
    *, user: User, give_to: Mapping[int, Account] | None = None
) -> list[Transfer]:
    """Gifts still waiting come back, then the coins in each wallet go to the group
    chosen for its town (`give_to`, by scheme id), or else to the scheme's expiry
    account: one transfer per account. Their town and admin roles go."""
    pending_gifts_return_of(sender=user, reason="the giver deleted their account")
    chosen = give_to or {}
    moved = [
        t
        for a in _accounts(user)
        if (t := _give_up(user, a.pk, chosen.get(a.scheme_id))) is not None
    ]
    Residence.objects.filter(user=user).delete()
    SchemeAdmin.objects.filter(user=user).delete()
    # An invitation to run a town names the person's address, accepted or not.
    SchemeAdminInvite.objects.filter(email__iexact=user.email).delete()
    return moved


def _give_up(user: User, account_id: int, group: Account | None) -> Transfer | None:
    account = Account.objects.select_related("scheme").get(pk=account_id)
    if account.currency != Currency.COIN:
        return None  # a person holds coins only; never GBP
    to = group or account_for(scheme=account.scheme, kind=Account.Kind.EXPIRY)
    with transaction.atomic():
        locked = lock_accounts([account.pk, to.pk])[account.pk]
        last = Entry.objects.filter(account=locked).order_by("-id").first()
        if locked.balance <= 0 or last is None:
            return None
        # The key names the wallet's last entry: deleting again moves nothing more.
        key = f"account-deleted:{locked.pk}:{last.pk}"
        if group is not None:
            return _give_to_group(user, locked, group, key)
        return transfer_post(
            scheme=account.scheme,
            kind=Transfer.Kind.EXPIRY,
            key=key,
            legs=[Leg(locked, -locked.balance), Leg(to, locked.balance)],
            memo=GIVEN_UP,
        )


def _give_to_group(user: User, wallet: Account, group: Account, key: str) -> Transfer:
    """A gift like any other (coins_donate), but its organisers are not told who gave:
    the person is leaving, and their name must not stay behind in others' messages."""
    scheme, amount = wallet.scheme, wallet.balance
    transfer = coins_donate(
        scheme=scheme,
        sender=user,
        to=group,
        amount=amount,
        key=key,
        memo=LEAVING_GIFT.format(group=group.owner),
    )
    notify(
        recipients=list(groups().members(group.owner)),
        kind="coins_received",
        title=headline(f"A resident who has left gave {group.owner} {scheme.coins(amount)}"),
        body="They gave their coins to your group before deleting their account.",
        url=groups().account_url(),
    )
    return transfer
