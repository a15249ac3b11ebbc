"""The application's database role reads and writes rows and nothing else: TRUNCATE,
ALTER and DROP on the ledger are refused by PostgreSQL itself, whatever the code does."""

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors, sql

from coins.services import wallet_for
from coins.verify import ledger_problems
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user


@pytest.fixture
def app_role(transactional_db: None) -> Iterator[dict[str, Any]]:
    """A fresh role made by `db_app_role`, and connection parameters for it."""
    name = f"cc_app_{uuid.uuid4().hex[:8]}"
    call_command("db_app_role", name, stdout=None)
    params = {k: v for k, v in connection.get_connection_params().items() if k != "options"}
    yield {**params, "user": name, "password": ""}
    with connection.cursor() as cursor:  # roles are the cluster's: leave none behind
        cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


REFUSED = [
    "TRUNCATE coins_entry CASCADE",
    "TRUNCATE coins_transfer CASCADE",
    "ALTER TABLE coins_entry DISABLE TRIGGER ALL",
    "ALTER TABLE coins_account ADD COLUMN extra integer",
    "DROP TABLE coins_entry CASCADE",
    "CREATE TABLE sneaky (id integer)",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_application_role_is_refused(app_role: dict[str, Any], statement: str) -> None:
    with psycopg.connect(**app_role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_application_role_reads_and_writes_rows(app_role: dict[str, Any]) -> None:
    with psycopg.connect(**app_role) as conn:
        assert conn.execute("SELECT count(*) FROM coins_entry").fetchone() == (0,)
        conn.execute("UPDATE accounts_user SET display_name = display_name WHERE false")
        conn.execute("SELECT nextval('accounts_user_id_seq')")


def test_the_application_role_cannot_set_a_balance_and_the_ledger_still_adds_up(
    app_role: dict[str, Any],
) -> None:
    """As the application connects in production: a direct change of a cached balance
    is refused by the database, and the ledger it leaves verifies."""
    scheme = make_scheme()
    sam = make_user("kept@example.org")
    give_coins(scheme, sam, 12)
    wallet = wallet_for(scheme=scheme, user=sam)
    with psycopg.connect(**app_role) as conn:
        with pytest.raises(errors.InsufficientPrivilege, match="changes only by its entries"):
            conn.execute("UPDATE coins_account SET balance = 500 WHERE id = %s", [wallet.pk])
        conn.rollback()
        with pytest.raises(errors.InsufficientPrivilege, match="changes only by its entries"):
            conn.execute("UPDATE coins_account SET balance = balance + 1")
        conn.rollback()
        assert conn.execute(
            "SELECT balance FROM coins_account WHERE id = %s", [wallet.pk]
        ).fetchone() == (12,)
    call_command("verify_ledger", stdout=None)
    assert ledger_problems() == []
