"""`manage.py demo`: migrate, load the demo town, print the logins, serve."""

from typing import Any

import uvicorn
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, load the demo town and serve HTTP and WebSocket until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        # One process does it all, so the embedded PostgreSQL starts once and
        # stops when this process exits.
        call_command("migrate", interactive=False, verbosity=1)
        call_command("load_demo")
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"\nServing Citizen Coin on {url}  (Ctrl-C stops)"))
        uvicorn.run(
            "backend.asgi:application",
            host=options["host"],
            port=options["port"],
            log_level="info",
            lifespan="off",
        )
