"""`manage.py verify_ledger`: every invariant, non-zero exit on any problem."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coins.models import Account, Transfer
from coins.verify import ledger_problems


class Command(BaseCommand):
    help = "Recompute every balance from the entries and check every ledger invariant."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"the ledger has {len(problems)} problem(s)")
        self.stdout.write(
            f"ledger OK: {Account.objects.count()} accounts, "
            f"{Transfer.objects.count()} transfers, every invariant holds"
        )
