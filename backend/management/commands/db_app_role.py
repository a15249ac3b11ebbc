"""`manage.py db_app_role NAME`: the database role the running application connects as.

Run by the owner of the tables, after `migrate` (the compose `migrate` service does).
The role may read and write rows, and nothing else: it owns no table, so it cannot
ALTER or DROP one, and it is given no TRUNCATE, so the append-only ledger cannot be
emptied by the application whatever its code does. Running it again changes nothing
but the password and any table added since."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from psycopg import sql

PASSWORD_ENV = "APP_DB_PASSWORD"  # noqa: S105 - the variable's name, not a password


class Command(BaseCommand):
    help = "Create or refresh the application's database role: rows only, no DDL, no TRUNCATE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the role's name, e.g. citizencoin_app")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        password = os.environ.get(PASSWORD_ENV, "")
        role = sql.Identifier(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_user")
            database, owner = cursor.fetchone()
            if name == owner:
                raise CommandError("The application's role must not be the tables' owner.")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
            if password:
                cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(role), [password])
            for grant in GRANTS:
                cursor.execute(sql.SQL(grant).format(db=sql.Identifier(database), role=role))
        self.stdout.write(f"role {name}: rows of every table in {database}, no DDL, no TRUNCATE")


# What the role gets (after REVOKE ALL, so a grant made by hand does not linger).
GRANTS = [
    "GRANT CONNECT ON DATABASE {db} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "REVOKE CREATE ON SCHEMA public FROM {role}",
    "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
]
