"""The registry of each app's part of a person's data: what the download gathers and
what deleting an account erases, from the highest layer down."""

from collections.abc import Callable
from types import ModuleType
from typing import Any

from accounts import personal_data as accounts_data
from accounts.models import User
from cohesion import personal_data as cohesion_data
from coins import personal_data as coins_data
from marketplace.board import personal_data as board_data
from marketplace.rewards import personal_data as rewards_data
from notifications import personal_data as notifications_data

# Each module has personal_data(user) -> dict and personal_data_erase(*, user).
PARTS: list[tuple[str, ModuleType]] = [
    ("you", accounts_data),
    ("volunteering", board_data),
    ("rewards", rewards_data),
    ("coins", coins_data),
    ("pulse", cohesion_data),
    ("notifications", notifications_data),
]

ABOUT = (
    "Everything Citizen Coin holds about you, as at the time this file was made. "
    "Other people appear only as 'another resident' or 'a friend'; groups and shops by name."
)


def personal_data_of(user: User, *, made: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"about_this_file": ABOUT, "made": made}
    for name, module in PARTS:
        data[name] = module.personal_data(user)
    return data


def refusals_of(user: User) -> list[str]:
    """Why this person may not delete their account yet ([] when they may)."""
    checks: list[Callable[[User], list[str]]] = [
        board_data.personal_data_refusals,
        rewards_data.personal_data_refusals,
        coins_data.personal_data_refusals,
    ]
    return [reason for check in checks for reason in check(user)]
