"""`mutua learning offers-expire | remind [--hours N]`: the workshops' periodic jobs.

`offers-expire` expires every offer of a freed seat whose time is up and offers the seat to the
next person on the waitlist, in every community (pages and the API do the same lazily for a
session they show; this catches sessions nobody looks at). Run it every few minutes.

`remind` emails every registrant whose session starts within the next `--hours` (24 by default),
once per registration: each reminder is recorded, so running it again, or from two machines, sends
nothing twice. Run it hourly.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mutua.community.models import Community
from mutua.core.tenancy import community_scope
from mutua.learning import services


class Command(BaseCommand):
    help = "Workshops: `offers-expire` moves expired offers on; `remind` emails registrants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["offers-expire", "remind"])
        parser.add_argument(
            "--hours", type=int, default=24, help="remind: sessions starting within this many hours"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = offered = reminded = 0
        for community_id in Community.objects.values_list("id", flat=True):
            with community_scope(community_id):
                if options["action"] == "offers-expire":
                    done = services.offers_expire()
                    expired, offered = expired + done[0], offered + done[1]
                else:
                    reminded += services.reminders_send(hours=options["hours"])
        if options["action"] == "offers-expire":
            self.stdout.write(f"{expired} offer(s) expired, {offered} seat(s) offered on.")
        else:
            self.stdout.write(f"{reminded} reminder(s) sent.")
