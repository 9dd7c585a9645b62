"""`mutua privacy apply [--dry-run]`: forget what is past retention (`mutua.privacy.retention`) in
every community, and old mails in the queue. Run it daily (cron or a systemd timer); a second run
changes nothing. Prints the counts per community, and how many deletion requests wait for an
admin, so an operator reading the cron mail sees them too. `--dry-run` prints what it would do
and changes nothing."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mutua.community.models import Community
from mutua.core.tenancy import community_scope
from mutua.privacy.models import DeletionRequest, DeletionStatus
from mutua.privacy.retention import mail_apply, policy_from_settings, retention_apply


class Command(BaseCommand):
    help = "Privacy: `apply` forgets personal details past their retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["apply"])
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument(
            "--now",
            type=datetime.fromisoformat,
            default=None,
            help="the moment to apply the rules at, ISO 8601 with its offset (default: now)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = options["now"] or timezone.now()
        dry_run = options["dry_run"]
        policy = policy_from_settings()
        verb = "would forget" if dry_run else "forgot"
        for community in Community.objects.order_by("slug"):
            with community_scope(community.id):
                applied = retention_apply(
                    community=community, policy=policy, now=now, dry_run=dry_run
                )
                waiting = DeletionRequest.objects.filter(
                    community=community, status=DeletionStatus.PENDING
                ).count()
            self.stdout.write(
                f"{community.slug}: {verb} {applied.stop_addresses} delivery address(es), "
                f"{applied.household_needs} household needs, {applied.request_notes} request "
                f"note(s); {waiting} deletion request(s) waiting for an admin"
            )
        mails = mail_apply(policy=policy, now=now, dry_run=dry_run)
        self.stdout.write(f"platform: {verb} {mails} mail(s) in the queue")
