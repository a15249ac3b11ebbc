import re

import pytest
from django.test import Client

from accounts.models import User
from coins.models import Scheme, SchemeAdmin
from marketplace.board.models import CommunityGroup, GroupOrganiser
from marketplace.rewards.models import Retailer, RetailerStaff
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> dict[str, object]:
    scheme = Scheme.objects.create(name="Testford", slug="testford")
    other = Scheme.objects.create(name="Elsewhere", slug="elsewhere")
    group = CommunityGroup.objects.create(scheme=scheme, name="Park Friends", slug="park")
    retailer = Retailer.objects.create(scheme=scheme, name="Deli", slug="deli")
    organiser, staff, admin = (make_user(f"{n}@example.org") for n in ("org", "staff", "admin"))
    GroupOrganiser.objects.create(group=group, user=organiser)
    RetailerStaff.objects.create(retailer=retailer, user=staff)
    SchemeAdmin.objects.create(scheme=scheme, user=admin)
    return locals()


def test_each_role_holds_only_on_its_own_object(town: dict, resident: User) -> None:
    group, retailer, other = town["group"], town["retailer"], town["other"]
    organiser, staff, admin = town["organiser"], town["staff"], town["admin"]
    assert organiser.has_perm("marketplace.manage_group", group)
    assert not resident.has_perm("marketplace.manage_group", group)
    assert not staff.has_perm("marketplace.manage_group", group)
    assert staff.has_perm("marketplace.work_till", retailer)
    assert not organiser.has_perm("marketplace.work_till", retailer)
    assert admin.has_perm("coins.administer_scheme", town["scheme"])
    assert not admin.has_perm("coins.administer_scheme", other)
    assert admin.has_perm("marketplace.verify_group", group)
    assert admin.has_perm("marketplace.verify_retailer", retailer)
    assert not organiser.has_perm("marketplace.verify_group", group)


def test_the_menu_fits_the_persons_roles(client: Client, town: dict, resident: User) -> None:
    client.force_login(resident)
    page = client.get("/").content.decode()
    assert "My groups" not in page and "My shop" not in page and "Council" not in page

    client.force_login(town["organiser"])
    page = client.get("/").content.decode()
    assert "My groups" in page and "Park Friends" in page
    assert "My shop" not in page

    client.force_login(town["staff"])
    assert "My shop" in client.get("/").content.decode()

    client.force_login(town["admin"])
    assert "Council" in client.get("/").content.decode()


def test_api_me_says_who_i_am_and_what_i_may_do(client: Client, town: dict) -> None:
    client.force_login(town["organiser"])
    body = client.get("/api/v1/me").json()
    assert body["email"] == "org@example.org"
    assert body["roles"] == ["resident", "organiser"]
    assert body["groups"] == [{"id": town["group"].pk, "name": "Park Friends"}]


def test_api_me_asks_an_anonymous_caller_to_log_in(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Log in to use this."}


def test_the_api_describes_itself(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Nothing from a CDN: every script and stylesheet is served by us.
    assert "//" not in " ".join(re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode()))


def test_api_writes_need_the_csrf_token(resident: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post("/api/v1/me")
    assert response.status_code in (403, 405)
