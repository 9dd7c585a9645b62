"""`mutua art sync` and `mutua art verify`, for every community.

- `sync` does the chain's pending work (mints and token moves left over from sales whose chain
  call failed) and records in the provenance log the royalties that marketplaces paid on chain
  into the editions' splitters. Run it every few minutes (cron or a systemd timer); a second run
  with nothing new changes nothing.
- `verify` checks each artwork's provenance chain and that the log, the ledger and the chain
  agree (`art/verify.py`); it prints every problem found and exits non-zero if there is one.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.art.chainwork import chain_royalties_sync, chain_tasks_run
from mutua.art.models import Artwork
from mutua.art.verify import art_verify
from mutua.community.models import Community
from mutua.core.tenancy import community_scope


class Command(BaseCommand):
    help = (
        "Art for land: `sync` does the chain's pending work and reads royalties paid on "
        "chain; `verify` checks provenance, ledger and chain agree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sync", "verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        for community in Community.objects.order_by("slug"):
            with community_scope(community.id):
                if not Artwork.objects.filter(community=community).exists():
                    continue
                if options["action"] == "sync":
                    tasks = chain_tasks_run(community_id=community.pk)
                    royalties = chain_royalties_sync(community=community)
                    self.stdout.write(
                        f"{community.slug}: {tasks.done} chain task(s) done, {tasks.failed} "
                        f"failed, {tasks.waiting} waiting; new royalties on {royalties} edition(s)"
                    )
                else:
                    found = art_verify(community)
                    problems += [f"{community.slug}: {p}" for p in found]
                    if not found:
                        self.stdout.write(f"{community.slug}: art verified")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) found")
