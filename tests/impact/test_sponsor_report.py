import pytest
from django.test import Client

from accounts.models import User
from coins.models import Account, Currency, Scheme, Sponsorship
from coins.services import account_for
from tests.conftest import make_user
from tests.impact.town import Town, at, town_with_known_numbers

pytestmark = pytest.mark.django_db


def sponsored(town: Town, *, to_group: bool, paid: bool = True) -> Sponsorship:
    """A sponsorship of £50 on 15 September, after the first litter pick."""
    account = account_for(
        scheme=town.scheme,
        kind=Account.Kind.GROUP if to_group else Account.Kind.FUND,
        owner=town.group if to_group else None,
        currency=Currency.GBP,
    )
    sponsorship = Sponsorship.objects.create(
        scheme=town.scheme,
        sponsor=User.objects.filter(email="sponsor@example.org").first()
        or make_user("sponsor@example.org"),
        account=account,
        amount_pence=5000,
        status=Sponsorship.State.PAID if paid else Sponsorship.State.PENDING,
    )
    Sponsorship.objects.filter(pk=sponsorship.pk).update(created=at(9, 15))
    return Sponsorship.objects.get(pk=sponsorship.pk)


def test_a_sponsor_sees_what_their_money_did_since_they_paid(client: Client) -> None:
    town = town_with_known_numbers(k=2)
    Scheme.objects.filter(pk=town.scheme.pk).update(
        hour_value_pence=1900, hour_value_source="Measure Up (2023), at the median wage"
    )
    sponsorship = sponsored(town, to_group=True)
    client.force_login(sponsorship.sponsor)
    mine = client.get("/sponsor/mine/").content.decode()
    report = f"/sponsor/{sponsorship.pk}/report/"
    assert f'href="{report}"' in mine  # "What your money did", from coins' own page

    page = client.get(report).content.decode()
    assert "You gave £50.00 to Park Friends on 15 September 2026" in page
    # Since 15 September: October's and November's shifts (14 hours by 7 people).
    assert "<dt>Hours given</dt><dd>14.0</dd>" in page
    assert "<dt>Volunteers</dt><dd>7</dd>" in page
    assert "Economic value of the hours given: £266.00" in page  # 14 h at £19
    assert "<dt>Coins spent in local shops, across Testford</dt><dd>12 Citizen Coins</dd>" in page


def test_a_small_count_is_hidden_and_only_the_sponsor_sees_the_report(client: Client) -> None:
    town = town_with_known_numbers(k=10)
    sponsorship = sponsored(town, to_group=False)
    report = f"/sponsor/{sponsorship.pk}/report/"
    assert client.get(report).status_code == 302  # to the login page
    client.force_login(make_user("nosy@example.org"))
    assert client.get(report).status_code == 404  # not theirs: as if it were not there
    client.force_login(sponsorship.sponsor)
    page = client.get(report).content.decode()
    assert "<dt>Volunteers</dt><dd>fewer than 10</dd>" in page
    unpaid = sponsored(town, to_group=False, paid=False)
    assert client.get(f"/sponsor/{unpaid.pk}/report/").status_code == 404
