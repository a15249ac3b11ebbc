"""Each campaign's figures for the council's dashboard: its opportunities and shifts, the
people who gave time on them and their hours, and the first-timers it brought in (their
first confirmed hours in the scheme were on one of its shifts).

A campaign counts the shifts of its opportunities held between its first and last day.
Counted live: campaigns are few and short. Every count of people is its own cell,
hidden under k (there is no total row to work one out from); hours hide with them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone

from impact.selectors import Filters
from impact.suppression import Cell, hidden, rounded
from marketplace.board.models import Campaign, Hours, Shift


@dataclass(frozen=True)
class CampaignRow:
    name: str
    starts_on: date
    ends_on: date
    opportunities: int
    shifts: int
    volunteers: Cell
    minutes: Cell
    first_timers: Cell


def campaigns_table(filters: Filters) -> list[CampaignRow]:
    """The scheme's campaigns that overlap the months, newest first (for the ward or
    cause chosen: their opportunities there)."""
    found = Campaign.objects.filter(
        scheme=filters.scheme, starts_on__lt=filters.end.date(), ends_on__gte=filters.first
    ).order_by("-starts_on", "name")
    return [_row(campaign, filters) for campaign in found]


def _row(campaign: Campaign, filters: Filters) -> CampaignRow:
    k, five = filters.scheme.privacy_k, filters.scheme.round_to_five
    shifts = _shifts(campaign, filters)
    given = Hours.objects.filter(status=Hours.State.CONFIRMED, signup__shift__in=shifts)
    people = given.aggregate(n=Count("signup__user", distinct=True), minutes=Sum("minutes"))
    firsts = _first_timers(campaign, given)
    volunteers = None if hidden(people["n"], k) else people["n"]
    return CampaignRow(
        name=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        opportunities=shifts.values("opportunity").distinct().count(),
        shifts=shifts.count(),
        volunteers=rounded(volunteers, to_five=five),
        minutes=None if volunteers is None else people["minutes"] or 0,
        first_timers=rounded(None if hidden(firsts, k) else firsts, to_five=five),
    )


def _shifts(campaign: Campaign, filters: Filters) -> QuerySet[Shift]:
    shifts = Shift.objects.filter(
        opportunity__campaign=campaign,
        cancelled_at__isnull=True,
        start__gte=_moment(campaign.starts_on),
        start__lt=_moment(campaign.ends_on, end=True),
    )
    if filters.ward is not None:
        shifts = shifts.filter(opportunity__ward=filters.ward)
    if filters.cause:
        shifts = shifts.filter(opportunity__causes__contains=[filters.cause])
    return shifts


def _first_timers(campaign: Campaign, given: QuerySet[Hours]) -> int:
    """People whose first confirmed hours in the scheme, ever, were on these shifts."""
    here = given.values("signup__user").annotate(first=Min("signup__shift__start"))
    # The campaign's people as a list, not a subquery: planned as one, on tables just
    # loaded, PostgreSQL chose a plan that took minutes over the demo year.
    people = set(given.values_list("signup__user", flat=True))
    ever = (
        Hours.objects.filter(
            status=Hours.State.CONFIRMED,
            signup__shift__opportunity__scheme=campaign.scheme,
            signup__user__in=people,
        )
        .values("signup__user")
        .annotate(first=Min("signup__shift__start"))
    )
    firsts = {row["signup__user"]: row["first"] for row in ever}
    return sum(1 for row in here if firsts.get(row["signup__user"]) == row["first"])


def _moment(day: date, *, end: bool = False) -> datetime:
    """The start of the day (or of the next one, for a campaign's last day)."""
    moment = timezone.make_aware(datetime.combine(day, time.min))
    return moment + timedelta(days=1) if end else moment
