"""TRUNCATE fires no row trigger, so the append-only guards on UPDATE and DELETE never see
it: the ledger, its history and its funding records refuse it with triggers of their own,
also when it comes by CASCADE from another table. The test database's sessions allow it
(tests/conftest.py) so that flushing between transactional tests works; each test here
takes that back for its own transaction, as every other session is."""

import io
from datetime import date

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

from coins.models import (
    Account,
    AuditRecord,
    Bonus,
    BonusRule,
    Currency,
    Entry,
    Payout,
    SchemeChange,
    Settlement,
    Sponsorship,
    StripeEvent,
    Transfer,
)
from coins.services import Leg, account_for, transfer_post, wallet_for
from coins.settlement import settlement_run
from tests.coins.factories import give_coins, make_scheme, shop
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PROTECTED: list[type[Model]] = [
    Account,
    Transfer,
    Entry,
    AuditRecord,
    SchemeChange,
    Bonus,
    StripeEvent,
    Sponsorship,
    Settlement,
    Payout,
]


@pytest.fixture
def ledger() -> None:
    """A row in every protected table, written the way the app writes them."""
    scheme = make_scheme(coin_value_pence=50)
    officer = make_user("officer@example.org")
    resident = make_user("resident-truncate@example.org")
    till = shop(scheme, make_user("bakery@example.org"))
    give_coins(scheme, resident, 20)
    transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.SPEND,
        key="test-spend:truncate",
        legs=[Leg(wallet_for(scheme=scheme, user=resident), -20), Leg(till, 20)],
    )
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.SPONSORSHIP,
        key="test-fund:truncate",
        legs=[
            Leg(account_for(scheme=scheme, kind=Account.Kind.CLEARING, currency="GBP"), -5000),
            Leg(fund, 5000),
        ],
    )
    run = settlement_run(scheme=scheme, today=date(2026, 3, 1))
    assert run.settled and run.payouts
    AuditRecord.objects.create(scheme=scheme, actor=officer, action="reverse", reason="test")
    SchemeChange.objects.create(
        scheme=scheme, actor=officer, field="coins_per_hour", old="10", new="12", reason="test"
    )
    Bonus.objects.create(
        scheme=scheme, user=resident, rule=BonusRule.values[0], key="bonus:test", memo="Badge"
    )
    StripeEvent.objects.create(event_id="evt_truncate", type="payment_intent.created", payload={})
    Sponsorship.objects.create(scheme=scheme, sponsor=officer, account=fund, amount_pence=2000)


def refuse_truncate(cursor: CursorWrapper) -> None:
    """This transaction as any session but the test suite's: the switch off; and the
    checks deferred to commit run now, as PostgreSQL truncates nothing with some pending."""
    cursor.execute("SET LOCAL citizencoin.allow_truncate = off")
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def counts() -> dict[str, int]:
    return {model._meta.db_table: model._default_manager.count() for model in PROTECTED}


@pytest.mark.parametrize("model", PROTECTED, ids=lambda model: model._meta.db_table)
def test_truncate_cascade_is_refused_and_every_row_stays(ledger: None, model: type[Model]) -> None:
    before = counts()
    assert all(before.values()), before
    table = model._meta.db_table
    with (
        pytest.raises(DatabaseError, match="cannot truncate"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        refuse_truncate(cursor)
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert counts() == before
    call_command("verify_ledger", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_truncating_the_schemes_does_not_cascade_into_a_committed_ledger(ledger: None) -> None:
    """The ledger committed, as in production; the flush after this test empties it."""
    before = counts()
    with (
        pytest.raises(DatabaseError, match="cannot truncate"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL citizencoin.allow_truncate = off")
        cursor.execute("TRUNCATE coins_scheme CASCADE")
    assert counts() == before
    call_command("verify_ledger", stdout=io.StringIO())


def test_a_session_opened_as_the_app_opens_it_is_refused() -> None:
    """A session as backend/settings.py opens it, without the test suite's switch."""
    params = connection.get_connection_params()
    params["options"] = params.get("options", "").replace("-c citizencoin.allow_truncate=on", "")
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as app:
        app.execute("SET lock_timeout = '5s'")
        assert app.execute(
            "SELECT current_setting('citizencoin.allow_truncate', true)"
        ).fetchone() == (None,)
        with pytest.raises(psycopg.errors.RaiseException, match="cannot truncate coins_entry"):
            app.execute("TRUNCATE coins_entry CASCADE")
