"""Reads for the council's campaigns: the list, a campaign's opportunities and their
next shifts, and how many took part (small numbers of people never shown)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from marketplace.board.models import Campaign, Hours, Opportunity, Signup
from marketplace.board.selectors import public_opportunities, shifts_with_places

NEXT_SHIFTS = 3


@dataclass(frozen=True)
class Participation:
    """People with a place on the campaign's shifts, each counted once, and the hours
    confirmed; None where fewer than k people are behind the figure."""

    people: int | None
    minutes: int | None
    k: int

    @property
    def hours(self) -> str:
        hours, minutes = divmod(self.minutes or 0, 60)
        return f"{hours:,} h {minutes:02d} min" if minutes else f"{hours:,} h"


def campaigns_listed(*, scheme_id: int | None = None) -> tuple[list[Campaign], list[Campaign]]:
    """Campaigns on now or to come, soonest first; and those that have ended. Only one
    town's when `scheme_id` is given."""
    today = timezone.localdate()
    every = Campaign.objects.select_related("scheme")
    if scheme_id is not None:
        every = every.filter(scheme_id=scheme_id)
    running = list(every.filter(ends_on__gte=today).order_by("starts_on", "name"))
    ended = list(every.filter(ends_on__lt=today).order_by("-ends_on", "name")[:20])
    return running, ended


def campaign_by_slug(slug: str) -> Campaign | None:
    # Slugs are made unique across schemes; the newest wins for any older duplicate.
    found = Campaign.objects.select_related("scheme").filter(slug=slug)
    return found.order_by("-starts_on", "-pk").first()


def campaign_opportunities(campaign: Campaign) -> list[Opportunity]:
    """Its public opportunities, each with `next_shifts`: up to three shifts still to
    come during the campaign, not cancelled."""
    start, end = _span(campaign)
    upcoming = shifts_with_places().filter(
        start__gt=max(timezone.now(), start), start__lt=end, cancelled_at__isnull=True
    )
    shifts = Prefetch(
        "shifts", queryset=upcoming.order_by("start")[:NEXT_SHIFTS], to_attr="next_shifts"
    )
    found: QuerySet[Any] = public_opportunities().filter(campaign=campaign)
    found = found.select_related("group").prefetch_related(shifts)
    return sorted(found, key=lambda o: (_first_start(o), o.title))


def campaign_participation(campaign: Campaign) -> Participation:
    people = Signup.objects.filter(status=Signup.State.CONFIRMED, **_during(campaign, "shift"))
    count = people.values("user").distinct().count()
    given = Hours.objects.filter(status=Hours.State.CONFIRMED, **_during(campaign, "signup__shift"))
    givers = given.values("signup__user").distinct().count()
    minutes = given.aggregate(total=Sum("minutes"))["total"] or 0
    k = campaign.scheme.privacy_k
    return Participation(
        people=None if 0 < count < k else count,
        minutes=None if 0 < givers < k else minutes,
        k=k,
    )


def _during(campaign: Campaign, shift: str) -> dict[str, Any]:
    """Filters for the campaign's shifts that begin within its dates, not cancelled."""
    start, end = _span(campaign)
    return {
        f"{shift}__opportunity__campaign": campaign,
        f"{shift}__start__gte": start,
        f"{shift}__start__lt": end,
        f"{shift}__cancelled_at__isnull": True,
    }


def _span(campaign: Campaign) -> tuple[datetime, datetime]:
    """From midnight on its first day to midnight after its last, local time."""
    return _midnight(campaign.starts_on), _midnight(campaign.ends_on + timedelta(days=1))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _first_start(opportunity: Any) -> datetime:
    """When its next shift in the campaign starts; those with none come last."""
    shifts = opportunity.next_shifts
    return shifts[0].start if shifts else datetime.max.replace(tzinfo=UTC)
