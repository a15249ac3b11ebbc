"""Reads of the rewards: the catalogue, an offer, a resident's codes, and the figures a
shop's dashboard shows (takings, balance, sales)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Now
from django.utils import timezone

from accounts.models import User
from coins.models import Account, Currency, owner_key
from coins.selectors import balance_of
from coins.settlement import RetailerPosition, retailer_position
from marketplace.geo import distance_miles
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, Redemption, Retailer

# The service's own limit check, read-only, so the offer page can say why up front
# with the same words the service would refuse with. (Private there: see the report.)


@dataclass(frozen=True)
class CatalogueQuery:
    scheme_ids: tuple[int, ...] | None = None  # None: every scheme
    category: str = ""
    point: tuple[float, float] | None = None
    miles: float | None = None  # None: any distance


def open_offers(today: date | None = None) -> QuerySet[Offer]:
    """Offers that can be bought today: the SQL form of `Offer.unavailable_reason`."""
    today = today or timezone.localdate()
    return Offer.objects.filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=today),
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        Q(stock__isnull=True) | Q(stock__gte=1),
        active=True,
        retailer__status=Status.VERIFIED,
    )


def visible_retailers() -> QuerySet[Retailer]:
    return Retailer.objects.filter(status=Status.VERIFIED)


def catalogue_offers(query: CatalogueQuery, user: Any = None) -> QuerySet[Any]:
    """Open offers, nearest first when there is a point, else cheapest first; each
    marked `affordable` when a logged-in resident's wallet in its scheme covers it."""
    found: QuerySet[Any] = open_offers().select_related("retailer", "scheme")
    if query.scheme_ids is not None:
        found = found.filter(scheme_id__in=query.scheme_ids)
    if query.category:
        found = found.filter(category=query.category)
    if user is not None and user.is_authenticated:
        found = with_affordable(found, user)
    if query.point is None:
        return found.order_by("price", "title", "pk")
    # distance_miles reads `latitude`/`longitude`: here they are the shop's. Its clamp
    # (GREATEST/LEAST skip NULLs) would put a shop with no location at 0 miles: say None.
    unplaced = Q(retailer__latitude__isnull=True) | Q(retailer__longitude__isnull=True)
    found = found.annotate(
        latitude=F("retailer__latitude"), longitude=F("retailer__longitude")
    ).annotate(
        distance=Case(
            When(unplaced, then=Value(None)),
            default=distance_miles(*query.point),
            output_field=FloatField(),
        )
    )
    if query.miles is not None:
        found = found.filter(distance__lte=query.miles)
    return found.order_by(F("distance").asc(nulls_last=True), "price", "pk")


def with_affordable(offers: QuerySet[Any], user: User) -> QuerySet[Any]:
    balance = Account.objects.filter(
        kind=Account.Kind.WALLET, scheme=OuterRef("scheme"), **owner_key(user)
    ).values("balance")[:1]
    return offers.annotate(wallet_balance=Subquery(balance)).annotate(
        affordable=ExpressionWrapper(Q(price__lte=F("wallet_balance")), BooleanField())
    )


def wallet_balance(user: User, scheme_id: int) -> int:
    return balance_of(user, scheme_id)


def live_code_for(offer: Offer, user: User) -> Redemption | None:
    """A code this person already has for this offer and can still use."""
    return (
        Redemption.objects.filter(
            offer=offer,
            user=user,
            status=Redemption.State.ISSUED,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created")
        .first()
    )


def photo_srcset(offer: Offer) -> str:
    return ", ".join(
        f"{default_storage.url(name)} {width}w"
        for width, name in sorted(offer.photo_sizes.items(), key=lambda kv: int(kv[0]))
    )


def my_redemptions(user: User) -> QuerySet[Any]:
    """The person's codes, newest first, each with a `state`: the model's status, or
    "expired" for an unused code past its time."""
    expired = Q(status=Redemption.State.ISSUED, expires_at__lte=Now())
    return (
        Redemption.objects.filter(user=user)
        .annotate(
            state=Case(
                When(expired, then=Value("expired")), default=F("status"), output_field=CharField()
            )
        )
        .select_related("retailer", "offer")
        .order_by("-created", "-pk")
    )


@dataclass(frozen=True)
class Takings:
    coins: int
    sales: int
    refunds: int


def shop_takings(*, retailer: Retailer, day: date | None = None) -> Takings:
    """What the till took on one local day: paid sales, less those since refunded."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time.min))
    sold = Redemption.objects.filter(
        retailer=retailer,
        status__in=Redemption.SOLD,
        redeemed_at__gte=start,
        redeemed_at__lt=start + timedelta(days=1),
    )
    paid = Q(status=Redemption.State.REDEEMED)
    totals = sold.aggregate(
        coins=Sum("price", filter=paid, default=0),
        sales=Count("pk", filter=paid),
        refunds=Count("pk", filter=~paid),
    )
    return Takings(**totals)


def shop_balance(*, retailer: Retailer) -> int:
    """The shop's coins (the sum of its parts), read without creating an account for a
    shop not yet verified."""
    parts = Account.objects.filter(
        scheme=retailer.scheme,
        kind=Account.Kind.RETAILER,
        currency=Currency.COIN,
        **owner_key(retailer),
    )
    return int(parts.aggregate(coins=Sum("balance", default=0))["coins"])


def shop_sales(*, retailer: Retailer) -> QuerySet[Redemption]:
    """Every sale, newest first; refunded ones stay, marked by their status."""
    return (
        Redemption.objects.filter(retailer=retailer, status__in=Redemption.SOLD)
        .select_related("offer", "user")
        .order_by("-redeemed_at", "-pk")
    )


def shop_offer_totals(*, retailer: Retailer) -> list[dict[str, object]]:
    """Sales and coins per offer, refunds left out; "Amount asked for" sales as one row."""
    rows = (
        Redemption.objects.filter(retailer=retailer, status=Redemption.State.REDEEMED)
        .values("offer_id", "offer__title")
        .annotate(sales=Count("pk"), coins=Sum("price"))
        .order_by("-coins", "offer__title")
    )
    return [
        {
            "title": row["offer__title"] or "Amount asked for",
            "sales": row["sales"],
            "coins": row["coins"],
        }
        for row in rows
    ]


def shop_settlement(*, retailer: Retailer) -> RetailerPosition | None:
    """Where the shop's coins stand in settlement; None where the scheme pays nothing."""
    if not retailer.scheme.coin_value_pence:
        return None
    key = owner_key(retailer)
    return retailer_position(
        scheme=retailer.scheme, owner_type_id=key["owner_type"].pk, owner_id=key["owner_id"]
    )
