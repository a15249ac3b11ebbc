import pytest
from django.core.management import call_command
from django.db.models import Model
from django.test import Client

from accounts.models import User
from backend.demo import LOGINS
from coins.models import Account, Scheme, SchemeAdmin, Transfer
from marketplace.board.models import CommunityGroup, GroupOrganiser, Opportunity, Shift, Signup
from marketplace.rewards.models import Offer, Retailer, RetailerStaff

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
    Account,
    Transfer,
]


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def test_loading_the_demo_town_twice_creates_nothing_twice(capsys: pytest.CaptureFixture) -> None:
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert User.objects.filter(email__in=[login.email for login in LOGINS]).count() == len(LOGINS)
    assert CommunityGroup.objects.filter(status="verified").count() == 8
    assert 45 <= first["Opportunity"] <= 55
    # Four weeks of shifts each, and one past shift whose hours earned the resident coins.
    assert first["Shift"] == 4 * (first["Opportunity"] - 1) + 1
    assert first["Signup"] > 0
    resident = User.objects.get(email=LOGINS[0].email)
    wallet = Account.objects.get(kind="wallet", owner_id=resident.pk)
    assert wallet.balance == 30
    assert Account.objects.filter(kind="group").count() == 8
    printed = capsys.readouterr().out
    for login in LOGINS:
        assert login.email in printed


def test_the_demo_town_has_six_shops_taking_coins_with_offers_to_buy(client: Client) -> None:
    call_command("load_demo")
    shops = Retailer.objects.filter(status="verified")
    assert shops.count() == 6
    bakery = shops.get(slug="corner-bakery")
    assert bakery.name == "The Corner Bakery"
    assert bakery.staff.filter(user__email=LOGINS[2].email).exists()
    assert all(shop.postcode and shop.latitude and shop.ward for shop in shops)
    # Each shop can be paid: its coin account exists before its first sale.
    assert Account.objects.filter(kind="retailer").count() == 6
    for shop in shops:
        assert 2 <= shop.offers.count() <= 4, shop.name
    offers = Offer.objects.all()
    assert {o.category for o in offers} >= {"food", "shopping", "leisure", "services", "travel"}
    assert all(5 <= o.price <= 60 for o in offers)
    assert offers.filter(stock__isnull=False).exists()
    assert offers.filter(limit_per_person=1, limit_period="week").count() == 1
    # All of them open: the demo resident sees every one in the catalogue.
    client.force_login(User.objects.get(email=LOGINS[0].email))
    assert len(client.get("/api/v1/rewards/offers").json()) == offers.count()


MENU = {"resident": None, "community": "My groups", "retailer": "My shop", "scheme": "Council"}


def test_every_printed_demo_login_works_and_shows_that_roles_menu(client: Client) -> None:
    call_command("load_demo")
    for login in LOGINS:
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
