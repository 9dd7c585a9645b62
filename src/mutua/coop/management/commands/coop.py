"""`mutua coop vouchers-expire`: close every aid voucher past its date, in every community; what
is left of each goes back to its aid fund. Run it daily (cron or a systemd timer); a second run
changes nothing. Prints how many vouchers closed per community."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mutua.community.models import Community
from mutua.coop.services import vouchers_expire
from mutua.core.tenancy import community_scope


class Command(BaseCommand):
    help = "Food co-op: `vouchers-expire` returns expired aid vouchers' value to the aid fund."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["vouchers-expire"])

    def handle(self, *args: Any, **options: Any) -> None:
        for community in Community.objects.order_by("slug"):
            with community_scope(community.id):
                closed = vouchers_expire(community=community)
            self.stdout.write(f"{community.slug}: {closed} voucher(s) expired")
