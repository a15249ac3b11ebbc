"""What the board tells coins about its community groups (coins.owners): which may be
sponsored, who hears of the coins a group receives, and the hours volunteers gave."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet, Sum
from django.urls import reverse

from accounts.models import User
from coins.owners import Groups
from marketplace.board.models import CommunityGroup, Hours
from marketplace.organisations import Status


def coin_owners() -> Groups:
    return Groups(
        model=CommunityGroup,
        verified=_verified,
        members=_organisers,
        account_url=lambda: reverse("organise:dashboard"),
        minutes_since=_minutes_since,
    )


def _verified() -> QuerySet[Any]:
    return CommunityGroup.objects.filter(status=Status.VERIFIED)


def _organisers(group: CommunityGroup) -> QuerySet[User]:
    return User.objects.filter(organiser_memberships__group=group)


def _minutes_since(*, scheme_id: int, group_id: int | None, since: datetime) -> int:
    hours = Hours.objects.filter(status=Hours.State.CONFIRMED, signup__shift__start__gte=since)
    if group_id is None:
        hours = hours.filter(signup__shift__opportunity__scheme_id=scheme_id)
    else:
        hours = hours.filter(signup__shift__opportunity__group_id=group_id)
    return int(hours.aggregate(total=Sum("minutes"))["total"] or 0)
