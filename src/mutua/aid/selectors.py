"""Reading the pantry: stock on hand, alerts, requests, runs, pick lists, routes, shifts.

Every selector takes the viewer and checks the role first (`aid.access`). Private data has two
doors only: a coordinator's view of a request's household needs goes through
`community.selectors.household_needs_get` (audit-logged there), and a driver's view of their own
stop's address through `stop_address`, which logs each view and closes two days after delivery.
Everyone else who may see a delivery sees its cross streets at most.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.access import aid_may, aid_require
from mutua.aid.models import (
    AidRequest,
    AllocationRun,
    DeliveryRoute,
    DeliveryStop,
    HoursLog,
    Item,
    LocationKind,
    Lot,
    Offer,
    Pick,
    RequestStatus,
    Shift,
    StockCount,
    StockLevel,
    StockMovement,
)
from mutua.community.models import HouseholdNeeds, Member
from mutua.community.selectors import household_needs_get
from mutua.core.errors import NotFound
from mutua.core.services import audit_record

# How long a driver still sees a delivered stop's address.
ADDRESS_DAYS_AFTER_DELIVERY = 2


def _get(queryset: QuerySet[Any], pk: UUID | str) -> Any:
    try:
        found = queryset.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id is simply not found
        found = None
    if found is None:
        raise NotFound(_("Not found."))
    return found


# --- stock ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStock:
    item: Item
    on_hand: int  # usable units on the shelves (not expired, not packed)
    held: int  # packed for households
    expired: int  # quarantined: expired, never offered
    next_expiry: date | None

    @property
    def low(self) -> bool:
        return self.on_hand < self.item.low_stock


def stock_overview(*, viewer: Member, today: date | None = None) -> list[ItemStock]:
    """Every active item with its usable, packed and expired units, in one query for the levels."""
    aid_require(viewer, "aid.stock.view", viewer.community)
    today = today or timezone.localdate()
    totals: dict[UUID, dict[str, Any]] = defaultdict(
        lambda: {"on_hand": 0, "held": 0, "expired": 0, "next": None}
    )
    levels = StockLevel.objects.filter(community_id=viewer.tenant_id, on_hand__gt=0).values(
        "lot__item_id", "lot__expires", "location__kind", "on_hand"
    )
    for row in levels:
        entry = totals[row["lot__item_id"]]
        expires = row["lot__expires"]
        if row["location__kind"] == LocationKind.HELD:
            entry["held"] += row["on_hand"]
        elif expires is not None and expires < today:
            entry["expired"] += row["on_hand"]
        else:
            entry["on_hand"] += row["on_hand"]
            if expires is not None and (entry["next"] is None or expires < entry["next"]):
                entry["next"] = expires
    items = Item.objects.filter(community_id=viewer.tenant_id, active=True)
    return [
        ItemStock(
            item=item,
            on_hand=totals[item.id]["on_hand"],
            held=totals[item.id]["held"],
            expired=totals[item.id]["expired"],
            next_expiry=totals[item.id]["next"],
        )
        for item in items
    ]


def low_stock_alerts(*, viewer: Member, today: date | None = None) -> list[ItemStock]:
    return [s for s in stock_overview(viewer=viewer, today=today) if s.low]


def lots_on_hand(*, viewer: Member, item_id: UUID | str | None = None) -> QuerySet[StockLevel]:
    """(lot, place) levels with units, soonest expiry first: what a volunteer picks from."""
    aid_require(viewer, "aid.stock.view", viewer.community)
    levels = StockLevel.objects.filter(community_id=viewer.tenant_id, on_hand__gt=0)
    if item_id is not None:
        levels = levels.filter(lot__item_id=item_id)
    # Lots without an expiry date last, on both databases (their NULL ordering differs).
    return levels.select_related("lot__item", "location").order_by(
        F("lot__expires").asc(nulls_last=True), "lot__item__name", "location__name"
    )


def expired_levels(*, viewer: Member, today: date | None = None) -> QuerySet[StockLevel]:
    """Quarantined stock: expired units still on a shelf, waiting to be disposed of."""
    today = today or timezone.localdate()
    return (
        lots_on_hand(viewer=viewer)
        .filter(lot__expires__lt=today)
        .exclude(location__kind=LocationKind.HELD)
    )


def lot_get(*, viewer: Member, lot_id: UUID | str) -> Lot:
    aid_require(viewer, "aid.stock.view", viewer.community)
    return _get(Lot.objects.filter(community_id=viewer.tenant_id).select_related("item"), lot_id)


def count_get(*, viewer: Member, count_id: UUID | str) -> StockCount:
    aid_require(viewer, "aid.stock.count", viewer.community)
    counts = StockCount.objects.filter(community_id=viewer.tenant_id).select_related("location")
    return _get(counts, count_id)


# --- requests ------------------------------------------------------------------------------------


def request_list(*, viewer: Member, status: str | None = None) -> QuerySet[AidRequest]:
    aid_require(viewer, "aid.request.list", viewer.community)
    requests = AidRequest.objects.filter(community_id=viewer.tenant_id)
    if status:
        requests = requests.filter(status=status)
    return (
        requests.select_related("household")
        .annotate(line_count=Count("lines"))
        .order_by("-created_at")
    )


def my_requests(*, viewer: Member) -> QuerySet[AidRequest]:
    """The viewer's own household's requests."""
    if viewer.household_id is None:
        return AidRequest.objects.none()
    return AidRequest.objects.filter(
        community_id=viewer.tenant_id, household_id=viewer.household_id
    ).prefetch_related("lines__item")


def request_get(*, viewer: Member, request_id: UUID | str) -> AidRequest:
    """A request its own household, or a coordinator, may see."""
    requests = AidRequest.objects.filter(community_id=viewer.tenant_id).select_related(
        "household", "created_by"
    )
    request: AidRequest = _get(requests, request_id)
    if request.household_id != viewer.household_id:
        aid_require(viewer, "aid.request.list", request)
    return request


def request_needs(*, viewer: Member, request: AidRequest) -> HouseholdNeeds:
    """The private needs behind a request: coordinators only, audit-logged (community selector)."""
    return household_needs_get(viewer=viewer, household=request.household)


def offer_list(*, viewer: Member) -> QuerySet[Offer]:
    aid_require(viewer, "aid.request.list", viewer.community)
    return Offer.objects.filter(community_id=viewer.tenant_id, open=True).select_related("member")


# --- runs and pick lists -------------------------------------------------------------------------


def run_list(*, viewer: Member) -> QuerySet[AllocationRun]:
    aid_require(viewer, "aid.allocate", viewer.community)
    return AllocationRun.objects.filter(community_id=viewer.tenant_id).select_related("created_by")


def run_get(*, viewer: Member, run_id: UUID | str) -> AllocationRun:
    return _get(run_list(viewer=viewer), run_id)


@dataclass(frozen=True)
class PickLine:
    item: str
    unit: str
    location: str
    expires: date | None
    quantity: int


@dataclass(frozen=True)
class PickList:
    request: AidRequest
    lines: list[PickLine]


def pick_lists(*, viewer: Member, run: AllocationRun) -> list[PickList]:
    """What to pack for each household of a committed run, shelf by shelf, soonest expiry first."""
    aid_require(viewer, "aid.pickup", run)
    picks = (
        Pick.objects.filter(run=run)
        .select_related("request__household", "lot__item", "location")
        .order_by("request__number", "location__name", "lot__expires", "lot__item__name")
    )
    grouped: dict[UUID, PickList] = {}
    for pick in picks:
        entry = grouped.setdefault(pick.request_id, PickList(request=pick.request, lines=[]))
        entry.lines.append(
            PickLine(
                item=pick.lot.item.name,
                unit=pick.lot.item.unit,
                location=pick.location.name,
                expires=pick.lot.expires,
                quantity=pick.quantity,
            )
        )
    return list(grouped.values())


def pickups_waiting(*, viewer: Member) -> QuerySet[AidRequest]:
    """Packed requests to hand out at the pantry."""
    aid_require(viewer, "aid.pickup", viewer.community)
    return (
        AidRequest.objects.filter(
            community_id=viewer.tenant_id, status=RequestStatus.ALLOCATED, fulfilment="pick_up"
        )
        .select_related("household")
        .order_by("number")
    )


# --- deliveries ----------------------------------------------------------------------------------


def routes_of_driver(*, viewer: Member) -> QuerySet[DeliveryRoute]:
    """The viewer's own routes (a driver sees no one else's)."""
    aid_require(viewer, "aid.route.drive", viewer.community)
    return (
        DeliveryRoute.objects.filter(community_id=viewer.tenant_id, driver=viewer)
        .prefetch_related(
            Prefetch("stops", queryset=DeliveryStop.objects.select_related("request__household"))
        )
        .order_by("-day", "starts")
    )


def route_list(*, viewer: Member) -> QuerySet[DeliveryRoute]:
    """All routes, for the coordinator: stops show cross streets, never addresses."""
    aid_require(viewer, "aid.route.plan", viewer.community)
    return (
        DeliveryRoute.objects.filter(community_id=viewer.tenant_id)
        .select_related("driver")
        .annotate(stop_count=Count("stops"))
        .order_by("-day", "starts")
    )


def route_get(*, viewer: Member, route_id: UUID | str) -> DeliveryRoute:
    """A route its driver or a coordinator may see; for anyone else it does not exist."""
    routes = DeliveryRoute.objects.filter(community_id=viewer.tenant_id).select_related("driver")
    route: DeliveryRoute = _get(routes, route_id)
    if route.driver_id != viewer.pk and not aid_may(viewer, "aid.route.plan", route):
        raise NotFound(_("Not found."))
    return route


@dataclass(frozen=True)
class StopAddress:
    address: str
    latitude: float | None
    longitude: float | None


def address_visible(stop: DeliveryStop, *, now: datetime | None = None) -> bool:
    """Until two days after delivery (undelivered stops stay visible to their driver)."""
    if stop.delivered_at is None:
        return True
    now = now or timezone.now()
    return now <= stop.delivered_at + timedelta(days=ADDRESS_DAYS_AFTER_DELIVERY)


def stop_address(
    *, viewer: Member, stop: DeliveryStop, now: datetime | None = None
) -> StopAddress | None:
    """The address of one of the viewer's own stops, logged; None once it has closed."""
    if stop.route.driver_id != viewer.pk:
        raise NotFound(_("Not found."))
    if not address_visible(stop, now=now):
        return None
    needs = HouseholdNeeds.objects.get(household_id=stop.request.household_id)
    audit_record(
        action="aid.stop.address_viewed",
        actor=viewer,
        obj=stop.request,
        data={"stop": str(stop.id)},
    )
    return StopAddress(address=needs.address, latitude=needs.latitude, longitude=needs.longitude)


# --- volunteers ----------------------------------------------------------------------------------


def shifts_upcoming(*, viewer: Member, now: datetime | None = None) -> QuerySet[Shift]:
    aid_require(viewer, "aid.shift.join", viewer.community)
    return (
        Shift.objects.filter(community_id=viewer.tenant_id, ends_at__gt=now or timezone.now())
        .annotate(taken=Count("signups"))
        .prefetch_related("signups__member")
        .order_by("starts_at")
    )


def hours_total(*, viewer: Member) -> int:
    """Minutes the viewer has logged."""
    found = HoursLog.objects.filter(community_id=viewer.tenant_id, member=viewer).aggregate(
        minutes=Sum("minutes")
    )
    return int(found["minutes"] or 0)


# --- verification --------------------------------------------------------------------------------


def levels_verify(*, community_id: UUID | None = None) -> list[str]:
    """Every stock level recomputed from the movements; one line per difference (empty: clean).
    For operators (`mutua aid verify`): reads all communities unless one is named."""
    movements = StockMovement.objects.all()
    levels = StockLevel.objects.all()
    if community_id is not None:
        movements, levels = (
            movements.filter(community_id=community_id),
            levels.filter(community_id=community_id),
        )
    expected: dict[tuple[UUID, UUID], int] = defaultdict(int)
    for row in movements.values("from_location_id", "to_location_id", "lot_id").annotate(
        units=Sum("quantity")
    ):
        if row["from_location_id"]:
            expected[(row["lot_id"], row["from_location_id"])] -= int(row["units"])
        if row["to_location_id"]:
            expected[(row["lot_id"], row["to_location_id"])] += int(row["units"])
    stored = {(lv["lot_id"], lv["location_id"]): lv["on_hand"] for lv in levels.values()}
    problems = []
    for key in sorted(set(expected) | set(stored), key=str):
        if expected.get(key, 0) != stored.get(key, 0):
            problems.append(
                f"lot {key[0]} in location {key[1]}: level {stored.get(key, 0)}, "
                f"movements add up to {expected.get(key, 0)}"
            )
        if stored.get(key, 0) < 0:
            problems.append(f"lot {key[0]} in location {key[1]}: negative level {stored[key]}")
    return problems
