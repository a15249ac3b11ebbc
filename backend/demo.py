"""The demo town: one scheme and one login per role, loaded idempotently; and a second,
smaller town beside it (backend.demo_second_town), so that each board shows its own."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageOps

from accounts.models import User
from backend.demo_history import demo_bonuses_on, demo_history_load
from coins.models import Account, Scheme, SchemeAdmin
from coins.services import account_for
from impact.rollup import rollup_refresh
from marketplace.board.models import (
    Campaign,
    CommunityGroup,
    GroupOrganiser,
    Opportunity,
    Shift,
    Signup,
)
from marketplace.board.services.hours import hours_confirm
from marketplace.board.services.opportunities import photo_thumbnails_make
from marketplace.images import photo_clean
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, OfferCategory, Retailer, RetailerStaff
from places.loader import postcodes_sample_load
from places.models import Postcode
from places.selectors import postcode_points, ward_of

DEMO_PASSWORD = "coins-for-good-2026"  # noqa: S105 - printed for the demo on purpose


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str = DEMO_PASSWORD


LOGINS = [
    DemoLogin("resident", "resident@demo.citizencoin.localhost"),
    DemoLogin("community group organiser", "organiser@demo.citizencoin.localhost"),
    DemoLogin("retailer staff", "shop@demo.citizencoin.localhost"),
    DemoLogin("scheme admin (council)", "council@demo.citizencoin.localhost"),
]
PLATFORM_LOGIN = DemoLogin("platform operator (adds towns)", "platform@demo.citizencoin.localhost")


@transaction.atomic
def demo_town_load(
    progress: Callable[[str], None] = lambda _: None, *, history: bool = True
) -> list[DemoLogin]:
    scheme, _ = Scheme.objects.get_or_create(
        slug="brackenford",
        defaults={
            "name": "Brackenford Citizen Coin",
            "coin_name": "Bracken",
            "coins_per_hour": 10,
            "daily_cap": 80,
            "weekly_cap": 200,
            "expiry_months": 12,
            "coin_value_pence": 10,  # shops are settled at 10p a coin (docs/money.md)
            # Social value proxies, each with its source (docs/impact.md). Not HACT's
            # Social Value Bank: its licence forbids building its figures into a tool.
            "hour_value_pence": 1900,
            "hour_value_source": "Measure Up (2023): the economic value of an hour of "
            "volunteering, at the median hourly wage.",
            "wellbeing_value_pence": 160000,
            "wellbeing_value_source": "Measure Up (2023 prices): the wellbeing value to a "
            "person of volunteering regularly, for a year.",
        },
    )
    # The town's postcodes and wards, through the same loader a council runs on the NSPL.
    postcodes_sample_load(scheme=scheme)
    resident, organiser, shop, council = (_user(login) for login in LOGINS)
    group, _ = CommunityGroup.objects.get_or_create(
        scheme=scheme,
        slug="riverside-gardeners",
        defaults={"name": "Riverside Gardeners", "status": Status.VERIFIED},
    )
    GroupOrganiser.objects.get_or_create(group=group, user=organiser)
    bakery = demo_shops_load(scheme=scheme)
    RetailerStaff.objects.get_or_create(retailer=bakery, user=shop)
    SchemeAdmin.objects.get_or_create(scheme=scheme, user=council)
    demo_board_load(scheme=scheme, first_group=group)
    demo_campaigns_load(scheme=scheme)
    if history:
        demo_history_load(scheme=scheme, progress=progress)
        # A year of rows just written: let the planner see them before the counts below
        # (on stale statistics it planned the dashboard's first-timers query as a nested
        # loop that took minutes). ANALYZE may run inside the load's transaction.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    demo_bonuses_on(scheme=scheme)  # in the history, three months ago; else now
    demo_ledger_load(scheme=scheme, group=group, organiser=organiser, resident=resident)
    rollup_refresh(scheme)  # the dashboard reads the rollup: count it now, not in 10 minutes
    # Imported here: the second town builds on this module's pieces.
    from backend.demo_second_town import demo_second_town_load

    _platform_operator()  # before the second town, which gives everyone so far a town
    progress("A second town: Fernley")
    return [*LOGINS, *demo_second_town_load(), PLATFORM_LOGIN]


def _platform_operator() -> None:
    """Whoever runs the deployment: adds a town and its first council admin at /platform/."""
    user = _user(PLATFORM_LOGIN)
    if not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])


def demo_ledger_load(
    *, scheme: Scheme, group: CommunityGroup, organiser: User, resident: User
) -> None:
    """Every verified group can take gifts and every verified shop can take coins; the
    resident has coins from a past shift, minted the real way (hours confirmed by the
    organiser)."""
    for verified in CommunityGroup.objects.filter(scheme=scheme, status=Status.VERIFIED):
        account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=verified)
    for verified_shop in Retailer.objects.filter(scheme=scheme, status=Status.VERIFIED):
        account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=verified_shop)
    opportunity, _ = Opportunity.objects.get_or_create(
        group=group,
        title="Autumn bulb planting",
        defaults={
            "scheme": scheme,
            "description": "Planting daffodils along the river path.",
            "causes": ["environment"],
            "skills": ["gardening"],
            "status": Opportunity.State.CLOSED,
        },
    )
    if opportunity.shifts.exists():
        return
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    start -= timedelta(days=7)
    shift = Shift.objects.create(
        opportunity=opportunity, start=start, end=start + timedelta(hours=3), capacity=8
    )
    Signup.objects.create(shift=shift, user=resident, status=Signup.State.CONFIRMED, attended=True)
    hours_confirm(shift=shift, minutes={}, by=organiser)


def _user(login: DemoLogin) -> User:
    first_name = login.role.split()[0].capitalize()
    user = User.objects.filter(email=login.email).first()
    if user is None:
        user = User.objects.create_user(
            login.email, login.password, display_name=first_name, birth_date=date(1990, 4, 1)
        )
    EmailAddress.objects.get_or_create(
        user=user, email=login.email, defaults={"verified": True, "primary": True}
    )
    return user


GROUPS = [
    ("Brackenford Food Bank", "food", "Central"),
    ("Friends of Bracken Park", "environment", "Parkside"),
    ("Tea and Company", "older_people", "Millbrook"),
    ("Bracken Reads", "children", "Central"),
    ("Canal Clean-up Crew", "environment", "Wharfside"),
    ("Welcome Neighbours", "refugees", "Millbrook"),
    ("Paws Rescue", "animals", "Hillcrest"),
]
ACTIVITIES = [
    ("Community gardening", "gardening", "Weeding, planting and a cup of tea after."),
    ("Food parcel packing", "cooking", "Sort donations and pack parcels for families."),
    ("Befriending phone calls", "caring", "A friendly weekly call to an older neighbour."),
    ("Homework club helper", "teaching", "Help children aged 7 to 11 with reading."),
    ("Litter pick", "none", "Bags, gloves and grabbers provided."),
    ("Conversation café", "languages", "Chat in English with people new to the town."),
    ("Dog walking", "none", "Walk rescue dogs on the park loop."),
]


def demo_board_load(*, scheme: Scheme, first_group: CommunityGroup) -> None:
    """8 verified groups and about 50 opportunities with shifts over the next four weeks."""
    groups = [first_group]
    for name, _cause, ward in GROUPS:
        home = Postcode.objects.filter(ward__scheme=scheme, ward__name=ward).order_by("pk").first()
        group, created = CommunityGroup.objects.get_or_create(
            scheme=scheme,
            slug=slugify(name),
            defaults={
                "name": name,
                "status": Status.VERIFIED,
                "postcode": home.pk if home else "",
                "description": f"{name} is run by volunteers in {ward}.",
            },
        )
        if created:
            group.place_at(home)
            group.save()
        groups.append(group)
    volunteers = [_volunteer(n) for n in range(12)]
    # One postcode a sector ("BK1 1AA"), spread across the town.
    points = [
        (code, point) for code, point in postcode_points(scheme).items() if code.endswith("AA")
    ]
    for n in range(49):
        group = groups[n % len(groups)]
        title, skill, description = ACTIVITIES[n % len(ACTIVITIES)]
        cause = GROUPS[(n % len(GROUPS))][1]
        postcode, (latitude, longitude) = points[n % len(points)]
        opportunity, created = Opportunity.objects.get_or_create(
            group=group,
            title=f"{title} #{n + 1}",
            defaults={
                "scheme": scheme,
                "description": description,
                "causes": [cause],
                "skills": [skill],
                "postcode": postcode,
                "latitude": latitude,
                "longitude": longitude,
                "ward": ward_of(postcode),
                "step_free": n % 3 != 0,
                "seated": n % 4 == 0,
                "remote_friendly": title.startswith("Befriending"),
                "minimum_age": 18 if n % 5 == 0 else 14,
                "dbs_required": n % 7 == 3,
                "taster": n % 6 == 1 and n % 7 != 3,  # a first step: short, no DBS check
                "status": Opportunity.State.PUBLISHED,
            },
        )
        if created:
            _shifts(opportunity, n, volunteers)
            _photo(opportunity, n)


def demo_campaigns_load(*, scheme: Scheme) -> None:
    """Last June's Great Get Together (the weekend nearest 22 June, as the national one),
    with four opportunities whose past shifts then count for it, and a winter campaign
    running now, with three whose next shifts its page lists."""
    today = timezone.localdate()
    june = date(today.year if today.month > 6 else today.year - 1, 6, 22)
    offset = (5 - june.weekday()) % 7  # to the Saturday on or after it…
    saturday = june + timedelta(days=offset - 7 if offset > 3 else offset)  # …or before
    campaigns = [
        (
            "The Great Get Together",
            saturday - timedelta(days=1),
            saturday + timedelta(days=1),
            "A weekend of getting together with neighbours, inspired by Jo Cox's words: we "
            "have far more in common than that which divides us.",
            range(0, 49, 12),
        ),
        (
            "Winter Warmers",
            today - timedelta(days=7),
            today + timedelta(days=40),
            "Keeping each other warm and fed this winter: meals, visits and warm spaces.",
            range(3, 49, 16),
        ),
    ]
    for name, starts, ends, text, picks in campaigns:
        campaign, _ = Campaign.objects.get_or_create(
            scheme=scheme,
            slug=slugify(name),
            defaults={"name": name, "starts_on": starts, "ends_on": ends, "text": text},
        )
        titles = [f"{ACTIVITIES[n % len(ACTIVITIES)][0]} #{n + 1}" for n in picks]
        Opportunity.objects.filter(scheme=scheme, title__in=titles, campaign=None).update(
            campaign=campaign
        )


def _shifts(opportunity: Opportunity, n: int, volunteers: list[User]) -> None:
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for week in range(4):
        start = today + timedelta(days=1 + (n % 7) + 7 * week)
        shift = Shift.objects.create(
            opportunity=opportunity,
            start=start,
            end=start + timedelta(hours=3),
            capacity=6 if n % 4 else 4,
        )
        # Some shifts nearly full, so the demo shows places running out.
        for volunteer in volunteers[: 3 if n % 4 == 0 else n % 3]:
            Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)


def _volunteer(n: int) -> User:
    email = f"volunteer{n}@demo.citizencoin.localhost"
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email, None, display_name=f"Volunteer {n}")


@dataclass(frozen=True)
class DemoOffer:
    title: str
    category: str
    price: int
    stock: int | None = None
    limit_per_person: int | None = None
    limit_period: str = ""


@dataclass(frozen=True)
class DemoShop:
    slug: str
    name: str
    postcode: str
    address: str
    description: str
    offers: list[DemoOffer]


FOOD, SHOPPING, LEISURE = OfferCategory.FOOD, OfferCategory.SHOPPING, OfferCategory.LEISURE
SERVICES, TRAVEL = OfferCategory.SERVICES, OfferCategory.TRAVEL
SHOPS = [
    DemoShop(
        "corner-bakery",
        "The Corner Bakery",
        "BK1 1AA",
        "12 Market Street",
        "Bread baked every morning, and cakes to order.",
        [
            DemoOffer("Loaf of sourdough", FOOD, 8),
            DemoOffer("Coffee and a pastry", FOOD, 12, limit_per_person=1, limit_period="week"),
            DemoOffer("Celebration cake, ordered a week ahead", FOOD, 55, stock=4),
        ],
    ),
    DemoShop(
        "wharfside-cafe",
        "Wharfside Café",
        "BK2 3AA",
        "3 Canal Wharf",
        "Tea, soup and cake by the canal.",
        [DemoOffer("Pot of tea for two", FOOD, 10), DemoOffer("Soup and bread", FOOD, 18)],
    ),
    DemoShop(
        "millbrook-books",
        "Millbrook Books",
        "BK3 2AA",
        "47 Millbrook Road",
        "New and second-hand books, and a children's corner.",
        [
            DemoOffer("Second-hand paperback", SHOPPING, 5),
            DemoOffer("£5 off any new book", SHOPPING, 25),
            DemoOffer("A place at Saturday story time", LEISURE, 6, stock=12),
        ],
    ),
    DemoShop(
        "bracken-cycles",
        "Bracken Cycles",
        "BK4 2AA",
        "8 Park Lane",
        "Bike repairs, servicing and hire.",
        [
            DemoOffer("Bike safety check", SERVICES, 15),
            DemoOffer("Puncture repair", SERVICES, 20),
            DemoOffer("A day's bike hire", TRAVEL, 40, stock=3),
            DemoOffer("Bike lights, front and back", SHOPPING, 25),
        ],
    ),
    DemoShop(
        "parkside-greengrocer",
        "Parkside Greengrocer",
        "BK4 4AA",
        "21 Parkside Parade",
        "Local fruit and vegetables.",
        [
            DemoOffer("Bag of apples", FOOD, 5),
            DemoOffer("Seasonal veg box", FOOD, 30, stock=10),
        ],
    ),
    DemoShop(
        "hillcrest-picture-house",
        "Hillcrest Picture House",
        "BK5 3AA",
        "1 Hillcrest Road",
        "The town's one-screen cinema.",
        [
            DemoOffer("Popcorn and a drink", FOOD, 12),
            DemoOffer("Cinema ticket", LEISURE, 35, stock=20),
            DemoOffer("Two tickets for a Sunday matinee", LEISURE, 60),
        ],
    ),
]


def demo_shops_load(*, scheme: Scheme) -> Retailer:
    """Six verified shops with their offers; returns The Corner Bakery, the demo shop
    login's. Offers are found by title, so a demo sale's stock is never put back."""
    points = postcode_points(scheme)
    shops = []
    for shop in SHOPS:
        latitude, longitude = points[shop.postcode]
        retailer, _ = Retailer.objects.get_or_create(
            scheme=scheme,
            slug=shop.slug,
            defaults={
                "name": shop.name,
                "status": Status.VERIFIED,
                "description": shop.description,
                "address": shop.address,
                "postcode": shop.postcode,
                "latitude": latitude,
                "longitude": longitude,
                "ward": ward_of(shop.postcode),
            },
        )
        for offer in shop.offers:
            Offer.objects.get_or_create(
                retailer=retailer,
                title=offer.title,
                defaults={
                    "scheme": scheme,
                    "category": offer.category,
                    "price": offer.price,
                    "stock": offer.stock,
                    "limit_per_person": offer.limit_per_person,
                    "limit_period": offer.limit_period,
                },
            )
        shops.append(retailer)
    return shops[0]


PALETTE = ["#0b5c3f", "#1d4ed8", "#b45309", "#7c3aed", "#be123c", "#0f766e", "#4d7c0f"]


def _photo(opportunity: Opportunity, n: int) -> None:
    """A generated picture (a soft two-colour gradient), through the real photo pipeline."""
    shade = Image.linear_gradient("L").rotate(45 * (n % 8)).resize((960, 640))
    first, second = PALETTE[n % len(PALETTE)], PALETTE[(n + 3) % len(PALETTE)]
    picture = ImageOps.colorize(shade, black=first, white=second)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    upload = SimpleUploadedFile(f"demo-{n + 1}.jpg", buffer.getvalue(), "image/jpeg")
    opportunity.photo.save(upload.name or "demo.jpg", photo_clean(upload), save=True)
    photo_thumbnails_make(opportunity_id=opportunity.pk)
