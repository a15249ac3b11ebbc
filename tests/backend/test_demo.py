import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from accounts.models import Background, User
from backend.demo import LOGINS, PLATFORM_LOGIN
from backend.demo_second_town import SECOND_LOGINS
from coins.expiry import add_months
from coins.models import (
    Account,
    Bonus,
    BonusRule,
    Entry,
    Residence,
    Scheme,
    SchemeAdmin,
    Transfer,
)
from impact.campaigns import campaigns_table
from impact.cohesion import cohesion_tables
from impact.selectors import Filters, months_counted, months_figures
from marketplace.board.models import (
    CommunityGroup,
    GroupOrganiser,
    Hours,
    Opportunity,
    Shift,
    Signup,
)
from marketplace.rewards.models import Offer, Redemption, Retailer, RetailerStaff
from places.models import Postcode, Ward

pytestmark = pytest.mark.django_db

MODELS: list[type[Model]] = [
    User,
    Scheme,
    SchemeAdmin,
    CommunityGroup,
    GroupOrganiser,
    Retailer,
    RetailerStaff,
    Offer,
    Opportunity,
    Shift,
    Signup,
    Hours,
    Redemption,
    Account,
    Transfer,
    Entry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def test_loading_the_demo_town_twice_creates_nothing_twice_and_a_year_of_history(
    capsys: pytest.CaptureFixture,
) -> None:
    # One test for both: loading the history takes half a minute.
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert User.objects.filter(email__in=[login.email for login in LOGINS]).count() == len(LOGINS)
    town = {"scheme__slug": "brackenford"}
    assert CommunityGroup.objects.filter(status="verified", **town).count() == 8
    opportunities = Opportunity.objects.filter(**town).count()
    assert 45 <= opportunities <= 55
    # Four weeks of shifts each ahead; the rest are past (the resident's one, the history).
    upcoming = Shift.objects.filter(
        start__gt=timezone.now(), opportunity__scheme__slug="brackenford"
    )
    assert upcoming.count() == 4 * (opportunities - 1)
    assert first["Signup"] > 0
    resident = User.objects.get(email=LOGINS[0].email)
    wallet = Account.objects.get(kind="wallet", owner_id=resident.pk)
    # 3 hours at 10 an hour, and the scheme's 10-coin bonus for a first ever session.
    assert wallet.balance == 30 + 10
    assert set(wallet.entries.values_list("transfer__kind", flat=True)) == {"mint", "bonus"}
    assert Account.objects.filter(kind="group", **town).count() == 8
    printed = capsys.readouterr().out
    for login in [*LOGINS, *SECOND_LOGINS, PLATFORM_LOGIN]:
        assert login.email in printed
    _a_second_town()
    assert f"History {timezone.localdate():%Y-%m}:" in printed  # a line a month as it goes
    _a_year_for_the_council_dashboard()
    _people_brought_together()
    _dated_when_it_happened()
    call_command("verify_ledger", stdout=io.StringIO())


def _a_second_town() -> None:
    """Fernley: its own coin, wards, groups, opportunities, shop, residents and council,
    and every one of Brackenford's people still Brackenford's."""
    fernley = Scheme.objects.get(slug="fernley")
    assert fernley.coins(2) == "2 Ferns"
    assert set(Ward.objects.filter(scheme=fernley).values_list("name", flat=True)) == {
        "Abbey", "Fernhill", "Kingsmead",
    }  # fmt: skip
    assert CommunityGroup.objects.filter(scheme=fernley, status="verified").count() == 2
    assert Opportunity.objects.filter(scheme=fernley, status="published").count() >= 6
    assert Offer.objects.filter(scheme=fernley).count() >= 2
    council = User.objects.get(email=SECOND_LOGINS[1].email)
    assert SchemeAdmin.objects.filter(scheme=fernley, user=council).exists()
    resident = User.objects.get(email=SECOND_LOGINS[0].email)
    wallet = Account.objects.get(kind="wallet", owner_id=resident.pk)
    assert (wallet.scheme, wallet.balance) == (fernley, 30)
    assert Residence.objects.filter(scheme=fernley).count() >= 5
    assert not Residence.objects.filter(user__email=LOGINS[0].email, scheme=fernley).exists()
    assert not User.objects.filter(residence__isnull=True).exists()


def _a_year_for_the_council_dashboard() -> None:
    scheme = Scheme.objects.get(slug="brackenford")
    this_month = timezone.localdate().replace(day=1)
    year = Filters(
        scheme=scheme, first=add_months(this_month, -12), last=add_months(this_month, -1)
    )
    months, totals = months_counted(year)
    # What the dashboard shows (the rollup, counted at the end of the load) is the same.
    rolled_up, _ = months_figures(year)
    assert [(m.volunteers, m.minutes) for m in rolled_up] == [
        (m.volunteers, m.minutes) for m in months
    ]
    # Every month of the twelve before this one has confirmed hours, new people and, after
    # the first, returning ones; most have enough people not to be hidden (k = 10).
    assert all(m.minutes > 0 and m.coins_minted > 0 and m.new > 0 for m in months)
    assert all(m.returning > 0 for m in months[1:])
    assert sum(m.volunteers >= scheme.privacy_k for m in months) >= 10
    assert sum(m.no_shows for m in months) > 0
    assert sum(bool(m.coins_redeemed) for m in months) >= 10  # spent in the shops
    assert sum(m.coins_donated or 0 for m in months) > 0  # given to groups
    assert sum(m.coins_expired or 0 for m in months) > 0  # quiet for the scheme's 12 months
    assert totals.volunteers >= 150 and totals.regular >= 20
    # Volunteering across the town, by residents from every ward.
    confirmed = Hours.objects.filter(status="confirmed")
    assert confirmed.values("signup__shift__opportunity__ward").distinct().count() >= 6
    homes = User.objects.filter(signups__shift__start__lt=timezone.now()).values("postcode")
    assert Postcode.objects.filter(postcode__in=homes).values("ward").distinct().count() == 8
    # The demo resident is kept out of it: their one past shift is the one they had.
    resident = User.objects.get(email=LOGINS[0].email)
    assert resident.signups.filter(shift__start__lt=timezone.now()).count() == 1


def _people_brought_together() -> None:
    """The year also shows who met whom, bonuses of every rule, friends who brought
    friends, "About me" answers from about half the residents, and the campaigns."""
    scheme = Scheme.objects.get(slug="brackenford")
    this_month = timezone.localdate().replace(day=1)
    year = Filters(
        scheme=scheme, first=add_months(this_month, -12), last=add_months(this_month, -1)
    )
    mixing, pulse = cohesion_tables(year)
    for column in mixing.columns:
        total = mixing.totals[column.key]
        assert total is not None and 0 < total < 100, (column.key, total)
    for key in ("met_new", "met_different", "get_on", "belong", "trust"):
        share = pulse.totals[key]
        assert share is not None and 0 < share < 100, (key, share)
    assert (pulse.totals["answers"] or 0) >= 200
    assert {b.rule for b in Bonus.objects.all()} == set(BonusRule.values)
    assert Signup.objects.exclude(brought_by=None).count() >= 5
    assert 100 <= Background.objects.count() <= 170
    assert Opportunity.objects.filter(taster=True).count() >= 5
    together = next(c for c in campaigns_table(year) if c.name == "The Great Get Together")
    assert together.shifts >= 4 and together.volunteers is not None


def _dated_when_it_happened() -> None:
    """Each record of the history carries the date it happened, not the day of the load."""
    now = timezone.now()
    past = Hours.objects.filter(signup__shift__start__lt=now - timedelta(days=40))
    for hours in past.select_related("signup__shift", "mint")[:100]:
        assert hours.mint is not None
        day = timezone.localtime(hours.signup.shift.start).date()
        assert hours.mint.value_date == day
        assert day < timezone.localtime(hours.mint.created).date() <= day + timedelta(days=2)
        assert hours.signup.created < hours.signup.shift.start
    sales = Redemption.objects.filter(status="redeemed")
    assert sales.filter(redeemed_at__lt=now - timedelta(days=180)).exists()
    first = Opportunity.objects.exclude(published_at=None).order_by("published_at").first()
    assert first is not None and first.published_at is not None
    assert first.published_at.date() < add_months(timezone.localdate(), -12)


def test_the_demo_town_has_six_shops_taking_coins_with_offers_to_buy(client: Client) -> None:
    call_command("load_demo", history=False)
    shops = Retailer.objects.filter(status="verified", scheme__slug="brackenford")
    assert shops.count() == 6
    bakery = shops.get(slug="corner-bakery")
    assert bakery.name == "The Corner Bakery"
    assert bakery.staff.filter(user__email=LOGINS[2].email).exists()
    assert all(shop.postcode and shop.latitude and shop.ward for shop in shops)
    # Each shop can be paid: its coin account exists before its first sale.
    assert Account.objects.filter(kind="retailer", scheme__slug="brackenford").count() == 6
    for shop in shops:
        assert 2 <= shop.offers.count() <= 4, shop.name
    offers = Offer.objects.filter(scheme__slug="brackenford")
    assert {o.category for o in offers} >= {"food", "shopping", "leisure", "services", "travel"}
    assert all(5 <= o.price <= 60 for o in offers)
    assert offers.filter(stock__isnull=False).exists()
    assert offers.filter(limit_per_person=1, limit_period="week").count() == 1
    # All of them open: the demo resident sees every one in the catalogue (and no other
    # town's).
    client.force_login(User.objects.get(email=LOGINS[0].email))
    assert len(client.get("/api/v1/rewards/offers").json()) == offers.count()


MENU = {
    "resident": None,
    "community": "My groups",
    "retailer": "My shop",
    "scheme": "Council",
    "platform": "Platform",
}


def test_every_printed_demo_login_works_and_shows_that_roles_menu(client: Client) -> None:
    call_command("load_demo", history=False)
    for login in [*LOGINS, *SECOND_LOGINS, PLATFORM_LOGIN]:
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": login.email, "password": login.password}
        )
        assert response.status_code == 302, login.role
        assert response["Location"] == "/"
        page = client.get("/").content.decode()
        assert "Hello," in page
        marker = MENU[login.role.split()[0]]
        assert marker is None or marker in page, login.role
