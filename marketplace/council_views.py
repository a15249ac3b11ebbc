"""Pages for a scheme's admins (council officers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from coins.models import Scheme
from marketplace.forms import GroupDecisionForm, GroupRegisterForm
from marketplace.models import CommunityGroup, Retailer, Status
from marketplace.services import NotAllowed, group_decide, group_register
from marketplace.services.shops import retailer_decide


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


@login_required
def group_queue(request: AuthedHttpRequest) -> HttpResponse:
    schemes = Scheme.objects.filter(admin_memberships__user=request.user)
    if not schemes.exists():
        raise PermissionDenied
    pending = CommunityGroup.objects.filter(scheme__in=schemes, status=Status.PENDING)
    return render(
        request,
        "council/groups.html",
        {"pending": pending.order_by("created"), "form": GroupDecisionForm()},
    )


@login_required
@require_POST
def group_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(CommunityGroup, pk=pk)
    form = GroupDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to verify or reject the group.")
        return redirect("council:groups")
    try:
        group_decide(
            group=group,
            by=request.user,
            verify=form.cleaned_data["decision"] == "verify",
            reason=form.cleaned_data["reason"],
        )
    except NotAllowed as refused:
        if not request.user.has_perm("marketplace.verify_group", group):
            raise PermissionDenied from refused
        messages.error(request, f"{group.name}: {refused}")
        return redirect("council:groups")
    messages.success(request, f"{group.name}: {group.get_status_display().lower()}.")
    return redirect("council:groups")


# Shops: the same queue and decision as groups, for retailers.


@login_required
def shop_queue(request: AuthedHttpRequest) -> HttpResponse:
    schemes = Scheme.objects.filter(admin_memberships__user=request.user)
    if not schemes.exists():
        raise PermissionDenied
    pending = Retailer.objects.filter(scheme__in=schemes, status=Status.PENDING)
    return render(
        request,
        "council/shops.html",
        {"pending": pending.order_by("created"), "form": GroupDecisionForm()},
    )


@login_required
@require_POST
def shop_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    retailer = get_object_or_404(Retailer, pk=pk)
    form = GroupDecisionForm(request.POST)  # the same two choices and reason as a group's
    if not form.is_valid():
        messages.error(request, "Choose to verify or reject the shop.")
        return redirect("council:shops")
    try:
        retailer_decide(
            retailer=retailer,
            by=request.user,
            verify=form.cleaned_data["decision"] == "verify",
            reason=form.cleaned_data["reason"],
        )
    except NotAllowed as refused:
        if not request.user.has_perm("marketplace.verify_retailer", retailer):
            raise PermissionDenied from refused
        messages.error(request, f"{retailer.name}: {refused}")
        return redirect("council:shops")
    messages.success(request, f"{retailer.name}: {retailer.get_status_display().lower()}.")
    return redirect("council:shops")
