"""`mutua audit verify`: recompute every audit entry's hash and check every chain's links."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.core.models import AuditEntry
from mutua.core.selectors import audit_verify


class Command(BaseCommand):
    help = "Work with the audit log. `verify` checks that no entry was edited, inserted or deleted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        total = AuditEntry.objects.count()
        if problems:
            for chain, found in problems.items():
                for problem in found:
                    self.stderr.write(f"chain {chain} entry {problem.seq}: {problem.problem}")
            raise CommandError(f"audit log damaged: {sum(map(len, problems.values()))} problem(s)")
        chains = AuditEntry.objects.values("chain").distinct().count()
        self.stdout.write(f"audit log intact: {total} entries in {chains} chain(s)")
