"""The council's queue of shops waiting for verification."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from marketplace.organisations import verification_decision, verification_queue
from marketplace.rewards.models import Retailer
from marketplace.rewards.services.shops import retailer_decide


@login_required
def shop_queue(request: AuthedHttpRequest) -> HttpResponse:
    return verification_queue(request, Retailer, "council/shops.html")


@login_required
@require_POST
def shop_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shop = get_object_or_404(Retailer, pk=pk)
    decide = partial(retailer_decide, retailer=shop)
    return verification_decision(
        request, shop, decide, "marketplace.verify_retailer", "council:shops", "shop"
    )
