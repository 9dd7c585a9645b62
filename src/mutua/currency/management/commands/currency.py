"""`mutua currency report | demurrage`: the local dollar's figures, and its monthly holding fee.

`report [--json] [--from DATE --to DATE] [--community SLUG]` prints supply, reserve, backing ratio,
volume, velocity, active accounts and LM3 for the window (default: the last 30 days; dates are
whole UTC days, both included). Amounts are minor units (cents).
`demurrage --month YYYY-MM [--preview]` charges (or only shows) the month's demurrage where the
community has set one; a month already charged is not charged again. Run it early each month.
"""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mutua.community.models import Community
from mutua.core.errors import MutuaError
from mutua.core.tenancy import community_scope
from mutua.currency import selectors


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date like 2026-11-27") from error


class Command(BaseCommand):
    help = "The local dollar: `report` its figures, charge `demurrage`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["report", "demurrage"])
        parser.add_argument("--community", help="short name of the community (if several)")
        parser.add_argument("--json", action="store_true", help="report: one JSON object")
        parser.add_argument("--from", dest="since", help="report: first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="until", help="report: last day (YYYY-MM-DD)")
        parser.add_argument("--month", help="demurrage: the month to charge (YYYY-MM)")
        parser.add_argument(
            "--preview", action="store_true", help="demurrage: show, charge nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        community = self._community(options["community"])
        with community_scope(community.id):
            try:
                currency = selectors.currency_of(community)
                if options["action"] == "report":
                    self._report(currency, options)
                else:
                    self._demurrage(currency, options)
            except MutuaError as error:
                raise CommandError(str(error.message)) from error

    def _community(self, slug: str | None) -> Community:
        communities = Community.objects.order_by("slug")
        if slug:
            communities = communities.filter(slug=slug)
        found = list(communities[:2])
        if not found:
            raise CommandError(
                f"No community has the short name {slug!r}." if slug else "No community yet."
            )
        if len(found) > 1:
            raise CommandError("There are several communities: give --community SLUG.")
        return found[0]

    def _report(self, currency: Any, options: dict[str, Any]) -> None:
        since, until = selectors.window(
            since=_date(options["since"]) if options["since"] else None,
            until=_date(options["until"]) if options["until"] else None,
            today=timezone.now().date(),
        )
        found = selectors.report(currency=currency, since=since, until=until)
        if options["json"]:
            self.stdout.write(json.dumps(found.headline()))
            return
        for key, value in found.headline().items():
            self.stdout.write(f"{key:>16}: {value}")

    def _demurrage(self, currency: Any, options: dict[str, Any]) -> None:
        from mutua.currency import demurrage

        if not options["month"]:
            raise CommandError("Give the month: --month YYYY-MM")
        month = demurrage.month_parse(options["month"])
        if options["preview"]:
            charges = demurrage.demurrage_preview(currency=currency, month=month)
            for charge in charges:
                self.stdout.write(f"{charge.code}: {charge.basis} -> {charge.fee}")
            self.stdout.write(f"{len(charges)} account(s), {sum(c.fee for c in charges)} in all")
            return
        run = demurrage.demurrage_charge(currency=currency, month=month, now=timezone.now())
        self.stdout.write(f"{month:%Y-%m}: {run.accounts} account(s) charged, {run.total} in all")
        for skipped in demurrage.demurrage_skipped(currency=currency, month=month):
            self.stderr.write(f"not charged (cannot pay now): {skipped.code} {skipped.fee}")
