"""`mutua token create --user HANDLE [--name NAME]`: create a personal API token from the shell.

Prints the token and nothing else on stdout, so a script can capture it
(`TOKEN=$(mutua token create --user admin)`); the token is shown this once, only its hash is kept.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.community import services
from mutua.community.models import Member
from mutua.core.errors import MutuaError

DEFAULT_NAME = "command line"


class Command(BaseCommand):
    help = "Create a personal API token for a member and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument(
            "--user",
            required=True,
            metavar="HANDLE",
            help="The handle of the member the token acts as.",
        )
        parser.add_argument(
            "--name",
            default=DEFAULT_NAME,
            help=f"A name to recognise the token by (default {DEFAULT_NAME!r}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handle = options["user"].strip().lstrip("@")
        member = Member.objects.filter(handle__iexact=handle).first()
        if member is None:
            raise CommandError(f"No member has the handle {handle!r}.")
        if not member.is_active:
            raise CommandError(f"The member {handle!r} is not active; their token would not work.")
        try:
            _token, raw = services.api_token_create(member=member, name=options["name"])
        except MutuaError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(raw)
