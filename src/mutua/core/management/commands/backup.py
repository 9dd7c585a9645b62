"""`mutua backup FILE`: the database and the uploaded files in one archive, consistent while Mutua
runs (see `mutua.core.backup`). Prints what it wrote."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.core.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write a backup of the database and the uploaded files to FILE (a .tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["file"]
        try:
            manifest = backup_write(
                database=settings.DATABASES["default"],
                media_root=Path(settings.MEDIA_ROOT),
                archive=archive,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = len(manifest["parts"]) - 1
        self.stdout.write(
            f"backup of the {manifest['database']} database and {files} uploaded file(s) "
            f"written to {archive} ({archive.stat().st_size} bytes)"
        )
