"""`manage.py load_demo`: the demo town, idempotently."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.demo import demo_town_load


class Command(BaseCommand):
    help = "Load the demo town (safe to run again: it creates nothing twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-history",
            dest="history",
            action="store_false",
            help="Leave out the year of past volunteering, spending and gifts (quicker).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_town_load(progress=self.stdout.write, history=options["history"])
        self.stdout.write(self.style.SUCCESS("Demo town loaded. Log in as:"))
        for login in logins:
            self.stdout.write(f"  {login.role:<28} {login.email:<40} {login.password}")
