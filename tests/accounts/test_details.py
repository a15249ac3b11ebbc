from datetime import date

import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_resident_adds_a_date_of_birth_and_postcode(client: Client, resident: User) -> None:
    client.force_login(resident)
    response = client.post(
        "/accounts/details/",
        {"display_name": "Sam", "postcode": "bk1 1aa", "birth_date": "2001-02-03"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.birth_date == date(2001, 2, 3)
    assert resident.postcode == "BK1 1AA"


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("2099-01-01", "must be in the past"),
        (f"{date.today().year - 10}-01-01", "must be 13 or older"),
        ("not a date", "Enter a valid date."),
    ],
)
def test_an_impossible_date_of_birth_is_explained_and_not_saved(
    client: Client, resident: User, birth_date: str, message: str
) -> None:
    client.force_login(resident)
    page = client.post("/accounts/details/", {"birth_date": birth_date}).content.decode()
    assert "There is a problem" in page
    assert message in page
    resident.refresh_from_db()
    assert resident.birth_date is None


def test_a_person_cannot_blank_their_name(client: Client, resident: User) -> None:
    client.force_login(resident)
    page = client.post("/accounts/details/", {"display_name": " ", "postcode": ""})
    assert "Tell us what to call you" in page.content.decode()
    resident.refresh_from_db()
    assert resident.display_name == "Sam"
