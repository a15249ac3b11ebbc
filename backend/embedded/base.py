"""A database engine that starts the embedded server on first connection."""

from typing import Any

from django.db.backends.postgresql import base

from backend.embedded import server


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL, reached through the embedded server's socket, started on demand."""

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        params.update(server.start())
        return params
