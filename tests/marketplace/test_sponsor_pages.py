"""The sponsor pages: choosing who and how much, paying, the receipt, and what it funded."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coins.models import Account, Currency, Sponsorship
from coins.services import account_for
from coins.sponsor_forms import pounds_to_pence
from marketplace.board.models import Hours, Signup
from marketplace.organisations import Status
from tests.conftest import PASSWORD, make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def _logged_in(email: str = "sponsor@example.org") -> tuple[Client, Any]:
    user = make_user(email)
    client = Client()
    client.login(email=email, password=PASSWORD)
    return client, user


def test_without_stripe_keys_the_page_says_sponsorship_is_not_set_up(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    client, _ = _logged_in()

    page = client.get("/sponsor/")

    assert page.status_code == 200
    assert "Sponsorship is not set up here yet" in page.content.decode()
    assert "Continue to payment" not in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("25", 2500),
        ("£25.5", 2550),
        ("1,000.00", 100000),
        (" 7.05 ", 705),
        ("abc", None),
        ("25.555", None),
        ("-5", None),
        ("", None),
    ],
)
def test_amounts_in_pounds_become_pence(typed: str, pence: int | None) -> None:
    assert pounds_to_pence(typed) == pence


def test_the_form_offers_the_fund_and_verified_groups_and_explains_bad_amounts(
    stripe_keys: str,
) -> None:
    make_group("Park Friends")
    make_group("Not Yet", status=Status.PENDING)
    client, _ = _logged_in()

    page = client.get("/sponsor/").content.decode()
    assert "The Testford fund" in page and "Park Friends" in page and "Not Yet" not in page

    for typed, message in [
        ("lots", "Enter an amount in pounds, like 25 or 25.50."),
        ("0.50", "The smallest sponsorship is £1."),
        ("10000.01", "The largest sponsorship online is £10,000."),
    ]:
        answer = client.post("/sponsor/", {"to": "group:1", "amount": typed})
        assert answer.status_code == 200
        assert message in answer.content.decode()
    assert not Sponsorship.objects.exists()


def test_a_sponsor_chooses_a_group_and_gets_the_payment_page(stripe_keys: str) -> None:
    group = make_group("Park Friends")
    client, sponsor = _logged_in()

    answer = client.post("/sponsor/", {"to": f"group:{group.pk}", "amount": "12.50"})

    sponsorship = Sponsorship.objects.get()
    assert answer["Location"] == f"/sponsor/{sponsorship.pk}/pay/"
    assert (sponsorship.sponsor_id, sponsorship.amount_pence) == (sponsor.pk, 1250)
    assert sponsorship.account.kind == Account.Kind.GROUP
    assert sponsorship.account.currency == Currency.GBP
    assert sponsorship.account.owner == group
    pay = client.get(answer["Location"]).content.decode()
    assert "Pay £12.50" in pay and "To Park Friends" in pay
    assert f'data-client-secret="{sponsorship.payment_intent_id}_secret_' in pay
    assert f'src="{stripe_keys}/js.stripe.com/v3/"' in pay
    receipt = client.get(f"/sponsor/{sponsorship.pk}/").content.decode()
    assert "Waiting for the payment" in receipt
    assert client.get(f"/sponsor/{sponsorship.pk}/status.json").json() == {"status": "pending"}


def test_nobody_sees_someone_elses_sponsorship(stripe_keys: str) -> None:
    client, _ = _logged_in()
    client.post("/sponsor/", {"to": "fund:" + str(make_group().scheme_id), "amount": "5"})
    pk = Sponsorship.objects.get().pk
    other, _ = _logged_in("other@example.org")

    for url in (f"/sponsor/{pk}/", f"/sponsor/{pk}/pay/", f"/sponsor/{pk}/status.json"):
        assert other.get(url).status_code == 404


def test_my_sponsorships_show_the_confirmed_hours_given_in_the_group_since(settings: Any) -> None:
    group, elsewhere = make_group("Park Friends"), make_group("Canal Crew")
    client, sponsor = _logged_in()
    account = account_for(
        scheme=group.scheme, kind=Account.Kind.GROUP, owner=group, currency=Currency.GBP
    )
    sponsorship = Sponsorship.objects.create(
        scheme=group.scheme,
        sponsor=sponsor,
        account=account,
        amount_pence=5000,
        status=Sponsorship.State.PAID,
    )
    Sponsorship.objects.filter(pk=sponsorship.pk).update(
        created=timezone.now() - timedelta(days=10)
    )
    volunteer = make_user("sam@example.org")
    for shift_group, days_ago, minutes, status in [
        (group, 2, 90, Hours.State.CONFIRMED),
        (group, 3, 60, Hours.State.CONFIRMED),
        (group, 4, 45, Hours.State.CLAIMED),  # not confirmed: not counted
        (group, 20, 300, Hours.State.CONFIRMED),  # before the sponsorship
        (elsewhere, 2, 120, Hours.State.CONFIRMED),  # another group
    ]:
        shift = make_shift(group=shift_group, days_ahead=-days_ago)
        signup = Signup.objects.create(shift=shift, user=volunteer, status="confirmed")
        Hours.objects.create(
            signup=signup, minutes=minutes, status=status, decided_at=timezone.now()
        )

    page = client.get("/sponsor/mine/").content.decode()

    assert "£50.00 to Park Friends" in page
    assert "<strong>2 h 30 min</strong> of confirmed time to Park Friends" in page
