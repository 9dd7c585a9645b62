"""Writing distribution: allocation runs (preview, commit, discard), pick-up at the pantry, delivery
routes and their stops, and returning packed stock.

A **preview** reads the new requests, the stock on the shelves and the households' private
allergens and diets (one audit entry names the households read), builds the self-contained
instance that `mutua aid allocate --from` reads, runs the allocator, and stores inputs, result and
rule version. **Committing** moves every pick from its shelf into the held location, tagged with
its request; if the stock changed since the preview so that a pick no longer fits, the whole
commit rolls back and asks for a new preview. A request that nothing could serve stays new.

Packed stock leaves the held location by **distribution** (picked up, or delivered by the driver
of its stop) or goes back to the shelf it came from by **release**. What a request holds is always
computed from its movements, so a request can be packed, returned and packed again.
"""

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid import allocation, allocation_format, routing
from mutua.aid.access import aid_may, aid_require
from mutua.aid.models import (
    AidRequest,
    AllocationRun,
    DeliveryRoute,
    DeliveryStop,
    Fulfilment,
    Item,
    Location,
    LocationKind,
    Lot,
    MovementKind,
    Pick,
    RequestLine,
    RequestStatus,
    RunStatus,
    StockLevel,
    StockMovement,
)
from mutua.aid.services.requests import request_move
from mutua.aid.services.stock import held_location, movement_write
from mutua.community.models import Community, HouseholdNeeds, Member
from mutua.core.errors import MutuaError, NotFound, Refused, Unavailable
from mutua.core.services import audit_record

logger = logging.getLogger(__name__)

# One delivery box holds about this many units; a stop's load is its number of boxes.
UNITS_PER_BOX = 15
# The most a coordinator waits for routes (the solver usually stops well before).
ROUTING_SECONDS = 10.0


# --- allocation runs -----------------------------------------------------------------------------


def _lot_key(level: StockLevel) -> str:
    return f"{level.lot_id}@{level.location_id}"


def _problem(
    community: Community, pickup: date, requests: list[AidRequest]
) -> tuple[allocation.Problem, list[UUID]]:
    """The instance for the allocator, and the households whose private needs it read."""
    levels = list(
        StockLevel.objects.filter(community=community, on_hand__gt=0)
        .exclude(location__kind=LocationKind.HELD)
        .select_related("lot")
        .order_by("lot__expires", "lot_id", "location_id")
    )
    lines = RequestLine.objects.filter(request__in=requests).order_by("request_id", "id")
    by_request: dict[UUID, list[RequestLine]] = defaultdict(list)
    for line in lines:
        by_request[line.request_id].append(line)
    households = sorted({r.household_id for r in requests})
    needs = {n.household_id: n for n in HouseholdNeeds.objects.filter(household_id__in=households)}
    items = Item.objects.filter(community=community)
    problem = allocation.Problem(
        pickup=pickup,
        items=tuple(
            allocation.Item(
                id=str(i.id),
                name=i.name,
                category=i.category,
                food=i.kind == "food",
                allergens=frozenset(i.allergens),
                diets=frozenset(i.diets),
            )
            for i in items
        ),
        lots=tuple(
            allocation.Lot(
                id=_lot_key(level),
                item=str(level.lot.item_id),
                quantity=level.on_hand,
                expires=level.lot.expires,
            )
            for level in levels
        ),
        requests=tuple(_request(r, by_request[r.id], needs.get(r.household_id)) for r in requests),
    )
    return problem, households


def _request(
    request: AidRequest, lines: list[RequestLine], needs: HouseholdNeeds | None
) -> allocation.Request:
    return allocation.Request(
        id=str(request.id),
        urgent=request.urgent,
        lines=tuple(
            allocation.Line(
                id=line_label(request, position),
                quantity=line.quantity,
                item=str(line.item_id) if line.item_id else None,
                category=line.category or None,
            )
            for position, line in enumerate(lines, start=1)
        ),
        allergens=frozenset(needs.allergens if needs else ()),
        diets=frozenset(needs.diets if needs else ()),
        household_size=request.household_size,
    )


def line_label(request: AidRequest, position: int) -> str:
    """How a run names a request's line: "#12.2" is the second line of request 12 (lines in id
    order, which never changes), so a coordinator can read the explanations."""
    return f"#{request.number}.{position}"


def _lines_by_label(requests: Iterable[AidRequest]) -> dict[str, UUID]:
    lines = RequestLine.objects.filter(request__in=list(requests)).order_by("request_id", "id")
    numbers = {r.id: r.number for r in requests}
    labels: dict[str, UUID] = {}
    seen: dict[UUID, int] = defaultdict(int)
    for line in lines:
        seen[line.request_id] += 1
        labels[f"#{numbers[line.request_id]}.{seen[line.request_id]}"] = line.id
    return labels


@transaction.atomic
def run_preview(
    *,
    actor: Member,
    community: Community,
    pickup: date,
    request_ids: list[UUID] | None = None,
    now: datetime | None = None,
) -> AllocationRun:
    """Allocate the stock on the shelves among the new requests (or those named), as a preview."""
    aid_require(actor, "aid.allocate", community)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if pickup < today:
        raise MutuaError(
            _("The pick-up date cannot be in the past."),
            code="invalid_pickup",
            fields={"pickup": [_("The pick-up date cannot be in the past.")]},
        )
    requests = AidRequest.objects.filter(community=community, status=RequestStatus.NEW)
    if request_ids is not None:
        requests = requests.filter(id__in=request_ids)
    chosen = list(requests.order_by("number"))
    if not chosen:
        raise Refused(_("There are no new requests to allocate."), code="nothing_to_allocate")
    problem, households = _problem(community, pickup, chosen)
    try:
        result = allocation.allocate(problem)
    except allocation.SolverFailure as failure:
        logger.error("aid: allocation run for %s failed: %s", community.pk, failure)
        raise Unavailable(
            _(
                "The allocator could not finish this run, and nothing was stored. The fault is "
                "the solver's, not your requests' or stock's: please tell whoever runs Mutua for "
                "your group; the server's log has the details."
            ),
            code="allocation_failed",
        ) from failure
    run = AllocationRun.objects.create(
        community=community,
        pickup=pickup,
        rule_version=result.rule_version,
        inputs=allocation_format.problem_to_json(problem),
        result=allocation_format.allocation_to_json(result),
        created_by=actor,
        created_at=now,
    )
    # One entry per run: the allocation read these households' allergens and diets.
    audit_record(
        action="aid.run.needs_read",
        actor=actor,
        obj=run,
        data={"households": [str(h) for h in households]},
    )
    return run


def run_picks(run: AllocationRun) -> list[tuple[str, str, str, int]]:
    """(request id, line id, lot key, quantity) for every pick in the run's stored result."""
    return [
        (str(entry["request"]), str(pick["line"]), str(pick["lot"]), int(pick["quantity"]))
        for entry in run.result["requests"]
        for pick in entry["picks"]
    ]


def _locked_run(run: AllocationRun) -> AllocationRun:
    locked = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.PREVIEW:
        raise Refused(
            _("This run is already %(status)s.")
            % {"status": RunStatus(locked.status).label.lower()},
            code="run_decided",
        )
    return locked


@transaction.atomic
def run_commit(*, actor: Member, run: AllocationRun, now: datetime | None = None) -> AllocationRun:
    """Pack what the preview decided: every pick moves from its shelf to the held location."""
    aid_require(actor, "aid.allocate", run)
    now = now or timezone.now()
    locked = _locked_run(run)
    picks = run_picks(locked)
    request_ids = sorted({UUID(r) for r, *_rest in picks})
    requests = {
        r.id: r
        for r in AidRequest.objects.select_for_update().filter(id__in=request_ids).order_by("id")
    }
    changed = [r.number for r in requests.values() if r.status != RequestStatus.NEW]
    if changed or len(requests) != len(request_ids):
        raise Refused(
            _("Requests changed since the preview (%(numbers)s): preview again.")
            % {"numbers": ", ".join(f"#{n}" for n in sorted(changed)) or "?"},
            code="run_stale",
        )
    held = held_location(locked.community)
    lots = _lots_and_places(picks)
    lines = _lines_by_label(requests.values())
    for request_id, label, key, quantity in picks:
        lot, place = lots[key]
        try:
            movement_write(
                actor=actor,
                kind=MovementKind.ALLOCATE,
                lot=lot,
                quantity=quantity,
                source=place,
                target=held,
                request=requests[UUID(request_id)],
                now=now,
            )
        except Refused as error:
            raise Refused(
                _("The stock changed since the preview (%(why)s): preview again.")
                % {"why": error.message},
                code="run_stale",
            ) from error
        Pick.objects.create(
            run=locked,
            request=requests[UUID(request_id)],
            line_id=lines[label],
            lot=lot,
            location=place,
            quantity=quantity,
        )
    for request in requests.values():
        request_move(request=request, status=RequestStatus.ALLOCATED, actor=actor, now=now)
    locked.status, locked.decided_at = RunStatus.COMMITTED, now
    locked.save(update_fields=["status", "decided_at"])
    audit_record(action="aid.run.committed", actor=actor, obj=locked, data={"picks": len(picks)})
    return locked


def _lots_and_places(picks: list[tuple[str, str, str, int]]) -> dict[str, tuple[Lot, Location]]:
    keys = {key for *_rest, key, _q in picks}
    lot_ids = {UUID(key.split("@")[0]) for key in keys}
    place_ids = {UUID(key.split("@")[1]) for key in keys}
    lots = {lot.id: lot for lot in Lot.objects.filter(id__in=lot_ids).select_related("item")}
    places = {p.id: p for p in Location.objects.filter(id__in=place_ids)}
    found = {}
    for key in keys:
        lot_id, place_id = (UUID(part) for part in key.split("@"))
        if lot_id not in lots or place_id not in places:
            raise Refused(
                _("The stock changed since the preview: preview again."), code="run_stale"
            )
        found[key] = (lots[lot_id], places[place_id])
    return found


@transaction.atomic
def run_discard(*, actor: Member, run: AllocationRun) -> AllocationRun:
    aid_require(actor, "aid.allocate", run)
    locked = _locked_run(run)
    locked.status, locked.decided_at = RunStatus.DISCARDED, timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    return locked


# --- what a request holds, pick-up, release ------------------------------------------------------


def request_held(request: AidRequest) -> dict[UUID, tuple[int, dict[UUID, int]]]:
    """Lot id -> (units packed for the request and still held, {shelf they came from: units not
    yet returned there}). Counted from the request's movements, so it is always current."""
    held: dict[UUID, int] = defaultdict(int)
    origins: dict[UUID, dict[UUID, int]] = defaultdict(lambda: defaultdict(int))
    moved = (
        StockMovement.objects.filter(request=request)
        .values("lot_id", "kind", "from_location_id", "to_location_id")
        .annotate(units=Sum("quantity"))
    )
    for row in moved:
        units, lot = int(row["units"]), row["lot_id"]
        if row["kind"] == MovementKind.ALLOCATE:
            held[lot] += units
            origins[lot][row["from_location_id"]] += units
        else:
            held[lot] -= units
            if row["kind"] == MovementKind.RELEASE:
                origins[lot][row["to_location_id"]] -= units
    return {lot: (units, dict(origins[lot])) for lot, units in held.items() if units > 0}


def _hand_out(actor: Member, request: AidRequest, note: str, now: datetime | None = None) -> int:
    held = held_location(request.community)
    packed = request_held(request)
    lots = Lot.objects.in_bulk(list(packed))
    units = 0
    for lot_id, (quantity, _origins) in sorted(packed.items()):
        movement_write(
            actor=actor,
            kind=MovementKind.DISTRIBUTE,
            lot=lots[lot_id],
            quantity=quantity,
            source=held,
            request=request,
            note=note,
            now=now,
        )
        units += quantity
    return units


def _locked_request(request: AidRequest) -> AidRequest:
    return AidRequest.objects.select_for_update().select_related("community").get(pk=request.pk)


@transaction.atomic
def request_pickup(
    *, actor: Member, request: AidRequest, now: datetime | None = None
) -> AidRequest:
    """Check off a pick-up at the pantry: what was packed is handed out."""
    aid_require(actor, "aid.pickup", request)
    locked = _locked_request(request)
    if locked.status != RequestStatus.ALLOCATED:
        raise Refused(
            _("Request %(n)s has nothing packed to hand out.") % {"n": locked.number},
            code="invalid_status",
        )
    _hand_out(actor, locked, _("picked up"), now)
    return request_move(request=locked, status=RequestStatus.FULFILLED, actor=actor, now=now)


@transaction.atomic
def request_release(*, actor: Member, request: AidRequest, note: str = "") -> AidRequest:
    """Return what was packed for a request to its shelves; the request is new again."""
    aid_require(actor, "aid.allocate", request)
    locked = _locked_request(request)
    if locked.status != RequestStatus.ALLOCATED:
        raise Refused(
            _("Only a packed request that is not out for delivery can be returned."),
            code="invalid_status",
        )
    held = held_location(locked.community)
    packed = request_held(locked)
    places = Location.objects.in_bulk([p for _q, origins in packed.values() for p in origins])
    lots = Lot.objects.in_bulk(list(packed))
    for lot_id, (quantity, origins) in sorted(packed.items()):
        # Each unit goes back to a shelf it came from (a lot packed from two shelves is split).
        for place_id, units in sorted(origins.items(), key=lambda o: str(o[0])):
            back = min(units, quantity)
            if back > 0:
                movement_write(
                    actor=actor,
                    kind=MovementKind.RELEASE,
                    lot=lots[lot_id],
                    quantity=back,
                    source=held,
                    target=places[place_id],
                    request=locked,
                    note=note,
                )
                quantity -= back
    return request_move(request=locked, status=RequestStatus.NEW, actor=actor, note=note)


# --- delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriverShift:
    driver: Member
    capacity: int  # boxes
    starts: int  # minutes after midnight
    ends: int


def _stops_for(requests: list[AidRequest]) -> tuple[list[routing.Stop], list[int], dict[str, str]]:
    """Routing stops for the packed delivery requests that have coordinates; the numbers of those
    that have none; and each stop's cross streets."""
    needs = {
        n.household_id: n
        for n in HouseholdNeeds.objects.filter(household_id__in=[r.household_id for r in requests])
    }
    stops, missing, streets = [], [], {}
    for request in requests:
        found = needs.get(request.household_id)
        if found is None or found.latitude is None or found.longitude is None:
            missing.append(request.number)
            continue
        units = sum(q for q, _origins in request_held(request).values())
        stops.append(
            routing.Stop(
                id=str(request.id),
                place=routing.Place(found.latitude, found.longitude),
                load=max(1, math.ceil(units / UNITS_PER_BOX)),
                urgent=request.urgent,
            )
        )
        streets[str(request.id)] = found.cross_streets
    return stops, missing, streets


@dataclass(frozen=True)
class Planned:
    routes: list[DeliveryRoute]
    dropped: list[int]  # request numbers left for another day
    missing_place: list[int]  # request numbers whose household has no coordinates


@transaction.atomic
def routes_plan(
    *, actor: Member, depot: Location, day: date, drivers: list[DriverShift]
) -> Planned:
    """Plan the day's routes for the packed delivery requests, one per driver."""
    aid_require(actor, "aid.route.plan", depot)
    if depot.latitude is None or depot.longitude is None:
        raise Refused(
            _("Give %(place)s its coordinates first: routes start there.") % {"place": depot.name},
            code="no_depot",
        )
    if not drivers:
        raise MutuaError(_("Add at least one driver."), code="no_drivers")
    not_drivers = [
        d.driver.handle
        for d in drivers
        if d.driver.community_id != depot.community_id or not aid_may(d.driver, "aid.route.drive")
    ]
    if not_drivers:
        message = _("Only volunteers of the aid group drive: %(handles)s.") % {
            "handles": ", ".join(not_drivers)
        }
        raise MutuaError(message, code="not_a_driver", fields={"drivers": [message]})
    requests = list(
        AidRequest.objects.select_for_update()
        .filter(
            community_id=depot.community_id,
            status=RequestStatus.ALLOCATED,
            fulfilment=Fulfilment.DELIVERY,
        )
        .order_by("number")
    )
    stops, missing, streets = _stops_for(requests)
    audit_record(
        action="aid.route.places_read",
        actor=actor,
        obj=depot,
        data={"households": sorted(str(r.household_id) for r in requests)},
    )
    if not stops:
        raise Refused(_("No packed delivery requests with coordinates."), code="nothing_to_route")
    plan = _plan(depot, stops, drivers)
    by_id = {str(r.id): r for r in requests}
    loads = {s.id: s.load for s in stops}
    routes = [
        _route_save(actor, depot, day, driver, route, by_id, loads, streets)
        for driver, route in zip(drivers, plan.routes, strict=True)
        if route.stops
    ]
    return Planned(
        routes=routes,
        dropped=sorted(by_id[s].number for s in plan.dropped),
        missing_place=missing,
    )


def _plan(depot: Location, stops: list[routing.Stop], drivers: list[DriverShift]) -> Any:
    try:
        return routing.plan_routes(
            depot=routing.Place(depot.latitude or 0.0, depot.longitude or 0.0),
            stops=stops,
            drivers=[
                routing.Driver(id=str(i), capacity=d.capacity, window=(d.starts, d.ends))
                for i, d in enumerate(drivers)
            ],
            # The request rows stay locked while the solver works: keep the wait short.
            time_limit_s=ROUTING_SECONDS,
        )
    except routing.RoutingInputError as error:
        raise MutuaError(
            "; ".join(error.problems), code="invalid_routes", fields={"drivers": error.problems}
        ) from error


def _route_save(
    actor: Member,
    depot: Location,
    day: date,
    driver: DriverShift,
    route: Any,
    requests: dict[str, AidRequest],
    loads: dict[str, int],
    streets: dict[str, str],
) -> DeliveryRoute:
    saved = DeliveryRoute.objects.create(
        community_id=depot.community_id,
        day=day,
        driver=driver.driver,
        capacity=driver.capacity,
        starts=driver.starts,
        ends=driver.ends,
        distance_m=route.distance_m,
    )
    for position, (stop_id, arrival) in enumerate(zip(route.stops, route.arrivals, strict=True)):
        request = requests[stop_id]
        DeliveryStop.objects.create(
            route=saved,
            request=request,
            position=position + 1,
            arrival=arrival,
            load=loads[stop_id],
            cross_streets=streets.get(stop_id, ""),
        )
        request_move(request=request, status=RequestStatus.OUT_FOR_DELIVERY, actor=actor)
    audit_record(
        action="aid.route.planned", actor=actor, obj=saved, data={"stops": len(route.stops)}
    )
    return saved


def stop_for_driver(*, actor: Member, stop_id: UUID | str) -> DeliveryStop:
    """A stop of the actor's own route; any other stop does not exist for them."""
    aid_require(actor, "aid.route.drive", actor.community)
    stop = (
        DeliveryStop.objects.select_related("route", "request")
        .filter(Q(route__driver=actor), route__community_id=actor.tenant_id, id=stop_id)
        .first()
    )
    if stop is None:
        raise NotFound(_("Not found."))
    return stop


@transaction.atomic
def stop_deliver(*, actor: Member, stop_id: UUID | str) -> DeliveryStop:
    """The driver marks a stop delivered: what was packed for it is handed out."""
    stop = stop_for_driver(actor=actor, stop_id=stop_id)
    locked = _locked_request(stop.request)
    if stop.delivered_at is not None or locked.status != RequestStatus.OUT_FOR_DELIVERY:
        raise Refused(_("This stop is already delivered."), code="already_delivered")
    _hand_out(actor, locked, _("delivered"))
    request_move(request=locked, status=RequestStatus.FULFILLED, actor=actor)
    stop.delivered_at = timezone.now()
    stop.save(update_fields=["delivered_at"])
    return stop


# --- forgetting (the privacy app's retention) ----------------------------------------------------


@transaction.atomic
def stop_addresses_forget(*, stop_ids: list[UUID], dry_run: bool = False) -> int:
    """Blank the cross streets copied onto these delivery stops; how many still had them. The stop
    stays (the route's history and the driver's hours); only where it was goes."""
    placed = DeliveryStop.objects.filter(pk__in=stop_ids).exclude(cross_streets="")
    return placed.count() if dry_run else placed.update(cross_streets="")
