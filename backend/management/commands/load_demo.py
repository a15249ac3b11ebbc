"""`manage.py load_demo`: the demo town, idempotently."""

from typing import Any

from django.core.management.base import BaseCommand

from backend.demo import demo_town_load


class Command(BaseCommand):
    help = "Load the demo town (safe to run again: it creates nothing twice)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_town_load()
        self.stdout.write(self.style.SUCCESS("Demo town loaded. Log in as:"))
        for login in logins:
            self.stdout.write(f"  {login.role:<28} {login.email:<40} {login.password}")
