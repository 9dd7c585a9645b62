"""`mutua ledger verify | expire | export | digest`: check, release holds, export, publish.

`verify` prints every problem (not only the first) and exits non-zero if there is one.
`expire` voids every pending transfer past its timeout; run it every few minutes from cron or a
systemd timer. Both cover every community unless `--community SLUG` is given.
`export --format beancount|csv [--output PATH]` writes one community's books (see `ledger.export`)
to standard output or to PATH, which appears only once complete. It needs `--community SLUG`
when there are several communities.
`digest` publishes each ledger's chain-head digest as of the last midnight (UTC); run it daily.
"""

import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mutua.community.models import Community
from mutua.core.tenancy import community_scope
from mutua.ledger.export import export_beancount, export_csv
from mutua.ledger.models import Ledger, Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.ledger.services import chain_digest_publish, pending_expire


class Command(BaseCommand):
    help = "Work with the ledger: `verify` the books, `expire` timed-out holds, `export` them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "expire", "export", "digest"])
        parser.add_argument("--community", help="short name of one community (default: all)")
        parser.add_argument("--format", choices=["beancount", "csv"], help="export: file format")
        parser.add_argument("--output", help="export: file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        communities = Community.objects.order_by("slug")
        if options["community"]:
            communities = communities.filter(slug=options["community"])
            if not communities.exists():
                raise CommandError(f"No community has the short name {options['community']!r}.")
        if options["action"] == "export":
            self._export(communities, file_format=options["format"], output=options["output"])
            return
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

    def _digest(self, communities: Any) -> None:
        midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        for community in communities:
            with community_scope(community.id):
                for ledger in Ledger.objects.order_by("code"):
                    published = chain_digest_publish(ledger=ledger, at=midnight)
                    self.stdout.write(
                        f"{community.slug} {ledger.code} {midnight:%Y-%m-%d}: "
                        f"{published.digest} ({published.transfer_count} transfers)"
                    )

    def _expire(self, communities: Any) -> None:
        for community in communities:
            with community_scope(community.id):
                expired = pending_expire(community=community)
            self.stdout.write(f"{community.slug}: {expired} hold(s) expired")

    def _export(self, communities: Any, *, file_format: str | None, output: str | None) -> None:
        if file_format is None:
            raise CommandError("Say which format to export: --format beancount or --format csv.")
        found = list(communities[:2])
        if not found:
            raise CommandError("There is no community to export.")
        if len(found) > 1:
            raise CommandError("Several communities exist: pick one with --community SLUG.")
        community = found[0]
        write = export_beancount if file_format == "beancount" else export_csv
        with community_scope(community.id):
            if output is None:
                text = io.StringIO()
                write(community=community, out=text)
                self.stdout.write(text.getvalue(), ending="")
                return
            path = Path(output)
            partial = path.with_name(f".{path.name}.partial")
            try:
                with partial.open("w", encoding="utf-8", newline="") as out:
                    write(community=community, out=out)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(path)
