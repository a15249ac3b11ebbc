"""What coins may ask of the community groups that hold accounts: filled in once at start
by the app that has them (marketplace's AppConfig.ready), so coins never names it."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from accounts.models import User


@dataclass(frozen=True)
class Groups:
    model: type[Model]  # the owner of every Account.Kind.GROUP account
    verified: Callable[[], QuerySet[Any]]  # the groups a sponsor may fund
    members: Callable[[Any], Iterable[User]]  # who hears of what a group receives
    account_url: Callable[[], str]  # where those people see the group's coins
    # Confirmed volunteer minutes since a moment: in one group, or (group None) the scheme.
    minutes_since: Callable[..., int]


_groups: list[Groups] = []


def groups_register(groups: Groups) -> None:
    _groups[:] = [groups]


def groups() -> Groups:
    if not _groups:
        raise ImproperlyConfigured("No app registered community groups with coins.owners.")
    return _groups[0]


def minutes_since(*, scheme_id: int, group_id: int | None, since: datetime) -> int:
    return int(groups().minutes_since(scheme_id=scheme_id, group_id=group_id, since=since))
