"""A form sent without its security token is refused with a page that says what to do,
not Django's "CSRF verification failed"."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_a_form_without_its_token_is_refused_with_what_to_do() -> None:
    make_user("stale@example.org")
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/accounts/login/", {"login": "stale@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page
    assert "Go back, reload the page, and send the form again" in page
    assert "CSRF" not in page
    assert "_auth_user_id" not in browser.session  # nothing was sent: not logged in


def test_the_same_form_with_its_token_works() -> None:
    make_user("fresh@example.org")
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/accounts/login/",
        {"login": "fresh@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_an_api_request_from_a_browser_session_without_its_token_says_what_to_send() -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("api-stale@example.org"))
    response = browser.post("/api/v1/shifts/1/signups")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "X-CSRFToken" in detail and "CSRF check Failed" not in detail
