"""A small town with known numbers: seven residents, two opportunities in two wards, four
shifts from September to November 2026, hours confirmed through the real service (so
coins are minted by the ledger), a sale at a shop and a gift.

By hand, for the whole town (k = 2, so nothing is hidden):

| month | hours | volunteers | new | returning | places | attended | no-shows | filled |
|---|---|---|---|---|---|---|---|---|
| Sep 2026 | 6.0 | 2 (A, B) | 2 | 0 | 4 | 2 | 2 (C, F) | 0 |
| Oct 2026 | 8.0 | 5 (A, B, D, E, G) | 3 | 2 | 5 | 5 | 0 | 1 |
| Nov 2026 | 6.0 | 4 (C, E, F, G) | 2 | 2 | 4 | 4 | 0 | 1 |
| Dec 2026 | 0.0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| all | 20.0 | 7 | 7 | 0 | 13 | 11 | 2 | 2 |

Coins earned (10 an hour): 60, 80, 60, 0 (200); spent at the shop in October: 12; given
in December (today): 5; then every wallet's 183 left expire (today, as the expiry job
would two months on). Opportunities posted: one in September, one in October.
Then counted into the rollup, as Celery beat would."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from coins.expiry import wallets_expire
from coins.models import Account, Scheme
from coins.services import account_for
from coins.wallets import gift_give
from impact.rollup import rollup_refresh
from marketplace.board.models import CommunityGroup, GroupOrganiser, Opportunity, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from marketplace.organisations import Status
from marketplace.rewards.models import Redemption
from marketplace.rewards.services.redemptions import redemption_code_create
from places.models import Ward
from places.selectors import postcode_found
from tests.conftest import make_user
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of


@dataclass(frozen=True)
class Town:
    scheme: Scheme
    group: CommunityGroup
    council: User
    people: dict[str, User]


def at(month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour))


def town_with_known_numbers(*, k: int = 2) -> Town:
    scheme, _ = Scheme.objects.get_or_create(slug="testford", defaults={"name": "Testford"})
    Scheme.objects.filter(pk=scheme.pk).update(privacy_k=k)
    scheme.refresh_from_db()
    Ward.objects.update(scheme=scheme)  # the demo town's wards, as load_postcodes --scheme
    council = make_user("council@example.org")
    scheme.admin_memberships.create(user=council)
    group = CommunityGroup.objects.create(
        scheme=scheme, name="Park Friends", slug="park-friends", status=Status.VERIFIED
    )
    organiser = make_user("organiser@example.org")
    GroupOrganiser.objects.create(group=group, user=organiser)
    people = {name: make_user(f"{name.lower()}@example.org") for name in "ABCDEFG"}
    central = _opportunity(group, "Litter pick", "BK3 2AA", "environment", at(9, 1))
    millbrook = _opportunity(group, "Food bank", "BK1 1AA", "food", at(10, 1))
    shifts = [
        (central, at(9, 10), 5, {"A": True, "B": True, "C": False, "F": False}, 180),
        (central, at(10, 10), 3, {"A": True, "B": True, "D": True}, 120),
        (millbrook, at(10, 20), 5, {"E": True, "G": True}, 60),
        (millbrook, at(11, 5), 4, {"C": True, "F": True, "E": True, "G": True}, 90),
    ]
    for opportunity, start, capacity, came, minutes in shifts:
        shift = Shift.objects.create(
            opportunity=opportunity,
            start=start,
            end=start + timedelta(minutes=minutes),
            capacity=capacity,
        )
        for name, attended in came.items():
            Signup.objects.create(
                shift=shift, user=people[name], status=Signup.State.CONFIRMED, attended=attended
            )
        hours_confirm(shift=shift, minutes={}, by=organiser)
    _sale_in_october(scheme, people["A"])
    gift_give(
        scheme=scheme,
        sender=people["A"],
        to=account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=group),
        amount=5,
        key="give:town:1",
        memo="Gift to Park Friends",
    )
    # Two months on, every wallet has been quiet for the scheme's one month: 183 expire.
    Scheme.objects.filter(pk=scheme.pk).update(expiry_months=1)
    scheme.refresh_from_db()
    wallets_expire(scheme=scheme, today=timezone.localdate() + timedelta(days=62))
    rollup_refresh(scheme)  # as Celery beat does: the dashboard reads the rollup
    return Town(scheme=scheme, group=group, council=council, people=people)


def _opportunity(
    group: CommunityGroup, title: str, postcode: str, cause: str, published: datetime
) -> Opportunity:
    opportunity = Opportunity(
        group=group,
        scheme=group.scheme,
        title=title,
        description=f"{title} in the town.",
        causes=[cause],
        postcode=postcode,
        status=Opportunity.State.PUBLISHED,
        published_at=published,
    )
    opportunity.place_at(postcode_found(postcode))
    opportunity.save()
    return opportunity


def _sale_in_october(scheme: Scheme, buyer: User) -> None:
    shop = make_retailer("Corner Bakery", scheme=scheme)
    shop.place_at(postcode_found("BK3 2AA"))  # Central, with the litter pick
    shop.postcode = "BK3 2AA"
    shop.save()
    code = redemption_code_create(user=buyer, offer=make_offer(shop, price=12))
    sold = confirm_at_till(redemption=code, staff=staff_of(shop))
    Redemption.objects.filter(pk=sold.pk).update(redeemed_at=at(10, 15))
