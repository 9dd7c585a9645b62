"""Mutual aid endpoints of the JSON API, under `/api/v1/aid/`: stock, intake, requests, allocation
runs, deliveries, volunteers and the report.

A thin shell: each endpoint parses its body, finds the objects it names inside the caller's
community, calls one service (writes) or selector (reads) of `mutua.aid`, and renders. Who may do
what is decided there, by the rules `aid.*` (`aid.access`), exactly as for the pages; errors leave
through `mutua.api`'s one error mapping. An id in the path that names nothing in the community is
404 `not_found`; an id in the body, 404 `unknown_<thing>` with `fields` saying which one.

Quantities are whole units. Their sign and their sense (a count is zero or more, a quantity more
than zero) are checked by the services, so the API and the pages give the same 400; the schema's
bounds only keep numbers inside what the database stores.

Output schemas read the models directly (ninja follows `alias` paths and `resolve_*` methods).
Private data keeps the doors `aid.selectors` gives it: a request's urgency is shown only to
coordinators and to its own household (a volunteer taking a request by phone learns nothing), the
coordinator's routes show cross streets, and a driver sees the address of their own stops through
`selectors.stop_address` (audit-logged, closed two days after delivery).
"""

from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from mutua.aid import reports, selectors, services
from mutua.aid.access import aid_may, aid_require
from mutua.aid.models import (
    AidRequest,
    DeliveryStop,
    HoursLog,
    Item,
    Location,
    Lot,
    RequestStatus,
    Shift,
)
from mutua.api import Day, Instant, error_responses
from mutua.community.models import Household, Member, Organization
from mutua.community.permissions import signed_in
from mutua.community.selectors import member_list
from mutua.core.errors import NotFound, Refused

router = Router(tags=["aid"])
M = TypeVar("M", bound=Model)
UNITS = 10**9  # more units than any pantry holds; keeps numbers inside a 64-bit column
READ_ERRORS = error_responses(401, 403, 404, 422)  # 422: an id or a query that does not parse
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
STOPS = Prefetch("stops", queryset=DeliveryStop.objects.select_related("request", "route"))


def _viewer(context: dict[str, Any]) -> Member:
    """The member a response is rendered for (ninja passes the request in the context)."""
    return signed_in(context["request"])


# --- stock schemas -------------------------------------------------------------------------------


class ItemIn(Schema):
    name: str = Field(max_length=120)
    kind: str = Field(description="food, medicine, hygiene, baby or other")
    category: str = Field("", max_length=40, description="Default: the kind.")
    unit: str = Field("", max_length=40, description="One unit, e.g. '1 kg bag'.")
    allergens: list[str] = Field(default_factory=list, max_length=20)
    diets: list[str] = Field(default_factory=list, max_length=20)
    storage: str = Field("ambient", description="ambient, cold or frozen")
    low_stock: int = Field(0, ge=0, le=UNITS)
    unit_value: int = Field(0, ge=0, le=10**12, description="Local cents per unit.")


class ItemOut(Schema):
    id: UUID
    name: str
    kind: str
    category: str
    unit: str
    allergens: list[str]
    diets: list[str]
    storage: str
    low_stock: int
    unit_value: int


class StockOut(Schema):
    item: UUID = Field(alias="item.id")
    name: str = Field(alias="item.name")
    unit: str = Field(alias="item.unit")
    category: str = Field(alias="item.category")
    on_hand: int = Field(description="Usable units on the shelves: not expired, not packed.")
    held: int = Field(description="Packed for households.")
    expired: int = Field(description="Expired, waiting to be disposed of; never offered.")
    next_expiry: date | None
    low: bool


class LevelOut(Schema):
    lot: UUID = Field(alias="lot_id")
    item: UUID = Field(alias="lot.item_id")
    item_name: str = Field(alias="lot.item.name")
    expires: date | None = Field(alias="lot.expires")
    location: UUID = Field(alias="location_id")
    location_name: str = Field(alias="location.name")
    location_kind: str = Field(alias="location.kind")
    on_hand: int


class LocationIn(Schema):
    name: str = Field(max_length=80)
    kind: str = Field(description="shelf, fridge, freezer or warehouse")


class LocationOut(Schema):
    id: UUID
    name: str
    kind: str
    latitude: float | None
    longitude: float | None


class StockReceiveIn(Schema):
    item: UUID
    quantity: int = Field(le=UNITS)
    location: UUID
    expires: Day | None = None


class LotOut(Schema):
    id: UUID
    item: UUID = Field(alias="item_id")
    expires: date | None
    received_at: datetime


class StockTransferIn(Schema):
    lot: UUID
    source: UUID = Field(description="The location the units leave.")
    target: UUID
    quantity: int = Field(le=UNITS)


class AdjustIn(Schema):
    lot: UUID
    location: UUID
    change: int = Field(ge=-UNITS, le=UNITS, description="Units found (> 0) or lost (< 0).")
    reason: str = Field(description="expired, spoiled, recalled, found, correction or other")
    note: str = Field("", max_length=200)


class MovementOut(Schema):
    id: UUID
    kind: str
    lot: UUID = Field(alias="lot_id")
    quantity: int
    from_location: UUID | None = Field(alias="from_location_id")
    to_location: UUID | None = Field(alias="to_location_id")
    reason: str
    note: str
    created_at: datetime


class DisposedOut(Schema):
    units: int = Field(description="Expired units taken off the shelves.")


class CountIn(Schema):
    location: UUID


class CountLineIn(Schema):
    lot: UUID
    counted: int = Field(ge=-UNITS, le=UNITS)


class CountLineOut(Schema):
    lot: UUID = Field(alias="lot_id")
    counted: int


class CountOut(Schema):
    id: UUID
    location: UUID = Field(alias="location_id")
    status: str
    started_at: datetime
    finalized_at: datetime | None
    lines: list[CountLineOut]


class FinalizedOut(Schema):
    count: CountOut
    movements: list[MovementOut]


# --- intake schemas ------------------------------------------------------------------------------


class DonorIn(Schema):
    donor_name: str = Field(max_length=120, description="Who the goods came from.")
    donor_kind: str = Field("person", description="person, business, coop, garden or other")
    seller: str | None = Field(
        None, description="A purchase: the short name of the organization paid from the aid fund."
    )
    amount: int = Field(0, ge=0, le=10**12, description="A purchase: local cents paid.")
    note: str = Field("", max_length=200)


class IntakeIn(DonorIn):
    lines: list[StockReceiveIn] = Field(max_length=500)


class IntakeImportIn(DonorIn):
    csv: str = Field(
        max_length=1_000_000,
        description="Columns item, quantity, expires, location (by name); a header row first.",
    )


class IntakeOut(Schema):
    id: UUID
    number: int = Field(description="The receipt number.")
    kind: str
    donor_kind: str
    donor_name: str
    amount: int
    transfer_id: UUID | None
    note: str
    received_at: datetime
    lots: list[LotOut]


# --- request schemas -----------------------------------------------------------------------------


class RequestLineIn(Schema):
    item: UUID | None = None
    category: str = Field("", max_length=40)
    quantity: int = Field(ge=-UNITS, le=UNITS)


class AidRequestIn(Schema):
    household: UUID
    lines: list[RequestLineIn] = Field(default_factory=list, max_length=100)
    box: bool = Field(False, description="Add the standard box for the household's size.")
    fulfilment: str = Field("pick_up", description="pick_up or delivery")
    note: str = Field("", max_length=300)


class NoteIn(Schema):
    note: str = Field("", max_length=300)


class RequestLineOut(Schema):
    item: UUID | None = Field(alias="item_id")
    item_name: str | None = Field(None, alias="item.name")
    category: str
    quantity: int


class RequestEventOut(Schema):
    status: str
    note: str
    actor: str | None = Field(None, alias="actor.handle")
    at: datetime


class AidRequestOut(Schema):
    id: UUID
    number: int
    household: UUID = Field(alias="household_id")
    household_name: str = Field(alias="household.name")
    household_size: int
    urgent: bool | None = Field(None, description="Shown to coordinators and the household only.")
    fulfilment: str
    status: str
    note: str
    by_phone: bool
    created_at: datetime
    lines: list[RequestLineOut]

    @staticmethod
    def resolve_urgent(obj: AidRequest, context: dict[str, Any]) -> bool | None:
        viewer = _viewer(context)
        own = viewer.household_id == obj.household_id
        return obj.urgent if own or aid_may(viewer, "aid.request.list", obj) else None


class AidRequestDetailOut(AidRequestOut):
    events: list[RequestEventOut]


# --- run and delivery schemas --------------------------------------------------------------------


class RunIn(Schema):
    pickup: Day
    requests: list[UUID] | None = Field(None, description="Default: every new request.")


class RunOut(Schema):
    id: UUID
    pickup: date
    status: str
    rule_version: str
    created_by: str = Field(alias="created_by.handle")
    created_at: datetime
    decided_at: datetime | None


class RunDetailOut(RunOut):
    inputs: Any = Field(description="The self-contained instance `mutua aid allocate` reads.")
    result: dict[str, Any]


class DriverIn(Schema):
    member: str = Field(description="The driver's handle or id.")
    capacity: int = Field(ge=1, le=1000, description="Boxes the car carries.")
    starts: int = Field(ge=0, le=24 * 60, description="Minutes after midnight.")
    ends: int = Field(ge=0, le=24 * 60)


class RoutesIn(Schema):
    depot: UUID = Field(description="The location routes start and end at.")
    day: Day
    drivers: list[DriverIn] = Field(max_length=200)


class AddressOut(Schema):
    address: str
    latitude: float | None
    longitude: float | None


class StopOut(Schema):
    id: UUID
    request: int = Field(alias="request.number", description="The request's number.")
    position: int
    arrival: int = Field(description="Planned, minutes after midnight.")
    load: int = Field(description="Boxes.")
    cross_streets: str
    delivered_at: datetime | None


class DriverStopOut(StopOut):
    address: AddressOut | None = Field(None, description="Until two days after delivery.")

    @staticmethod
    def resolve_address(obj: DeliveryStop, context: dict[str, Any]) -> Any:
        # The one door to a stop's address: it checks the driver and logs the view.
        return selectors.stop_address(viewer=_viewer(context), stop=obj)


class RouteOut(Schema):
    id: UUID
    day: date
    driver: str = Field(alias="driver.handle")
    capacity: int
    starts: int
    ends: int
    distance_m: int
    stops: list[StopOut]


class DriverRouteOut(RouteOut):
    stops: list[DriverStopOut]  # type: ignore[assignment]


class PlannedOut(Schema):
    routes: list[RouteOut]
    dropped: list[int] = Field(description="Request numbers left for another day.")
    missing_place: list[int] = Field(description="Request numbers whose household has no place.")


# --- volunteer and report schemas ----------------------------------------------------------------


class ShiftIn(Schema):
    kind: str = Field(description="packing, driving or pantry")
    starts_at: Instant
    ends_at: Instant
    places: int = Field(4, ge=-1000, le=1000)


class ShiftOut(Schema):
    id: UUID
    kind: str
    starts_at: datetime
    ends_at: datetime
    places: int
    volunteers: list[str] = Field(description="Handles of those signed up.")
    joined: bool = Field(description="Whether you are signed up.")

    @staticmethod
    def resolve_volunteers(obj: Shift) -> list[str]:
        return [signup.member.handle for signup in obj.signups.all()]

    @staticmethod
    def resolve_joined(obj: Shift, context: dict[str, Any]) -> bool:
        return any(signup.member_id == _viewer(context).pk for signup in obj.signups.all())


class HoursIn(Schema):
    day: Day
    minutes: int = Field(ge=-UNITS, le=UNITS)
    kind: str = Field(description="packing, driving or pantry")
    shift: UUID | None = None
    note: str = Field("", max_length=200)


class HoursOut(Schema):
    id: UUID
    day: date
    minutes: int
    kind: str
    shift: UUID | None = Field(alias="shift_id")
    note: str
    total_minutes: int = Field(0, description="All the minutes you have logged.")

    @staticmethod
    def resolve_total_minutes(obj: HoursLog, context: dict[str, Any]) -> int:
        return selectors.hours_total(viewer=_viewer(context))


class AidReportOut(Schema):
    since: date
    until: date
    households_served: int
    requests_fulfilled: int
    units_distributed: int
    distributed: dict[str, dict[str, int]] = Field(description="Month -> category -> units.")
    stock_value: int = Field(description="Local cents of the usable stock on the shelves.")
    expiry: dict[str, int] = Field(description="Days-to-expiry band -> units on hand.")
    volunteer_minutes: dict[str, int] = Field(description="Shift kind -> minutes.")
    wasted: dict[str, int] = Field(description="Reason -> units.")
    wasted_value: int


# --- finding what a request names ----------------------------------------------------------------


def _found(viewer: Member, model: type[M], wanted: dict[str, UUID]) -> dict[str, M]:
    """Each named id (where in the body -> id) in the viewer's community; 404 naming every unknown
    one, with the code `unknown_<model>`."""
    if not wanted:
        return {}
    rows = model._default_manager.filter(community_id=viewer.tenant_id, pk__in=wanted.values())
    by_id = {row.pk: row for row in rows}
    message = _("No such %(what)s.") % {"what": model._meta.verbose_name}
    missing = {where: [message] for where, pk in wanted.items() if pk not in by_id}
    if missing:
        raise NotFound(message, code=f"unknown_{model._meta.model_name}", fields=missing)
    return {where: by_id[pk] for where, pk in wanted.items()}


def _one(viewer: Member, model: type[M], pk: UUID, where: str) -> M:
    return _found(viewer, model, {where: pk})[where]


def _in_path(viewer: Member, model: type[M], pk: UUID) -> M:
    found = model._default_manager.filter(community_id=viewer.tenant_id, pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _member(viewer: Member, handle_or_id: str, where: str) -> Member:
    members = member_list(viewer=viewer)
    try:
        found = members.filter(pk=UUID(handle_or_id)).first()
    except ValueError:
        found = members.filter(handle__iexact=handle_or_id.strip()).first()
    if found is None:
        message = _("No member has that handle.")
        raise NotFound(message, code="unknown_member", fields={where: [message]})
    return found


def _seller(viewer: Member, slug: str | None) -> Organization | None:
    if not slug:
        return None
    found = Organization.objects.filter(community_id=viewer.tenant_id, slug=slug).first()
    if found is None:
        message = _("No organization has that short name.")
        raise NotFound(message, code="unknown_organization", fields={"seller": [message]})
    return found


# --- stock ---------------------------------------------------------------------------------------


@router.get("/stock", response={200: list[StockOut], **READ_ERRORS})
def stock(request: HttpRequest) -> Any:
    """Every active item: usable, packed and expired units, next expiry, and whether it is low."""
    return selectors.stock_overview(viewer=signed_in(request))


@router.get("/lots", response={200: list[LevelOut], **READ_ERRORS})
def lots(request: HttpRequest, item: UUID | None = None) -> Any:
    """Units of each lot in each place, soonest expiry first (what volunteers pick from)."""
    return selectors.lots_on_hand(viewer=signed_in(request), item_id=item)


@router.post("/stock/receive", response={201: LotOut, **WRITE_ERRORS})
def stock_receive(request: HttpRequest, body: StockReceiveIn) -> Any:
    """Units arriving outside an intake: a new lot in a location."""
    viewer = signed_in(request)
    return 201, services.stock_receive(
        actor=viewer,
        item=_one(viewer, Item, body.item, "item"),
        quantity=body.quantity,
        location=_one(viewer, Location, body.location, "location"),
        expires=body.expires,
    )


@router.post("/stock/transfer", response={201: MovementOut, **WRITE_ERRORS})
def stock_transfer(request: HttpRequest, body: StockTransferIn) -> Any:
    """Move units of a lot between two storage places (coordinators)."""
    viewer = signed_in(request)
    places = _found(viewer, Location, {"source": body.source, "target": body.target})
    return 201, services.stock_transfer(
        actor=viewer,
        lot=_one(viewer, Lot, body.lot, "lot"),
        source=places["source"],
        target=places["target"],
        quantity=body.quantity,
    )


@router.post("/stock/adjust", response={201: MovementOut, **WRITE_ERRORS})
def stock_adjust(request: HttpRequest, body: AdjustIn) -> Any:
    """Units found, or lost, spoiled, expired or recalled, with the reason (coordinators)."""
    viewer = signed_in(request)
    return 201, services.stock_adjust(
        actor=viewer,
        lot=_one(viewer, Lot, body.lot, "lot"),
        location=_one(viewer, Location, body.location, "location"),
        change=body.change,
        reason=body.reason,
        note=body.note,
    )


@router.post("/stock/dispose-expired", response={200: DisposedOut, **WRITE_ERRORS})
def stock_dispose_expired(request: HttpRequest) -> Any:
    """Take every expired lot off the shelves as waste (coordinators)."""
    viewer = signed_in(request)
    return {"units": services.expired_dispose(actor=viewer, community=viewer.tenant)}


@router.get("/items", response={200: list[ItemOut], **READ_ERRORS})
def items(request: HttpRequest) -> Any:
    """The active items: what a household may ask for by id (anyone signed in)."""
    return Item.objects.filter(community_id=signed_in(request).tenant_id, active=True)


@router.post("/items", response={201: ItemOut, **WRITE_ERRORS})
def item_create(request: HttpRequest, body: ItemIn) -> Any:
    """A new item (coordinators)."""
    viewer = signed_in(request)
    return 201, services.item_create(actor=viewer, community=viewer.tenant, **body.dict())


@router.get("/locations", response={200: list[LocationOut], **READ_ERRORS})
def locations(request: HttpRequest) -> Any:
    """The storage places, and the one where packed stock waits (kind `held`)."""
    viewer = signed_in(request)
    aid_require(viewer, "aid.stock.view", viewer.tenant)
    return Location.objects.filter(community_id=viewer.tenant_id)


@router.post("/locations", response={201: LocationOut, **WRITE_ERRORS})
def location_create(request: HttpRequest, body: LocationIn) -> Any:
    """A new storage place (coordinators)."""
    viewer = signed_in(request)
    return 201, services.location_create(
        actor=viewer, community=viewer.tenant, name=body.name, kind=body.kind
    )


@router.post("/counts", response={201: CountOut, **WRITE_ERRORS})
def count_start(request: HttpRequest, body: CountIn) -> Any:
    """Start a physical count of a location (volunteers, coordinators)."""
    viewer = signed_in(request)
    location = _one(viewer, Location, body.location, "location")
    return 201, services.count_start(actor=viewer, location=location)


@router.post("/counts/{count_id}/lines", response={200: CountOut, **WRITE_ERRORS})
def count_record(request: HttpRequest, count_id: UUID, body: CountLineIn) -> Any:
    """What was found of one lot (entered again, the last entry counts)."""
    viewer = signed_in(request)
    count = selectors.count_get(viewer=viewer, count_id=count_id)
    lot = _one(viewer, Lot, body.lot, "lot")
    services.count_record(actor=viewer, count=count, lot=lot, counted=body.counted)
    return count


@router.post("/counts/{count_id}/finalize", response={200: FinalizedOut, **WRITE_ERRORS})
def count_finalize(request: HttpRequest, count_id: UUID) -> Any:
    """Accept the count: each difference becomes a movement (coordinators)."""
    viewer = signed_in(request)
    count = selectors.count_get(viewer=viewer, count_id=count_id)
    movements = services.count_finalize(actor=viewer, count=count)
    count.refresh_from_db()
    return {"count": count, "movements": movements}


# --- intake --------------------------------------------------------------------------------------


def _intake(viewer: Member, body: DonorIn, lines: list[services.IntakeLine]) -> Any:
    donor = services.Donor(
        name=body.donor_name,
        kind=body.donor_kind,
        seller=_seller(viewer, body.seller),
        amount=body.amount,
    )
    intake = services.intake_record(
        actor=viewer, community=viewer.tenant, donor=donor, lines=lines, note=body.note
    )
    return 201, intake


@router.post("/intakes", response={201: IntakeOut, **WRITE_ERRORS})
def intake_record(request: HttpRequest, body: IntakeIn) -> Any:
    """A donation, or with `seller` and `amount` a purchase paid from the aid fund."""
    viewer = signed_in(request)
    numbered = list(enumerate(body.lines))
    items = _found(viewer, Item, {f"lines.{i}.item": line.item for i, line in numbered})
    places = _found(
        viewer, Location, {f"lines.{i}.location": line.location for i, line in numbered}
    )
    lines = [
        services.IntakeLine(
            item=items[f"lines.{i}.item"],
            quantity=line.quantity,
            location=places[f"lines.{i}.location"],
            expires=line.expires,
        )
        for i, line in numbered
    ]
    return _intake(viewer, body, lines)


@router.post("/intakes/import", response={201: IntakeOut, **WRITE_ERRORS})
def intake_import(request: HttpRequest, body: IntakeImportIn) -> Any:
    """An intake list as CSV text; every bad row is listed in `fields.file`, nothing received."""
    viewer = signed_in(request)
    # The parser reads the item list without asking who reads it: ask first.
    aid_require(viewer, "aid.purchase" if body.seller else "aid.stock.receive", viewer.tenant)
    lines = services.intake_lines_from_csv(community=viewer.tenant, text=body.csv)
    return _intake(viewer, body, lines)


# --- requests ------------------------------------------------------------------------------------


@router.post("/requests", response={201: AidRequestOut, **WRITE_ERRORS})
def request_create(request: HttpRequest, body: AidRequestIn) -> Any:
    """A household asks (itself, or a volunteer for it): lines by item id or category, and/or the
    standard box."""
    viewer = signed_in(request)
    household = _in_path(viewer, Household, body.household)
    numbered = list(enumerate(body.lines))
    items = _found(viewer, Item, {f"lines.{i}.item": ln.item for i, ln in numbered if ln.item})
    wishes = [
        services.LineWish(
            quantity=ln.quantity, item=items.get(f"lines.{i}.item"), category=ln.category
        )
        for i, ln in numbered
    ]
    return 201, services.request_create(
        actor=viewer,
        household=household,
        lines=wishes,
        box=body.box,
        fulfilment=body.fulfilment,
        note=body.note,
    )


@router.get("/requests", response={200: list[AidRequestOut], **READ_ERRORS})
def requests(request: HttpRequest, status: RequestStatus | None = None) -> Any:
    """Every request, newest first, optionally of one status (coordinators)."""
    # The selector counts lines, and an aggregating query drops the model's default ordering.
    return selectors.request_list(viewer=signed_in(request), status=status).order_by("-created_at")


@router.get("/requests/mine", response={200: list[AidRequestOut], **READ_ERRORS})
def requests_mine(request: HttpRequest) -> Any:
    """Your household's requests, newest first."""
    return selectors.my_requests(viewer=signed_in(request))


@router.get("/requests/{request_id}", response={200: AidRequestDetailOut, **READ_ERRORS})
def request_get(request: HttpRequest, request_id: UUID) -> Any:
    """One request with its history (its own household, or coordinators)."""
    return selectors.request_get(viewer=signed_in(request), request_id=request_id)


@router.post("/requests/{request_id}/cancel", response={200: AidRequestDetailOut, **WRITE_ERRORS})
def request_cancel(request: HttpRequest, request_id: UUID, body: NoteIn) -> Any:
    """Withdraw a new request (its household, or coordinators)."""
    viewer = signed_in(request)
    found = selectors.request_get(viewer=viewer, request_id=request_id)
    return services.request_cancel(actor=viewer, request=found, note=body.note)


@router.post("/requests/{request_id}/pickup", response={200: AidRequestDetailOut, **WRITE_ERRORS})
def request_pickup(request: HttpRequest, request_id: UUID) -> Any:
    """Hand out at the pantry what was packed for a request (volunteers, coordinators)."""
    viewer = signed_in(request)
    found = _in_path(viewer, AidRequest, request_id)
    return services.request_pickup(actor=viewer, request=found)


@router.post("/requests/{request_id}/release", response={200: AidRequestDetailOut, **WRITE_ERRORS})
def request_release(request: HttpRequest, request_id: UUID, body: NoteIn) -> Any:
    """Return what was packed to its shelves; the request is new again (coordinators)."""
    viewer = signed_in(request)
    found = selectors.request_get(viewer=viewer, request_id=request_id)
    return services.request_release(actor=viewer, request=found, note=body.note)


# --- allocation runs -----------------------------------------------------------------------------


@router.post("/runs", response={201: RunDetailOut, **WRITE_ERRORS})
def run_preview(request: HttpRequest, body: RunIn) -> Any:
    """Allocate the stock among the new requests (or those named): a preview (coordinators)."""
    viewer = signed_in(request)
    return 201, services.run_preview(
        actor=viewer, community=viewer.tenant, pickup=body.pickup, request_ids=body.requests
    )


@router.get("/runs", response={200: list[RunOut], **READ_ERRORS})
def runs(request: HttpRequest) -> Any:
    """Allocation runs, newest first (coordinators)."""
    return selectors.run_list(viewer=signed_in(request))


@router.get("/runs/{run_id}", response={200: RunDetailOut, **READ_ERRORS})
def run_get(request: HttpRequest, run_id: UUID) -> Any:
    """A run with its inputs, result and rule version (coordinators)."""
    return selectors.run_get(viewer=signed_in(request), run_id=run_id)


@router.post("/runs/{run_id}/commit", response={200: RunDetailOut, **WRITE_ERRORS})
def run_commit(request: HttpRequest, run_id: UUID) -> Any:
    """Pack what the preview decided: the picks move to the held location (coordinators)."""
    viewer = signed_in(request)
    return services.run_commit(actor=viewer, run=selectors.run_get(viewer=viewer, run_id=run_id))


@router.post("/runs/{run_id}/discard", response={200: RunDetailOut, **WRITE_ERRORS})
def run_discard(request: HttpRequest, run_id: UUID) -> Any:
    """Drop a preview (coordinators)."""
    viewer = signed_in(request)
    return services.run_discard(actor=viewer, run=selectors.run_get(viewer=viewer, run_id=run_id))


# --- deliveries ----------------------------------------------------------------------------------


@router.post("/routes", response={201: PlannedOut, **WRITE_ERRORS})
def routes_plan(request: HttpRequest, body: RoutesIn) -> Any:
    """Plan the day's routes for the packed delivery requests, one per driver (coordinators)."""
    viewer = signed_in(request)
    drivers = [
        services.DriverShift(
            driver=_member(viewer, d.member, f"drivers.{i}.member"),
            capacity=d.capacity,
            starts=d.starts,
            ends=d.ends,
        )
        for i, d in enumerate(body.drivers)
    ]
    depot = _one(viewer, Location, body.depot, "depot")
    return 201, services.routes_plan(actor=viewer, depot=depot, day=body.day, drivers=drivers)


@router.get("/routes", response={200: list[RouteOut], **READ_ERRORS})
def routes(request: HttpRequest) -> Any:
    """Every route; stops show cross streets, never addresses (coordinators)."""
    return selectors.route_list(viewer=signed_in(request)).prefetch_related(STOPS)


@router.get("/routes/mine", response={200: list[DriverRouteOut], **READ_ERRORS})
def routes_mine(request: HttpRequest) -> Any:
    """Your own routes; each stop with its address until two days after delivery (each view of
    an address is audit-logged)."""
    return selectors.routes_of_driver(viewer=signed_in(request)).select_related("driver")


@router.post("/stops/{stop_id}/delivered", response={200: StopOut, **WRITE_ERRORS})
def stop_deliver(request: HttpRequest, stop_id: UUID) -> Any:
    """Mark one of your stops delivered: what was packed for it is handed out."""
    return services.stop_deliver(actor=signed_in(request), stop_id=stop_id)


# --- volunteers ----------------------------------------------------------------------------------


def _shift(shift: Shift) -> Shift:
    """The shift again, with who signed up."""
    return Shift.objects.prefetch_related("signups__member").get(pk=shift.pk)


@router.get("/shifts", response={200: list[ShiftOut], **READ_ERRORS})
def shifts(request: HttpRequest) -> Any:
    """Shifts that have not ended, with who signed up (volunteers, coordinators)."""
    return selectors.shifts_upcoming(viewer=signed_in(request))


@router.post("/shifts", response={201: ShiftOut, **WRITE_ERRORS})
def shift_create(request: HttpRequest, body: ShiftIn) -> Any:
    """A new shift (coordinators)."""
    viewer = signed_in(request)
    return 201, _shift(services.shift_create(actor=viewer, community=viewer.tenant, **body.dict()))


@router.post("/shifts/{shift_id}/join", response={200: ShiftOut, **WRITE_ERRORS})
def shift_join(request: HttpRequest, shift_id: UUID) -> Any:
    """Sign up for a shift (volunteers, coordinators)."""
    viewer = signed_in(request)
    shift = _in_path(viewer, Shift, shift_id)
    services.shift_join(actor=viewer, shift=shift)
    return _shift(shift)


@router.post("/shifts/{shift_id}/leave", response={200: ShiftOut, **WRITE_ERRORS})
def shift_leave(request: HttpRequest, shift_id: UUID) -> Any:
    """Take your name off a shift."""
    viewer = signed_in(request)
    shift = _in_path(viewer, Shift, shift_id)
    services.shift_leave(actor=viewer, shift=shift)
    return _shift(shift)


@router.post("/hours", response={201: HoursOut, **WRITE_ERRORS})
def hours_log(request: HttpRequest, body: HoursIn) -> Any:
    """Log time you gave (today or earlier, at most a day at a time)."""
    viewer = signed_in(request)
    shift = _one(viewer, Shift, body.shift, "shift") if body.shift else None
    return 201, services.hours_log(
        actor=viewer,
        day=body.day,
        minutes=body.minutes,
        kind=body.kind,
        shift=shift,
        note=body.note,
    )


# --- report --------------------------------------------------------------------------------------


@router.get("/report", response={200: AidReportOut, **error_responses(401, 403, 422)})
def report(request: HttpRequest, since: Day | None = None, until: Day | None = None) -> Any:
    """The aid group's figures for `since`..`until`, both included (default: the last 30 days);
    stock figures are as of today."""
    viewer = signed_in(request)
    until = until or timezone.localdate()
    since = since or until - timedelta(days=29)
    if since > until:
        raise Refused(_("The window starts after it ends."), code="invalid_window")
    return reports.aid_report(viewer=viewer, since=since, until=until)
