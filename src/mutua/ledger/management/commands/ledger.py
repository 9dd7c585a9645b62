"""`mutua ledger verify | expire`: check the books, release timed-out holds.

`verify` prints every problem (not only the first) and exits non-zero if there is one.
`expire` voids every pending transfer past its timeout; run it every few minutes from cron or a
systemd timer. Both cover every community unless `--community SLUG` is given.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.community.models import Community
from mutua.core.tenancy import community_scope
from mutua.ledger.models import Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.ledger.services import pending_expire


class Command(BaseCommand):
    help = "Work with the ledger: `verify` the books, `expire` timed-out holds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "expire"])
        parser.add_argument("--community", help="short name of one community (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        communities = Community.objects.order_by("slug")
        if options["community"]:
            communities = communities.filter(slug=options["community"])
            if not communities.exists():
                raise CommandError(f"No community has the short name {options['community']!r}.")
        getattr(self, f"_{options['action']}")(communities)

    def _verify(self, communities: Any) -> None:
        found = 0
        for community in communities:
            with community_scope(community.id):
                problems = ledger_verify()
                count = Transfer.objects.count()
            for problem in problems:
                self.stderr.write(f"{community.slug}: {problem.where}: {problem.problem}")
            found += len(problems)
            self.stdout.write(
                f"{community.slug}: {count} transfers checked, {len(problems)} problem(s)"
            )
        if found:
            raise CommandError(f"the ledger has {found} problem(s)")

    def _expire(self, communities: Any) -> None:
        for community in communities:
            with community_scope(community.id):
                expired = pending_expire(community=community)
            self.stdout.write(f"{community.slug}: {expired} hold(s) expired")
