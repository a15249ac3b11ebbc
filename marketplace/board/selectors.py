"""Reads for the opportunity board that are more than one filter."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, Extract
from django.utils import timezone

from marketplace.board.models import Opportunity, Shift, Signup
from marketplace.geo import EARTH_RADIUS_MILES, MILES_PER_DEGREE_LATITUDE, distance_miles
from marketplace.organisations import Status


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
    seated: bool = False
    remote_friendly: bool = False
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


def opportunity_search(query: BoardQuery, *, scheme_id: int | None = None) -> QuerySet[Any]:
    """Public opportunities with an upcoming shift that fits, soonest or nearest first;
    only one town's when `scheme_id` is given.

    Without date or places filters, the next shift is the stored `upcoming_start`
    (indexed); with them, the first fitting shift is looked up for each candidate."""
    now = timezone.now()
    found: QuerySet[Any] = public_opportunities().filter(upcoming_start__gt=now)
    if scheme_id is not None:
        found = found.filter(scheme_id=scheme_id)
    if query.date_to:
        # No shift can fall in the dates if the next one comes after them: an indexed cut.
        found = found.filter(upcoming_start__lt=_day_start(query.date_to + timedelta(days=1)))
    if query.date_from or query.date_to or query.has_places:
        found = found.annotate(next_start=Subquery(_fitting_shifts(query).values("start")[:1]))
        found = found.filter(next_start__isnull=False)
    else:
        found = found.annotate(next_start=F("upcoming_start"))
    found = _with_next_shift(found.select_related("group", "scheme"), query)
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


def _with_next_shift(found: QuerySet[Any], query: BoardQuery) -> QuerySet[Any]:
    """What a card says of the next shift that fits: `next_places_left`, `next_minutes`
    and `next_coins`, what it earns at the scheme's rate (as coins_mint counts: minutes
    times the rate, over 60, rounded down). Subqueries in the select list, so PostgreSQL
    works them out for the page's rows only, not for every match."""
    fitting = _fitting_shifts(query)
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    minutes = Cast(Extract(length, "epoch"), IntegerField()) / 60
    return found.annotate(
        next_places_left=Subquery(fitting.values("places_left")[:1]),
        next_minutes=Subquery(fitting.annotate(minutes=minutes).values("minutes")[:1]),
    ).annotate(
        next_coins=ExpressionWrapper(
            F("next_minutes") * F("scheme__coins_per_hour") / 60, output_field=IntegerField()
        )
    )


def _day_start(day: date) -> datetime:
    """Midnight at the start of a local day."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _filter_text(found: QuerySet[Any], text: str) -> QuerySet[Any]:
    text = text.strip()
    if not text:
        return found
    # Full text finds "gardens" for "garden"; trigram word similarity forgives "gardning".
    # Both read stored, indexed columns: the vector the database keeps, and the title.
    return found.filter(
        Q(search_vector=SearchQuery(text, config="english", search_type="websearch"))
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
    if query.seated:
        found = found.filter(seated=True)
    if query.remote_friendly:
        found = found.filter(remote_friendly=True)
    if query.taster:
        found = found.filter(taster=True)
    return found


def _filter_near(found: QuerySet[Any], point: tuple[float, float], miles: float) -> QuerySet[Any]:
    latitude, longitude = point
    # A box on the indexed columns first, then the exact distance within it.
    south, north, west, east = distance_box(latitude, longitude, miles)
    found = found.filter(latitude__range=(south, north))
    if west < east:
        found = found.filter(longitude__range=(west, east))
    return found.annotate(distance=distance_miles(latitude, longitude)).filter(distance__lte=miles)


def distance_box(latitude: float, longitude: float, miles: float) -> tuple[float, ...]:
    """South, north, west and east edges of a box holding every point within `miles`
    (west >= east: every longitude, near a pole or across the 180th meridian). A
    thousandth wider than the circle, so rounding never leaves out a point at the edge
    that the exact distance keeps."""
    spread = miles / MILES_PER_DEGREE_LATITUDE * 1.001
    # The widest a circle of that radius reaches east and west is at a latitude a little
    # nearer the pole than its centre: asin(sin(radius) / cos(latitude)).
    reach = math.sin(miles / EARTH_RADIUS_MILES) / math.cos(math.radians(latitude))
    if reach >= 1 or abs(latitude) + spread >= 90:
        return latitude - spread, latitude + spread, 0.0, 0.0
    across = math.degrees(math.asin(reach)) * 1.001
    west, east = longitude - across, longitude + across
    if west < -180 or east > 180:
        return latitude - spread, latitude + spread, 0.0, 0.0
    return latitude - spread, latitude + spread, west, east


def shift_list_for(opportunity: Opportunity) -> QuerySet[Any]:
    """Its shifts to come, cancelled ones too (shown as cancelled, with the reason)."""
    return shifts_with_places().filter(opportunity=opportunity, start__gt=timezone.now())
