"""Pages for a scheme's admins (council officers)."""

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from coins.models import Scheme
from marketplace.forms import GroupDecisionForm, GroupRegisterForm
from marketplace.models import CommunityGroup, Organisation, Retailer, Status
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


def _queue(request: AuthedHttpRequest, model: type[Organisation], template: str) -> HttpResponse:
    """The groups or shops waiting for the council, in the schemes this officer runs."""
    schemes = Scheme.objects.filter(admin_memberships__user=request.user)
    if not schemes.exists():
        raise PermissionDenied
    pending = model._default_manager.filter(scheme__in=schemes, status=Status.PENDING)
    return render(
        request, template, {"pending": pending.order_by("created"), "form": GroupDecisionForm()}
    )


def _decision(
    request: AuthedHttpRequest,
    organisation: Organisation,
    decide: Callable[..., None],
    perm: str,
    back: str,
    noun: str,
) -> HttpResponse:
    """Verify a group or shop, or reject it with a reason, through its service."""
    form = GroupDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Choose to verify or reject the {noun}.")
        return redirect(back)
    try:
        decide(
            by=request.user,
            verify=form.cleaned_data["decision"] == "verify",
            reason=form.cleaned_data["reason"],
        )
    except NotAllowed as refused:
        if not request.user.has_perm(perm, organisation):
            raise PermissionDenied from refused
        messages.error(request, f"{organisation.name}: {refused}")
        return redirect(back)
    messages.success(request, f"{organisation.name}: {organisation.get_status_display().lower()}.")
    return redirect(back)


@login_required
def group_queue(request: AuthedHttpRequest) -> HttpResponse:
    return _queue(request, CommunityGroup, "council/groups.html")


@login_required
@require_POST
def group_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(CommunityGroup, pk=pk)
    decide = partial(group_decide, group=group)
    return _decision(request, group, decide, "marketplace.verify_group", "council:groups", "group")


@login_required
def shop_queue(request: AuthedHttpRequest) -> HttpResponse:
    return _queue(request, Retailer, "council/shops.html")


@login_required
@require_POST
def shop_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shop = get_object_or_404(Retailer, pk=pk)
    decide = partial(retailer_decide, retailer=shop)
    return _decision(request, shop, decide, "marketplace.verify_retailer", "council:shops", "shop")
