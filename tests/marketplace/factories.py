from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from coins.models import Scheme
from marketplace.board.models import CommunityGroup, GroupOrganiser, Opportunity, Shift
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, Redemption, Retailer, RetailerStaff
from marketplace.rewards.services.redemptions import redemption_confirm
from tests.conftest import make_user


def make_group(name: str = "Park Friends", *, status: str = Status.VERIFIED) -> CommunityGroup:
    scheme, _ = Scheme.objects.get_or_create(slug="testford", defaults={"name": "Testford"})
    slug = name.lower().replace(" ", "-")
    group = CommunityGroup.objects.create(scheme=scheme, name=name, slug=slug, status=status)
    organiser = make_user(f"organiser-{slug}@example.org")
    GroupOrganiser.objects.create(group=group, user=organiser)
    return group


def make_shift(
    *,
    group: CommunityGroup | None = None,
    capacity: int = 10,
    days_ahead: int = 3,
    hours: int = 3,
    **opportunity_fields: object,
) -> Shift:
    group = group or CommunityGroup.objects.filter(slug="park-friends").first() or make_group()
    fields: dict[str, object] = {
        "title": "Litter pick by the river",
        "description": "Gloves and bags provided.",
        "status": Opportunity.State.PUBLISHED,
    }
    fields.update(opportunity_fields)
    opportunity = Opportunity.objects.create(scheme=group.scheme, group=group, **fields)
    start = timezone.now().replace(microsecond=0) + timedelta(days=days_ahead)
    if days_ahead >= 1 and _crosses_midnight(start, start + timedelta(hours=hours)):
        start -= timedelta(hours=hours)  # a shift is on one day: late in the evening, earlier
    return Shift.objects.create(
        opportunity=opportunity, start=start, end=start + timedelta(hours=hours), capacity=capacity
    )


def _crosses_midnight(start: datetime, end: datetime) -> bool:
    return timezone.localdate(start) != timezone.localdate(end - timedelta(microseconds=1))


def make_retailer(
    name: str = "Corner Bakery", *, scheme: Scheme | None = None, status: str = Status.VERIFIED
) -> Retailer:
    if scheme is None:
        scheme, _ = Scheme.objects.get_or_create(slug="testford", defaults={"name": "Testford"})
    slug = name.lower().replace(" ", "-")
    retailer = Retailer.objects.create(scheme=scheme, name=name, slug=slug, status=status)
    RetailerStaff.objects.create(retailer=retailer, user=make_user(f"staff-{slug}@example.org"))
    return retailer


def make_offer(retailer: Retailer | None = None, **fields: object) -> Offer:
    retailer = retailer or make_retailer()
    values: dict[str, object] = {"title": "Loaf of bread", "price": 10, "category": "food"}
    values.update(fields)
    return Offer.objects.create(scheme=retailer.scheme, retailer=retailer, **values)


def staff_of(retailer: Retailer) -> User:
    return RetailerStaff.objects.filter(retailer=retailer).first().user  # type: ignore[union-attr]


def confirm_at_till(*, redemption: Redemption, staff: User) -> Redemption:
    """The till confirms a code it has just scanned (so it holds the code's token)."""
    return redemption_confirm(redemption=redemption, staff=staff, proof=redemption.token)
