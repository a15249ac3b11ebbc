"""The organiser and council pages, as JSON. Each endpoint checks who may act (403),
feeds the body to the page's own form (422, with the page's messages) and calls the
same service; a service refusing after that is about the state of things (409)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.db.models import Prefetch, QuerySet
from django.forms import BaseForm
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError

from accounts.http import AuthedHttpRequest
from coins.models import Scheme
from coins.schemas import Problem
from coins.services import MintResult
from marketplace.board.forms import (
    DbsRecordForm,
    GroupRegisterForm,
    OpportunityForm,
    ShiftCancelForm,
    ShiftChangeForm,
    ShiftMessageForm,
    ShiftPlanForm,
)
from marketplace.board.models import CommunityGroup, Hours, Opportunity, Shift, Signup
from marketplace.board.schemas import (
    AttendanceIn,
    AttendanceUndoIn,
    ConfirmedHoursOut,
    DbsRecordIn,
    DbsRecordOut,
    GroupDecisionIn,
    GroupIn,
    GroupOut,
    HoursConfirmIn,
    HoursConfirmOut,
    HoursDecisionIn,
    HoursOut,
    OpportunityChangeIn,
    OpportunityIn,
    OrganiserOpportunityOut,
    OrganiserShiftOut,
    ShiftCancelIn,
    ShiftChangeIn,
    ShiftMessageIn,
    ShiftMessageOut,
    ShiftSignupsOut,
    VolunteerOut,
)
from marketplace.board.selectors import shifts_with_places
from marketplace.board.services.attendance import signup_attendance_undo, signup_mark_attendance
from marketplace.board.services.groups import dbs_record, group_decide, group_register
from marketplace.board.services.hours import hours_confirm, hours_reject
from marketplace.board.services.messages import shift_message_send
from marketplace.board.services.opportunities import opportunity_save
from marketplace.board.services.shifts import shift_cancel, shift_update
from marketplace.organisations import DecisionForm, NotAllowed
from marketplace.organisations import Status as Verification

router = Router(tags=["organisers"])

ORGANISERS_ONLY = "Only the group's organisers can do this."
ADMINS_ONLY = "Only the scheme's admins can verify its groups."
READ_REFUSALS: dict[int | str, type] = {403: Problem, 404: Problem}
REFUSALS: dict[int | str, type] = {**READ_REFUSALS, 409: Problem, 422: Problem}
# The opportunity's own fields on the page's form; the photo is uploaded on the page.
OPPORTUNITY_FIELDS = [name for name in OpportunityForm.Meta.fields if name != "photo"]
F = TypeVar("F", bound=BaseForm)


@router.get("/organise/groups", response=list[GroupOut], summary="My groups and their status")
def my_groups(request: AuthedHttpRequest) -> list[GroupOut]:
    groups = CommunityGroup.objects.filter(organisers__user=request.user)
    return [_group(g) for g in groups.select_related("scheme", "ward").order_by("name")]


@router.post(
    "/organise/groups",
    response={201: GroupOut, **REFUSALS},
    summary="Register a group; it waits for the council to verify it",
)
def group_create(request: AuthedHttpRequest, body: GroupIn) -> Status[Any]:
    data = body.model_dump()
    if data["scheme"] is None:
        # As on the page: while there is only one town, the form chooses it.
        data["scheme"] = GroupRegisterForm().fields["scheme"].initial
    form = GroupRegisterForm(data)
    if not form.is_valid():
        return Status(422, _problem(form))
    details = {k: v for k, v in form.cleaned_data.items() if k != "scheme"}
    group = group_register(scheme=form.cleaned_data["scheme"], by=request.user, **details)
    return Status(201, _group(group))


@router.get(
    "/organise/opportunities",
    response=list[OrganiserOpportunityOut],
    summary="My groups' opportunities, with their shifts and places taken",
)
def my_opportunities(request: AuthedHttpRequest) -> list[OrganiserOpportunityOut]:
    mine = _opportunities().filter(group__organisers__user=request.user)
    return [_opportunity(o) for o in mine.order_by("group__name", "title")]


@router.post(
    "/organise/groups/{pk}/opportunities",
    response={201: OrganiserOpportunityOut, **REFUSALS},
    summary="Post an opportunity, with an optional weekly run of shifts",
)
def opportunity_create(request: AuthedHttpRequest, pk: int, body: OpportunityIn) -> Status[Any]:
    group = _managed(request, get_object_or_404(CommunityGroup, pk=pk))
    form, plan = _opportunity_form(Opportunity(group=group), body), _plan_form(body)
    # Both forms are checked, so that every mistake is reported at once.
    if not all([form.is_valid(), plan is None or plan.is_valid()]):
        return Status(422, _problem(form, shifts=plan))
    with _refusals():
        opportunity = opportunity_save(
            opportunity=form.save(commit=False),
            by=request.user,
            publish=form.cleaned_data["publish"],
            shifts=plan.plan() if plan else None,
        )
    return Status(201, _opportunity(_opportunities().get(pk=opportunity.pk)))


@router.patch(
    "/organise/opportunities/{pk}",
    response={200: OrganiserOpportunityOut, **REFUSALS},
    summary="Change an opportunity, and optionally add a weekly run of shifts to it; "
    "fields left out stay as they are",
)
def opportunity_edit(request: AuthedHttpRequest, pk: int, body: OpportunityChangeIn) -> Status[Any]:
    opportunity = get_object_or_404(Opportunity.objects.select_related("group"), pk=pk)
    _managed(request, opportunity.group)
    form, plan = _opportunity_form(opportunity, body), _plan_form(body)
    if not all([form.is_valid(), plan is None or plan.is_valid()]):
        return Status(422, _problem(form, shifts=plan))
    with _refusals():
        opportunity_save(
            opportunity=form.save(commit=False),
            by=request.user,
            publish=form.cleaned_data["publish"],
            shifts=plan.plan() if plan else None,
        )
    return Status(200, _opportunity(_opportunities().get(pk=pk)))


@router.get(
    "/organise/shifts/{pk}",
    response={200: ShiftSignupsOut, **READ_REFUSALS},
    summary="Who is coming to a shift, who is waiting, and their hours",
)
def shift_signups(request: AuthedHttpRequest, pk: int) -> ShiftSignupsOut:
    return _shift_signups(_managed_shift(request, pk))


@router.patch(
    "/organise/shifts/{pk}",
    response={200: ShiftSignupsOut, **REFUSALS},
    summary="Move a shift or change its places; everyone on it is told of a new time, "
    "and new places go to the people waiting longest",
)
def shift_change(request: AuthedHttpRequest, pk: int, body: ShiftChangeIn) -> Status[Any]:
    shift = _managed_shift(request, pk)
    data = {**ShiftChangeForm.initial_for(shift), **body.model_dump(exclude_unset=True)}
    taken = shift.signups.filter(status=Signup.State.CONFIRMED).count()
    form = _with_local_times(ShiftChangeForm, data, taken=taken)
    if not form.is_valid():
        return Status(422, _problem(form))
    with _refusals():
        shift = shift_update(
            shift=shift,
            by=request.user,
            start=form.start(),
            end=form.end(),
            capacity=form.cleaned_data["capacity"],
        )
    return Status(200, _shift_signups(shift))


@router.post(
    "/organise/shifts/{pk}/cancel",
    response={200: ShiftSignupsOut, **REFUSALS},
    summary="Cancel a shift, with a reason told to everyone with a place or waiting",
)
def shift_cancel_endpoint(request: AuthedHttpRequest, pk: int, body: ShiftCancelIn) -> Status[Any]:
    shift = _managed_shift(request, pk)
    form = ShiftCancelForm(body.model_dump())
    if not form.is_valid():
        return Status(422, _problem(form))
    with _refusals():
        shift = shift_cancel(shift=shift, by=request.user, reason=form.cleaned_data["reason"])
    return Status(200, _shift_signups(shift))


def _shift_signups(shift: Shift) -> ShiftSignupsOut:
    signups = shift.signups.exclude(status=Signup.State.CANCELLED).select_related("user", "hours")
    return ShiftSignupsOut(
        id=shift.pk,
        opportunity_id=shift.opportunity_id,
        opportunity_title=shift.opportunity.title,
        group=shift.opportunity.group.name,
        start=shift.start,
        end=shift.end,
        capacity=shift.capacity,
        ended=shift.end <= timezone.now(),
        default_minutes=shift.length_minutes,
        confirmed=[_volunteer(s) for s in signups if s.status == Signup.State.CONFIRMED],
        waiting=[_volunteer(s) for s in signups if s.status == Signup.State.WAITLISTED],
        cancelled_at=shift.cancelled_at,
        cancel_reason=shift.cancel_reason,
    )


@router.post(
    "/organise/shifts/{pk}/attendance",
    response={200: VolunteerOut, **REFUSALS},
    summary="Check a volunteer in (from an hour before the start), or mark them as not "
    "having come (from the start), until two hours after the end",
)
def shift_attendance(request: AuthedHttpRequest, pk: int, body: AttendanceIn) -> VolunteerOut:
    shift = _managed_shift(request, pk)
    signup = get_object_or_404(shift.signups.select_related("user"), pk=body.signup)
    with _refusals():
        signup = signup_mark_attendance(signup=signup, attended=body.attended, by=request.user)
    return _volunteer(signup)


@router.post(
    "/organise/shifts/{pk}/attendance/undo",
    response={200: VolunteerOut, **REFUSALS},
    summary="Take back a check-in or a no-show mark, while check-in is open and before "
    "the volunteer's hours are confirmed",
)
def shift_attendance_undo(
    request: AuthedHttpRequest, pk: int, body: AttendanceUndoIn
) -> VolunteerOut:
    shift = _managed_shift(request, pk)
    signup = get_object_or_404(shift.signups.select_related("user"), pk=body.signup)
    with _refusals():
        signup = signup_attendance_undo(signup=signup, by=request.user)
    return _volunteer(signup)


@router.post(
    "/organise/shifts/{pk}/hours",
    response={200: HoursConfirmOut, **REFUSALS},
    summary="Confirm everyone's hours on a shift in one go",
)
def shift_hours_confirm(
    request: AuthedHttpRequest, pk: int, body: HoursConfirmIn | None = None
) -> HoursConfirmOut:
    shift = _managed_shift(request, pk)
    minutes = body.minutes if body else {}
    with _refusals():
        result = hours_confirm(shift=shift, minutes=minutes, by=request.user)
    return HoursConfirmOut(
        confirmed=[_confirmed(h, result.coins[h.pk]) for h in result.confirmed],
        skipped=result.skipped,
    )


@router.post(
    "/organise/hours/{pk}/decision",
    response={200: HoursOut, **REFUSALS},
    summary="Approve a volunteer's claim for hours, or reject it with a reason",
)
def hours_decision(request: AuthedHttpRequest, pk: int, body: HoursDecisionIn) -> HoursOut:
    hours = get_object_or_404(
        Hours.objects.select_related("signup__user", "signup__shift__opportunity__group"), pk=pk
    )
    shift = hours.signup.shift
    _managed(request, shift.opportunity.group)
    with _refusals():
        if body.decision == "reject":
            return _hours(hours_reject(hours=hours, by=request.user, reason=body.reason))
        result = hours_confirm(
            shift=shift,
            minutes={hours.signup_id: hours.minutes},
            by=request.user,
            only={hours.signup_id},
        )
    hours.refresh_from_db()
    if hours.status != Hours.State.CONFIRMED:
        # Left out by the service (rejected before, marked as not coming, ...): say why.
        raise HttpError(409, next(iter(result.skipped), "These hours were not confirmed."))
    return _hours(hours)


@router.post(
    "/organise/shifts/{pk}/messages",
    response={201: ShiftMessageOut, **REFUSALS},
    summary="Write to everyone with a place or waiting on a shift",
)
def shift_message(request: AuthedHttpRequest, pk: int, body: ShiftMessageIn) -> Status[Any]:
    shift = _managed_shift(request, pk)
    form = ShiftMessageForm(body.model_dump())
    if not form.is_valid():
        return Status(422, _problem(form))
    with _refusals():
        message = shift_message_send(shift=shift, by=request.user, **form.cleaned_data)
    return Status(201, ShiftMessageOut.from_orm(message))


@router.post(
    "/organise/groups/{pk}/dbs",
    response={201: DbsRecordOut, **REFUSALS},
    summary="Record what a volunteer's DBS certificate said, and when",
)
def group_dbs_record(request: AuthedHttpRequest, pk: int, body: DbsRecordIn) -> Status[Any]:
    group = _managed(request, get_object_or_404(CommunityGroup, pk=pk))
    form = DbsRecordForm(body.model_dump())
    if not form.is_valid():
        return Status(422, _problem(form))
    with _refusals():
        record = dbs_record(group=group, by=request.user, **form.cleaned_data)
    return Status(
        201,
        DbsRecordOut(
            id=record.pk,
            email=record.user.email,
            outcome=record.outcome,
            checked_on=record.checked_on,
        ),
    )


@router.get(
    "/council/groups",
    response={200: list[GroupOut], 403: Problem},
    tags=["council"],
    summary="Groups waiting for verification in the schemes I run",
)
def council_queue(request: AuthedHttpRequest) -> list[GroupOut]:
    schemes = Scheme.objects.filter(admin_memberships__user=request.user)
    if not schemes.exists():
        raise HttpError(403, "Only a scheme's admins can see the groups waiting for it.")
    pending = CommunityGroup.objects.filter(scheme__in=schemes, status=Verification.PENDING)
    return [_group(g) for g in pending.select_related("scheme", "ward").order_by("created")]


@router.post(
    "/council/groups/{pk}/decision",
    response={200: GroupOut, **REFUSALS},
    tags=["council"],
    summary="Verify a group, or reject it with a reason its organisers see",
)
def council_decision(request: AuthedHttpRequest, pk: int, body: GroupDecisionIn) -> Status[Any]:
    group = get_object_or_404(CommunityGroup.objects.select_related("scheme", "ward"), pk=pk)
    if not request.user.has_perm("marketplace.verify_group", group):
        raise HttpError(403, ADMINS_ONLY)
    form = DecisionForm(body.model_dump())
    if not form.is_valid():
        return Status(422, _problem(form))
    with _refusals():
        group_decide(
            group=group,
            by=request.user,
            verify=form.cleaned_data["decision"] == "verify",
            reason=form.cleaned_data["reason"],
        )
    return Status(200, _group(group))


@contextmanager
def _refusals() -> Iterator[None]:
    """Permission was checked before the service ran, so its refusal is a conflict."""
    try:
        yield
    except NotAllowed as refused:
        raise HttpError(409, str(refused)) from refused


def _managed(request: AuthedHttpRequest, group: CommunityGroup) -> CommunityGroup:
    if not request.user.has_perm("marketplace.manage_group", group):
        raise HttpError(403, ORGANISERS_ONLY)
    return group


def _managed_shift(request: AuthedHttpRequest, pk: int) -> Shift:
    shift = get_object_or_404(Shift.objects.select_related("opportunity__group"), pk=pk)
    _managed(request, shift.opportunity.group)
    return shift


def _problem(form: BaseForm, **nested: BaseForm | None) -> Problem:
    """The forms' messages by field; a nested form's fields are named `shifts.day`."""
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    for name, inner in nested.items():
        for field, messages in inner.errors.items() if inner is not None else []:
            errors[f"{name}.{field}"] = [str(m) for m in messages]
    return Problem(detail="Some of what was sent is not valid.", errors=errors)


def _opportunity_form(opportunity: Opportunity, body: OpportunityChangeIn) -> OpportunityForm:
    """The page's form, filled in as the page would show it, then changed by the body."""
    data: dict[str, Any] = model_to_dict(opportunity, fields=OPPORTUNITY_FIELDS)
    data["publish"] = opportunity.status == Opportunity.State.PUBLISHED
    data.update(body.model_dump(exclude_unset=True, exclude={"shifts"}))
    return OpportunityForm(data, instance=opportunity)


def _plan_form(body: OpportunityChangeIn) -> ShiftPlanForm | None:
    """The page's shift plan form, when the body brings a plan."""
    if body.shifts is None:
        return None
    return _with_local_times(ShiftPlanForm, body.shifts.model_dump())


def _with_local_times(form_class: type[F], data: dict[str, Any], **kwargs: Any) -> F:
    """A shift form, checked, its times in the scheme's local time as the form takes them.
    A time sent with a UTC offset ("10:00+01:00", "09:00Z") names an instant on the day
    sent, told here in local time; one that is not on that day in local time is refused."""
    zone = timezone.get_current_timezone()
    day, refused = data.get("day"), {}
    for name in ("start_time", "end_time"):
        value = data.get(name)
        if not isinstance(value, time) or value.tzinfo is None:
            continue
        if not isinstance(day, date):
            data[name] = value.replace(tzinfo=None)  # the form asks for the day
            continue
        local = datetime.combine(day, value).astimezone(zone)
        data[name] = local.time()
        if local.date() != day:
            refused[name] = (
                f"{value.isoformat(timespec='minutes')} on {day.day} {day:%B %Y} is "
                f"{local:%H:%M} on {local.day} {local:%B} in {zone} time: a shift starts and ends "
                "on its own day there. Send the time on the day it falls."
            )
    form = form_class(data, **kwargs)
    form.full_clean()
    for name, message in refused.items():
        form.add_error(name, message)
    return form


def _opportunities() -> QuerySet[Opportunity]:
    shifts = Prefetch("shifts", queryset=shifts_with_places().order_by("start"))
    return Opportunity.objects.select_related("group").prefetch_related(shifts)


def _opportunity(opportunity: Opportunity) -> OrganiserOpportunityOut:
    return OrganiserOpportunityOut(
        id=opportunity.pk,
        title=opportunity.title,
        group_id=opportunity.group_id,
        group=opportunity.group.name,
        status=opportunity.status,
        taster=opportunity.taster,
        campaign_id=opportunity.campaign_id,
        shifts=[
            OrganiserShiftOut(
                id=s.pk,
                start=s.start,
                end=s.end,
                capacity=s.capacity,
                taken=s.taken,  # type: ignore[attr-defined]
                places_left=max(s.places_left, 0),  # type: ignore[attr-defined]
                cancelled=s.is_cancelled,
            )
            for s in opportunity.shifts.all()
        ],
    )


def _group(group: CommunityGroup) -> GroupOut:
    return GroupOut(
        id=group.pk,
        name=group.name,
        scheme_id=group.scheme_id,
        scheme=group.scheme.name,
        status=group.status,
        reason=group.status_reason,
        description=group.description,
        charity_number=group.charity_number,
        contact_email=group.contact_email,
        postcode=group.postcode,
        ward=group.ward.name if group.ward else "",
        created=group.created,
    )


def _confirmed(hours: Hours, minted: MintResult) -> ConfirmedHoursOut:
    return ConfirmedHoursOut(
        **_hours(hours).model_dump(), coins=minted.coins, capped=minted.capped, note=minted.note
    )


def _volunteer(signup: Signup) -> VolunteerOut:
    hours = getattr(signup, "hours", None)  # a missing reverse one-to-one raises
    return VolunteerOut(
        id=signup.pk,
        volunteer=signup.user.display_name or "A volunteer",
        status=signup.status,
        attended=signup.attended,
        hours=_hours(hours) if hours is not None else None,
    )


def _hours(hours: Hours) -> HoursOut:
    return HoursOut(
        id=hours.pk,
        signup_id=hours.signup_id,
        volunteer=hours.signup.user.display_name or "A volunteer",
        minutes=hours.minutes,
        status=hours.status,
        reason=hours.reason,
    )
