"""Pages for a shop's staff: the shop's dashboard and offers, and the till.

The till is built for someone at a counter with a queue: scan or type the resident's
code, see who and what for, one tap to take the coins, a receipt. The rules (is the
code good, can they pay, was it used) are all in services/redemptions.py."""

import csv
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from accounts.models import User
from coins.spreadsheet import spreadsheet_cell
from marketplace.organisations import NotAllowed
from marketplace.rewards.models import Offer, Redemption, Retailer, RetailerApiKey
from marketplace.rewards.selectors import (
    shop_balance,
    shop_offer_totals,
    shop_sales,
    shop_settlement,
    shop_takings,
)
from marketplace.rewards.services.api_keys import retailer_api_key_create, retailer_api_key_revoke
from marketplace.rewards.services.redemptions import (
    RedemptionRefused,
    redemption_confirm,
    redemption_find,
    redemption_refund,
)
from marketplace.rewards.services.shops import offer_save, retailer_register
from marketplace.rewards.shop_forms import (
    ApiKeyForm,
    OfferForm,
    RefundForm,
    RetailerRegisterForm,
    TillForm,
)

PER_PAGE = 20


def _shop(request: AuthedHttpRequest, pk: int) -> Retailer:
    retailer = get_object_or_404(Retailer.objects.select_related("scheme"), pk=pk)
    if not request.user.has_perm("marketplace.work_till", retailer):
        raise PermissionDenied
    return retailer


def _sale(retailer: Retailer, pk: int) -> Redemption:
    """A paid (or refunded) sale of this shop; anything else is not found."""
    sales = Redemption.objects.select_related("offer", "user", "retailer__scheme")
    return get_object_or_404(sales, pk=pk, retailer=retailer, status__in=Redemption.SOLD)


@login_required
def my_shops(request: AuthedHttpRequest) -> HttpResponse:
    shops = list(Retailer.objects.filter(staff__user=request.user).order_by("name"))
    if len(shops) == 1:
        return redirect("shop:dashboard", pk=shops[0].pk)
    return render(request, "shop/mine.html", {"shops": shops})


@login_required
def register(request: AuthedHttpRequest) -> HttpResponse:
    form = RetailerRegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        details = {k: v for k, v in form.cleaned_data.items() if k != "scheme"}
        retailer = retailer_register(scheme=form.cleaned_data["scheme"], by=request.user, **details)
        messages.success(
            request,
            f"{retailer.name} is registered. The council will check it; we'll tell you when "
            "it is verified. You can add offers now.",
        )
        return redirect("shop:dashboard", pk=retailer.pk)
    return render(request, "shop/register.html", {"form": form})


@login_required
def dashboard(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    page = Paginator(shop_sales(retailer=retailer), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "retailer": retailer,
        "today": shop_takings(retailer=retailer),
        "balance": shop_balance(retailer=retailer),
        "settlement": shop_settlement(retailer=retailer),
        "offers": retailer.offers.order_by("-active", "title"),
        "totals": shop_offer_totals(retailer=retailer),
        "page": page,
    }
    return render(request, "shop/dashboard.html", context)


@login_required
def sales_csv(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{retailer.slug}-sales.csv"'
    writer = csv.writer(response)
    writer.writerow(["sale", "paid at", "offer", "coins", "status", "refunded at", "resident"])
    for sale in shop_sales(retailer=retailer).iterator(chunk_size=500):
        writer.writerow(
            [
                sale.pk,
                _when(sale.redeemed_at),
                spreadsheet_cell(sale.offer.title if sale.offer else "Amount asked for"),
                sale.price,
                sale.get_status_display(),
                _when(sale.refunded_at),
                spreadsheet_cell(sale.user.public_name),
            ]
        )
    return response


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


@login_required
def offer_new(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    return _offer_form(request, Offer(retailer=retailer, scheme=retailer.scheme))


@login_required
def offer_edit(request: AuthedHttpRequest, pk: int, offer_pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    return _offer_form(request, get_object_or_404(Offer, pk=offer_pk, retailer=retailer))


def _offer_form(request: AuthedHttpRequest, offer: Offer) -> HttpResponse:
    editing = offer.title if offer.pk else ""  # before the form writes the new one on it
    posted = request.method == "POST"
    form = OfferForm(request.POST if posted else None, request.FILES or None, instance=offer)
    if posted and form.is_valid():
        try:
            offer = offer_save(offer=form.save(commit=False), by=request.user)
        except NotAllowed as refused:
            raise PermissionDenied from refused
        messages.success(request, f"Saved “{offer.title}”.")
        return redirect("shop:dashboard", pk=offer.retailer_id)
    context = {"form": form, "retailer": offer.retailer, "editing": editing}
    return render(request, "shop/offer_form.html", context)


@login_required
def till(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _till_page(request, _shop(request, pk), TillForm())


def _till_page(
    request: AuthedHttpRequest,
    retailer: Retailer,
    form: TillForm,
    refused: RedemptionRefused | None = None,
) -> HttpResponse:
    context = {
        "retailer": retailer,
        "form": form,
        "refusal": str(refused) if refused else "",
        "receipt": refused.receipt if refused else None,
    }
    return render(request, "shop/till.html", context)


@login_required
def till_check(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    if request.method != "POST":  # a reload or a back button: start again
        return redirect("shop:till", pk=retailer.pk)
    form = TillForm(request.POST)
    if not form.is_valid():
        return _till_page(request, retailer, form)
    try:
        redemption = _find(retailer, request.user, form.cleaned_data)
    except RedemptionRefused as refused:
        # A fresh form: a refused scan must not ride along with the next typed code.
        return _till_page(
            request, retailer, TillForm(initial={"code": form.cleaned_data["code"]}), refused
        )
    except NotAllowed as refused:
        raise PermissionDenied from refused
    context = {
        "retailer": retailer,
        "sale": redemption,
        "name": redemption.user.public_name or "A resident",
    }
    return render(request, "shop/till_confirm.html", context)


def _find(retailer: Retailer, staff: User, data: dict[str, str]) -> Redemption:
    if data["token"]:
        return redemption_find(retailer=retailer, staff=staff, qr=data["token"])
    return redemption_find(retailer=retailer, staff=staff, code=data["code"])


@login_required
def till_confirm(request: AuthedHttpRequest, pk: int, redemption_pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    if request.method != "POST":
        return redirect("shop:till", pk=retailer.pk)
    redemption = get_object_or_404(Redemption, pk=redemption_pk, retailer=retailer)
    try:
        # The check page carries the code's token: a sale number alone takes no coins.
        redemption_confirm(
            redemption=redemption, staff=request.user, proof=request.POST.get("token", "")
        )
    except RedemptionRefused as refused:
        if refused.receipt is not None and refused.receipt.pk == redemption.pk:
            messages.info(request, "This code has already been used: here is its receipt.")
            return redirect("shop:receipt", pk=retailer.pk, redemption_pk=redemption.pk)
        return _till_page(request, retailer, TillForm(), refused)
    except NotAllowed as refused:
        raise PermissionDenied from refused
    return redirect("shop:receipt", pk=retailer.pk, redemption_pk=redemption.pk)


@login_required
def receipt(request: AuthedHttpRequest, pk: int, redemption_pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    return _receipt_page(request, retailer, _sale(retailer, redemption_pk), RefundForm())


def _receipt_page(
    request: AuthedHttpRequest, retailer: Retailer, sale: Redemption, form: RefundForm
) -> HttpResponse:
    context = {
        "retailer": retailer,
        "sale": sale,
        "name": sale.user.public_name or "A resident",
        "form": form,
        "paid": sale.status == Redemption.State.REDEEMED,
    }
    return render(request, "shop/receipt.html", context)


@login_required
@require_POST
def refund(request: AuthedHttpRequest, pk: int, redemption_pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    sale = _sale(retailer, redemption_pk)
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _receipt_page(request, retailer, sale, form)
    try:
        redemption_refund(redemption=sale, staff=request.user, reason=form.cleaned_data["reason"])
    except NotAllowed as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Refunded {retailer.scheme.coins(sale.price)} to the resident.")
    return redirect("shop:receipt", pk=retailer.pk, redemption_pk=sale.pk)


@login_required
def api_keys(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Keys for the shop's own till system (the POS API). A new key is shown on this
    response only: it is stored as a hash and cannot be shown again."""
    retailer = _shop(request, pk)
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    raw = ""
    if request.method == "POST" and form.is_valid():
        _, raw = retailer_api_key_create(
            retailer=retailer, by=request.user, name=form.cleaned_data["name"]
        )
        form = ApiKeyForm()
    keys = RetailerApiKey.objects.filter(retailer=retailer).order_by("-created")
    context = {"retailer": retailer, "form": form, "keys": keys, "raw": raw}
    response = render(request, "shop/api_keys.html", context)
    response["Cache-Control"] = "no-store"  # the one time a key is shown
    return response


@login_required
@require_POST
def api_key_revoke(request: AuthedHttpRequest, pk: int, key_pk: int) -> HttpResponse:
    retailer = _shop(request, pk)
    key = get_object_or_404(RetailerApiKey, pk=key_pk, retailer=retailer)
    retailer_api_key_revoke(key=key, by=request.user)
    messages.success(
        request, f"“{key.name}” no longer works. Any till using it must get a new key."
    )
    return redirect("shop:api_keys", pk=retailer.pk)
