"""Delivery routes for volunteer drivers: which households each driver visits, in which order, and
when. Pure Python over OR-Tools' vehicle router; no Django, no network.

The model:
- Every route starts and ends at the depot (the pantry). A driver's availability `window` covers the
  whole trip: leave at or after its start, be back by its end. A driver carries at most `capacity`
  load units (boxes) in all: there is one trip per driver, no reloading.
- Distance is the great circle (haversine, `distance_m`) between the coordinates the coordinator
  entered: no road network, no geocoding. Driving time is that distance at `speed_kmh`, rounded up
  to the whole minute, so a plan never promises an arrival earlier than the model allows. Every stop
  takes `service_minutes` at the door; the depot takes none.
- Times are whole minutes from the start of the delivery day. A stop's arrival is when its service
  starts: a driver who comes before the stop's window opens waits for it.
- When capacity or time run out, stops are dropped, in this order of concern (lexicographic, by
  OR-Tools disjunction penalties, `_drop_penalties`): serve as many urgent stops as possible, then
  as many stops as possible (households, whatever their load), then drive as little as possible.
  Dropping a normal stop costs more than any set of routes can; dropping an urgent one costs more
  than dropping every normal stop. So distance never causes a drop.

The search (`plan_routes`): PATH_CHEAPEST_ARC builds a first plan (OR-Tools' own pick for such a
model; over eight benchmark instances it dropped the fewest stops, by under 1%:
`docs/aid-routing.md`) and guided local search improves it. Local search is a heuristic: a plan
that reshuffles several stops might serve more. What its moves (inserting, swapping single stops)
leave behind, and the property tests check: no dropped stop fits into the plan as it stands, and
no dropped urgent stop could take a served normal stop's place.

The search ends after `SOLUTION_LIMIT` solutions or `BRANCH_LIMIT` branches: counts, not durations,
so the same input gives the same plan on any machine, however busy (a coordinator who plans twice
sees the same routes). `time_limit_s` is a cap for large inputs on slow machines; only when it cuts
the search short may two runs differ. `plan_nearest_neighbour` is the baseline the benchmark
(`bench/aid_routing.py`) compares with.

Invariants of every `Plan` (both planners; `plan_problems` checks them):
- `routes` holds every driver once, in the input order; each stop is in at most one route, and
  routed stops plus `dropped` (input order) are exactly the input stops.
- A route's load is the sum of its stops' loads and never exceeds its driver's capacity.
- Each arrival lies in its stop's window and in the driver's window; consecutive arrivals are at
  least service plus driving time apart; the driver is back at the depot by the window's end.
- `distance_m` of a route is the sum of its legs, depot to depot; `total_distance_m` their sum.

Errors: `RoutingInputError(ValueError)`, raised before any planning, lists every problem of the
input in `problems` (beancount's validators), not only the first; `input_problems` returns them.
"""

import math
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

EARTH_RADIUS_M = 6_371_008.8  # the IUGG mean radius
# Guided local search never stops on its own. On the 200-stop benchmark, solutions come by the
# hundred in the first second, then a few a second; 500 take 2 to 18 seconds on a quiet 2-core
# machine, and the last improvements come between the 450th and the 500th.
SOLUTION_LIMIT = 500
# With only a handful of plans to try, it turns without finding any, a million branches a second
# for nothing; a productive search takes about six branches a solution (about 3,100 for the
# benchmark's 500). This limit ends such a stall within a tenth of a second, as deterministically.
BRANCH_LIMIT = 100_000
DEFAULT_TIME_LIMIT_S = 20.0
# Disjunction penalties grow with the cube of the number of stops (`_drop_penalties`); these bounds
# keep the solver's objective, a 64-bit integer, far from overflowing anywhere on Earth.
MAX_STOPS = 2_000
MAX_DRIVERS = 200
DEPOT = 0  # node 0 is the depot, node i is stops[i - 1]

__all__ = [
    "Driver",
    "Place",
    "Plan",
    "Route",
    "RoutingInputError",
    "Stop",
    "distance_m",
    "driving_minutes",
    "input_problems",
    "plan_nearest_neighbour",
    "plan_problems",
    "plan_routes",
]


class Place(NamedTuple):
    """A point on the map, in decimal degrees."""

    lat: float
    lon: float


class Stop(NamedTuple):
    """A household to deliver to. `window` is (earliest, latest) arrival in minutes of the day."""

    id: str
    place: Place
    load: int = 1
    urgent: bool = False
    window: tuple[int, int] | None = None


class Driver(NamedTuple):
    """A volunteer: how much the vehicle carries, and when they can drive (minutes of the day)."""

    id: str
    capacity: int
    window: tuple[int, int]


class Route(NamedTuple):
    """One driver's trip: stops in order, the minute of arrival at each, metres depot to depot."""

    driver: str
    stops: tuple[str, ...]
    arrivals: tuple[int, ...]
    distance_m: int
    load: int


class Plan(NamedTuple):
    routes: tuple[Route, ...]
    dropped: tuple[str, ...]
    total_distance_m: int


class RoutingInputError(ValueError):
    """The input cannot be planned; `problems` names every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Network(NamedTuple):
    """The stops as the planners see them: node 0 is the depot, node i is stops[i - 1]."""

    distance: list[list[int]]  # metres between nodes
    transit: list[list[int]]  # minutes from arrival at one node to arrival at the next, no waiting
    windows: list[tuple[int, int]]  # per node; the depot's and open windows span the whole day
    loads: list[int]  # per node, 0 for the depot


# --- distance and time ----------------------------------------------------------------------------


def distance_m(a: Place, b: Place) -> int:
    """Great-circle distance in whole metres (haversine on a sphere of the Earth's mean radius)."""
    lat_a, lat_b = math.radians(a.lat), math.radians(b.lat)
    half_chord = (
        math.sin((lat_b - lat_a) / 2) ** 2
        + math.cos(lat_a) * math.cos(lat_b) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(half_chord))))


def driving_minutes(metres: int, speed_kmh: float) -> int:
    """Minutes to drive `metres` at `speed_kmh`, rounded up: planned arrivals are never early."""
    return math.ceil(metres * 60 / (speed_kmh * 1000))


def _network(
    depot: Place,
    stops: Sequence[Stop],
    drivers: Sequence[Driver],
    *,
    speed_kmh: float,
    service: int,
) -> _Network:
    places = [depot, *(stop.place for stop in stops)]
    distance = [[distance_m(a, b) for b in places] for a in places]
    service_at = [0, *(service for _ in stops)]
    transit = [
        [service_at[i] + driving_minutes(metres, speed_kmh) for metres in row]
        for i, row in enumerate(distance)
    ]
    # The solver's clock runs to the last minute any window names, so that every window fits it.
    ends = [driver.window[1] for driver in drivers]
    ends += [stop.window[1] for stop in stops if stop.window]
    day = (0, max(ends, default=0))
    windows = [day, *(stop.window or day for stop in stops)]
    return _Network(distance, transit, windows, [0, *(stop.load for stop in stops)])


# --- validation -----------------------------------------------------------------------------------


def _place_problems(what: str, place: Place) -> list[str]:
    # Written as `not a <= x <= b` so that NaN, which compares false with everything, is refused.
    problems = []
    if not -90 <= place.lat <= 90:
        problems.append(f"{what}: latitude {place.lat} is not between -90 and 90")
    if not -180 <= place.lon <= 180:
        problems.append(f"{what}: longitude {place.lon} is not between -180 and 180")
    return problems


def _window_problems(what: str, window: tuple[int, int]) -> list[str]:
    start, end = window
    if start > end:
        return [f"{what}: window starts at {start}, after its end {end}"]
    if start < 0:
        return [f"{what}: window starts at {start}, before the day (minute 0)"]
    return []


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    return [f"{kind} id {i!r} appears {n} times" for i, n in Counter(ids).items() if n > 1]


def input_problems(
    *,
    depot: Place,
    stops: Sequence[Stop],
    drivers: Sequence[Driver],
    speed_kmh: float = 25,
    service_minutes: int = 5,
) -> list[str]:
    """Every reason the input cannot be planned; empty when it can."""
    problems = _place_problems("depot", depot)
    problems += _duplicates("stop", [stop.id for stop in stops])
    problems += _duplicates("driver", [driver.id for driver in drivers])
    for stop in stops:
        what = f"stop {stop.id!r}"
        problems += _place_problems(what, stop.place)
        if stop.load < 0:
            problems.append(f"{what}: load {stop.load} is negative")
        if stop.window is not None:
            problems += _window_problems(what, stop.window)
    for driver in drivers:
        what = f"driver {driver.id!r}"
        if driver.capacity < 0:
            problems.append(f"{what}: capacity {driver.capacity} is negative")
        problems += _window_problems(what, driver.window)
    if len(stops) > MAX_STOPS:
        problems.append(f"{len(stops)} stops: at most {MAX_STOPS} can be planned at once")
    if len(drivers) > MAX_DRIVERS:
        problems.append(f"{len(drivers)} drivers: at most {MAX_DRIVERS} can be planned at once")
    if not speed_kmh > 0 or math.isinf(speed_kmh):
        problems.append(f"speed {speed_kmh} km/h is not a positive number")
    if service_minutes < 0:
        problems.append(f"service time {service_minutes} minutes is negative")
    return problems


def _validated(
    depot: Place,
    stops: Sequence[Stop],
    drivers: Sequence[Driver],
    speed_kmh: float,
    service_minutes: int,
) -> _Network:
    problems = input_problems(
        depot=depot,
        stops=stops,
        drivers=drivers,
        speed_kmh=speed_kmh,
        service_minutes=service_minutes,
    )
    if problems:
        raise RoutingInputError(problems)
    return _network(depot, stops, drivers, speed_kmh=speed_kmh, service=service_minutes)


# --- plans from sequences of nodes ----------------------------------------------------------------


def _arrivals(network: _Network, driver: Driver, nodes: Sequence[int]) -> tuple[int, ...] | None:
    """Earliest arrival at each node, leaving the depot at the driver's start; None if infeasible.

    Going as early as possible is feasible whenever any timing is: windows only bound arrivals from
    above once the driver has waited for them to open."""
    arrivals = []
    at, now = DEPOT, driver.window[0]
    for node in nodes:
        opens, closes = network.windows[node]
        now = max(now + network.transit[at][node], opens)
        if now > closes:
            return None
        arrivals.append(now)
        at = node
    if now + network.transit[at][DEPOT] > driver.window[1]:
        return None
    return tuple(arrivals)


def _route(network: _Network, stops: Sequence[Stop], driver: Driver, nodes: list[int]) -> Route:
    arrivals = _arrivals(network, driver, nodes)
    if arrivals is None:  # both planners only build feasible routes; this would be a bug
        raise AssertionError(f"route of driver {driver.id!r} misses a window")
    path = [DEPOT, *nodes, DEPOT]
    return Route(
        driver=driver.id,
        stops=tuple(stops[node - 1].id for node in nodes),
        arrivals=arrivals,
        distance_m=sum(network.distance[a][b] for a, b in pairwise(path)),
        load=sum(network.loads[node] for node in nodes),
    )


def _plan(
    network: _Network, stops: Sequence[Stop], drivers: Sequence[Driver], paths: list[list[int]]
) -> Plan:
    routes = tuple(
        _route(network, stops, driver, nodes) for driver, nodes in zip(drivers, paths, strict=True)
    )
    routed = {stop_id for route in routes for stop_id in route.stops}
    return Plan(
        routes=routes,
        dropped=tuple(stop.id for stop in stops if stop.id not in routed),
        total_distance_m=sum(route.distance_m for route in routes),
    )


# --- checking a plan ------------------------------------------------------------------------------


def _route_problems(
    route: Route,
    driver: Driver,
    by_id: dict[str, Stop],
    *,
    depot: Place,
    speed_kmh: float,
    service_minutes: int,
) -> list[str]:
    what = f"route of driver {driver.id!r}"
    known = [by_id[stop_id] for stop_id in route.stops if stop_id in by_id]
    if len(known) != len(route.stops) or len(route.arrivals) != len(route.stops):
        return [f"{what}: unknown stops, or not one arrival per stop"]
    problems = []
    load = sum(stop.load for stop in known)
    if route.load != load or load > driver.capacity:
        problems.append(f"{what}: load {route.load} (stops: {load}), capacity {driver.capacity}")
    places = [depot, *(stop.place for stop in known), depot]
    legs = [distance_m(a, b) for a, b in pairwise(places)]
    if route.distance_m != sum(legs):
        problems.append(f"{what}: distance {route.distance_m} m, its legs add up to {sum(legs)}")
    now, service = driver.window[0], 0  # the last visit's arrival and service (none at the depot)
    for stop, arrival, metres in zip(known, route.arrivals, legs, strict=False):
        earliest = now + service + driving_minutes(metres, speed_kmh)
        opens, closes = stop.window or driver.window
        if not max(earliest, opens, driver.window[0]) <= arrival <= min(closes, driver.window[1]):
            problems.append(f"{what}: minute {arrival} at stop {stop.id!r} is too soon or late")
        now, service = arrival, service_minutes
    back = now + service + driving_minutes(legs[-1], speed_kmh)
    if back > driver.window[1]:
        problems.append(f"{what}: back at the depot at minute {back}, after the driver's window")
    return problems


def plan_problems(
    plan: Plan,
    *,
    depot: Place,
    stops: Sequence[Stop],
    drivers: Sequence[Driver],
    speed_kmh: float = 25,
    service_minutes: int = 5,
) -> list[str]:
    """Every way `plan` breaks the invariants of the module docstring for this input; empty if none.

    Recomputed from the input alone, not from the planners' internals: for the benchmark, and for
    a plan that was stored or edited by hand."""
    problems = []
    if [route.driver for route in plan.routes] != [driver.id for driver in drivers]:
        problems.append("the routes are not one per driver, in the drivers' order")
    by_id = {stop.id: stop for stop in stops}
    routed = [stop_id for route in plan.routes for stop_id in route.stops]
    problems += [f"stop {i!r} is routed {n} times" for i, n in Counter(routed).items() if n > 1]
    if sorted([*routed, *plan.dropped]) != sorted(by_id):
        problems.append("routed and dropped stops are not exactly the stops given")
    for route, driver in zip(plan.routes, drivers, strict=False):
        problems += _route_problems(
            route, driver, by_id, depot=depot, speed_kmh=speed_kmh, service_minutes=service_minutes
        )
    if plan.total_distance_m != sum(route.distance_m for route in plan.routes):
        problems.append(f"total distance {plan.total_distance_m} m is not the routes' sum")
    return problems


# --- the solver -----------------------------------------------------------------------------------


def _drop_penalties(
    network: _Network, stops: Sequence[Stop], drivers: Sequence[Driver]
) -> tuple[int, int]:
    """(normal, urgent) penalty for dropping a stop, making the objective lexicographic.

    A plan uses at most one arc into each stop and one into each driver's end, so no plan drives
    more than (stops + drivers) times the longest arc: `normal` exceeds that, and `urgent` exceeds
    dropping every normal stop plus driving."""
    longest = max(max(row) for row in network.distance)
    normal = (len(stops) + len(drivers)) * longest + 1
    urgent = (sum(not stop.urgent for stop in stops) + 1) * normal
    return normal, urgent


def _model(
    network: _Network, stops: Sequence[Stop], drivers: Sequence[Driver]
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    manager = pywrapcp.RoutingIndexManager(len(network.loads), len(drivers), DEPOT)
    routing = pywrapcp.RoutingModel(manager)
    # Matrices and vectors stay in C++: a Python callback would run millions of times in the search.
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(network.distance))
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitVector(network.loads),
        0,
        [driver.capacity for driver in drivers],
        True,
        "load",
    )
    day_end = network.windows[DEPOT][1]
    # Slack is waiting for a window to open; the cumulated time is the minute of the day.
    routing.AddDimension(
        routing.RegisterTransitMatrix(network.transit), day_end, day_end, False, "time"
    )
    clock = routing.GetDimensionOrDie("time")
    normal, urgent = _drop_penalties(network, stops, drivers)
    for node, stop in enumerate(stops, start=1):
        index = manager.NodeToIndex(node)
        clock.CumulVar(index).SetRange(*network.windows[node])
        routing.AddDisjunction([index], urgent if stop.urgent else normal)
    for vehicle, driver in enumerate(drivers):
        clock.CumulVar(routing.Start(vehicle)).SetRange(*driver.window)
        clock.CumulVar(routing.End(vehicle)).SetRange(*driver.window)
    return manager, routing


def _search_parameters(time_limit_s: float) -> routing_parameters_pb2.RoutingSearchParameters:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.solution_limit = SOLUTION_LIMIT
    parameters.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    return parameters


def _solve(
    network: _Network, stops: Sequence[Stop], drivers: Sequence[Driver], time_limit_s: float
) -> list[list[int]]:
    manager, routing = _model(network, stops, drivers)
    routing.AddSearchMonitor(routing.solver().BranchesLimit(BRANCH_LIMIT))
    solution = routing.SolveWithParameters(_search_parameters(time_limit_s))
    if solution is None:  # dropping every stop is always feasible, so this would be a bug
        raise AssertionError(f"the router found no plan (status {routing.status()})")
    paths = []
    for vehicle in range(len(drivers)):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        nodes = []
        while not routing.IsEnd(index):
            nodes.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        paths.append(nodes)
    return paths


def plan_routes(
    *,
    depot: Place,
    stops: Sequence[Stop],
    drivers: Sequence[Driver],
    speed_kmh: float = 25,
    service_minutes: int = 5,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Plan:
    """Routes for `drivers` from and back to `depot`, dropping what does not fit (see module)."""
    network = _validated(depot, stops, drivers, speed_kmh, service_minutes)
    if not stops or not drivers:
        return _plan(network, stops, drivers, [[] for _ in drivers])
    return _plan(network, stops, drivers, _solve(network, stops, drivers, time_limit_s))


# --- the baseline ---------------------------------------------------------------------------------


def _greedy_path(
    network: _Network, stops: Sequence[Stop], driver: Driver, left: set[int]
) -> list[int]:
    """One driver's nearest-neighbour path over the nodes `left` (taken ones are removed)."""
    path: list[int] = []
    at, room = DEPOT, driver.capacity
    while True:
        fitting = [
            node
            for node in left
            if network.loads[node] <= room and _arrivals(network, driver, [*path, node]) is not None
        ]
        if not fitting:
            return path
        here = network.distance[at]
        at = min(fitting, key=lambda node: (not stops[node - 1].urgent, here[node], node))
        path.append(at)
        left.remove(at)
        room -= network.loads[at]


def plan_nearest_neighbour(
    *,
    depot: Place,
    stops: Sequence[Stop],
    drivers: Sequence[Driver],
    speed_kmh: float = 25,
    service_minutes: int = 5,
) -> Plan:
    """The baseline a coordinator might follow by hand, one driver after another (input order).

    From where they are, the driver goes to the nearest stop still unserved that fits what is left
    in the vehicle and can be reached within its window with time to get back to the depot; urgent
    stops come first (the nearest urgent one that fits, while there is one), then any stop. Ties go
    to the stop given first. No look-ahead and no exchange between drivers."""
    network = _validated(depot, stops, drivers, speed_kmh, service_minutes)
    left = set(range(1, len(stops) + 1))
    paths = [_greedy_path(network, stops, driver, left) for driver in drivers]
    return _plan(network, stops, drivers, paths)
