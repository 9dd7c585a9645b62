"""Delivery routes, told as the Eastside pantry's Saturdays: volunteers with cars of a few boxes,
households a few kilometres away, some of them urgent (medical). Pure tests: no database.

`assert_sound` is the tests' own reading of the module's invariants, recomputed from the input
with nothing but `distance_m` (tested on its own) and arithmetic, so that a planner's bug cannot
hide behind a checker that shares its code."""

import math
from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.aid.routing import (
    Driver,
    Place,
    Plan,
    RoutingInputError,
    Stop,
    distance_m,
    plan_nearest_neighbour,
    plan_problems,
    plan_routes,
)

PANTRY = Place(45.5017, -73.5673)
METRES_PER_DEGREE_LAT = 111_195  # the Earth's mean radius times pi / 180
SPEED_KMH, SERVICE = 25, 5
PLANNERS = (plan_routes, plan_nearest_neighbour)


def near(north_m: float, east_m: float) -> Place:
    """A place `north_m` and `east_m` metres from the pantry (flat at this scale)."""
    east_per_degree = METRES_PER_DEGREE_LAT * math.cos(math.radians(PANTRY.lat))
    return Place(
        PANTRY.lat + north_m / METRES_PER_DEGREE_LAT, PANTRY.lon + east_m / east_per_degree
    )


def minutes(metres: int) -> int:
    return math.ceil(metres * 60 / (SPEED_KMH * 1000))


def assert_sound(plan: Plan, stops: list[Stop], drivers: list[Driver]) -> None:
    """The invariants every plan keeps, checked from scratch."""
    by_id = {stop.id: stop for stop in stops}
    assert [route.driver for route in plan.routes] == [driver.id for driver in drivers]
    routed = [stop_id for route in plan.routes for stop_id in route.stops]
    assert max(Counter(routed).values(), default=1) == 1, "a stop is routed twice"
    assert set(routed).isdisjoint(plan.dropped)
    assert sorted([*routed, *plan.dropped]) == sorted(by_id), "routed + dropped != all stops"
    assert list(plan.dropped) == [stop.id for stop in stops if stop.id in plan.dropped]
    for route, driver in zip(plan.routes, drivers, strict=True):
        visited = [by_id[stop_id] for stop_id in route.stops]
        assert route.load == sum(stop.load for stop in visited) <= driver.capacity
        places = [PANTRY, *(stop.place for stop in visited), PANTRY]
        legs = [distance_m(a, b) for a, b in pairwise(places)]
        assert route.distance_m == sum(legs)
        assert len(route.arrivals) == len(visited)
        start, end = driver.window
        clock = start  # earliest the driver can be at the next door
        for stop, arrival, leg in zip(visited, route.arrivals, legs, strict=False):
            clock += minutes(leg)
            opens, closes = stop.window or (start, end)
            assert max(clock, opens, start) <= arrival <= min(closes, end), (stop, arrival)
            clock = arrival + SERVICE
        assert clock + minutes(legs[-1]) <= end, "back at the pantry after the driver's window"
    assert plan.total_distance_m == sum(route.distance_m for route in plan.routes)


# --- distance -------------------------------------------------------------------------------------


def test_distance_one_degree_of_latitude_is_111_km():
    assert distance_m(Place(45, -73), Place(46, -73)) == METRES_PER_DEGREE_LAT


def test_distance_across_the_antimeridian_is_short():
    assert distance_m(Place(0, 179.5), Place(0, -179.5)) == METRES_PER_DEGREE_LAT


@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_distance_is_symmetric_and_zero_only_to_itself(lat_a, lon_a, lat_b, lon_b):
    a, b = Place(lat_a, lon_a), Place(lat_b, lon_b)
    assert distance_m(a, b) == distance_m(b, a) >= 0
    assert distance_m(a, a) == 0
    assert distance_m(a, b) <= round(math.pi * 6_371_008.8)


# --- stories --------------------------------------------------------------------------------------


def test_short_capacity_drops_normal_stops_before_urgent_ones():
    """Amira's car takes 4 boxes. Three households need medical supplies, 3-4 km out; five others
    live around the corner. All three urgent ones get their box, and one neighbour."""
    urgent = [Stop(f"urgent-{n}", near(3_000 + 500 * n, 0), urgent=True) for n in range(3)]
    normal = [Stop(f"normal-{n}", near(0, 200 + 100 * n)) for n in range(5)]
    stops = [*normal, *urgent]
    drivers = [Driver("amira", capacity=4, window=(0, 240))]

    plan = plan_routes(depot=PANTRY, stops=stops, drivers=drivers)

    assert_sound(plan, stops, drivers)
    (route,) = plan.routes
    assert {"urgent-0", "urgent-1", "urgent-2"} <= set(route.stops)
    assert len(route.stops) == 4
    assert len(plan.dropped) == 4 and all(stop_id.startswith("normal") for stop_id in plan.dropped)


def test_nearest_neighbour_also_serves_urgent_stops_first():
    urgent = [Stop(f"urgent-{n}", near(3_000 + 500 * n, 0), urgent=True) for n in range(3)]
    normal = [Stop(f"normal-{n}", near(0, 200 + 100 * n)) for n in range(5)]
    stops = [*normal, *urgent]
    drivers = [Driver("amira", capacity=4, window=(0, 240))]

    plan = plan_nearest_neighbour(depot=PANTRY, stops=stops, drivers=drivers)

    assert_sound(plan, stops, drivers)
    assert plan.routes[0].stops == ("urgent-0", "urgent-1", "urgent-2", "normal-0")


def test_windows_decide_the_order_and_the_driver_waits_for_them():
    """Bilal (9:00-13:00, minutes 60-300 of a day starting at 8:00) passes the bakery stop first,
    but it only takes deliveries from 11:00; the far stop wants its box before 10:00."""
    stops = [
        Stop("bakery", near(1_000, 0), window=(180, 240)),
        Stop("far", near(5_000, 0), window=(60, 120)),
    ]
    drivers = [Driver("bilal", capacity=10, window=(60, 300))]

    plan = plan_routes(depot=PANTRY, stops=stops, drivers=drivers)

    assert_sound(plan, stops, drivers)
    assert plan.routes[0].stops == ("far", "bakery")
    far_arrival, bakery_arrival = plan.routes[0].arrivals
    assert far_arrival == 60 + minutes(distance_m(PANTRY, stops[1].place))
    assert bakery_arrival == 180  # early, so the driver waited for the window to open


def test_a_stop_out_of_every_drivers_reach_is_dropped_even_when_urgent():
    """Chen has an hour: 20 km out and back at 25 km/h takes 96 minutes."""
    stops = [Stop("cabin", near(20_000, 0), urgent=True), Stop("close", near(500, 0))]
    drivers = [Driver("chen", capacity=10, window=(0, 60))]

    for planner in PLANNERS:
        plan = planner(depot=PANTRY, stops=stops, drivers=drivers)
        assert_sound(plan, stops, drivers)
        assert plan.dropped == ("cabin",)


def test_a_delivery_larger_than_every_car_is_dropped_and_an_empty_one_is_served():
    stops = [Stop("pallet", near(500, 0), load=30), Stop("letter", near(0, 500), load=0)]
    drivers = [
        Driver("dana", capacity=0, window=(0, 120)),
        Driver("eli", capacity=20, window=(0, 120)),
    ]

    for planner in PLANNERS:
        plan = planner(depot=PANTRY, stops=stops, drivers=drivers)
        assert_sound(plan, stops, drivers)
        assert plan.dropped == ("pallet",)


def test_every_driver_has_a_route_even_with_nothing_to_deliver():
    drivers = [Driver("fay", capacity=5, window=(0, 60)), Driver("gus", capacity=5, window=(0, 60))]
    for planner in PLANNERS:
        plan = planner(depot=PANTRY, stops=[], drivers=drivers)
        assert (
            plan.routes == tuple((driver.id, (), (), 0, 0) for driver in drivers)
            and plan.total_distance_m == 0
        )
        no_drivers = planner(depot=PANTRY, stops=[Stop("a", near(100, 0))], drivers=[])
        assert no_drivers == Plan(routes=(), dropped=("a",), total_distance_m=0)


def _town(size: int, capacity: int = 12) -> tuple[list[Stop], list[Driver]]:
    """Households scattered within 3 km, two drivers with a whole day."""
    stops = [
        Stop(
            f"house-{n}",
            near(3_000 * math.cos(n * 2.4), 3_000 * math.sin(n * 2.4) * (1 + n % 3) / 3),
            urgent=n % 5 == 0,
        )
        for n in range(size)
    ]
    return stops, [Driver("hana", capacity, (0, 480)), Driver("ivan", capacity, (0, 480))]


def test_solver_drives_no_further_than_nearest_neighbour():
    stops, drivers = _town(16)

    solved = plan_routes(depot=PANTRY, stops=stops, drivers=drivers)
    baseline = plan_nearest_neighbour(depot=PANTRY, stops=stops, drivers=drivers)

    assert_sound(solved, stops, drivers)
    assert_sound(baseline, stops, drivers)
    assert solved.dropped == baseline.dropped == ()
    assert solved.total_distance_m <= baseline.total_distance_m


def test_same_input_gives_the_same_plan():
    stops, drivers = _town(16)
    first = plan_routes(depot=PANTRY, stops=stops, drivers=drivers)
    assert plan_routes(depot=PANTRY, stops=stops, drivers=drivers) == first


# --- bad input ------------------------------------------------------------------------------------


def test_bad_input_names_every_problem():
    stops = [
        Stop("a", Place(91, 0)),
        Stop("a", Place(0, -181), load=-2),
        Stop("b", near(0, 0), window=(30, 10)),
        Stop("c", Place(math.nan, 0), window=(-5, 10)),
    ]
    drivers = [Driver("d", capacity=-1, window=(60, 0)), Driver("d", capacity=4, window=(0, 60))]

    with pytest.raises(RoutingInputError) as raised:
        plan_routes(depot=Place(0, 200), stops=stops, drivers=drivers, speed_kmh=0)

    assert raised.value.problems == [
        "depot: longitude 200 is not between -180 and 180",
        "stop id 'a' appears 2 times",
        "driver id 'd' appears 2 times",
        "stop 'a': latitude 91 is not between -90 and 90",
        "stop 'a': longitude -181 is not between -180 and 180",
        "stop 'a': load -2 is negative",
        "stop 'b': window starts at 30, after its end 10",
        "stop 'c': latitude nan is not between -90 and 90",
        "stop 'c': window starts at -5, before the day (minute 0)",
        "driver 'd': capacity -1 is negative",
        "driver 'd': window starts at 60, after its end 0",
        "speed 0 km/h is not a positive number",
    ]
    assert isinstance(raised.value, ValueError)
    with pytest.raises(RoutingInputError):
        plan_nearest_neighbour(depot=PANTRY, stops=stops, drivers=drivers)


def test_plan_problems_finds_a_tampered_plan():
    stops, drivers = _town(8, capacity=5)  # so that both drivers have stops
    plan = plan_routes(depot=PANTRY, stops=stops, drivers=drivers)
    assert plan_problems(plan, depot=PANTRY, stops=stops, drivers=drivers) == []

    first, second = plan.routes
    rushed = first._replace(arrivals=(0, *first.arrivals[1:]), load=first.load + 1)
    twice = second._replace(stops=(*second.stops, first.stops[0]))
    broken = plan._replace(routes=(rushed, twice), total_distance_m=0)

    problems = plan_problems(broken, depot=PANTRY, stops=stops, drivers=drivers)
    assert f"stop {first.stops[0]!r} is routed 2 times" in problems
    assert any("too soon or late" in problem for problem in problems)
    assert any(problem.startswith("route of driver 'hana': load") for problem in problems)
    assert any(problem.startswith("route of driver 'ivan': unknown stops") for problem in problems)
    assert any(problem.startswith("total distance") for problem in problems)


# --- properties -----------------------------------------------------------------------------------

offsets = st.integers(-6_000, 6_000)
windows = st.tuples(st.integers(0, 300), st.integers(0, 180)).map(lambda w: (w[0], w[0] + w[1]))


@st.composite
def instances(draw: st.DrawFn, max_stops: int = 8) -> tuple[list[Stop], list[Driver]]:
    count = draw(st.integers(0, max_stops))
    stops = [
        Stop(
            f"s{n}",
            near(draw(offsets), draw(offsets)),
            load=draw(st.integers(0, 4)),
            urgent=draw(st.booleans()),
            window=draw(st.none() | windows),
        )
        for n in range(count)
    ]
    drivers = [
        Driver(f"d{n}", capacity=draw(st.integers(0, 8)), window=draw(windows))
        for n in range(draw(st.integers(1, 3)))
    ]
    return stops, drivers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_plan_keeps_the_invariants(instance):
    stops, drivers = instance
    for planner in PLANNERS:
        assert_sound(planner(depot=PANTRY, stops=stops, drivers=drivers), stops, drivers)


def _feasible(driver: Driver, visited: list[Stop]) -> bool:
    """Whether `driver` can serve `visited` in this order, leaving as early as allowed."""
    start, end = driver.window
    if sum(stop.load for stop in visited) > driver.capacity:
        return False
    clock, here, service = start, PANTRY, 0
    for stop in visited:
        opens, closes = stop.window or (start, end)
        clock = max(clock + service + minutes(distance_m(here, stop.place)), opens)
        if clock > closes:
            return False
        here, service = stop.place, SERVICE
    return clock + service + minutes(distance_m(here, PANTRY)) <= end


def _a_better_plan_nearby(plan: Plan, stops: list[Stop], drivers: list[Driver]) -> str | None:
    """A dropped stop that fits into a route as it stands, or a dropped urgent stop that could take
    a served normal stop's place; None if there is none."""
    by_id = {stop.id: stop for stop in stops}
    for route, driver in zip(plan.routes, drivers, strict=True):
        visited = [by_id[stop_id] for stop_id in route.stops]
        for stop in (by_id[stop_id] for stop_id in plan.dropped):
            for at in range(len(visited) + 1):
                if _feasible(driver, [*visited[:at], stop, *visited[at:]]):
                    return f"{stop.id} fits into {driver.id}'s route at {at}"
            for at, other in enumerate(visited):
                replaced = [*visited[:at], stop, *visited[at + 1 :]]
                if stop.urgent and not other.urgent and _feasible(driver, replaced):
                    return f"urgent {stop.id} could take {other.id}'s place"
    return None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_a_stop_is_dropped_only_when_it_does_not_fit(instance):
    """What the drop penalties promise, short of an exhaustive search (local search is a
    heuristic: a plan reshuffling several stops might serve more): no dropped stop fits into the
    plan, and no dropped urgent stop could be served instead of a normal one."""
    stops, drivers = instance
    plan = plan_routes(depot=PANTRY, stops=stops, drivers=drivers)
    assert _a_better_plan_nearby(plan, stops, drivers) is None
