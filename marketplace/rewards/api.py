"""Rewards as JSON: offers and codes for residents and till keys for shop staff (both
on the session), and the POS API a shop's till system calls with one of those keys.

A POS call acts for the person who made its key: the till services check that they
still work at the shop, and the typed-code brake counts their wrong codes."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import P, QueryEx, Router, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from accounts.http import AuthedHttpRequest
from accounts.models import User
from coins.residence import town_for
from coins.schemas import Problem
from marketplace.organisations import NotAllowed
from marketplace.organisations import Status as Verification
from marketplace.rewards.models import Offer, OfferCategory, Redemption, Retailer, RetailerApiKey
from marketplace.rewards.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    CodeOut,
    OfferOut,
    OfferShopOut,
    PendingOut,
    PosLookupIn,
    PosRefusal,
    ReceiptOut,
    RefundIn,
    SalesOut,
    ShopCodeIn,
)
from marketplace.rewards.selectors import open_offers
from marketplace.rewards.services.api_keys import (
    NO_LONGER,
    ApiKeyRefused,
    retailer_api_key_create,
    retailer_api_key_revoke,
    retailer_api_key_use,
)
from marketplace.rewards.services.redemptions import (
    RedemptionRefused,
    redemption_code_create,
    redemption_confirm,
    redemption_find,
    redemption_refund,
)
from marketplace.rewards.till import signed
from places.towns import shown_here

NO_KEY = "Send the shop's API key as the header `Authorization: Bearer cc_pos_...`."
STAFF_ONLY = "Only the shop's staff can manage the keys for its till."
REFUSED: dict[int | str, type] = {404: Problem, 409: Problem}
POS_REFUSED: dict[int | str, type] = {404: Problem, 409: PosRefusal}


class PosKey(HttpBearer):
    """A key made by the shop's staff; request.auth is its shop."""

    def __call__(self, request: HttpRequest) -> Any:
        # Said plainly, rather than the site's "Log in to use this": a till has no login.
        if not request.headers.get(self.header, "").lower().startswith("bearer "):
            raise HttpError(401, NO_KEY)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Retailer:
        try:
            key = retailer_api_key_use(token)
        except ApiKeyRefused as refused:
            raise HttpError(401, str(refused)) from refused
        request.api_key = key  # type: ignore[attr-defined]
        return key.retailer


class PosRequest(HttpRequest):
    auth: Retailer
    api_key: RetailerApiKey


router = Router(tags=["rewards"])
pos_router = Router(tags=["till (POS)"], auth=PosKey())


@router.get("/rewards/offers", response=list[OfferOut], summary="Offers open now, cheapest first")
def offer_list(request: AuthedHttpRequest, category: OfferCategory | None = None) -> list[OfferOut]:
    offers = open_offers().select_related("retailer__ward")
    town = town_for(request)  # the resident's town's shops only
    if town is not None:
        offers = offers.filter(scheme=town)
    if category:
        offers = offers.filter(category=category)
    return [_offer(o) for o in offers.order_by("price", "title")]


@router.get("/rewards/offers/{pk}", response={200: OfferOut, 404: Problem})
def offer_get(request: AuthedHttpRequest, pk: int) -> OfferOut:
    offer = get_object_or_404(
        Offer.objects.select_related("retailer__ward"),
        pk=pk,
        active=True,
        retailer__status=Verification.VERIFIED,
    )
    if not shown_here(request, offer.scheme):
        raise Http404("That reward is in another town.")
    return _offer(offer)


@router.post(
    "/rewards/offers/{pk}/code",
    response={201: CodeOut, **REFUSED},
    summary="A single-use code to pay for an offer; 409 says why not (coins, limit, stock)",
)
def offer_code_create(request: AuthedHttpRequest, pk: int) -> Status[Any]:
    offer = get_object_or_404(Offer.objects.select_related("retailer__scheme"), pk=pk)
    try:
        code = redemption_code_create(user=request.user, offer=offer)
    except NotAllowed as refused:
        return Status(409, Problem(detail=str(refused)))
    return Status(201, _code(code))


@router.post(
    "/rewards/shops/{pk}/code",
    response={201: CodeOut, **REFUSED},
    summary="A single-use code to pay a shop the amount it asked for",
)
def shop_code_create(request: AuthedHttpRequest, pk: int, body: ShopCodeIn) -> Status[Any]:
    retailer = get_object_or_404(Retailer.objects.select_related("scheme"), pk=pk)
    try:
        code = redemption_code_create(user=request.user, retailer=retailer, amount=body.amount)
    except NotAllowed as refused:
        return Status(409, Problem(detail=str(refused)))
    return Status(201, _code(code))


@router.get(
    "/rewards/codes/{pk}",
    response={200: CodeOut, 404: Problem},
    summary="One of my codes: whether it was used, and the receipt once it was",
)
def code_get(request: AuthedHttpRequest, pk: int) -> CodeOut:
    mine = Redemption.objects.filter(user=request.user).select_related("offer", "retailer")
    return _code(get_object_or_404(mine, pk=pk))


@router.get(
    "/shops/{pk}/api-keys",
    response={200: list[ApiKeyOut], 403: Problem, 404: Problem},
    tags=["shop"],
    summary="The shop's keys for its till system, newest first (never the keys themselves)",
)
def api_key_list(request: AuthedHttpRequest, pk: int) -> list[ApiKeyOut]:
    keys = _staffed(request, pk).api_keys.select_related("created_by").order_by("-created", "-pk")
    return [_api_key(k) for k in keys]


@router.post(
    "/shops/{pk}/api-keys",
    response={201: ApiKeyCreatedOut, 403: Problem, 404: Problem},
    tags=["shop"],
    summary="Make a key for the till system; the key is in this answer and nowhere else",
)
def api_key_create(request: AuthedHttpRequest, pk: int, body: ApiKeyIn) -> Status[Any]:
    retailer = _staffed(request, pk)
    try:
        key, raw = retailer_api_key_create(retailer=retailer, by=request.user, name=body.name)
    except NotAllowed as refused:
        raise HttpError(403, str(refused)) from refused
    return Status(201, ApiKeyCreatedOut(**_api_key(key).model_dump(), key=raw))


@router.post(
    "/shops/{pk}/api-keys/{key_pk}/revoke",
    response={200: ApiKeyOut, 403: Problem, 404: Problem},
    tags=["shop"],
    summary="Stop a key working, at once",
)
def api_key_revoke(request: AuthedHttpRequest, pk: int, key_pk: int) -> ApiKeyOut:
    retailer = _staffed(request, pk)
    key = get_object_or_404(retailer.api_keys.select_related("retailer", "created_by"), pk=key_pk)
    try:
        return _api_key(retailer_api_key_revoke(key=key, by=request.user))
    except NotAllowed as refused:
        raise HttpError(403, str(refused)) from refused


@pos_router.post(
    "/pos/lookup",
    response={200: PendingOut, 409: PosRefusal},
    summary="Find the code a resident showed: typed (`code`) or scanned (`qr`)",
)
def pos_lookup(request: PosRequest, body: PosLookupIn) -> Status[Any]:
    try:
        found = redemption_find(
            retailer=request.auth, staff=_staff(request), code=body.code or "", qr=body.qr or ""
        )
    except (RedemptionRefused, NotAllowed) as refused:
        return Status(409, _refusal(refused))
    return Status(
        200,
        PendingOut(
            id=found.pk,
            price=found.price,
            offer=found.offer.title if found.offer else None,
            resident=found.user.public_name or "A resident",
            expires_at=found.expires_at,
        ),
    )


@pos_router.post(
    "/pos/redemptions/{pk}/confirm",
    response={200: ReceiptOut, **POS_REFUSED},
    summary="Take the coins; a code already used is a 409 with the earlier receipt",
)
def pos_confirm(request: PosRequest, pk: int, body: PosLookupIn) -> Status[Any]:
    """The body repeats what the till read (typed `code` or scanned `qr`): a sale number
    alone never takes anyone's coins."""
    redemption = get_object_or_404(_sales(request), pk=pk)
    try:
        paid = redemption_confirm(
            redemption=redemption, staff=_staff(request), proof=body.code or "", qr=body.qr or ""
        )
    except (RedemptionRefused, NotAllowed) as refused:
        return Status(409, _refusal(refused))
    return Status(200, _receipt(paid))


@pos_router.post(
    "/pos/redemptions/{pk}/refund",
    response={200: ReceiptOut, **POS_REFUSED},
    summary="Give a sale's coins back, within the scheme's refund window",
)
def pos_refund(request: PosRequest, pk: int, body: RefundIn | None = None) -> Status[Any]:
    redemption = get_object_or_404(_sales(request), pk=pk)
    reason = body.reason if body else ""
    try:
        refunded = redemption_refund(redemption=redemption, staff=_staff(request), reason=reason)
    except NotAllowed as refused:
        return Status(409, _refusal(refused))
    return Status(200, _receipt(refunded))


@pos_router.get("/pos/sales", response=SalesOut, summary="The shop's sales on one day")
def pos_sales(
    request: PosRequest,
    day: QueryEx[date | None, P(alias="date", description="YYYY-MM-DD; left out, today.")] = None,
) -> SalesOut:
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    sold = _sales(request).filter(redeemed_at__gte=start, redeemed_at__lt=end)
    sales = [_receipt(r) for r in sold.order_by("redeemed_at", "pk")]
    return SalesOut(
        date=day,
        count=len(sales),
        total=sum(s.price for s in sales if s.status == Redemption.State.REDEEMED),
        sales=sales,
    )


def _staffed(request: AuthedHttpRequest, pk: int) -> Retailer:
    retailer = get_object_or_404(Retailer, pk=pk)
    if not request.user.has_perm("marketplace.work_till", retailer):
        raise HttpError(403, STAFF_ONLY)
    return retailer


def _staff(request: PosRequest) -> User:
    staff = request.api_key.created_by
    if staff is None:  # refused by the key's check already; this tells the type checker
        raise HttpError(401, NO_LONGER)
    return staff


def _sales(request: PosRequest) -> QuerySet[Redemption]:
    """This shop's codes only: another shop's is a 404, as if it did not exist."""
    return Redemption.objects.filter(retailer=request.auth).select_related("offer", "retailer")


def _offer(offer: Offer) -> OfferOut:
    shop = offer.retailer
    return OfferOut(
        id=offer.pk,
        title=offer.title,
        description=offer.description,
        category=offer.category,
        price=offer.price,
        shop=OfferShopOut(
            id=shop.pk,
            name=shop.name,
            address=shop.address,
            postcode=shop.postcode,
            ward=shop.ward.name if shop.ward else "",
            latitude=shop.latitude,
            longitude=shop.longitude,
        ),
        stock=offer.stock,
        limit_per_person=offer.limit_per_person,
        limit_period=offer.limit_period,
        starts_on=offer.starts_on,
        ends_on=offer.ends_on,
        unavailable=offer.unavailable_reason(),
    )


def _code(code: Redemption) -> CodeOut:
    return CodeOut(
        id=code.pk,
        code=code.code,
        qr=signed(code.token),
        status=code.status,
        expires_at=code.expires_at,
        price=code.price,
        offer=code.offer.title if code.offer else None,
        shop=code.retailer.name,
        receipt=_receipt(code) if code.status in Redemption.SOLD else None,
    )


def _receipt(sale: Redemption) -> ReceiptOut:
    return ReceiptOut(
        id=sale.pk,
        status=sale.status,
        price=sale.price,
        offer=sale.offer.title if sale.offer else None,
        shop=sale.retailer.name,
        redeemed_at=sale.redeemed_at,
        transfer_id=sale.transfer_id,
        refunded_at=sale.refunded_at,
    )


def _refusal(refused: RedemptionRefused | NotAllowed) -> PosRefusal:
    receipt = getattr(refused, "receipt", None)
    return PosRefusal(detail=str(refused), receipt=_receipt(receipt) if receipt else None)


def _api_key(key: RetailerApiKey) -> ApiKeyOut:
    maker = key.created_by
    return ApiKeyOut(
        id=key.pk,
        name=key.name,
        prefix=key.prefix,
        created=key.created,
        created_by=(maker.display_name or "A member of staff") if maker else "Someone who left",
        last_used=key.last_used,
        revoked=key.revoked_at is not None,
        revoked_at=key.revoked_at,
    )
