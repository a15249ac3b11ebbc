"""Deleting a resident's account (UK GDPR erasure), across every app in one transaction:
upcoming places cancelled, coins given to a group they chose or else up to the scheme
through the ledger, what they told us deleted, the User row anonymised (the ledger and
hours point at it and are append-only), and the erasure logged. The person asks from
their account, or a council officer of their town does it at their request. What others
are told (the shift's organisers) goes after commit."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q

from accounts import personal_data as accounts_data
from accounts.models import Erasure, User
from backend.personal_data import refusals_of
from cohesion import personal_data as cohesion_data
from coins import personal_data as coins_data
from coins.models import Account, Residence, Scheme, owner_key
from coins.selectors import schemes_run_by
from marketplace.board import personal_data as board_data
from marketplace.rewards import personal_data as rewards_data
from notifications import personal_data as notifications_data

CONFIRM_WORD = "DELETE"


class DeletionRefused(Exception):
    """The account cannot be deleted yet; the message says what to do first."""


def schemes_of(user: User) -> list[Scheme]:
    """The towns a person belongs to: where they live, and where they hold a wallet."""
    wallets = Account.objects.filter(kind=Account.Kind.WALLET, **owner_key(user))
    lives = Residence.objects.filter(user=user).values("scheme")
    found = Scheme.objects.filter(Q(pk__in=lives) | Q(pk__in=wallets.values("scheme")))
    return list(found.order_by("name"))


def may_erase(*, by: User, user: User) -> bool:
    """The person themselves, or a council officer of a town they belong to."""
    if by.pk == user.pk:
        return True
    theirs = {scheme.pk for scheme in schemes_of(user)}
    return schemes_run_by(by).filter(pk__in=theirs).exists()


def account_delete(
    *,
    user: User,
    by: User,
    give_to: Mapping[int, Account] | None = None,
    reason: str = "",
) -> User:
    """Erase `user`'s account, by themselves or (`by`, with a reason) a council officer
    of their town. Refused, with nothing changed, while they alone run a group, a shop
    or a town. `give_to` is the group chosen for each town's coins, by scheme id."""
    if not may_erase(by=by, user=user):
        raise DeletionRefused(
            "Only the person, or a council officer of their town, can delete this account."
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active or Erasure.objects.filter(account=user).exists():
            raise DeletionRefused("This account is already deleted.")
        if reasons := refusals_of(user):
            raise DeletionRefused(" ".join(reasons))
        board_data.personal_data_erase(user=user)
        rewards_data.personal_data_erase(user=user)
        coins_data.personal_data_erase(user=user, give_to=give_to)
        cohesion_data.personal_data_erase(user=user)
        notifications_data.personal_data_erase(user=user)
        accounts_data.personal_data_erase(user=user)
        Erasure.objects.create(account=user, by=by, reason=reason.strip())
    return user
