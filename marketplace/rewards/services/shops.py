"""A shop's side of the scheme: registering (verified by the council, like a group) and
its offers. Its dashboard's figures are read in selectors.py; taking coins at the till
is in redemptions.py."""

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from coins.models import Account, Scheme
from coins.services import account_for
from marketplace.images import photo_replaced, thumbnails_save
from marketplace.organisations import NotAllowed, admins_tell_pending, decision_record, free_slug
from marketplace.rewards.models import Offer, Retailer, RetailerStaff
from notifications.services import notify
from outbox.services import outbox_enqueue
from places.selectors import postcode_found


def retailer_register(*, scheme: Scheme, by: User, **details: str) -> Retailer:
    """A person registers a shop: it waits for the council, and they work at it."""
    with transaction.atomic():
        retailer = Retailer(
            scheme=scheme, slug=free_slug(Retailer, scheme, details["name"], "shop"), **details
        )
        retailer.place_at(postcode_found(retailer.postcode))
        retailer.save()
        RetailerStaff.objects.create(retailer=retailer, user=by)
        admins_tell_pending(
            organisation=retailer,
            kind="retailer_pending",
            body="A new shop has registered to take coins.",
            url=reverse("council:shops"),
        )
    return retailer


def retailer_decide(*, retailer: Retailer, by: User, verify: bool, reason: str = "") -> None:
    """A scheme admin verifies a shop, or rejects it with a reason its staff see."""
    if not by.has_perm("marketplace.verify_retailer", retailer):
        raise NotAllowed("Only the scheme's admins can verify its shops.")
    with transaction.atomic():
        reason = decision_record(
            organisation=retailer, by=by, verify=verify, reason=reason, who="the shop"
        )
        if verify:  # so that the till has somewhere to put the coins it takes
            account_for(scheme=retailer.scheme, kind=Account.Kind.RETAILER, owner=retailer)
        staff = User.objects.filter(retailer_memberships__retailer=retailer)
        notify(
            recipients=list(staff),
            kind="retailer_verified" if verify else "retailer_rejected",
            title=f"{retailer.name} is verified" if verify else f"{retailer.name} was not verified",
            body="You can now take coins at your till." if verify else reason,
            url=reverse("shop:dashboard", args=[retailer.pk]),
        )


def offer_save(*, offer: Offer, by: User) -> Offer:
    """Create or update one of a shop's offers. Residents see it once the shop is
    verified and the offer is active and in its dates (Offer.unavailable_reason)."""
    if not by.has_perm("marketplace.work_till", offer.retailer):
        raise NotAllowed("Only the shop's staff can change its offers.")
    offer.scheme = offer.retailer.scheme
    if not offer.limit_per_person:
        offer.limit_per_person, offer.limit_period = None, ""
    photo_changed = bool(offer.photo) and not offer.photo._committed
    with transaction.atomic():
        if photo_changed or not offer.photo:
            offer.photo_sizes = {}
        photo_replaced(Offer, offer.pk, kept=offer.photo.name or "")
        offer.save()
        if photo_changed:
            from marketplace.rewards.tasks import offer_photo_thumbnails

            outbox_enqueue(offer_photo_thumbnails.name, offer.pk)
    return offer


def offer_photo_thumbnails_make(*, offer_id: int) -> dict[str, str]:
    """Smaller copies of an offer's photo for phones; safe to run twice."""
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None or not offer.photo:
        return {}
    sizes = thumbnails_save(offer.photo)
    Offer.objects.filter(pk=offer_id).update(photo_sizes=sizes)
    return sizes
