"""The board as JSON: searching opportunities, one opportunity, signing up, and my
sign-ups and their hours. Thin: the page's forms and the services decide."""

from typing import Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import P, Query, QueryEx, Router, Status

from accounts.http import AuthedHttpRequest
from accounts.models import User
from coins.residence import scheme_by_slug, town_for
from coins.schemas import Problem
from marketplace.board.forms import BoardSearchForm
from marketplace.board.models import Hours, Shift, Signup
from marketplace.board.paging import BoardPaginator
from marketplace.board.schemas import (
    MyHoursOut,
    OpportunityFilters,
    OpportunityOut,
    OpportunityPage,
    OpportunitySummary,
    ShiftOut,
    SignupOut,
)
from marketplace.board.selectors import (
    opportunity_search,
    public_opportunities,
    shift_list_for,
    shifts_with_places,
)
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.signups import signup_cancel, signup_create
from marketplace.organisations import NotAllowed
from places.towns import elsewhere

router = Router(tags=["opportunity board"])


PER_PAGE = 20


INVALID = "Some of what was sent is not valid."


When = Literal["active", "upcoming", "past"]


WHEN_HELP = (
    "active (the default): every sign-up with a place or on the waiting list, soonest "
    "first, whether or not the shift is over; upcoming: those whose shift has not ended; "
    "past: those whose shift has ended, latest first, with their hours."
)


@router.get(
    "/opportunities",
    auth=None,
    response={200: OpportunityPage, 422: Problem},
    summary="Search opportunities (the same filters as the search page)",
)
def opportunity_list(request: HttpRequest, filters: Query[OpportunityFilters]) -> Status[Any]:
    form = BoardSearchForm(filters.model_dump(exclude_none=True, exclude={"page", "town"}))
    if filters.town and scheme_by_slug(filters.town) is None:
        errors = {"town": ["There is no town with that name."]}
        return Status(422, Problem(detail="Some filters are not valid.", errors=errors))
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        return Status(422, Problem(detail="Some filters are not valid.", errors=errors))
    town = town_for(request)  # one town's board; every town's for a visitor who says none
    found = opportunity_search(form.board_query(), scheme_id=town.pk if town else None)
    paginator = BoardPaginator(found, PER_PAGE, asked=filters.page)
    page = paginator.get_page(filters.page)
    return Status(
        200,
        OpportunityPage(
            count=paginator.total,
            more=paginator.more,
            page=page.number,
            pages=paginator.pages,
            results=[_summary(o) for o in page.object_list],
        ),
    )


@router.get("/opportunities/{pk}", auth=None, response=OpportunityOut)
def opportunity_get(request: HttpRequest, pk: int) -> OpportunityOut:
    opportunity = get_object_or_404(public_opportunities().select_related("group"), pk=pk)
    if elsewhere(request, opportunity.scheme):
        raise Http404("That opportunity is in another town.")
    fields = {name: getattr(opportunity, name) for name in OpportunityOut.model_fields}
    fields.update(
        group=opportunity.group.name,
        shifts=[_shift(s) for s in shift_list_for(opportunity)],
    )
    return OpportunityOut(**fields)


@router.post("/shifts/{pk}/signups", response={201: SignupOut, 409: Problem})
def shift_signup(request: AuthedHttpRequest, pk: int) -> Status[Any]:
    shift = get_object_or_404(Shift, pk=pk)
    try:
        signup = signup_create(shift=shift, user=request.user)
    except SignupRefused as refused:
        return Status(409, Problem(detail=str(refused)))
    return Status(201, _signup(signup))


@router.get("/me/signups", response=list[SignupOut], summary="My shifts, and the hours I gave")
def my_signups(
    request: AuthedHttpRequest, when: QueryEx[When, P(description=WHEN_HELP)] = "active"
) -> list[SignupOut]:
    shifts = Prefetch("shift", queryset=shifts_with_places().select_related("opportunity"))
    mine = _my_signups(request.user, when).select_related("hours").prefetch_related(shifts)
    return [_signup(s, shift=s.shift) for s in mine]


@router.post("/me/signups/{pk}/cancel", response={200: SignupOut, 409: Problem})
def my_signup_cancel(request: AuthedHttpRequest, pk: int) -> Status[Any]:
    signup = get_object_or_404(Signup, pk=pk, user=request.user)
    try:
        return Status(200, _signup(signup_cancel(signup=signup)))
    except NotAllowed as refused:
        return Status(409, Problem(detail=str(refused)))


def _summary(opportunity: Any) -> OpportunitySummary:
    return OpportunitySummary(
        id=opportunity.pk,
        title=opportunity.title,
        group=opportunity.group.name,
        next_start=opportunity.next_start,
        distance_miles=getattr(opportunity, "distance", None),
        causes=opportunity.causes,
        skills=opportunity.skills,
        step_free=opportunity.step_free,
        seated=opportunity.seated,
        remote_friendly=opportunity.remote_friendly,
        minimum_age=opportunity.minimum_age,
        dbs_required=opportunity.dbs_required,
        taster=opportunity.taster,
        places_left=max(opportunity.next_places_left or 0, 0),
        shift_minutes=opportunity.next_minutes or 0,
        coins=None if opportunity.scheme.participation_only else opportunity.next_coins,
    )


def _shift(shift: Any) -> ShiftOut:
    return ShiftOut(
        id=shift.pk,
        start=shift.start,
        end=shift.end,
        capacity=shift.capacity,
        places_left=0 if shift.is_cancelled else max(shift.places_left, 0),
        cancelled=shift.is_cancelled,
        cancel_reason=shift.cancel_reason,
    )


def _my_signups(user: User, when: When) -> QuerySet[Signup]:
    # As on the My shifts page; cancelled sign-ups are never listed.
    mine = Signup.objects.filter(user=user, status__in=Signup.ACTIVE)
    if when == "past":
        return mine.filter(shift__end__lte=timezone.now()).order_by("-shift__start", "-pk")
    if when == "upcoming":
        mine = mine.filter(shift__end__gt=timezone.now())
    return mine.order_by("shift__start", "pk")


def _signup(signup: Signup, shift: Any = None) -> SignupOut:
    """`shift` is the sign-up's shift from shifts_with_places(); fetched when left out."""
    if shift is None:
        shift = shifts_with_places().select_related("opportunity").get(pk=signup.shift_id)
    hours = getattr(signup, "hours", None)  # a missing reverse one-to-one raises
    return SignupOut(
        id=signup.pk,
        shift=_shift(shift),
        opportunity_id=shift.opportunity_id,
        opportunity_title=shift.opportunity.title,
        status=signup.status,
        hours=_my_hours(hours) if hours is not None else None,
    )


def _my_hours(hours: Hours) -> MyHoursOut:
    return MyHoursOut(
        minutes=hours.minutes,
        status=hours.status,
        hours_display=hours.hours_display,
        reason=hours.reason,
    )
