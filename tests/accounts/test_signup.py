import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def signup(client: Client, **fields: str | None) -> HttpResponse:
    data: dict[str, str | None] = {
        "email": "new.person@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "display_name": "Priya",
        "postcode": "",
        "age_group": "18+",
    }
    data.update(fields)
    sent = {k: v for k, v in data.items() if v is not None}
    return client.post("/accounts/signup/", sent)  # type: ignore[return-value]


def verification_link() -> str:
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_the_signup_page_asks_for_age_and_an_optional_postcode(client: Client) -> None:
    page = client.get("/accounts/signup/").content.decode()
    assert "<legend>How old are you?</legend>" in page
    assert 'type="radio" name="age_group" value="13-17"' in page
    assert ">13 to 17</label>" in page and ">18 or over</label>" in page
    assert "Home postcode (optional)" in page


def test_signing_up_without_an_age_group_is_refused_with_an_error_summary(
    client: Client,
) -> None:
    response = signup(client, age_group=None)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_age_group"' in page
    assert "Tell us your age group. You must be 13 or older to join Citizen Coin." in page
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_postcode_that_is_not_a_postcode_is_explained(client: Client) -> None:
    page = signup(client, postcode="not a place").content.decode()
    assert "Enter a UK postcode, like SW1A 1AA, or leave this blank." in page
    assert 'aria-invalid="true"' in page
    assert not User.objects.exists()


def test_a_new_person_must_verify_their_email_before_they_can_log_in(client: Client) -> None:
    response = signup(client, postcode="ls6 2ab", email="New.Person@Example.org")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "new.person@example.org"
    assert user.postcode == "LS6 2AB"
    assert user.display_name == "Priya"
    assert user.age_confirmed_at is not None

    login = client.post(
        "/accounts/login/", {"login": "new.person@example.org", "password": PASSWORD}
    )
    assert login.status_code == 302
    assert login["Location"] == "/accounts/confirm-email/"

    link = verification_link()
    client.post(link)
    client.logout()
    login = client.post(
        "/accounts/login/", {"login": "new.person@example.org", "password": PASSWORD}
    )
    assert login["Location"] == "/"
    assert "Hello, Priya" in client.get("/").content.decode()


def test_an_email_already_in_use_in_another_case_cannot_sign_up_again(client: Client) -> None:
    make_user("taken@example.org")
    signup(client, email="TAKEN@example.org")
    assert User.objects.count() == 1


def test_a_wrong_password_shows_an_error_and_does_not_log_in(client: Client) -> None:
    make_user("sam@example.org")
    response = client.post("/accounts/login/", {"login": "sam@example.org", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "_auth_user_id" not in client.session


def test_the_signup_page_asks_what_to_call_you_and_requires_it(client: Client) -> None:
    page = client.get("/accounts/signup/").content.decode()
    assert "What should we call you?" in page
    assert "First name (optional)" not in page
    response = signup(client, display_name="  ")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tell us what to call you: the organisers of your shifts need a name." in page
    assert 'href="#id_display_name"' in page
    assert not User.objects.exists()
