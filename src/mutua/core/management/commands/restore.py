"""`mutua restore FILE`: put a backup back into the empty database `DATABASE_URL` names (or, with
`--replace`, over a stopped SQLite file), then check it with the ledger's, the audit log's, the
pantry's and the art's own verify commands; exits non-zero if the archive or a check fails."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from mutua.core.backup import BackupError, backup_restore

CHECKS = (("ledger", "verify"), ("audit", "verify"), ("aid", "verify"), ("art", "verify"))


class Command(BaseCommand):
    help = "Restore a backup written by `mutua backup`, then verify what was restored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="SQLite only: replace an existing database file (stop Mutua first)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connections.close_all()
        try:
            manifest = backup_restore(
                database=settings.DATABASES["default"],
                media_root=Path(settings.MEDIA_ROOT),
                archive=options["file"],
                replace=options["replace"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        connections.close_all()
        self.stdout.write(f"restored the backup taken at {manifest['taken_at']}")
        for command in CHECKS:
            call_command(*command, stdout=self.stdout, stderr=self.stderr)
