"""Pages for a community group's organisers."""

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from marketplace.board import links
from marketplace.board.checkin import attendance_window, checkin_token
from marketplace.board.forms import (
    DbsRecordForm,
    GroupRegisterForm,
    OpportunityForm,
    ShiftCancelForm,
    ShiftChangeForm,
    ShiftMessageForm,
    ShiftPlanForm,
)
from marketplace.board.hours_forms import time_given_form, times_given
from marketplace.board.models import CommunityGroup, Hours, Opportunity, Shift, Signup
from marketplace.board.organiser_selectors import (
    AttendanceHistory,
    attendance_history_for,
    organiser_opportunities,
)
from marketplace.board.selectors import shift_list_for
from marketplace.board.services.attendance import signup_attendance_undo, signup_mark_attendance
from marketplace.board.services.groups import dbs_record, group_register
from marketplace.board.services.hours import hours_confirm, hours_reject
from marketplace.board.services.messages import shift_message_send
from marketplace.board.services.opportunities import ShiftPlan, opportunity_save
from marketplace.board.services.shifts import shift_cancel, shift_update
from marketplace.images import qr_svg
from marketplace.organisations import NotAllowed


class OptionalShiftPlanForm(ShiftPlanForm):
    """The plan on the edit page, where adding shifts is optional: left blank (or as
    the page showed it: weeks starts at 1) it is valid and adds nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, empty_permitted=True, use_required_attribute=False, **kwargs)

    def has_changed(self) -> bool:
        return any(self[name].data not in (None, "") for name in self.changed_data)


def _managed_shift(request: AuthedHttpRequest, pk: int) -> Shift:
    shift = get_object_or_404(Shift.objects.select_related("opportunity__group"), pk=pk)
    if not request.user.has_perm("marketplace.manage_group", shift.opportunity.group):
        raise PermissionDenied
    return shift


@login_required
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    now = timezone.now()
    listed = list(organiser_opportunities(request.user))
    groups = CommunityGroup.objects.filter(organisers__user=request.user).order_by("name")
    claims: Counter[int] = Counter()
    for opportunity in listed:
        shifts: list[Any] = list(opportunity.shifts.all())  # counted by the selector
        for shift in shifts:
            shift.upcoming = shift.start > now and not shift.is_cancelled
        opportunity.upcoming_shifts = sum(s.upcoming for s in shifts)  # type: ignore[attr-defined]
        opportunity.claim_shifts = [s for s in shifts if s.claims]  # type: ignore[attr-defined]
        claims[opportunity.group_id] += sum(s.claims for s in shifts)
    for opportunity in listed:  # where each group's report is (a page the board lends)
        setattr(opportunity.group, "report_url", links.group_report(opportunity.group))  # noqa: B010
        setattr(opportunity.group, "claims_waiting", claims[opportunity.group_id])  # noqa: B010
    return render(request, "organise/dashboard.html", {"opportunities": listed, "groups": groups})


@login_required
def shift_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shift = _managed_shift(request, pk)
    signups = shift.signups.exclude(status=Signup.State.CANCELLED).select_related("user", "hours")
    confirmed = [s for s in signups if s.status == Signup.State.CONFIRMED]
    checkin_url = request.build_absolute_uri(
        reverse("board:check_in", args=[shift.pk, checkin_token(shift)])
    )
    history = attendance_history_for(shift)
    for signup in signups:
        signup.history = history.get(signup.user_id, AttendanceHistory())  # type: ignore[attr-defined]
    # Those whose hours are still to confirm (a reverse one-to-one raises when absent).
    to_confirm = [s for s in confirmed if s.attended is not False and not _has_decided_hours(s)]
    for signup in to_confirm:
        signup.time_form = time_given_form(signup, shift.length_minutes)  # type: ignore[attr-defined]
    window = attendance_window(shift)
    return render(
        request,
        "organise/shift.html",
        {
            "shift": shift,
            "confirmed": confirmed,
            "checkin_qr": qr_svg(checkin_url, label="Check-in code for volunteers to scan"),
            "checkin_open": window.code_open,
            "window": window,
            "to_confirm": to_confirm,
            "waiting": [s for s in signups if s.status == Signup.State.WAITLISTED],
            "ended": shift.end <= timezone.now(),
            "started": shift.start <= timezone.now(),
        },
    )


@login_required
@require_POST
def shift_attendance(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Check in, did not come, or undo either: `attended` is "yes", "no" or "undo"."""
    shift = _managed_shift(request, pk)
    chosen = request.POST.get("signup", "")
    signup = get_object_or_404(shift.signups, pk=int(chosen) if chosen.isdigit() else None)
    action = request.POST.get("attended")
    try:
        if action == "undo":
            signup_attendance_undo(signup=signup, by=request.user)
        elif action in ("yes", "no"):
            signup_mark_attendance(signup=signup, attended=action == "yes", by=request.user)
        else:
            messages.error(request, "Choose Check in, Did not come or Undo.")
    except NotAllowed as refused:
        messages.error(request, str(refused))
    return redirect("organise:shift", pk=shift.pk)


@login_required
@require_POST
def shift_hours_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shift = _managed_shift(request, pk)
    pending = shift.signups.filter(status=Signup.State.CONFIRMED).select_related("user")
    typed = times_given(request.POST, pending, default=shift.length_minutes)
    if typed.problems:
        for problem in typed.problems:
            messages.error(request, problem)
        return redirect("organise:shift", pk=shift.pk)
    try:
        result = hours_confirm(shift=shift, minutes=typed.minutes, by=request.user)
    except NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("organise:shift", pk=shift.pk)
    count = len(result.confirmed)
    messages.success(request, f"Confirmed hours for {count} volunteer{'s' if count != 1 else ''}.")
    for reason in result.skipped:
        messages.info(request, reason)
    return redirect("organise:shift", pk=shift.pk)


@login_required
def opportunity_new(request: AuthedHttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(CommunityGroup, pk=group_pk)
    if not request.user.has_perm("marketplace.manage_group", group):
        raise PermissionDenied
    form = OpportunityForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        instance=Opportunity(group=group),
    )
    plan = ShiftPlanForm(request.POST if request.method == "POST" else None, prefix="shift")
    if request.method == "POST" and form.is_valid() and plan.is_valid():
        return _save(request, form, plan, shifts=plan.plan())
    return _form_page(request, form, plan)


@login_required
def opportunity_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity.objects.select_related("group"), pk=pk)
    if not request.user.has_perm("marketplace.manage_group", opportunity.group):
        raise PermissionDenied
    initial = {"publish": opportunity.status == Opportunity.State.PUBLISHED}
    form = OpportunityForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        instance=opportunity,
        initial=initial,
    )
    plan = OptionalShiftPlanForm(request.POST if request.method == "POST" else None, prefix="shift")
    if request.method == "POST" and form.is_valid() and plan.is_valid():
        return _save(request, form, plan, shifts=plan.plan() if plan.has_changed() else None)
    return _form_page(request, form, plan)


def _save(
    request: AuthedHttpRequest,
    form: OpportunityForm,
    plan: ShiftPlanForm,
    shifts: ShiftPlan | None,
) -> HttpResponse:
    opportunity = form.save(commit=False)
    try:
        opportunity_save(
            opportunity=opportunity,
            by=request.user,
            publish=form.cleaned_data["publish"],
            shifts=shifts,
        )
    except NotAllowed as refused:
        form.add_error("publish", str(refused))
        return _form_page(request, form, plan)
    messages.success(
        request, f"Saved “{opportunity.title}” ({opportunity.get_status_display().lower()})."
    )
    return redirect("organise:dashboard")


def _form_page(
    request: AuthedHttpRequest, form: OpportunityForm, plan: ShiftPlanForm
) -> HttpResponse:
    opportunity = form.instance
    context = {
        "form": form,
        "plan": plan,
        "group": opportunity.group,
        "errors": [form, plan],
        "upcoming": shift_list_for(opportunity) if opportunity.pk else [],
    }
    return render(request, "organise/opportunity_form.html", context)


@login_required
def dbs_record_view(request: AuthedHttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(CommunityGroup, pk=group_pk)
    if not request.user.has_perm("marketplace.manage_group", group):
        raise PermissionDenied
    form = DbsRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            dbs_record(group=group, by=request.user, **form.cleaned_data)
        except NotAllowed as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "DBS check recorded.")
            return redirect("organise:dbs", group_pk=group.pk)
    return render(request, "organise/dbs.html", {"form": form, "group": group})


@login_required
@require_POST
def hours_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    hours = get_object_or_404(
        Hours.objects.select_related("signup__shift__opportunity__group"), pk=pk
    )
    shift = _managed_shift(request, hours.signup.shift_id)
    try:
        if request.POST.get("decision") == "approve":
            hours_confirm(
                shift=shift,
                minutes={hours.signup_id: hours.minutes},
                by=request.user,
                only={hours.signup_id},
            )
            messages.success(request, "Hours confirmed.")
        else:
            hours_reject(hours=hours, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "Claim not confirmed; the volunteer has been told why.")
    except NotAllowed as refused:
        messages.error(request, str(refused))
    return redirect("organise:shift", pk=shift.pk)


def _has_decided_hours(signup: Signup) -> bool:
    hours = getattr(signup, "hours", None)  # a missing reverse one-to-one raises
    return hours is not None and hours.status != Hours.State.CLAIMED


@login_required
def shift_message(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shift = _managed_shift(request, pk)
    form = ShiftMessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        shift_message_send(shift=shift, by=request.user, **form.cleaned_data)
        messages.success(request, "Message sent to everyone on this shift.")
        return redirect("organise:shift", pk=shift.pk)
    return render(request, "organise/message.html", {"form": form, "shift": shift})


@login_required
def shift_change(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shift = _managed_shift(request, pk)
    taken = shift.signups.filter(status=Signup.State.CONFIRMED).count()
    form = ShiftChangeForm(
        request.POST if request.method == "POST" else None,
        initial=ShiftChangeForm.initial_for(shift),
        taken=taken,
    )
    if request.method == "POST" and form.is_valid():
        try:
            shift_update(
                shift=shift,
                by=request.user,
                start=form.start(),
                end=form.end(),
                capacity=form.cleaned_data["capacity"],
            )
        except NotAllowed as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Shift changed. Everyone on it has been told.")
            return redirect("organise:shift", pk=shift.pk)
    context = {"form": form, "shift": shift, "taken": taken}
    return render(request, "organise/shift_change.html", context)


@login_required
def shift_cancel_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The page is the confirm step: nothing is cancelled until its button is pressed."""
    shift = _managed_shift(request, pk)
    form = ShiftCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            shift_cancel(shift=shift, by=request.user, reason=form.cleaned_data["reason"])
        except NotAllowed as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Shift cancelled. Everyone on it has been told why.")
            return redirect("organise:shift", pk=shift.pk)
    live = shift.signups.filter(status__in=Signup.ACTIVE).count()
    return render(
        request, "organise/shift_cancel.html", {"form": form, "shift": shift, "live": live}
    )


@login_required
def group_register_view(request: AuthedHttpRequest) -> HttpResponse:
    form = GroupRegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        details = {k: v for k, v in form.cleaned_data.items() if k != "scheme"}
        group = group_register(scheme=form.cleaned_data["scheme"], by=request.user, **details)
        messages.success(
            request,
            f"{group.name} is registered. The council will check it; we'll tell you when "
            "it is verified.",
        )
        return redirect("organise:dashboard")
    return render(request, "organise/register.html", {"form": form})
