"""The food co-op partnership: the co-op's catalogue, order cycles paid by ledger holds, the aid
group's bulk orders, aid vouchers and solidarity prices.

A **product** belongs to one co-op (an organization of kind `food_coop`) and carries its producer,
whether it is local or sustainably farmed, its unit and its price in local cents. An **order
cycle** (Open Food Network style) opens and closes an ordering window before a pick-up time and
offers products in limited quantities (`CycleProduct.quantity`; `ordered` counts what orders took,
and a CHECK keeps it within the quantity, so two members cannot both take the last crate).

An **order** is placed by a member, or by the aid group (a bulk order paid from the aid fund).
Placing it puts a pending ledger transfer (a hold) on the payer's wallet for the order's total; at
pick-up the holds are posted for what was delivered and the rest is released; a cancelled order's
holds are voided. A household the aid group refers pays a **solidarity price**: the aid fund holds
its share of the total (`fund_share`, the discount) beside the household's hold, so the co-op is
paid in full.

An **aid voucher** is local dollars moved from the aid fund into the vouchers account (escrow),
which only the co-op named on it can take, by its code; unspent value returns to the fund when it
expires. The co-op sees a voucher's code and amounts; who holds it and why (`holder`, `reason`) are
the aid group's, and every view of them is audit-logged. Each spend is an append-only row.

Database invariants (constraints here, triggers in migration 0002): prices, quantities and amounts
are positive; an offer's ordered units stay within its quantity; a line's delivered units within
its quantity; a voucher's remaining value between 0 and its amount; an order has one buyer (a
member or an organization); voucher spends are append-only.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Community, Organization
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager


class Product(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    producer = models.CharField(_("producer"), max_length=120)
    local = models.BooleanField(_("local"), default=False)
    sustainable = models.BooleanField(_("sustainably farmed"), default=False)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("One unit, e.g. '1 kg bag'."))
    price = models.BigIntegerField(_("price (local cents)"))
    available = models.BooleanField(_("available"), default=True)

    objects: "models.Manager[Product]" = CommunityScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="coop_product_name"),
            models.CheckConstraint(condition=Q(price__gt=0), name="coop_product_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class OrderCycle(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    opens_at = models.DateTimeField(_("orders open"))
    closes_at = models.DateTimeField(_("orders close"))
    pickup_at = models.DateTimeField(_("pick-up"))
    pickup_place = models.CharField(_("pick-up place"), max_length=200, blank=True)

    objects: "models.Manager[OrderCycle]" = CommunityScopedManager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at"), closes_at__lte=F("pickup_at")),
                name="coop_cycle_times_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class CycleProduct(models.Model):
    """A product offered in a cycle: its price for the cycle and how many units there are."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(OrderCycle, on_delete=models.PROTECT, related_name="offers")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    price = models.BigIntegerField(_("price (local cents)"))
    quantity = models.PositiveIntegerField(_("units available"))
    ordered = models.PositiveIntegerField(_("units ordered"), default=0)

    objects: "models.Manager[CycleProduct]" = CommunityScopedManager()

    class Meta:
        ordering = ["product__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "product"], name="coop_offer_once"),
            models.CheckConstraint(condition=Q(price__gt=0), name="coop_offer_price_positive"),
            models.CheckConstraint(
                condition=Q(ordered__gte=0, ordered__lte=F("quantity")),
                name="coop_offer_not_oversold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} in {self.cycle_id}"

    @property
    def left(self) -> int:
        return self.quantity - self.ordered


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed (paid by a hold)")
    PICKED_UP = "picked_up", _("Picked up")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(OrderCycle, on_delete=models.PROTECT, related_name="orders")
    number = models.PositiveIntegerField(_("order number"))  # within its cycle
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    buyer_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    total = models.BigIntegerField(_("total (local cents)"))
    fund_share = models.BigIntegerField(_("paid by the aid fund (solidarity price)"), default=0)
    discount_bps = models.PositiveIntegerField(default=0)
    hold_id = models.UUIDField()
    fund_hold_id = models.UUIDField(null=True, blank=True)
    paid = models.BigIntegerField(_("paid at pick-up (local cents)"), default=0)
    placed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("received into the pantry"), null=True, blank=True)

    objects: "models.Manager[Order]" = CommunityScopedManager()

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="coop_order_number"),
            models.CheckConstraint(
                condition=Q(buyer__isnull=False, buyer_organization__isnull=True)
                | Q(buyer__isnull=True, buyer_organization__isnull=False),
                name="coop_order_one_buyer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="coop_order_status"
            ),
            models.CheckConstraint(
                condition=Q(total__gt=0, fund_share__gte=0, fund_share__lte=F("total")),
                name="coop_order_amounts",
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0, paid__lte=F("total")), name="coop_order_paid_within"
            ),
            models.CheckConstraint(
                condition=Q(discount_bps__lte=10_000), name="coop_order_discount_bps"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"

    @property
    def member_share(self) -> int:
        return self.total - self.fund_share


class OrderLine(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    offer = models.ForeignKey(CycleProduct, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("units"))
    price = models.BigIntegerField(_("price (local cents)"))
    delivered = models.PositiveIntegerField(_("units delivered"), null=True, blank=True)

    objects: "models.Manager[OrderLine]" = CommunityScopedManager()

    class Meta:
        ordering = ["offer__product__name"]
        constraints = [
            models.UniqueConstraint(fields=["order", "offer"], name="coop_line_once"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, price__gt=0), name="coop_line_positive"
            ),
            models.CheckConstraint(
                condition=Q(delivered__isnull=True) | Q(delivered__lte=F("quantity")),
                name="coop_line_delivered_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.offer_id}"

    @property
    def amount(self) -> int:
        return self.quantity * self.price


class Voucher(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("spendable at")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    amount = models.BigIntegerField(_("amount (local cents)"))
    remaining = models.BigIntegerField(_("remaining (local cents)"))
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("holder"),
    )
    reason = models.CharField(_("reason (seen by the aid group only)"), max_length=200, blank=True)
    # Who paid for it, and gets back what is left when it expires (the aid fund, or a school's
    # wallet for a workshop reward); empty on vouchers issued before this was recorded: the fund.
    funder = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    issue_transfer_id = models.UUIDField()
    expired_at = models.DateTimeField(null=True, blank=True)
    returned = models.BigIntegerField(_("returned to the aid fund (local cents)"), default=0)
    expire_transfer_id = models.UUIDField(null=True, blank=True)

    objects: "models.Manager[Voucher]" = CommunityScopedManager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="coop_voucher_amount_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=F("amount")),
                name="coop_voucher_remaining_within",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("issued_at")), name="coop_voucher_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(returned__gte=0, returned__lte=F("amount")),
                name="coop_voucher_returned_within",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class VoucherSpend(models.Model):
    """Part of a voucher taken by its co-op: append-only, one ledger transfer each."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="spends")
    amount = models.BigIntegerField(_("amount (local cents)"))
    transfer_id = models.UUIDField(unique=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    redeemed_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[VoucherSpend]" = CommunityScopedManager()

    class Meta:
        ordering = ["-redeemed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="coop_spend_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.voucher_id}"


class Referral(models.Model):
    """The aid group refers a household's member for solidarity prices at the co-op: a discount in
    basis points that the aid fund pays, until `ends_at` (none: until withdrawn)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discount_bps = models.PositiveIntegerField(_("discount (basis points)"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    objects: "models.Manager[Referral]" = CommunityScopedManager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_bps__gt=0, discount_bps__lte=10_000),
                name="coop_referral_discount_bps",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.discount_bps} bps for {self.member_id}"
