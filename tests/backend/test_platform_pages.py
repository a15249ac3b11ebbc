"""The platform operator adds a town on a page: its scheme and first council admin, by
e-mail (an account runs it at once; any other address is invited to join)."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from coins.models import Residence, Scheme, SchemeAdmin, SchemeAdminInvite
from tests.accounts.test_signup import signup
from tests.coins.factories import make_scheme
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client) -> User:
    person = make_user("ops@example.org", is_superuser=True, is_staff=True)
    client.force_login(person)
    return person


def new_town(client: Client, **changes: str) -> Any:
    data = {
        "name": "Fernley Citizen Coin",
        "slug": "",
        "coin_name": "Fern",
        "coin_name_plural": "",
        "admin_email": "officer@fernley.gov.uk",
    }
    data.update(changes)
    return client.post("/platform/schemes/new/", data)


def test_only_a_platform_operator_sees_the_platform_pages(client: Client) -> None:
    assert client.get("/platform/")["Location"].startswith("/accounts/login/")
    client.force_login(make_user("officer@example.org", is_staff=True))
    assert client.get("/platform/").status_code == 403
    assert new_town(client).status_code == 403
    assert not Scheme.objects.filter(slug="fernley-citizen-coin").exists()


def test_an_operator_adds_a_town_run_at_once_by_a_person_with_an_account(
    client: Client, operator: User
) -> None:
    officer = make_user("officer@fernley.gov.uk")
    response = new_town(client, admin_email="Officer@Fernley.gov.uk")
    assert response.status_code == 302 and response["Location"] == "/platform/"
    scheme = Scheme.objects.get(slug="fernley-citizen-coin")  # made from the name
    assert (scheme.name, scheme.coins(2)) == ("Fernley Citizen Coin", "2 Ferns")
    assert SchemeAdmin.objects.filter(scheme=scheme, user=officer).exists()
    page = client.get("/platform/").content.decode()
    assert "Fernley Citizen Coin is added. officer@fernley.gov.uk runs it now." in page
    assert '<h2 id="scheme-' in page and "officer@fernley.gov.uk" in page
    assert mail.outbox == []


def test_an_unknown_address_is_invited_and_runs_the_town_once_it_joins_and_confirms(
    client: Client, operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        new_town(client, slug="fernley", admin_email="new.officer@fernley.gov.uk")
    scheme = Scheme.objects.get(slug="fernley")
    assert not scheme.admin_memberships.exists()
    (invite,) = mail.outbox
    assert invite.to == ["new.officer@fernley.gov.uk"]
    assert "run Fernley Citizen Coin" in invite.subject
    assert "/accounts/signup/" in str(invite.body)
    assert "not joined yet" in client.get("/platform/").content.decode()

    client.logout()
    mail.outbox.clear()
    signup(client, email="new.officer@fernley.gov.uk")
    person = User.objects.get(email="new.officer@fernley.gov.uk")
    assert not SchemeAdmin.objects.filter(user=person).exists()  # not before it is confirmed
    link = str(mail.outbox[0].body).split("/accounts/confirm-email/")[1].split()[0]
    client.post(f"/accounts/confirm-email/{link}")
    assert SchemeAdmin.objects.filter(scheme=scheme, user=person).exists()
    assert SchemeAdminInvite.objects.get().accepted_at is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the scheme&#x27;s name."),
        ({"coin_name": ""}, "Enter what one coin is called."),
        ({"admin_email": "not an address"}, "Enter an e-mail address like name@council.gov.uk."),
        ({"slug": "Fern Ley!"}, "Use only lower-case letters, numbers and hyphens"),
        ({"slug": "testford"}, "There is already a town at “testford”. Choose another."),
        ({"name": "!!!"}, "Choose a short name: the name has no letters to use."),
    ],
)
def test_bad_input_is_explained_and_adds_no_town(
    client: Client, operator: User, changes: dict[str, str], message: str
) -> None:
    make_scheme("testford")
    response = new_town(client, **changes)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert Scheme.objects.count() == 1


def test_those_who_joined_while_there_was_one_town_stay_its_residents(
    client: Client, operator: User
) -> None:
    first = make_scheme("testford")
    earlier = make_user("earlier@example.org")
    new_town(client, slug="fernley")
    assert Residence.objects.get(user=earlier).scheme == first
    assert Residence.objects.get(user=operator).scheme == first
