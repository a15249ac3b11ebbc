"""Paying at the till: a resident's single-use code, the shop's confirm, refunds.

The confirm is one ledger transfer (resident -> shop) keyed on the code, under a
lock on the code and the offer, so two tills confirming at once pay once, and stock
and per-person limits hold however many people redeem together."""

from datetime import date, datetime, time, timedelta
from hmac import compare_digest

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.models import Account, Transfer
from coins.selectors import balance_of
from coins.services import (
    InsufficientFunds,
    Leg,
    account_for,
    transfer_post,
    transfer_reverse,
    wallet_for,
)
from marketplace.models import Offer, Redemption, Retailer, Status
from marketplace.services.common import NotAllowed, headline, takings_changed
from marketplace.till import (
    new_code,
    new_token,
    normalise_code,
    typed_attempt_failed,
    typed_attempts_blocked,
)
from notifications.live import live_refresh
from notifications.services import notify


class RedemptionRefused(Exception):
    """A code the till cannot take; `receipt` is the earlier sale when it was used."""

    def __init__(self, message: str, *, receipt: Redemption | None = None) -> None:
        super().__init__(message)
        self.receipt = receipt


def offer_is_open(offer: Offer, today: date | None = None) -> str:
    """Why the offer cannot be bought now, or "" when it can."""
    today = today or timezone.localdate()
    if not offer.active or offer.retailer.status != Status.VERIFIED:
        return "This offer is not available at the moment."
    if offer.starts_on and today < offer.starts_on:
        return f"This offer starts on {offer.starts_on:%-d %B}."
    if offer.ends_on and today > offer.ends_on:
        return "This offer has ended."
    if offer.stock is not None and offer.stock < 1:
        return "This offer has sold out."
    return ""


def _limit_reached(offer: Offer, user: User) -> str:
    if not offer.limit_per_person:
        return ""
    today = timezone.localdate()
    if offer.limit_period == Offer.Period.WEEK:
        start = today - timedelta(days=today.weekday())
    else:
        start = today.replace(day=1)
    since = timezone.make_aware(datetime.combine(start, time.min))
    taken = Redemption.objects.filter(
        offer=offer, user=user, status=Redemption.State.REDEEMED, redeemed_at__gte=since
    ).count()
    if taken >= offer.limit_per_person:
        return (
            f"You have had this offer {taken} time{'s' if taken != 1 else ''} "
            f"{'this week' if offer.limit_period == Offer.Period.WEEK else 'this month'}, "
            "which is the most allowed."
        )
    return ""


def offer_refusal(offer: Offer, user: User) -> str:
    """Why this person cannot get a code for this offer now, or "" when they can: what
    the offer page says up front and code creation refuses with."""
    reason = offer_is_open(offer) or _limit_reached(offer, user)
    if reason:
        return reason
    balance = balance_of(user, offer.scheme_id)
    if balance < offer.price:
        return f"Not enough coins: this costs {offer.price} and you have {balance}."
    return ""


def redemption_code_create(
    *, user: User, offer: Offer | None = None, retailer: Retailer | None = None, amount: int = 0
) -> Redemption:
    """A code to pay for an offer, or an amount the shop asked for. Refused at once if
    the resident cannot afford it or may not have it."""
    if offer is not None:
        retailer, amount = offer.retailer, offer.price
        reason = offer_refusal(offer, user)
        if reason:
            raise NotAllowed(reason)
    if retailer is None or retailer.status != Status.VERIFIED:
        raise NotAllowed("This shop is not taking coins at the moment.")
    if amount < 1:
        raise NotAllowed("Enter how many coins the shop asked for.")
    scheme = retailer.scheme
    balance = balance_of(user, scheme.pk)
    if balance < amount:
        raise NotAllowed(f"Not enough coins: this costs {amount} and you have {balance}.")
    expires = timezone.now() + timedelta(minutes=scheme.code_minutes)
    for _ in range(5):  # a clash of live codes at one shop is a one-in-billions event
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    scheme=scheme,
                    retailer=retailer,
                    offer=offer,
                    user=user,
                    price=amount,
                    code=new_code(),
                    token=new_token(),
                    expires_at=expires,
                )
        except IntegrityError:
            continue
    raise NotAllowed("Something went wrong making your code. Please try again.")


def redemption_cancel(*, redemption: Redemption, user: User) -> Redemption:
    """The resident changed their mind: the code stops working at once."""
    if redemption.user_id != user.pk:
        raise NotAllowed("Only you can cancel your code.")
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.status == Redemption.State.ISSUED:
            redemption.status = Redemption.State.CANCELLED
            redemption.save(update_fields=["status"])
    return redemption


def redemption_find(
    *, retailer: Retailer, staff: User, code: str = "", token: str = ""
) -> Redemption:
    """The code a till scanned (token) or typed (code), checked for this shop.
    Typed attempts are braked: after ten wrong in a minute the till must wait."""
    if not staff.has_perm("marketplace.work_till", retailer):
        raise NotAllowed("Only the shop's staff can take coins at its till.")
    if token:
        found = Redemption.objects.filter(token=token).select_related("offer", "user").first()
    else:
        if typed_attempts_blocked(retailer_id=retailer.pk, staff_id=staff.pk):
            raise RedemptionRefused(
                "Too many wrong codes. Wait five minutes, or scan the resident's QR code."
            )
        found = (
            Redemption.objects.filter(retailer=retailer, code=normalise_code(code))
            .select_related("offer", "user")
            .order_by("-created")
            .first()
        )
        if found is None:
            typed_attempt_failed(retailer_id=retailer.pk, staff_id=staff.pk, typed=code)
    if found is None:
        raise RedemptionRefused("That code is not valid. Check it with the resident.")
    _check_usable(found, retailer)
    return found


def _check_usable(redemption: Redemption, retailer: Retailer) -> None:
    if retailer.status != Status.VERIFIED:
        raise RedemptionRefused("This shop is not taking coins at the moment.")
    if redemption.scheme_id != retailer.scheme_id:
        raise RedemptionRefused("That code is from another town's scheme.")
    if redemption.retailer_id != retailer.pk:
        raise RedemptionRefused("That code is for another shop.")
    if redemption.status in (Redemption.State.REDEEMED, Redemption.State.REFUNDED):
        raise RedemptionRefused("This code has already been used.", receipt=redemption)
    if redemption.status == Redemption.State.CANCELLED:
        raise RedemptionRefused("The resident cancelled this code.")
    if redemption.expires_at <= timezone.now():
        raise RedemptionRefused("This code has expired. Ask the resident to make a new one.")


def redemption_confirm(*, redemption: Redemption, staff: User, proof: str) -> Redemption:
    """Take the coins: one transfer resident -> shop, keyed on the code. A second
    confirm of the same code (another till, a double tap) is told it was used.

    `proof` is what the till read from the resident's phone (the QR's token or the
    typed code): a sale number alone never takes anyone's coins."""
    retailer = redemption.retailer
    if not staff.has_perm("marketplace.work_till", retailer):
        raise NotAllowed("Only the shop's staff can take coins at its till.")
    if not (
        compare_digest(proof.encode(), redemption.token.encode())
        or compare_digest(normalise_code(proof).encode(), redemption.code.encode())
    ):
        raise RedemptionRefused("That code does not match this sale. Scan or type it again.")
    shop = account_for(scheme=retailer.scheme, kind=Account.Kind.RETAILER, owner=retailer)
    wallet = wallet_for(scheme=retailer.scheme, user=redemption.user)
    with transaction.atomic():
        redemption = (
            Redemption.objects.select_for_update(of=("self",))
            .select_related("offer", "retailer", "user")
            .get(pk=redemption.pk)
        )
        retailer = redemption.retailer  # as it is now, not as the caller last saw it
        _check_usable(redemption, retailer)
        offer = redemption.offer
        if offer is not None:
            offer = Offer.objects.select_for_update().select_related("retailer").get(pk=offer.pk)
            reason = offer_is_open(offer) or _limit_reached(offer, redemption.user)
            if reason:
                raise RedemptionRefused(reason)
        try:
            transfer = transfer_post(
                scheme=retailer.scheme,
                kind=Transfer.Kind.SPEND,
                key=f"redeem:{redemption.token}",
                legs=[Leg(wallet, -redemption.price), Leg(shop, redemption.price)],
                memo=f"{offer.title if offer else 'Paid'} at {retailer.name}",
                actor=staff,
            )
        except InsufficientFunds as short:
            raise RedemptionRefused(
                f"The resident does not have enough coins: {short}".replace(
                    "Not enough coins: ", ""
                )
            ) from short
        if offer is not None and offer.stock is not None:
            Offer.objects.filter(pk=offer.pk).update(stock=offer.stock - 1)
        redemption.status = Redemption.State.REDEEMED
        redemption.redeemed_at = timezone.now()
        redemption.redeemed_by = staff
        redemption.transfer = transfer
        redemption.save(update_fields=["status", "redeemed_at", "redeemed_by", "transfer"])
        notify(
            recipients=[redemption.user],
            kind="coins_spent",
            title=headline(f"You paid {redemption.price} coins at {retailer.name}"),
            body=offer.title if offer else "",
            url=reverse("rewards:code", args=[redemption.pk]),
        )
        _tell_staff(redemption, retailer, refunded=False)
    return redemption


def redemption_refund(*, redemption: Redemption, staff: User, reason: str) -> Redemption:
    """The shop gives the coins back, within the scheme's refund window."""
    retailer = redemption.retailer
    if not staff.has_perm("marketplace.work_till", retailer):
        raise NotAllowed("Only the shop's staff can refund its sales.")
    reason = reason.strip() or "Refunded by the shop"
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.status == Redemption.State.REFUNDED:
            return redemption
        if redemption.status != Redemption.State.REDEEMED or redemption.transfer is None:
            raise NotAllowed("Only a paid sale can be refunded.")
        window = timedelta(days=retailer.scheme.refund_days)
        if redemption.redeemed_at and timezone.now() - redemption.redeemed_at > window:
            raise NotAllowed(
                f"Sales can be refunded for {retailer.scheme.refund_days} days; this one is older."
            )
        try:
            refund = transfer_reverse(transfer=redemption.transfer, actor=staff, reason=reason)
        except InsufficientFunds as short:
            raise NotAllowed(f"The shop's account cannot cover the refund: {short}") from short
        if redemption.offer_id is not None:
            Offer.objects.filter(pk=redemption.offer_id, stock__isnull=False).update(
                stock=F("stock") + 1
            )
        live_refresh(user_ids=[redemption.user_id], fragments=["redemption"])
        redemption.status = Redemption.State.REFUNDED
        redemption.refund = refund
        redemption.refunded_at = timezone.now()
        redemption.save(update_fields=["status", "refund", "refunded_at"])
        notify(
            recipients=[redemption.user],
            kind="coins_refunded",
            title=headline(f"{retailer.name} refunded {redemption.price} coins"),
            body=reason,
            url=reverse("coins:wallet"),
        )
        _tell_staff(redemption, retailer, refunded=True, reason=reason)
    return redemption


def _tell_staff(
    redemption: Redemption, retailer: Retailer, *, refunded: bool, reason: str = ""
) -> None:
    """Every till of the shop sees the sale (or refund) land: the resident by the name
    they chose to share, if any."""
    who = redemption.user.public_name or "A resident"
    what = redemption.offer.title if redemption.offer else "an amount you asked for"
    coins = f"{redemption.price} coin{'s' if redemption.price != 1 else ''}"
    if refunded:
        kind, title, body = "sale_refunded", f"Refunded {coins} to {who}", reason
    else:
        kind, title, body = "sale_made", f"{who} paid {coins} for {what}", retailer.name
    notify(
        recipients=list(User.objects.filter(retailer_memberships__retailer=retailer)),
        kind=kind,
        title=headline(title),
        body=body,
        url=reverse("shop:receipt", args=[retailer.pk, redemption.pk]),
    )
    takings_changed(retailer)
