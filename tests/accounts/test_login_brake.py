"""The brake on guessing passwords holds each account, not a whole building: people
behind one community-centre address each mistype and still get in, while one account
being guessed at is stopped."""

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
CENTRE = "203.0.113.7"  # everyone in the room, as the site sees them


def log_in(email: str, password: str) -> str:
    """Where the person ends up: "in", or the page's words when not."""
    response = Client(REMOTE_ADDR=CENTRE).post(
        "/accounts/login/", {"login": email, "password": password}
    )
    if response.status_code == 302:
        return "in"
    page = response.content.decode()
    return "too many" if "Too many failed login attempts" in page else "wrong"


def test_a_class_behind_one_address_each_mistype_and_still_log_in() -> None:
    people = [make_user(f"learner{n}@example.org").email for n in range(15)]
    for email in people:
        assert log_in(email, "wrong-password") == "wrong"
    assert [log_in(email, PASSWORD) for email in people] == ["in"] * len(people)


def test_an_account_guessed_at_is_braked_while_others_in_the_room_log_in() -> None:
    target, neighbour = make_user("target@example.org"), make_user("neighbour@example.org")
    for _ in range(5):
        log_in(target.email, "guess")
    assert log_in(target.email, PASSWORD) == "too many"  # even the right password waits
    assert log_in(neighbour.email, PASSWORD) == "in"


def test_each_wrong_password_after_the_third_makes_the_next_try_wait_longer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr("accounts.adapter.clock", lambda: now[0])
    target, neighbour = make_user("guessed@example.org"), make_user("next-door@example.org")
    for _ in range(3):  # everyone mistypes: three in a row cost nothing
        assert log_in(target.email, "guess") == "wrong"
    waits = []
    for _ in range(3):
        page = Client(REMOTE_ADDR=CENTRE).post(
            "/accounts/login/", {"login": target.email, "password": PASSWORD}
        )
        waits.append(re.findall(r"Try again in ([^.]+)\.", page.content.decode()))
        assert log_in(neighbour.email, PASSWORD) == "in"  # the room is not held up
        now[0] += 60 * 60  # long past the wait: one more wrong guess
        assert log_in(target.email, "guess") == "wrong"
    assert waits == [["15 seconds"], ["30 seconds"], ["60 seconds"]]

    now[0] += 119  # the wait is 2 minutes now
    assert log_in(target.email, PASSWORD) == "too many"
    now[0] += 1
    assert log_in(target.email, PASSWORD) == "in"  # and the right password starts it again
    assert log_in(target.email, "guess") == "wrong"
    assert log_in(target.email, PASSWORD) == "in"
