"""`mutua demo`: fill the database with the Riverbend demo community and print its sign-ins.

The community app builds the base (`community.demo.build_demo`); every other app that has a `demo`
module adds its part (`populate(community, progress)`), in `INSTALLED_APPS` order. Everything runs
in one transaction, so a failure leaves nothing half-written, and every step is idempotent, so
running the command again changes nothing. The demo logins share a published password, so the
command refuses to run outside development (`MUTUA_DEBUG=1`) unless given `--force`.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mutua.community.demo import (
    DEMO_PASSWORD,
    DEMO_URL,
    build_demo,
    demo_steps,
    domain_demos,
    login_rows,
)
from mutua.core.errors import MutuaError
from mutua.core.tenancy import community_scope

LABEL_WIDTH = 24


class StepPrinter:
    """The `Progress` of a terminal: one numbered line per finished step."""

    def __init__(self, write: Callable[[str], Any], total: int) -> None:
        self.write = write
        self.total = total
        self.step = 0

    def __call__(self, label: str, count: int, created: int | None = None) -> None:
        self.step += 1
        self.total = max(self.total, self.step)
        dots = "." * max(2, LABEL_WIDTH - len(label))
        new = "" if created is None or created == count else f" ({created} new)"
        self.write(f"[{self.step}/{self.total}] {label} {dots} {count}{new}")


def _discard(line: str) -> None:
    pass


class Command(BaseCommand):
    help = "Create the Riverbend demo community with one sign-in per role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=f"Run even when not in development. The demo logins, including a superuser, "
            f"share the published password {DEMO_PASSWORD!r}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                f"The demo creates accounts, including a superuser, with the published password "
                f"{DEMO_PASSWORD!r}. Run it in development (MUTUA_DEBUG=1), or pass --force."
            )
        started = time.monotonic()
        modules = domain_demos()
        progress = StepPrinter(self._progress_line(options["verbosity"]), demo_steps(modules))
        try:
            with transaction.atomic():
                community = build_demo(progress=progress)
                with community_scope(community.id):
                    for module in modules:
                        module.populate(community, progress)
        except MutuaError as error:
            raise CommandError(f"Nothing was written: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f'Demo community "{community.name}" is ready ({time.monotonic() - started:.1f} s).'
            )
        )
        self._logins_print()

    def _progress_line(self, verbosity: int) -> Callable[[str], Any]:
        return self.stdout.write if verbosity >= 1 else _discard

    def _logins_print(self) -> None:
        header = ("handle", "role", "the role covers (as its domains arrive)")
        rows = [header, *login_rows()]
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        self.stdout.write("")
        for number, (handle, role, sees) in enumerate(rows):
            line = f"  {handle:<{widths[0]}}  {role:<{widths[1]}}  {sees}"
            self.stdout.write(self.style.MIGRATE_HEADING(line) if number == 0 else line)
        self.stdout.write("")
        self.stdout.write(f"Password for every login: {DEMO_PASSWORD}")
        self.stdout.write(f"Start the server with `mutua runserver` and open {DEMO_URL}")
