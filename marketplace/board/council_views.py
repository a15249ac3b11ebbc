"""The council's queue of community groups waiting for verification, and its campaigns."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from coins.models import Scheme
from coins.selectors import schemes_run_by
from marketplace.board.campaign_forms import CampaignForm
from marketplace.board.models import Campaign, CommunityGroup
from marketplace.board.services.campaigns import campaign_save
from marketplace.board.services.groups import group_decide
from marketplace.organisations import NotAllowed, verification_decision, verification_queue


@login_required
def group_queue(request: AuthedHttpRequest) -> HttpResponse:
    return verification_queue(request, CommunityGroup, "council/groups.html")


@login_required
@require_POST
def group_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(CommunityGroup, pk=pk)
    decide = partial(group_decide, group=group)
    return verification_decision(
        request, group, decide, "marketplace.verify_group", "council:groups", "group"
    )


# The council's campaigns: a drive with dates, words and a picture that groups join.


def _my_schemes(request: AuthedHttpRequest) -> QuerySet[Scheme]:
    if not (schemes := schemes_run_by(request.user)).exists():
        raise PermissionDenied
    return schemes


@login_required
def campaign_list(request: AuthedHttpRequest) -> HttpResponse:
    schemes = _my_schemes(request)
    campaigns = (
        Campaign.objects.filter(scheme__in=schemes)
        .select_related("scheme")
        .annotate(opportunity_count=Count("opportunities"))
    )
    context = {"campaigns": campaigns, "several_towns": schemes.count() > 1}
    return render(request, "council/campaigns.html", context)


@login_required
def campaign_new(request: AuthedHttpRequest) -> HttpResponse:
    return _campaign_form(request, Campaign())


@login_required
def campaign_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, scheme__in=_my_schemes(request))
    return _campaign_form(request, campaign)


def _campaign_form(request: AuthedHttpRequest, campaign: Campaign) -> HttpResponse:
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        instance=campaign,
        schemes=_my_schemes(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = campaign_save(campaign=form.save(commit=False), by=request.user)
        except NotAllowed as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect("council:campaigns")
    return render(request, "council/campaign_form.html", {"form": form})
