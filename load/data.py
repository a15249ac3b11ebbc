"""The Saturday morning's town: the demo town (without its year of history), residents
with coins earned the real way, and a till key for every shop.

Everything is made through the product's own services, as the demo makes it: residents
earn their coins by organisers confirming their hours (hours_confirm), and tills get
their keys from the shop's staff (retailer_api_key_create). Nothing here writes a ledger
row. What the locustfile needs to know (logins, ids, keys) is returned as a `Plan`,
written to JSON for the locust process, which never imports Django."""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from backend.demo import demo_town_load
from coins.models import Scheme
from marketplace.board.models import GroupOrganiser, Opportunity, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, Retailer, RetailerStaff
from marketplace.rewards.services.api_keys import retailer_api_key_create
from places.selectors import postcode_points

TOWN = "brackenford"
PASSWORD = "saturday-morning-load-2026"  # noqa: S105 - a scratch database's logins
EMAIL = "{role}{n}@load.citizencoin.localhost"
# A resident's coins: four past 8-hour shifts on days far enough apart that no daily or
# weekly cap trims them (80 a day, 200 a week in the demo scheme): about 320 each.
PAST_SHIFT_DAYS = (22, 21, 12, 11)
PAST_SHIFT_HOURS = 8
# The cheapest offers with no stock or per-person limit: a till can take them all
# morning without the product (rightly) refusing a sale.
TILL_OFFER_MAX_PRICE = 8


@dataclass
class Till:
    shop: int
    name: str
    key: str
    offers: list[int]


@dataclass
class Plan:
    """What the load's users log in as and ask for; `hosts` is filled in once the web
    processes are up."""

    town: str
    password: str
    residents: list[str]
    shoppers: list[str]
    tills: list[Till]
    opportunities: list[int]
    postcodes: list[str]
    hosts: list[str] = field(default_factory=list)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))


def load_town(
    *, residents: int, shoppers: int, progress: Callable[[str], None] = lambda _: None
) -> Plan:
    """The demo town, then `residents` browsing residents and `shoppers` residents who
    pay at the tills, each with coins; a plan of who they are."""
    demo_town_load(progress, history=False)
    scheme = Scheme.objects.get(slug=TOWN)
    progress(f"{residents + shoppers} residents earning their coins")
    postcodes = sorted(code for code in postcode_points(scheme) if code.endswith("AA"))
    browsing = residents_load(scheme=scheme, role="resident", n=residents, postcodes=postcodes)
    paying = residents_load(scheme=scheme, role="shopper", n=shoppers, postcodes=postcodes)
    progress("a till key for every shop")
    return Plan(
        town=scheme.slug,
        password=PASSWORD,
        residents=[u.email for u in browsing],
        shoppers=[u.email for u in paying],
        tills=tills_load(scheme=scheme),
        opportunities=signable_opportunities(scheme),
        postcodes=postcodes,
    )


@transaction.atomic
def residents_load(*, scheme: Scheme, role: str, n: int, postcodes: list[str]) -> list[User]:
    """`n` adult residents with verified addresses, and coins for past shifts confirmed
    by an organiser of a verified group of the town."""
    hashed = make_password(PASSWORD)  # one slow hash for all, as each would be the same
    people = []
    for i in range(n):
        email = EMAIL.format(role=role, n=i)
        user = User.objects.create_user(
            email,
            None,
            display_name=f"{role.capitalize()} {i}",
            birth_date=date(1985, 6, 1),
            postcode=postcodes[i % len(postcodes)] if postcodes else "",
        )
        user.password = hashed
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        people.append(user)
    _earned(scheme=scheme, people=people, title=f"Saturday regulars ({role}s)")
    return people


def _earned(*, scheme: Scheme, people: list[User], title: str) -> None:
    """Past shifts everyone came to, their hours confirmed: coins minted the real way."""
    membership = (
        GroupOrganiser.objects.filter(group__scheme=scheme, group__status=Status.VERIFIED)
        .select_related("group", "user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise RuntimeError(f"{scheme.slug} has no verified group with an organiser")
    opportunity = Opportunity.objects.create(
        scheme=scheme,
        group=membership.group,
        title=title,
        description="Tidying the river path, every week.",
        causes=["environment"],
        skills=["gardening"],
        status=Opportunity.State.CLOSED,  # past: not on the board
    )
    morning = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    for days in PAST_SHIFT_DAYS:
        start = morning - timedelta(days=days)
        shift = Shift.objects.create(
            opportunity=opportunity,
            start=start,
            end=start + timedelta(hours=PAST_SHIFT_HOURS),
            capacity=len(people),
        )
        Signup.objects.bulk_create(
            Signup(shift=shift, user=u, status=Signup.State.CONFIRMED, attended=True)
            for u in people
        )
        hours_confirm(shift=shift, minutes={}, by=membership.user)


@transaction.atomic
def tills_load(*, scheme: Scheme) -> list[Till]:
    """A key for each verified shop's till, made by a member of its staff (a new one
    for a shop the demo gave none), with the offers it sells all morning."""
    tills = []
    shops = Retailer.objects.filter(scheme=scheme, status=Status.VERIFIED).order_by("pk")
    for shop in shops:
        offers = list(
            Offer.objects.filter(
                retailer=shop,
                active=True,
                stock__isnull=True,
                limit_per_person__isnull=True,
                price__lte=TILL_OFFER_MAX_PRICE,
            ).values_list("pk", flat=True)
        )
        if not offers:
            continue
        member = RetailerStaff.objects.filter(retailer=shop).select_related("user").first()
        if member is None:
            staff = User.objects.create_user(
                EMAIL.format(role=f"till-{shop.slug}-", n=1), None, display_name="Till"
            )
            member = RetailerStaff.objects.create(retailer=shop, user=staff)
        _key, raw = retailer_api_key_create(retailer=shop, by=member.user, name="Saturday till")
        tills.append(Till(shop=shop.pk, name=shop.name, key=raw, offers=offers))
    return tills


def signable_opportunities(scheme: Scheme) -> list[int]:
    """Published opportunities of the town with a shift to come that any adult may take
    (no DBS check: the load's residents have none, and are rightly refused those)."""
    upcoming = Shift.objects.filter(start__gt=timezone.now() + timedelta(hours=1))
    return list(
        Opportunity.objects.filter(
            scheme=scheme,
            status=Opportunity.State.PUBLISHED,
            dbs_required=False,
            minimum_age__lte=18,
            shifts__in=upcoming,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
