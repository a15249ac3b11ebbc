"""The person's codes and purchases at shops, and the shops they work at, in the
download of their data; and what deleting the account does here."""

from typing import Any

from django.db import transaction
from django.db.models import Count

from accounts.models import User
from marketplace.organisations import Status
from marketplace.rewards.models import Redemption, Retailer, RetailerStaff


def personal_data(user: User) -> dict[str, Any]:
    redemptions = (
        Redemption.objects.filter(user=user).select_related("retailer", "offer").order_by("id")
    )
    return {
        "redemptions": [
            {
                "shop": r.retailer.name,
                "offer": r.offer.title if r.offer else None,
                "price": r.price,
                "status": r.get_status_display(),
                "created": r.created,
                "redeemed_at": r.redeemed_at,
                "refunded_at": r.refunded_at,
            }
            for r in redemptions
        ],
        "shops_you_work_at": [
            m.retailer.name
            for m in RetailerStaff.objects.filter(user=user).select_related("retailer")
        ],
    }


def personal_data_refusals(user: User) -> list[str]:
    """A shop the person alone staffs would be left with nobody at its till."""
    theirs = RetailerStaff.objects.filter(user=user).values("retailer")
    shops = Retailer.objects.filter(pk__in=theirs).exclude(status=Status.REJECTED)
    alone = shops.annotate(n=Count("staff")).filter(n=1).order_by("name")
    return [
        f"You are the only member of staff at {shop.name}. Add another member of staff, "
        "or ask the council to close the shop, then come back to delete your account."
        for shop in alone
    ]


def personal_data_erase(*, user: User) -> None:
    """Codes not yet used stop working; past sales stay (the shop's takings need them)."""
    with transaction.atomic():
        Redemption.objects.filter(user=user, status=Redemption.State.ISSUED).update(
            status=Redemption.State.CANCELLED
        )
        RetailerStaff.objects.filter(user=user).delete()
