"""What the board tells coins about a person's own volunteering (coins.volunteering): the
hours a participation-only scheme's wallet page shows in place of coins."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from coins.volunteering import HoursLine, Volunteering
from marketplace.board.models import Hours


def volunteering() -> Volunteering:
    return Volunteering(hours=_hours, schemes=_schemes)


def _confirmed(user: User) -> QuerySet[Hours]:
    return Hours.objects.filter(signup__user=user, status=Hours.State.CONFIRMED)


def _hours(user: User, scheme_id: int) -> list[HoursLine]:
    rows = (
        _confirmed(user)
        .filter(signup__shift__opportunity__scheme_id=scheme_id)
        .order_by("-signup__shift__start", "-pk")
        .values_list(
            "signup__shift__start",
            "signup__shift__opportunity__title",
            "signup__shift__opportunity__group__name",
            "minutes",
        )
    )
    return [
        HoursLine(timezone.localdate(start), f"{title} with {group}", minutes)
        for start, title, group, minutes in rows
    ]


def _schemes(user: User) -> set[int]:
    ids = _confirmed(user).values_list("signup__shift__opportunity__scheme_id", flat=True)
    return set(ids.distinct())
