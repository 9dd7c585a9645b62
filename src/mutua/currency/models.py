"""The local dollar as a credit union runs it, on top of the ledger.

A `Currency` is one community's settings and the ledger accounts its operations use: the local
dollar ledger (issuance, the community fund, the aid fund, fee income) and the dollar reserve book
(the reserve, and "cash", the dollars that came in from and went out to people). Wallets are ledger
accounts of members, merchants and organizations; the ledger knows nothing of any of this.

Rates and fees are integer basis points (`rate_bps` 9,500: 95 dollar cents buy 100 local cents).
Records here are history: an `Exchange` and a `CreditLimitChange` are never changed (triggers),
a `PaymentRequest` only moves from open to paid, declined or cancelled, once.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Community, Member
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager
from mutua.ledger.models import Account, Ledger

BPS = 10_000


class Currency(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.OneToOneField(Community, on_delete=models.PROTECT, related_name="currency")
    local = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="+")
    dollars = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="+")
    issuance = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    community_fund = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    aid_fund = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    fee_income = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    reserve = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    cash = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    rate_bps = models.PositiveIntegerField(
        _("dollar cents per 100 local cents, in basis points"), default=9_500
    )
    redemption_fee_bps = models.PositiveIntegerField(
        _("redemption fee (basis points)"), default=500
    )
    min_backing_bps = models.PositiveIntegerField(
        _("minimum backing ratio (basis points)"), default=9_000
    )
    demurrage_bps = models.PositiveIntegerField(
        _("demurrage per year (basis points; 0: none)"), default=0
    )
    demurrage_exempt = models.BigIntegerField(_("balance exempt from demurrage"), default=0)
    demurrage_fund = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects: "models.Manager[Currency]" = CommunityScopedManager()

    class Meta:
        verbose_name_plural = _("currencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_bps__gt=0, rate_bps__lte=10 * BPS), name="currency_rate"
            ),
            models.CheckConstraint(
                condition=models.Q(redemption_fee_bps__lt=BPS), name="currency_fee_below_all"
            ),
            models.CheckConstraint(
                condition=models.Q(min_backing_bps__lte=10 * BPS), name="currency_min_backing"
            ),
            models.CheckConstraint(
                condition=models.Q(demurrage_bps__lte=BPS, demurrage_exempt__gte=0),
                name="currency_demurrage",
            ),
        ]

    def __str__(self) -> str:
        return self.local.code


class ExchangeKind(models.TextChoices):
    IN = "in", _("Dollars in, local dollars issued")
    OUT = "out", _("Local dollars redeemed, dollars out")


class Exchange(models.Model):
    """One exchange at the credit union (append-only). Its transfers' ids derive from its `id`."""

    id = models.UUIDField(primary_key=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=3, choices=ExchangeKind.choices)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    dollars = models.BigIntegerField(help_text=_("Dollar cents received or paid out."))
    local = models.BigIntegerField(help_text=_("Local cents issued, or returned (fee included)."))
    fee = models.BigIntegerField(default=0, help_text=_("Local cents paid to the community fund."))
    rate_bps = models.PositiveIntegerField()
    officer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Exchange]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dollars__gte=0, local__gt=0, fee__gte=0),
                name="exchange_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.local}"


class CreditLimitChange(models.Model):
    """Who changed a merchant's credit line, when, from what to what, and why (append-only)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="limit_changes")
    old_limit = models.BigIntegerField()
    new_limit = models.BigIntegerField()
    reason = models.CharField(_("reason"), max_length=300)
    changed_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[CreditLimitChange]" = CommunityScopedManager()

    class Meta:
        ordering = ["-changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(old_limit__gte=0, new_limit__gte=0), name="limit_change_sane"
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="limit_change_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.old_limit} -> {self.new_limit}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    PAID = "paid", _("Paid")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentRequest(models.Model):
    """A member or merchant asks someone to pay them; the payer accepts (pays) or declines."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    status = models.CharField(
        max_length=9, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    transfer_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[PaymentRequest]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="request_amount"),
            models.CheckConstraint(
                condition=models.Q(status="paid", transfer_id__isnull=False)
                | (~models.Q(status="paid") & models.Q(transfer_id__isnull=True)),
                name="request_paid_has_transfer",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", answered_at__isnull=True)
                | (~models.Q(status="open") & models.Q(answered_at__isnull=False)),
                name="request_answered_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.to_account_id} ({self.status})"


class DemurrageRun(models.Model):
    """A month's demurrage, charged once (the unique month makes a second run a no-op)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text=_("The first day of the month charged."))
    accounts = models.PositiveIntegerField()
    total = models.BigIntegerField()
    charged_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[DemurrageRun]" = CommunityScopedManager()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="demurrage_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.total}"
