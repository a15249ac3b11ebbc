"""Reads for the opportunity board that are more than one filter."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from marketplace.board.models import Opportunity, Shift, Signup
from marketplace.geo import MILES_PER_DEGREE_LATITUDE, distance_miles
from marketplace.organisations import Status

# The same expression as the GIN index on Opportunity, so PostgreSQL can use it.
SEARCH_VECTOR = SearchVector("title", "description", config="english")


@dataclass(frozen=True)
class BoardQuery:
    text: str = ""
    cause: str = ""
    skill: str = ""
    date_from: date | None = None
    date_to: date | None = None
    point: tuple[float, float] | None = None
    miles: float = 5.0
    under_18: bool = False
    no_dbs: bool = False
    step_free: bool = False
    has_places: bool = False
    taster: bool = False
    sort: str = "soonest"


def shifts_with_places() -> QuerySet[Any]:
    """Shifts annotated with places taken (confirmed sign-ups) and places left."""
    taken = (
        Signup.objects.filter(shift=OuterRef("pk"), status=Signup.State.CONFIRMED)
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Shift.objects.annotate(taken=Coalesce(Subquery(taken), 0)).annotate(
        places_left=F("capacity") - F("taken")
    )


def public_opportunities() -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(
        status=Opportunity.State.PUBLISHED, group__status=Status.VERIFIED
    )


def opportunity_search(query: BoardQuery) -> QuerySet[Any]:
    """Public opportunities with an upcoming shift that fits, soonest or nearest first.

    Without date or places filters, the next shift is the stored `upcoming_start`
    (indexed); with them, the first fitting shift is looked up for each candidate."""
    now = timezone.now()
    found: QuerySet[Any] = public_opportunities().filter(upcoming_start__gt=now)
    if query.date_to:
        # No shift can fall in the dates if the next one comes after them: an indexed cut.
        found = found.filter(upcoming_start__lt=_day_start(query.date_to + timedelta(days=1)))
    if query.date_from or query.date_to or query.has_places:
        found = found.annotate(next_start=Subquery(_fitting_shifts(query).values("start")[:1]))
        found = found.filter(next_start__isnull=False)
    else:
        found = found.annotate(next_start=F("upcoming_start"))
    found = found.select_related("group")
    found = _filter_text(found, query.text)
    found = _filter_needs(found, query)
    if query.point is not None:
        found = _filter_near(found, query.point, query.miles)
    if query.sort == "nearest" and query.point is not None:
        return found.order_by("distance", "next_start", "pk")
    return found.order_by("next_start", "pk")


def _fitting_shifts(query: BoardQuery) -> QuerySet[Any]:
    shifts = shifts_with_places().filter(
        opportunity=OuterRef("pk"), start__gt=timezone.now(), cancelled_at__isnull=True
    )
    if query.date_from:  # compared as instants, so that the start index can be used
        shifts = shifts.filter(start__gte=_day_start(query.date_from))
    if query.date_to:
        shifts = shifts.filter(start__lt=_day_start(query.date_to + timedelta(days=1)))
    if query.has_places:
        shifts = shifts.filter(places_left__gt=0)
    return shifts.order_by("start")


def _day_start(day: date) -> datetime:
    """Midnight at the start of a local day."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _filter_text(found: QuerySet[Any], text: str) -> QuerySet[Any]:
    text = text.strip()
    if not text:
        return found
    # Full text finds "gardens" for "garden"; trigram word similarity forgives "gardning".
    return found.annotate(search=SEARCH_VECTOR).filter(
        Q(search=SearchQuery(text, config="english", search_type="websearch"))
        | Q(title__trigram_word_similar=text)
    )


def _filter_needs(found: QuerySet[Any], query: BoardQuery) -> QuerySet[Any]:
    if query.cause:
        found = found.filter(causes__contains=[query.cause])
    if query.skill:
        found = found.filter(skills__contains=[query.skill])
    if query.under_18:
        found = found.filter(minimum_age__lt=18)
    if query.no_dbs:
        found = found.filter(dbs_required=False)
    if query.step_free:
        found = found.filter(step_free=True)
    if query.taster:
        found = found.filter(taster=True)
    return found


def _filter_near(found: QuerySet[Any], point: tuple[float, float], miles: float) -> QuerySet[Any]:
    latitude, longitude = point
    # A box on the indexed columns first, then the exact distance within it.
    spread = miles / MILES_PER_DEGREE_LATITUDE
    return (
        found.filter(
            latitude__range=(latitude - spread, latitude + spread),
            longitude__range=(longitude - 2 * spread, longitude + 2 * spread),
        )
        .annotate(distance=distance_miles(latitude, longitude))
        .filter(distance__lte=miles)
    )


def shift_list_for(opportunity: Opportunity) -> QuerySet[Any]:
    """Its shifts to come, cancelled ones too (shown as cancelled, with the reason)."""
    return shifts_with_places().filter(opportunity=opportunity, start__gt=timezone.now())
