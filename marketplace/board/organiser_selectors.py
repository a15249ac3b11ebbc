"""Reads for a group's organisers: how full their shifts are and what waits for them,
and each volunteer's record with the group.

A volunteer's record is the group's own business only: it counts their sign-ups to
this group's shifts, never another group's, and is shown to this group's organisers
alone (never to other volunteers, nor to shops)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from accounts.models import User
from marketplace.board.models import Hours, Opportunity, Shift, Signup

# A place given up less than this before the start is hard to fill: a late cancellation.
LATE_CANCEL = timedelta(hours=24)


@dataclass(frozen=True)
class AttendanceHistory:
    """A volunteer's record on a group's other shifts (cancelled shifts left out)."""

    came: int = 0
    no_shows: int = 0
    cancelled_late: int = 0

    @property
    def first_time(self) -> bool:
        return not (self.came or self.no_shows or self.cancelled_late)


def attendance_history_for(shift: Shift) -> dict[int, AttendanceHistory]:
    """By user id, for everyone with a place or waiting on the shift, in one query:
    how often they came to the group's other shifts, did not come, or cancelled late.
    Someone with no record is missing from it (`AttendanceHistory()` reads as none)."""
    people = shift.signups.exclude(status=Signup.State.CANCELLED).values("user_id")
    rows = (
        Signup.objects.filter(
            user_id__in=people,
            shift__opportunity__group=shift.opportunity.group_id,
            shift__cancelled_at__isnull=True,  # the group called it off: nobody's doing
        )
        .exclude(shift=shift)
        .values("user_id")
        .annotate(
            came=Count("pk", filter=Q(status=Signup.State.CONFIRMED, attended=True)),
            no_shows=Count("pk", filter=Q(status=Signup.State.CONFIRMED, attended=False)),
            cancelled_late=Count(
                "pk",
                filter=Q(
                    status=Signup.State.CANCELLED,
                    cancelled_at__gt=F("shift__start") - LATE_CANCEL,
                ),
            ),
        )
    )
    return {
        row["user_id"]: AttendanceHistory(
            came=row["came"], no_shows=row["no_shows"], cancelled_late=row["cancelled_late"]
        )
        for row in rows
    }


def shifts_with_fill() -> QuerySet[Any]:
    """Shifts with places taken, people waiting, and hours claims waiting for a decision,
    counted in the same query (an hours record is one per sign-up, so nothing doubles)."""
    return Shift.objects.annotate(
        taken=Count("signups", filter=Q(signups__status=Signup.State.CONFIRMED)),
        waiting=Count("signups", filter=Q(signups__status=Signup.State.WAITLISTED)),
        claims=Count("signups__hours", filter=Q(signups__hours__status=Hours.State.CLAIMED)),
    )


def organiser_opportunities(user: User) -> QuerySet[Opportunity]:
    """The opportunities of the groups this person organises, each with its shifts
    (soonest first) counted as `shifts_with_fill` counts them: two queries in all."""
    shifts = Prefetch("shifts", queryset=shifts_with_fill().order_by("start"))
    return (
        Opportunity.objects.filter(group__organisers__user=user)
        .select_related("group")
        .prefetch_related(shifts)
        .order_by("group__name", "title")
    )
