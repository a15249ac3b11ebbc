import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from coins.models import Scheme, SchemeAdmin, SchemeChange
from tests.coins.factories import make_scheme
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

RULES = {
    "coin_name": "Citizen Coin",
    "coin_name_plural": "",
    "coins_per_hour": "10",
    "daily_cap": "",
    "weekly_cap": "",
    "expiry_months": "",
    "coin_value_pence": "",
    "code_minutes": "5",
    "refund_days": "14",
    "privacy_k": "10",
}


def council_client(client: Client) -> Scheme:
    scheme = make_scheme()
    officer = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=officer)
    client.force_login(officer)
    return scheme


def test_a_change_is_saved_and_shown_in_the_history_with_who_when_and_why(
    client: Client,
) -> None:
    scheme = council_client(client)
    sent = {**RULES, "coins_per_hour": "12", "daily_cap": "60", "reason": "Budget for 2027"}
    page = client.post("/council/ledger/rules/", sent, follow=True).content.decode()

    assert "Saved 2 changes." in page
    scheme.refresh_from_db()
    assert (scheme.coins_per_hour, scheme.daily_cap) == (12, 60)
    changes = {(c.field, c.old, c.new, c.reason) for c in SchemeChange.objects.all()}
    assert changes == {
        ("coins_per_hour", "10", "12", "Budget for 2027"),
        ("daily_cap", "", "60", "Budget for 2027"),
    }
    history = page[page.index('id="history"') :]
    assert (
        "Cara changed coins for each hour from <strong>10</strong> to <strong>12</strong>, "
        "because “Budget for 2027”."
    ) in history
    assert "changed the daily limit from <strong>none</strong> to <strong>60</strong>" in history
    # The same again changes nothing and records nothing.
    again = client.post("/council/ledger/rules/", sent, follow=True).content.decode()
    assert "Nothing changed." in again and SchemeChange.objects.count() == 2


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"coins_per_hour": "-1"}, "Enter a number from 0 to 1,000."),
        ({"coins_per_hour": "ten"}, "Enter a whole number."),
        ({"daily_cap": "5"}, "A day&#x27;s limit below one hour&#x27;s coins (12)"),
        (
            {"daily_cap": "40", "weekly_cap": "20"},
            "A week&#x27;s limit cannot be below a day&#x27;s.",
        ),
        ({"privacy_k": "1"}, "Enter a number from 2 to 100."),
        ({"reason": ""}, "Say why, so that the history explains the change."),
        ({"hour_value_pence": "1900"}, "Say where the value comes from, so that readers can"),
        ({"bonus_friend": "1001"}, "Enter a number from 0 to 1,000."),
        ({"bonus_mixed_ages": "-2"}, "Enter a number from 0 to 1,000."),
        ({"bonus_new_group": "five"}, "Enter a whole number."),
        ({"bonus_monthly_cap": "0"}, "Enter a number from 1 to 100,000."),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_and_nothing_changes(
    client: Client, rules: dict[str, str], message: str
) -> None:
    scheme = council_client(client)
    sent = {**RULES, "coins_per_hour": "12", "reason": "Trying", **rules}
    response = client.post("/council/ledger/rules/", sent)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Scheme.objects.get(pk=scheme.pk).coins_per_hour == 10
    assert not SchemeChange.objects.exists()


def test_only_the_schemes_admins_see_or_change_its_rules(client: Client) -> None:
    make_scheme()
    assert client.get("/council/ledger/rules/").status_code == 302  # to the login page
    client.force_login(make_user("someone@example.org"))
    assert client.get("/council/ledger/rules/").status_code == 403
    sent = {**RULES, "coins_per_hour": "500", "reason": "Free coins"}
    assert client.post("/council/ledger/rules/", sent).status_code == 403
    assert Scheme.objects.get().coins_per_hour == 10


def test_the_history_cannot_be_rewritten(client: Client) -> None:
    council_client(client)
    client.post("/council/ledger/rules/", {**RULES, "coins_per_hour": "12", "reason": "More"})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE coins_schemechange SET new = '1000'")
    assert SchemeChange.objects.get().new == "12"


def test_rounding_counts_of_people_to_5_is_a_rule_with_its_history(client: Client) -> None:
    scheme = council_client(client)
    sent = {**RULES, "round_to_five": "on", "reason": "Harder to compare reports"}
    page = client.post("/council/ledger/rules/", sent, follow=True).content.decode()
    assert "Saved 1 change." in page
    scheme.refresh_from_db()
    assert scheme.round_to_five is True
    change = SchemeChange.objects.get()
    assert (change.field, change.old, change.new) == ("round_to_five", "no", "yes")
    history = page[page.index('id="history"') :]
    assert (
        "changed counts of people rounded to the nearest 5 from <strong>no</strong> to "
        "<strong>yes</strong>"
    ) in history


def test_the_council_sets_the_bonus_rules_and_their_monthly_cap_with_history(
    client: Client,
) -> None:
    scheme = council_client(client)
    page = client.get("/council/ledger/rules/").content.decode()
    assert "<legend><h2>Bonuses for bringing people together</h2></legend>" in page
    assert "Bonus coins for bringing a friend, when both come (each gets it)" in page
    assert "any number above 0 gives a badge" in page
    sent = {
        **RULES,
        "bonus_first_session": "5",
        "bonus_new_group": "",  # blank is none
        "bonus_outside_ward": "3",
        "bonus_friend": "10",
        "bonus_mixed_ages": "2",
        "bonus_monthly_cap": "20",
        "reason": "Cohesion pilot",
    }
    page = client.post("/council/ledger/rules/", sent, follow=True).content.decode()

    assert "Saved 5 changes." in page
    scheme.refresh_from_db()
    assert (
        scheme.bonus_first_session,
        scheme.bonus_new_group,
        scheme.bonus_outside_ward,
        scheme.bonus_friend,
        scheme.bonus_mixed_ages,
        scheme.bonus_monthly_cap,
    ) == (5, 0, 3, 10, 2, 20)
    history = page[page.index('id="history"') :]
    assert (
        "changed the bonus for bringing a friend from <strong>0</strong> to <strong>10</strong>"
    ) in history
    assert (
        "changed the monthly limit on bonus coins from <strong>none</strong> to <strong>20</strong>"
    ) in history
    # Blank again turns the cap off.
    client.post("/council/ledger/rules/", {**sent, "bonus_monthly_cap": "", "reason": "No cap"})
    assert Scheme.objects.get(pk=scheme.pk).bonus_monthly_cap is None
