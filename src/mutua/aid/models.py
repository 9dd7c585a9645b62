"""Mutual aid: the pantry's stock, the households' requests, fair allocation runs, pick-up and
delivery, and the volunteers who do the work.

**Stock** is counted in whole units of an **item** (a 1 kg bag of rice, a box of 24 nappies). Units
arrive in **lots** (one expiry date each) and sit in **locations** (pantry shelf, fridge,
warehouse). Every change is an append-only **stock movement** (receive, transfer, allocate,
release, distribute, adjust, count) that takes units from one (lot, location) and/or puts them in
another. How many units of a lot lie in a location is `StockLevel.on_hand`, which only the
database's trigger on `aid_stockmovement` writes, as the ledger's triggers write account totals;
a CHECK constraint makes a negative level impossible, so a distribution larger than the stock fails
in the database even if Python is wrong. `mutua aid verify` recomputes every level from the
movements.

Allocated stock is not gone yet: committing an allocation run moves each pick into the community's
**held** location (packed for a household), from where a pick-up or a delivery distributes it, or a
cancellation releases it back to where it came from. So stock that is promised cannot be promised
twice, and what is on the shelves is what the shelves hold.

A **request** (household, lines, urgency, status) keeps its whole history in append-only
**request events**. The household's allergens and diets are not copied here: they are private
(`community.HouseholdNeeds`) and read, audit-logged, when a coordinator runs an allocation. An
**allocation run** stores its inputs, its result and the allocator's rule version, and is either a
preview, committed, or discarded. **Deliveries** are routes of stops for one volunteer driver.

Database invariants (constraints here, triggers in migration 0002): quantities are whole and
positive; a level never goes negative; movements, request events, runs' results and hours logged
are append-only; a movement's kind decides which of its two sides it has; a request line names an
item or a category, not both.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Community, Household, Organization
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager


class ItemKind(models.TextChoices):
    FOOD = "food", _("Food")
    MEDICINE = "medicine", _("Medicine")
    HYGIENE = "hygiene", _("Hygiene")
    BABY = "baby", _("Baby")
    OTHER = "other", _("Other")


class Storage(models.TextChoices):
    AMBIENT = "ambient", _("Room temperature")
    COLD = "cold", _("Cold (fridge)")
    FROZEN = "frozen", _("Frozen")


class Item(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    category = models.SlugField(
        _("category"),
        max_length=40,
        help_text=_("For example grains, canned-vegetables, infant-formula."),
    )
    unit = models.CharField(_("unit"), max_length=40, help_text=_("One unit, e.g. '1 kg bag'."))
    allergens = models.JSONField(_("allergens"), default=list, blank=True)
    diets = models.JSONField(_("suits diets"), default=list, blank=True)
    storage = models.CharField(
        _("storage"), max_length=10, choices=Storage.choices, default=Storage.AMBIENT
    )
    low_stock = models.PositiveIntegerField(
        _("low-stock threshold"), default=0, help_text=_("Alert when fewer units are on hand.")
    )
    unit_value = models.BigIntegerField(
        _("value per unit (cents)"), default=0, help_text=_("For the stock-value report.")
    )
    active = models.BooleanField(default=True)

    objects: "models.Manager[Item]" = CommunityScopedManager()

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="aid_item_name_unique"),
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="aid_item_kind"),
            models.CheckConstraint(
                condition=Q(storage__in=Storage.values), name="aid_item_storage"
            ),
            models.CheckConstraint(condition=Q(unit_value__gte=0), name="aid_item_value_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class LocationKind(models.TextChoices):
    SHELF = "shelf", _("Pantry shelves")
    FRIDGE = "fridge", _("Fridge")
    FREEZER = "freezer", _("Freezer")
    WAREHOUSE = "warehouse", _("Warehouse")
    HELD = "held", _("Packed for households")


# Which storage each kind of location offers; the held location takes whatever was packed.
LOCATION_STORAGE: dict[str, frozenset[str]] = {
    LocationKind.SHELF: frozenset({Storage.AMBIENT}),
    LocationKind.WAREHOUSE: frozenset({Storage.AMBIENT}),
    LocationKind.FRIDGE: frozenset({Storage.AMBIENT, Storage.COLD}),
    LocationKind.FREEZER: frozenset({Storage.FROZEN}),
    LocationKind.HELD: frozenset(Storage.values),
}


class Location(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=LocationKind.choices)
    # Where delivery routes start and end (the pantry's own location is public, unlike households').
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    objects: "models.Manager[Location]" = CommunityScopedManager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="aid_location_name_unique"),
            models.UniqueConstraint(
                fields=["community"], condition=Q(kind="held"), name="aid_location_one_held"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LocationKind.values), name="aid_location_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    expires = models.DateField(_("expires"), null=True, blank=True)
    intake = models.ForeignKey(
        "Intake", null=True, blank=True, on_delete=models.PROTECT, related_name="lots"
    )
    received_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Lot]" = CommunityScopedManager()

    class Meta:
        ordering = ["expires", "received_at"]

    def __str__(self) -> str:
        expires = self.expires.isoformat() if self.expires else str(_("no expiry"))
        return f"{self.item} ({expires})"


class StockLevel(models.Model):
    """Units of one lot in one location. Written only by the movement trigger."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.BigIntegerField(default=0)

    objects: "models.Manager[StockLevel]" = CommunityScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "location"], name="aid_level_lot_location"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="aid_level_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} in {self.location_id}: {self.on_hand}"


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    TRANSFER = "transfer", _("Moved")
    ALLOCATE = "allocate", _("Packed for a household")
    RELEASE = "release", _("Returned to stock")
    DISTRIBUTE = "distribute", _("Distributed")
    ADJUST_IN = "adjust_in", _("Adjusted up")
    ADJUST_OUT = "adjust_out", _("Adjusted down")
    COUNT_IN = "count_in", _("Count found more")
    COUNT_OUT = "count_out", _("Count found less")


# The kinds that take from a location, and those that put into one.
TAKES = frozenset({"transfer", "allocate", "release", "distribute", "adjust_out", "count_out"})
PUTS = frozenset({"receive", "transfer", "allocate", "release", "adjust_in", "count_in"})


class AdjustReason(models.TextChoices):
    EXPIRED = "expired", _("Expired")
    SPOILED = "spoiled", _("Spoiled or damaged")
    RECALLED = "recalled", _("Recalled")
    FOUND = "found", _("Found")
    CORRECTION = "correction", _("Data entry correction")
    OTHER = "other", _("Other")


# Reasons that count as waste in the reports.
WASTE_REASONS = frozenset({AdjustReason.EXPIRED, AdjustReason.SPOILED, AdjustReason.RECALLED})


def _sides_rule() -> Q:
    takes = Q(kind__in=sorted(TAKES)) & Q(from_location__isnull=False)
    no_take = ~Q(kind__in=sorted(TAKES)) & Q(from_location__isnull=True)
    puts = Q(kind__in=sorted(PUTS)) & Q(to_location__isnull=False)
    no_put = ~Q(kind__in=sorted(PUTS)) & Q(to_location__isnull=True)
    return (takes | no_take) & (puts | no_put)


class StockMovement(models.Model):
    """Append-only. Its insert trigger moves `quantity` units of `lot` between the two levels."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    quantity = models.BigIntegerField()
    from_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=AdjustReason.choices, blank=True)
    note = models.CharField(max_length=200, blank=True)
    request = models.ForeignKey(
        "AidRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects: "models.Manager[StockMovement]" = CommunityScopedManager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="aid_movement_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=MovementKind.values), name="aid_movement_kind"
            ),
            models.CheckConstraint(condition=_sides_rule(), name="aid_movement_sides"),
            models.CheckConstraint(
                condition=~Q(from_location=models.F("to_location")) | Q(from_location__isnull=True),
                name="aid_movement_two_places",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["adjust_in", "adjust_out"]) | ~Q(reason=""),
                name="aid_adjust_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} of {self.lot_id}"


class CountStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    FINAL = "final", _("Finalized")


class StockCount(models.Model):
    """A physical count of one location: volunteers enter what they find, a coordinator finalizes,
    and only then do the differences become `count_in`/`count_out` movements."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="counts")
    status = models.CharField(max_length=8, choices=CountStatus.choices, default=CountStatus.OPEN)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True)

    objects: "models.Manager[StockCount]" = CommunityScopedManager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["location"], condition=Q(status="open"), name="aid_count_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"count of {self.location_id} ({self.status})"


class CountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    counted = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["count", "lot"], name="aid_count_line_once"),
            models.CheckConstraint(condition=Q(counted__gte=0), name="aid_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.counted}"


class IntakeKind(models.TextChoices):
    DONATION = "donation", _("Donation")
    PURCHASE = "purchase", _("Purchase")


class DonorKind(models.TextChoices):
    PERSON = "person", _("Person")
    BUSINESS = "business", _("Business")
    COOP = "coop", _("Food co-op")
    GARDEN = "garden", _("Community garden")
    OTHER = "other", _("Other")


class Intake(models.Model):
    """Goods arriving: a donation (with a receipt for the donor) or a purchase paid from the aid
    fund in local dollars (`transfer_id` is the ledger transfer)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("receipt number"))
    kind = models.CharField(max_length=10, choices=IntakeKind.choices)
    donor_kind = models.CharField(
        _("from"), max_length=10, choices=DonorKind.choices, default=DonorKind.PERSON
    )
    donor_name = models.CharField(_("donor or seller"), max_length=120)
    seller = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("paid (local cents)"), default=0)
    transfer_id = models.UUIDField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Intake]" = CommunityScopedManager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="aid_intake_number"),
            models.CheckConstraint(condition=Q(kind__in=IntakeKind.values), name="aid_intake_kind"),
            models.CheckConstraint(
                condition=(Q(kind="purchase") & Q(amount__gt=0) & Q(transfer_id__isnull=False))
                | (Q(kind="donation") & Q(amount=0) & Q(transfer_id__isnull=True)),
                name="aid_intake_paid_if_purchase",
            ),
        ]

    def __str__(self) -> str:
        return f"intake {self.number}"


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT_MEDICAL = "urgent_medical", _("Urgent medical")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    ALLOCATED = "allocated", _("Allocated")
    PICKED_UP = "picked_up", _("Picked up")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


# The moves a request may make; anything else is refused.
REQUEST_MOVES: dict[str, frozenset[str]] = {
    "new": frozenset({"allocated", "cancelled"}),
    "allocated": frozenset({"fulfilled", "out_for_delivery", "new", "cancelled"}),
    "out_for_delivery": frozenset({"fulfilled", "allocated"}),
    "fulfilled": frozenset(),
    "cancelled": frozenset(),
}


class Fulfilment(models.TextChoices):
    PICK_UP = "pick_up", _("Pick up at the pantry")
    DELIVERY = "delivery", _("Delivery")


class AidRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="aid_requests")
    household_size = models.PositiveSmallIntegerField()
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    fulfilment = models.CharField(
        max_length=10, choices=Fulfilment.choices, default=Fulfilment.PICK_UP
    )
    status = models.CharField(max_length=18, choices=RequestStatus.choices, default="new")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    by_phone = models.BooleanField(_("taken by phone"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[AidRequest]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="aid_request_number"),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="aid_request_status"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="aid_request_urgency"
            ),
            models.CheckConstraint(
                condition=Q(household_size__gte=1), name="aid_request_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"

    @property
    def urgent(self) -> bool:
        return self.urgency == Urgency.URGENT_MEDICAL


# A request line or a box line names one item, or one category (any item of it), never both.
ITEM_OR_CATEGORY = (Q(item__isnull=False) & Q(category="")) | (
    Q(item__isnull=True) & ~Q(category="")
)


class RequestLine(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    request = models.ForeignKey(AidRequest, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.SlugField(max_length=40, blank=True)
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="aid_line_positive"),
            models.CheckConstraint(condition=ITEM_OR_CATEGORY, name="aid_line_item_or_category"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item_id or self.category}"


class RequestEvent(models.Model):
    """Append-only history of a request: every status it passed through, who moved it, and why."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    request = models.ForeignKey(AidRequest, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=18, choices=RequestStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.status}"


class BoxLine(models.Model):
    """The standard box: per person in the household, `per_person` units of an item or a category
    (rounded up for the household; at least `minimum`)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.SlugField(max_length=40, blank=True)
    per_person = models.DecimalField(max_digits=6, decimal_places=2)
    minimum = models.PositiveIntegerField(default=1)

    objects: "models.Manager[BoxLine]" = CommunityScopedManager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(per_person__gt=0), name="aid_box_positive"),
            models.CheckConstraint(condition=ITEM_OR_CATEGORY, name="aid_box_item_or_category"),
        ]

    def __str__(self) -> str:
        return f"{self.per_person} x {self.item_id or self.category} per person"


class OfferKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    TIME = "time", _("Time")


class Offer(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=6, choices=OfferKind.choices)
    description = models.CharField(_("what you offer"), max_length=300)
    open = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Offer]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    COMMITTED = "committed", _("Committed")
    DISCARDED = "discarded", _("Discarded")


class AllocationRun(models.Model):
    """One run of the allocator: its inputs (the self-contained instance, as `mutua aid allocate`
    reads it), its result, and the rule version, kept for good."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    pickup = models.DateField(_("pick-up date"))
    rule_version = models.CharField(max_length=40)
    inputs = models.JSONField()
    result = models.JSONField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default="preview")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True)

    objects: "models.Manager[AllocationRun]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="aid_run_status")
        ]

    def __str__(self) -> str:
        return f"run {self.id} ({self.status})"


class Pick(models.Model):
    """A committed run's decision: `quantity` units of `lot`, from `location`, for one request."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="picks")
    request = models.ForeignKey(AidRequest, on_delete=models.PROTECT, related_name="picks")
    line = models.ForeignKey(RequestLine, on_delete=models.PROTECT, related_name="picks")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="aid_pick_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.lot_id} for {self.request_id}"


class DeliveryRoute(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveIntegerField()
    starts = models.PositiveSmallIntegerField(help_text=_("Minutes after midnight."))
    ends = models.PositiveSmallIntegerField()
    distance_m = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[DeliveryRoute]" = CommunityScopedManager()

    class Meta:
        ordering = ["-day", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="aid_route_window"
            )
        ]

    def __str__(self) -> str:
        return f"route {self.day} {self.driver_id}"


class DeliveryStop(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    route = models.ForeignKey(DeliveryRoute, on_delete=models.PROTECT, related_name="stops")
    request = models.ForeignKey(AidRequest, on_delete=models.PROTECT, related_name="stops")
    position = models.PositiveSmallIntegerField()
    arrival = models.PositiveSmallIntegerField(help_text=_("Planned, minutes after midnight."))
    load = models.PositiveSmallIntegerField(default=1)
    # What everyone but the driver may see of where the stop is (the 2020 mutual aid apps' rule).
    cross_streets = models.CharField(max_length=120, blank=True)
    delivered_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="aid_stop_position"),
        ]

    def __str__(self) -> str:
        return f"stop {self.position} of {self.route_id}"


class ShiftKind(models.TextChoices):
    PACKING = "packing", _("Packing")
    DRIVING = "driving", _("Driving")
    PANTRY = "pantry", _("Pantry")


class Shift(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=ShiftKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    places = models.PositiveSmallIntegerField(default=4)

    objects: "models.Manager[Shift]" = CommunityScopedManager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="aid_shift_window"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="aid_shift_places"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftSignup(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shift", "member"], name="aid_signup_once")]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.shift_id}"


class HoursLog(models.Model):
    """Append-only: volunteer time as it was logged."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=ShiftKind.choices)
    day = models.DateField()
    minutes = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True)
    logged_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[HoursLog]" = CommunityScopedManager()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=24 * 60), name="aid_hours_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.day}"
