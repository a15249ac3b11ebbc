"""Rewards for residents: the catalogue, an offer, paying a shop, and the code to pay with."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from coins.models import Scheme
from coins.selectors import wallets_of
from marketplace.images import qr_svg
from marketplace.organisations import NotAllowed
from marketplace.rewards.forms import CatalogueForm, PayAmountForm
from marketplace.rewards.models import Offer
from marketplace.rewards.selectors import (
    CatalogueQuery,
    catalogue_offers,
    live_code_for,
    my_redemptions,
    open_offers,
    photo_srcset,
    visible_retailers,
    wallet_balance,
    with_affordable,
)
from marketplace.rewards.services.redemptions import (
    redemption_cancel,
    redemption_code_create,
)
from marketplace.rewards.till import signed
from places.selectors import postcode_point
from places.town_views import another_town
from places.towns import shown_here, town_shown

PER_PAGE = 20
FILTERS = ("category", "postcode", "miles")


def catalogue(request: HttpRequest) -> HttpResponse:
    # A first visit starts near home when the resident shares where that is.
    filtered = any(name in request.GET for name in FILTERS)
    home = "" if filtered else _home_postcode(request)
    data: QueryDict | dict[str, str] | None = request.GET if filtered else None
    if home:
        data = {"postcode": home}
    form = CatalogueForm(data)
    page = None
    town = town_shown(request)  # one town's shops; none until a visitor says which
    schemes = (town.scheme.pk,) if town.scheme else None
    if (not form.is_bound or form.is_valid()) and not town.ask:
        wanted = form.catalogue_query(schemes) if form.is_bound else CatalogueQuery(schemes)
        offers = catalogue_offers(wanted, request.user)
        page = Paginator(offers, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "from_home": bool(home),
        "near": form.near() if page is not None else "",
        "wallets": _town_wallets(request, town.scheme),
        "town": town,
    }
    return render(request, "rewards/catalogue.html", context)


def _town_wallets(request: HttpRequest, town: Scheme | None) -> Any:
    """The wallet that buys this town's rewards (every wallet where no town is told)."""
    if not request.user.is_authenticated:
        return []
    wallets = wallets_of(request.user)
    return wallets.filter(scheme=town) if town is not None else wallets


def _home_postcode(request: HttpRequest) -> str:
    """The resident's home postcode, when they share it and we can place it."""
    user = request.user
    if not user.is_authenticated or not (user.share_location and user.postcode):
        return ""
    return user.postcode if postcode_point(user.postcode) else ""


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(
        Offer.objects.select_related("retailer", "scheme").filter(retailer__in=visible_retailers()),
        pk=pk,
    )
    if not shown_here(request, offer.scheme):
        return another_town(request, offer.scheme, "reward")
    context: dict[str, Any] = {
        "offer": offer,
        "srcset": photo_srcset(offer) if offer.photo and offer.photo_sizes else "",
        "refusal": offer.unavailable_reason(),
    }
    if request.user.is_authenticated:
        context["refusal"] = offer.refusal_for(request.user)
        context["live_code"] = live_code_for(offer, request.user)
        context["balance"] = wallet_balance(request.user, offer.scheme_id)
    return render(request, "rewards/offer.html", context)


@login_required
@require_POST
def offer_code(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("retailer"), pk=pk)
    try:
        redemption = redemption_code_create(user=request.user, offer=offer)
    except NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("rewards:offer", pk=offer.pk)
    return redirect("rewards:code", pk=redemption.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def shop_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """A shop's page: what it offers, and paying an amount its till asks for."""
    retailer = get_object_or_404(visible_retailers().select_related("scheme"), pk=pk)
    if not shown_here(request, retailer.scheme):
        return another_town(request, retailer.scheme, "shop")
    form = PayAmountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                redemption = redemption_code_create(
                    user=request.user, retailer=retailer, amount=form.cleaned_data["amount"]
                )
            except NotAllowed as refused:
                form.add_error("amount", str(refused))
            else:
                return redirect("rewards:code", pk=redemption.pk)
    offers = open_offers().filter(retailer=retailer).order_by("price", "title")
    balance = None
    if request.user.is_authenticated:
        offers = with_affordable(offers, request.user)
        balance = wallet_balance(request.user, retailer.scheme_id)
    context = {"retailer": retailer, "offers": offers, "form": form, "balance": balance}
    return render(request, "rewards/shop.html", context)


@login_required
def code(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The code to show at the till; once the shop takes it, the receipt. Only its owner
    sees it: anyone else gets the same 404 as for a code that does not exist."""
    redemption = get_object_or_404(my_redemptions(request.user).select_related("scheme"), pk=pk)
    context: dict[str, Any] = {"redemption": redemption}
    if redemption.state == "issued":
        context["qr"] = qr_svg(signed(redemption.token), label="Code for the shop to scan")
        left = redemption.expires_at - timezone.now()
        context["seconds_left"] = max(0, int(left.total_seconds()))
    elif redemption.state in ("redeemed", "refunded"):
        context["balance"] = wallet_balance(request.user, redemption.scheme_id)
    return render(request, "rewards/code.html", context)


@login_required
@require_POST
def code_cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    redemption = get_object_or_404(my_redemptions(request.user), pk=pk)
    redemption_cancel(redemption=redemption, user=request.user)
    messages.success(request, "Your code is cancelled. No coins were taken.")
    return redirect("rewards:code", pk=pk)


@never_cache
def code_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the code page polls for: {"status": issued|expired|redeemed|refunded|cancelled}."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to see your codes."}, status=401)
    found = my_redemptions(request.user).filter(pk=pk).values("state").first()
    if found is None:
        return JsonResponse({"error": "No such code."}, status=404)
    return JsonResponse({"status": found["state"]})


@login_required
def mine(request: AuthedHttpRequest) -> HttpResponse:
    mine = my_redemptions(request.user).select_related("scheme")  # each price in its coin
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rewards/mine.html", {"page": page})
