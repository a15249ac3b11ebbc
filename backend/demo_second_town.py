"""The demo's second town, Fernley: its own scheme and coin (the Fern), its own wards and
postcodes, two groups with a few opportunities, a tea room with offers, a handful of
residents and its own council login. Small, so it adds a second or two to the load, and
loaded after Brackenford's year of history, which it takes no part in.

Everyone the demo made before Fernley lives in Brackenford (as the platform does when
an operator adds a second town); Fernley's people live in Fernley."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from backend.demo import DemoLogin, demo_ledger_load
from backend.demo import _user as demo_user
from coins.models import Scheme, SchemeAdmin
from coins.residence import residence_set, residences_fill
from impact.rollup import rollup_refresh
from marketplace.board.models import CommunityGroup, GroupOrganiser, Opportunity, Shift, Signup
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, OfferCategory, Retailer, RetailerStaff
from places.loader import postcodes_second_sample_load
from places.selectors import postcode_found

SECOND_LOGINS = [
    DemoLogin("resident (Fernley)", "resident@fernley.citizencoin.localhost"),
    DemoLogin("scheme admin (Fernley)", "council@fernley.citizencoin.localhost"),
]
ORGANISER = "organiser@fernley.citizencoin.localhost"
SHOP_STAFF = "shop@fernley.citizencoin.localhost"
NEIGHBOURS = 3

GROUPS = [
    ("fernley-larder", "Fernley Community Larder", "FN1 1AA", "food"),
    ("kingsmead-walkers", "Kingsmead Walkers", "FN3 1AA", "environment"),
]
# (group slug, title, postcode, skill, description)
OPPORTUNITIES = [
    ("fernley-larder", "Stock the larder shelves", "FN1 2AA", "none", "Unpack and shelve."),
    ("fernley-larder", "Larder welcome desk", "FN1 3AA", "caring", "Greet and sign people in."),
    ("fernley-larder", "Cook a Friday supper", "FN2 1AA", "cooking", "Soup for thirty."),
    ("kingsmead-walkers", "Towpath litter walk", "FN3 2AA", "none", "Grabbers provided."),
    ("kingsmead-walkers", "Paint the park benches", "FN3 3AA", "diy", "Old clothes advised."),
    ("kingsmead-walkers", "Lead a slow walk", "FN2 2AA", "none", "An easy hour for all."),
]


def demo_second_town_load() -> list[DemoLogin]:
    """Fernley, once: what exists already is found, not made again."""
    brackenford = Scheme.objects.get(slug="brackenford")
    residences_fill(scheme=brackenford)  # everyone so far is Brackenford's
    scheme, _ = Scheme.objects.get_or_create(
        slug="fernley",
        defaults={
            "name": "Fernley Citizen Coin",
            "coin_name": "Fern",
            "coins_per_hour": 10,
            "weekly_cap": 150,
        },
    )
    postcodes_second_sample_load(scheme=scheme)
    resident, council = (demo_user(login) for login in SECOND_LOGINS)
    organiser = demo_user(DemoLogin("organiser (Fernley)", ORGANISER))
    staff = demo_user(DemoLogin("shop (Fernley)", SHOP_STAFF))
    neighbours = [_neighbour(n) for n in range(NEIGHBOURS)]
    for person in (resident, council, organiser, staff, *neighbours):
        residence_set(user=person, scheme=scheme)
    SchemeAdmin.objects.get_or_create(scheme=scheme, user=council)
    groups = {slug: _group(scheme, slug, name, postcode) for slug, name, postcode, _ in GROUPS}
    for group in groups.values():
        GroupOrganiser.objects.get_or_create(group=group, user=organiser)
    causes = {slug: cause for slug, _, _, cause in GROUPS}
    for n, (slug, title, postcode, skill, text) in enumerate(OPPORTUNITIES):
        _opportunity(groups[slug], n, title, postcode, skill, causes[slug], text, neighbours)
    shop = _tea_rooms(scheme)
    RetailerStaff.objects.get_or_create(retailer=shop, user=staff)
    demo_ledger_load(
        scheme=scheme, group=groups["fernley-larder"], organiser=organiser, resident=resident
    )
    rollup_refresh(scheme)
    return SECOND_LOGINS


def _neighbour(n: int) -> User:
    email = f"neighbour{n}@fernley.citizencoin.localhost"
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(
        email, None, display_name=f"Fern neighbour {n}", postcode=f"FN{n % 3 + 1} 1AB"
    )


def _group(scheme: Scheme, slug: str, name: str, postcode: str) -> CommunityGroup:
    group, created = CommunityGroup.objects.get_or_create(
        scheme=scheme,
        slug=slug,
        defaults={
            "name": name,
            "status": Status.VERIFIED,
            "postcode": postcode,
            "description": f"{name} is run by volunteers in Fernley.",
        },
    )
    if created:
        group.place_at(postcode_found(postcode))
        group.save()
    return group


def _opportunity(
    group: CommunityGroup,
    n: int,
    title: str,
    postcode: str,
    skill: str,
    cause: str,
    description: str,
    neighbours: list[User],
) -> None:
    place = postcode_found(postcode)
    opportunity, created = Opportunity.objects.get_or_create(
        group=group,
        title=title,
        defaults={
            "scheme": group.scheme,
            "description": description,
            "causes": [cause],
            "skills": [skill],
            "postcode": postcode,
            "latitude": place.latitude if place else None,
            "longitude": place.longitude if place else None,
            "ward": place.ward if place else None,
            "step_free": n % 2 == 0,
            "minimum_age": 14,
            "taster": n % 3 == 1,
            "status": Opportunity.State.PUBLISHED,
        },
    )
    if not created:
        return
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for week in range(2):
        start = today + timedelta(days=2 + n + 7 * week)
        shift = Shift.objects.create(
            opportunity=opportunity, start=start, end=start + timedelta(hours=2), capacity=6
        )
        for neighbour in neighbours[: n % 3]:
            Signup.objects.create(shift=shift, user=neighbour, status=Signup.State.CONFIRMED)


def _tea_rooms(scheme: Scheme) -> Retailer:
    place = postcode_found("FN1 1AB")
    shop, _ = Retailer.objects.get_or_create(
        scheme=scheme,
        slug="fernley-tea-rooms",
        defaults={
            "name": "Fernley Tea Rooms",
            "status": Status.VERIFIED,
            "description": "Tea, scones and a warm seat by the abbey.",
            "address": "2 Abbey Walk",
            "postcode": "FN1 1AB",
            "latitude": place.latitude if place else None,
            "longitude": place.longitude if place else None,
            "ward": place.ward if place else None,
        },
    )
    for title, price in (("Pot of tea", 8), ("Scone with jam and cream", 6)):
        Offer.objects.get_or_create(
            retailer=shop,
            title=title,
            defaults={"scheme": scheme, "category": OfferCategory.FOOD, "price": price},
        )
    return shop
