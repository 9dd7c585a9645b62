"""The double-entry ledger: ledgers (currencies), accounts with running totals, immutable transfers.

Modelled on TigerBeetle: a transfer moves `amount` minor units from its debit account to its credit
account on one ledger. Transfers are never changed. A two-phase payment is a `pending` transfer that
holds the amount, resolved at most once by a later `post` (whole or part) or `void` transfer that
points at it; a correction is a `posted` transfer that `reverses` the original.

The database keeps the books, not Python (see `sql/` beside the migrations):
- AFTER INSERT triggers apply each transfer to the four running totals of its two accounts, so a
  transfer written by any means moves the balances, and the account's CHECK constraint then refuses
  an overdraft past `credit_limit` (unless the account is `unlimited`, like an issuance account).
- BEFORE INSERT triggers refuse a transfer between ledgers, on a closed account, or that resolves a
  pending transfer with other accounts or a larger amount; a unique index lets a pending transfer be
  resolved only once; UPDATE and DELETE of transfers are refused outright.
- Each transfer extends the hash chain of both of its accounts (`debit_prev_hash`/`credit_prev_hash`
  must equal the account's `head_hash`, and its `*_seq` the account's next number), so the chain
  needs no global row: a transfer waits only for the two account rows it locks anyway.

Balance of an account, in the sense of "what it holds": credits - debits.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Community, Member, Organization
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager

MAX_AMOUNT = 10**15  # a quadrillion minor units: far above any real transfer, far below 2**63


class Ledger(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="ledgers")
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=80)
    scale = models.PositiveSmallIntegerField(_("decimal places"), default=2)

    objects: "models.Manager[Ledger]" = CommunityScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="ledger_code_unique"),
            models.CheckConstraint(condition=models.Q(scale__lte=8), name="ledger_scale_small"),
        ]

    def __str__(self) -> str:
        return self.code


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member wallet")
    MERCHANT = "merchant", _("Merchant wallet")
    ORGANIZATION = "organization", _("Organization wallet")
    ISSUANCE = "issuance", _("Issuance")
    RESERVE = "reserve", _("Reserve")
    FEES = "fees", _("Fee income")
    COMMUNITY_FUND = "community_fund", _("Community fund")
    AID_FUND = "aid_fund", _("Aid fund")
    LAND_TRUST = "land_trust", _("Land trust")
    ESCROW = "escrow", _("Escrow")
    SYSTEM = "system", _("System")


class Account(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="accounts")
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    credit_limit = models.BigIntegerField(_("credit limit"), default=0)
    unlimited = models.BooleanField(
        default=False, help_text=_("May go below zero without limit (issuance accounts).")
    )
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    transfer_count = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[Account]" = CommunityScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ledger", "code"], name="account_code_unique"),
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0), name="account_credit_limit_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    debits_pending__gte=0,
                    debits_posted__gte=0,
                    credits_pending__gte=0,
                    credits_posted__gte=0,
                    transfer_count__gte=0,
                ),
                name="account_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(unlimited=True)
                | models.Q(
                    credits_posted__gte=models.F("debits_posted")
                    + models.F("debits_pending")
                    - models.F("credit_limit")
                ),
                name="account_within_credit_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_id}:{self.code}"

    @property
    def balance_posted(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def balance_pending(self) -> int:
        return self.credits_pending - self.debits_pending

    @property
    def available(self) -> int:
        """What the account can still send: posted balance, less holds, plus its credit line."""
        return self.credits_posted - self.debits_posted - self.debits_pending + self.credit_limit


class TransferKind(models.TextChoices):
    POSTED = "posted", _("Posted")
    PENDING = "pending", _("Pending")
    POST = "post", _("Posts a pending transfer")
    VOID = "void", _("Voids a pending transfer")


class Transfer(models.Model):
    """Immutable. `id` is chosen by the client and is the idempotency key."""

    id = models.UUIDField(primary_key=True, editable=False)
    # Checked by the insert trigger instead of foreign keys (see migration 0006), and indexed by
    # the composite indexes below.
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    ledger = models.ForeignKey(
        Ledger,
        on_delete=models.PROTECT,
        related_name="transfers",
        db_constraint=False,
        db_index=False,
    )
    debit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    credit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    amount = models.BigIntegerField()
    kind = models.CharField(max_length=8, choices=TransferKind.choices, default=TransferKind.POSTED)
    code = models.CharField(_("reason"), max_length=40)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    # `pending` and `reverses` point at transfers, which are never deleted: the insert trigger
    # checks them (migration 0007), and partial indexes below hold the few that are set.
    pending = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolution",
        db_constraint=False,
        db_index=False,
        help_text=_("For post and void: the pending transfer it resolves (at most once)."),
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        db_constraint=False,
        db_index=False,
    )
    timeout_at = models.DateTimeField(null=True, blank=True)
    batch_id = models.UUIDField(null=True, blank=True)
    body_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_id = models.UUIDField(null=True, blank=True)
    debit_seq = models.BigIntegerField()
    credit_seq = models.BigIntegerField()
    debit_prev_hash = models.CharField(max_length=64)
    credit_prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: "models.Manager[Transfer]" = CommunityScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["debit_account", "debit_seq"], name="transfer_debit_chain"),
            models.Index(fields=["credit_account", "credit_seq"], name="transfer_credit_chain"),
            models.Index(fields=["ledger", "created_at"], name="transfer_ledger_time"),
            models.Index(
                fields=["kind", "timeout_at"],
                name="transfer_pending_timeout",
                condition=models.Q(kind="pending"),
            ),
            models.Index(
                fields=["reverses"],
                name="transfer_reversals",
                condition=models.Q(reverses__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pending"],
                name="transfer_resolves_once",
                condition=models.Q(pending__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, amount__lte=MAX_AMOUNT),
                name="transfer_amount_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(debit_account=models.F("credit_account")),
                name="transfer_two_accounts",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=TransferKind.values), name="transfer_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["post", "void"], pending__isnull=False)
                | models.Q(kind__in=["posted", "pending"], pending__isnull=True),
                name="transfer_resolution_points_at_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="pending") | models.Q(timeout_at__isnull=True),
                name="transfer_timeout_only_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(debit_seq__gte=1, credit_seq__gte=1),
                name="transfer_seq_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.debit_account_id}->{self.credit_account_id}"


class ChainDigest(models.Model):
    """A published fingerprint of every account's hash chain as of `taken_at` (append-only).

    `digest` is the SHA-256 of the lines `<account id>:<head hash>` (accounts in id order) as they
    stood at `taken_at`. Published daily (the transparency page shows them), it lets anyone detect
    a later rewrite of history: `mutua ledger verify` recomputes every digest from the transfers.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="digests")
    taken_at = models.DateTimeField()
    transfer_count = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[ChainDigest]" = CommunityScopedManager()

    class Meta:
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "taken_at"], name="digest_once_per_time"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_id}@{self.taken_at:%Y-%m-%d}: {self.digest[:12]}"
