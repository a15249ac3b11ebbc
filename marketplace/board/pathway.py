"""The pathway: after someone's first volunteering, a few things to try next, from
groups they have not been with or causes they have not tried."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Floor
from django.utils import timezone

from accounts.models import User
from coins.residence import home_scheme
from marketplace.board.models import Cause, DbsRecord, Hours, Opportunity, Signup
from marketplace.board.selectors import public_opportunities, shifts_with_places
from marketplace.board.services.signups import DBS_CURRENT_FOR
from marketplace.geo import distance_miles
from places.models import Ward
from places.selectors import postcode_found

# "What next" shows on My shifts for this long after someone's first shift.
NEW_FOR = timedelta(days=60)


@dataclass(frozen=True)
class Suggestion:
    opportunity: Opportunity
    next_start: datetime
    distance: float | None
    new_group: bool
    new_causes: list[str]  # the labels of its causes they have not tried
    outside_ward: bool


@dataclass(frozen=True)
class _Past:
    """What someone has done: where, with whom, for which causes."""

    schemes: set[int]
    groups: set[int]
    causes: set[str]
    last: Opportunity


def what_next(user: User, limit: int = 3) -> list[Suggestion]:
    """Upcoming public opportunities this person could still take a place on, from a
    group they have not volunteered with or with a cause they have not tried: nearest
    first (within a mile counts as level), tasters first among equals, then soonest. At
    least one is outside their home ward whenever such an opportunity exists. Nothing
    for someone with no confirmed hours yet."""
    past = _past(user)
    if past is None:
        return []
    point, ward = _home(user, past.last)
    found = _candidates(user, past, point)
    picks = list(found[:limit])
    if ward is not None and picks and not any(_outside(o, ward) for o in picks):
        elsewhere = found.exclude(ward__isnull=True).exclude(ward=ward).first()
        if elsewhere is not None:
            picks[-1] = elsewhere
    return [_suggestion(o, past, ward) for o in picks]


def first_volunteered(user: User) -> datetime | None:
    """When the first shift they came to (checked in, or hours confirmed) began."""
    came = Signup.objects.filter(user=user).filter(
        Q(attended=True) | Q(hours__status=Hours.State.CONFIRMED)
    )
    return came.order_by("shift__start").values_list("shift__start", flat=True).first()


def what_next_for_my_shifts(user: User) -> list[Suggestion]:
    """What next, while someone is new: their first shift in the last 60 days."""
    first = first_volunteered(user)
    if first is None or first < timezone.now() - NEW_FOR:
        return []
    return what_next(user)


def _past(user: User) -> _Past | None:
    confirmed = Hours.objects.filter(signup__user=user, status=Hours.State.CONFIRMED)
    latest_first = confirmed.order_by("-signup__shift__start", "-pk")
    ids = list(dict.fromkeys(latest_first.values_list("signup__shift__opportunity", flat=True)))
    if not ids:
        return None
    done = {o.pk: o for o in Opportunity.objects.filter(pk__in=ids).select_related("ward")}
    home = home_scheme(user)  # someone who moved is shown their new town's
    return _Past(
        schemes={home.pk} if home else {o.scheme_id for o in done.values()},
        groups={o.group_id for o in done.values()},
        causes={c for o in done.values() for c in o.causes},
        last=done[ids[0]],
    )


def _home(user: User, last: Opportunity) -> tuple[tuple[float, float] | None, Ward | None]:
    """Their point and ward from their postcode, else from their last opportunity."""
    found = postcode_found(user.postcode) if user.postcode else None
    if found is not None:
        return (found.latitude, found.longitude), found.ward
    if last.latitude is None or last.longitude is None:
        return None, last.ward
    return (last.latitude, last.longitude), last.ward


def _candidates(user: User, past: _Past, point: tuple[float, float] | None) -> QuerySet[Any]:
    now = timezone.now()
    takeable = shifts_with_places().filter(
        opportunity=OuterRef("pk"), start__gt=now, cancelled_at__isnull=True, places_left__gt=0
    )
    takeable = takeable.exclude(
        Exists(Signup.objects.filter(shift=OuterRef("pk"), user=user, status__in=Signup.ACTIVE))
    )
    found = (
        public_opportunities()
        .filter(scheme__in=past.schemes, upcoming_start__gt=now)
        .filter(~Q(group__in=past.groups) | ~Q(causes__contained_by=sorted(past.causes)))
        .exclude(group__organisers__user=user)
        .annotate(next_start=Subquery(takeable.order_by("start").values("start")[:1]))
        .filter(next_start__isnull=False)
        .select_related("group", "ward")
    )
    found = _eligible(found, user)
    if point is None:
        return found.order_by("-taster", "next_start", "pk")
    found = found.annotate(distance=distance_miles(*point)).annotate(
        band=Floor("distance", output_field=IntegerField())
    )
    # Opportunities with no place sort last (NULLs last in ascending order).
    return found.order_by(F("band").asc(nulls_last=True), "-taster", "next_start", "pk")


def _eligible(found: QuerySet[Any], user: User) -> QuerySet[Any]:
    """Leave out what they could not sign up to: too young, or no current DBS check."""
    age = user.age_on(timezone.localdate())
    found = found.filter(minimum_age__lte=age if age is not None else 13)
    latest = DbsRecord.objects.filter(user=user).first()
    cleared = (
        latest is not None
        and latest.outcome == DbsRecord.Outcome.CLEAR
        and latest.checked_on >= timezone.localdate() - DBS_CURRENT_FOR
    )
    return found if cleared else found.filter(dbs_required=False)


def _outside(opportunity: Opportunity, ward: Ward) -> bool:
    return opportunity.ward_id is not None and opportunity.ward_id != ward.pk


def _suggestion(opportunity: Any, past: _Past, ward: Ward | None) -> Suggestion:
    return Suggestion(
        opportunity=opportunity,
        next_start=opportunity.next_start,
        distance=getattr(opportunity, "distance", None),
        new_group=opportunity.group_id not in past.groups,
        new_causes=[str(Cause(c).label) for c in opportunity.causes if c not in past.causes],
        outside_ward=ward is not None and _outside(opportunity, ward),
    )
