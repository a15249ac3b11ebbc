"""The council's campaigns, as residents see them: the list and a campaign's page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from marketplace.board.campaigns import (
    campaign_by_slug,
    campaign_opportunities,
    campaign_participation,
    campaigns_listed,
)
from places.town_views import another_town
from places.towns import elsewhere, town_shown


def campaign_list(request: HttpRequest) -> HttpResponse:
    town = town_shown(request)
    running, ended = ([], []) if town.ask else campaigns_listed(scheme_id=town.scheme_id)
    context = {"running": running, "ended": ended, "town": town}
    return render(request, "board/campaigns.html", context)


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_by_slug(slug)
    if campaign is None:
        raise Http404("No such campaign.")
    if elsewhere(request, campaign.scheme):
        return another_town(request, campaign.scheme, "campaign")
    context = {
        "campaign": campaign,
        "opportunities": campaign_opportunities(campaign),
        "participation": campaign_participation(campaign),
    }
    return render(request, "board/campaign.html", context)
