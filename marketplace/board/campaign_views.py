"""The council's campaigns, as residents see them: the list and a campaign's page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from marketplace.board.campaigns import (
    campaign_by_slug,
    campaign_opportunities,
    campaign_participation,
    campaigns_listed,
)


def campaign_list(request: HttpRequest) -> HttpResponse:
    running, ended = campaigns_listed()
    return render(request, "board/campaigns.html", {"running": running, "ended": ended})


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_by_slug(slug)
    if campaign is None:
        raise Http404("No such campaign.")
    context = {
        "campaign": campaign,
        "opportunities": campaign_opportunities(campaign),
        "participation": campaign_participation(campaign),
    }
    return render(request, "board/campaign.html", context)
