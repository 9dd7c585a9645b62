"""The local dollar's part of `mutua demo`: Riverbend's currency settings on the books the
ledger's demo wrote (95 cents buy a local dollar, a 5% redemption fee, a 90% minimum backing),
the chain-head digests of the last two weeks for the transparency page, and the credit lines
the demo's merchants hold, logged as an officer would have set them."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from mutua.community.demo import Progress
from mutua.community.models import Community, Member
from mutua.currency import services
from mutua.currency.models import CreditLimitChange
from mutua.ledger.models import Account, AccountKind, ChainDigest
from mutua.ledger.services import chain_digest_publish

DEMO_STEPS = 2  # currency, digests


def populate(community: Community, progress: Progress) -> None:
    officer = Member.objects.filter(community=community, handle="officer").first()
    currency = services.currency_open(
        community=community,
        actor=officer,
        rate_bps=9_500,
        redemption_fee_bps=500,
        min_backing_bps=9_000,
    )
    if officer is not None and not CreditLimitChange.objects.exists():
        lines = Account.objects.filter(
            ledger=currency.local, kind=AccountKind.MERCHANT, credit_limit__gt=0
        )
        for account in lines:
            CreditLimitChange.objects.create(
                community=community,
                account=account,
                old_limit=0,
                new_limit=account.credit_limit,
                reason="Mutual credit line for the demo's merchants",
                changed_by=officer,
                changed_at=account.created_at,
            )
    progress("local dollar", 1, 1)
    midnight = datetime.combine(timezone.now().astimezone(UTC).date(), time.min, tzinfo=UTC)
    published = 0
    for days_ago in range(14, 0, -1):
        for book in (currency.local, currency.dollars):
            before = ChainDigest.objects.count()
            chain_digest_publish(ledger=book, at=midnight - timedelta(days=days_ago - 1))
            published += ChainDigest.objects.count() - before
    progress("published digests", ChainDigest.objects.count(), published)
