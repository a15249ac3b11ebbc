"""Paying at the till: a resident's single-use code, the shop's confirm, refunds.

The confirm is one ledger transfer (resident -> shop) keyed on the code, under a
lock on the code and the offer, so two tills confirming at once pay once, and stock
and per-person limits hold however many people redeem together."""

from datetime import timedelta
from hmac import compare_digest

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.models import Transfer
from coins.selectors import balance_of
from coins.services import (
    InsufficientFunds,
    Leg,
    lock_accounts,
    takings_account_for,
    transfer_post,
    transfer_reverse,
    wallet_for,
)
from marketplace.organisations import NotAllowed, Status
from marketplace.rewards.models import Offer, Redemption, Retailer
from marketplace.rewards.till import (
    new_code,
    new_token,
    normalise_code,
    typed_attempt_failed,
    typed_attempts_blocked,
    unsigned,
)
from notifications.live import live_refresh
from notifications.services import headline, notify

FORGED = "That QR code was not made by Citizen Coin."


class RedemptionRefused(Exception):
    """A code the till cannot take; `receipt` is the earlier sale when it was used."""

    def __init__(self, message: str, *, receipt: Redemption | None = None) -> None:
        super().__init__(message)
        self.receipt = receipt


def redemption_code_create(
    *, user: User, offer: Offer | None = None, retailer: Retailer | None = None, amount: int = 0
) -> Redemption:
    """A code to pay for an offer, or an amount the shop asked for. Refused at once if
    the resident cannot afford it or may not have it."""
    if offer is not None:
        retailer, amount = offer.retailer, offer.price
        reason = offer.refusal_for(user)
        if reason:
            raise NotAllowed(reason)
    if retailer is None or retailer.status != Status.VERIFIED:
        raise NotAllowed("This shop is not taking coins at the moment.")
    if amount < 1:
        raise NotAllowed("Enter how many coins the shop asked for.")
    scheme = retailer.scheme
    balance = balance_of(user, scheme.pk)
    if balance < amount:
        raise NotAllowed(
            f"Not enough {scheme.coin_plural}: this costs {amount:,} and you have {balance:,}."
        )
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
    *, retailer: Retailer, staff: User, code: str = "", qr: str = "", token: str = ""
) -> Redemption:
    """The code a till scanned (`qr`, as the camera read it, or its `token`) or typed
    (`code`), checked for this shop. Typed attempts are braked: after ten wrong in a
    minute the till must wait."""
    if not staff.has_perm("marketplace.work_till", retailer):
        raise NotAllowed("Only the shop's staff can take coins at its till.")
    if qr:
        token = _token_of(qr)
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


def _token_of(qr: str) -> str:
    token = unsigned(qr)
    if token is None:
        raise RedemptionRefused(FORGED)
    return token


def _check_usable(redemption: Redemption, retailer: Retailer) -> None:
    reason = redemption.refusal_for(retailer)
    if reason:
        used = redemption.status in Redemption.SOLD
        raise RedemptionRefused(reason, receipt=redemption if used else None)


def redemption_confirm(
    *, redemption: Redemption, staff: User, proof: str = "", qr: str = ""
) -> Redemption:
    """Take the coins: one transfer resident -> shop, keyed on the code. A second
    confirm of the same code (another till, a double tap) is told it was used.

    `proof` is what the till read from the resident's phone (the QR's token or the
    typed code), or `qr` the scanned QR itself: a sale number alone never takes anyone's
    coins."""
    retailer = redemption.retailer
    if not staff.has_perm("marketplace.work_till", retailer):
        raise NotAllowed("Only the shop's staff can take coins at its till.")
    if qr:
        proof = _token_of(qr)
    # The look-up's brake: ten wrong codes in a minute from this person pause them, so a
    # sale number cannot be paired with guess after guess; after the pause it works again.
    if typed_attempts_blocked(retailer_id=retailer.pk, staff_id=staff.pk):
        raise RedemptionRefused(
            "Too many wrong codes. Wait five minutes, or scan the resident's QR code."
        )
    if not (
        compare_digest(proof.encode(), redemption.token.encode())
        or compare_digest(normalise_code(proof).encode(), redemption.code.encode())
    ):
        typed_attempt_failed(retailer_id=retailer.pk, staff_id=staff.pk, typed=proof)
        raise RedemptionRefused("That code does not match this sale. Scan or type it again.")
    wallet = wallet_for(scheme=retailer.scheme, user=redemption.user)
    shop = takings_account_for(scheme=retailer.scheme, shop=retailer, payer=wallet)
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
            offer = _offer_held(offer, legs=[wallet.pk, shop.pk])
            reason = offer.unavailable_reason() or offer.limit_reason_for(redemption.user)
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
                f"The resident does not have enough {retailer.scheme.coin_plural}: this "
                f"needs {redemption.price:,} and the wallet has {short.account.balance:,}."
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
            title=headline(
                f"You paid {retailer.scheme.coins(redemption.price)} at {retailer.name}"
            ),
            body=offer.title if offer else "",
            url=reverse("rewards:code", args=[redemption.pk]),
        )
        _tell_staff(redemption, retailer, refunded=False)
    return redemption


def _offer_held(offer: Offer, *, legs: list[int]) -> Offer:
    """The offer as it is now, held only as far as its checks need: its own row while
    its stock counts down, or else, when it limits each person, the sale's two accounts
    (as transfer_post will, in the same order), so that one person's codes are paid one
    at a time. Sales of other offers, and of an unlimited one, queue on nothing here."""
    found = Offer.objects.select_related("retailer")
    offer = found.get(pk=offer.pk)
    if offer.stock is not None:
        return found.select_for_update(of=("self",)).get(pk=offer.pk)
    if offer.limit_per_person:
        lock_accounts(legs)
    return offer


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
            title=headline(f"{retailer.name} refunded {retailer.scheme.coins(redemption.price)}"),
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
    coins = retailer.scheme.coins(redemption.price)
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


def takings_changed(retailer: Retailer) -> None:
    """After commit, the shop's open dashboards and receipts refresh their figures."""
    staff = retailer.staff.values_list("user_id", flat=True)
    live_refresh(user_ids=list(staff), fragments=["takings"])
