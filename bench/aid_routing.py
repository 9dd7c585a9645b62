"""How good and how fast the aid app's delivery routes are: OR-Tools' plan for 200 stops and 15
volunteer drivers, next to the nearest-neighbour baseline planned in the same run on the same
input. A benchmark to run by hand, not a test.

    .venv/bin/python bench/aid_routing.py [--seed 1] [--time-limit 20]

Prints one JSON line on standard output (progress goes to standard error); `bench/aid.py` runs the
same measurement as its configuration `routing_200_stops_15_drivers` through `routing_benchmark`.
Target (the issue): `plan_routes` returns within `target_seconds` (30) on this 2-core machine.

The solver stops after `routing.SOLUTION_LIMIT` solutions, a count, so a seed gives the same plan
and figures on every run, however busy the machine: only `seconds` varies. `--time-limit`
(`TIME_LIMIT_S`, half the target) caps it, so that a slower or busier machine still meets the
target; `hit_time_limit` says whether the cap cut the search short (and the figures may then vary).

`instance(seed)` draws the input: `STOPS` stops uniformly within `RADIUS_M` of the depot, 15% of
them urgent and half with a window (1 to 3 hours, on the half hour), loads 1 to 3 boxes; `DRIVERS`
drivers with room for 8 to 20 boxes, available 2 to 4 hours on the half hour, in a day of
`DAY_MINUTES`. There are about twice as many boxes as room, so many stops must be dropped: what
matters is how many urgent stops each planner drops, then how many stops (`served` is the rest),
then the distance. Both plans are checked against the input by `routing.plan_problems`:
`problems` and `baseline_problems` must be 0.
"""

# Random points are test data, not secrets.
# ruff: noqa: S311

import argparse
import json
import math
import sys
import time
from random import Random
from typing import Any

from mutua.aid import routing
from mutua.aid.routing import Driver, Place, Plan, Stop

NAME = "routing_200_stops_15_drivers"
STOPS, DRIVERS = 200, 15
URGENT_SHARE, WINDOW_SHARE = 0.15, 0.5
RADIUS_M = 10_000
DAY_MINUTES = 600  # 08:00 to 18:00
DEPOT = Place(45.5017, -73.5673)
METRES_PER_DEGREE = routing.EARTH_RADIUS_M * math.pi / 180
TARGET_SECONDS = 30
TIME_LIMIT_S = 20.0


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _point(rng: Random) -> Place:
    """Uniform in the disc of `RADIUS_M` around the depot (flat-Earth offsets: 10 km is small)."""
    metres, bearing = RADIUS_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    north, east = metres * math.cos(bearing), metres * math.sin(bearing)
    return Place(
        DEPOT.lat + north / METRES_PER_DEGREE,
        DEPOT.lon + east / (METRES_PER_DEGREE * math.cos(math.radians(DEPOT.lat))),
    )


def _window(rng: Random) -> tuple[int, int]:
    """One to three hours, starting on the half hour, within the day."""
    length = rng.choice((60, 90, 120, 180))
    start = 30 * rng.randrange((DAY_MINUTES - length) // 30 + 1)
    return start, start + length


def _stops(rng: Random) -> list[Stop]:
    urgent = set(rng.sample(range(STOPS), round(STOPS * URGENT_SHARE)))
    windowed = set(rng.sample(range(STOPS), round(STOPS * WINDOW_SHARE)))
    return [
        Stop(
            id=f"s{n:03}",
            place=_point(rng),
            load=rng.randint(1, 3),
            urgent=n in urgent,
            window=_window(rng) if n in windowed else None,
        )
        for n in range(STOPS)
    ]


def _driver(rng: Random, number: int) -> Driver:
    hours = rng.randint(2, 4)
    start = 30 * rng.randrange((DAY_MINUTES - 60 * hours) // 30 + 1)
    return Driver(
        id=f"d{number:02}", capacity=rng.randint(8, 20), window=(start, start + 60 * hours)
    )


def instance(seed: int) -> tuple[list[Stop], list[Driver]]:
    rng = Random(seed)
    return _stops(rng), [_driver(rng, n) for n in range(DRIVERS)]


def _figures(plan: Plan, stops: list[Stop], drivers: list[Driver], prefix: str) -> dict[str, Any]:
    urgent = {stop.id for stop in stops if stop.urgent}
    problems = routing.plan_problems(plan, depot=DEPOT, stops=stops, drivers=drivers)
    for problem in problems[:5]:
        log(f"{prefix or 'solver '}problem: {problem}")
    return {
        f"{prefix}total_distance_m": plan.total_distance_m,
        f"{prefix}served": len(stops) - len(plan.dropped),
        f"{prefix}dropped": len(plan.dropped),
        f"{prefix}dropped_urgent": len(urgent.intersection(plan.dropped)),
        f"{prefix}delivered_load": sum(route.load for route in plan.routes),
        f"{prefix}problems": len(problems),
    }


def routing_benchmark(seed: int, time_limit_s: float = TIME_LIMIT_S) -> dict[str, Any]:
    """Both planners on `instance(seed)`: one result line (see the module docstring)."""
    stops, drivers = instance(seed)
    log(f"{NAME}: seed {seed}, solver for up to {time_limit_s} s")
    started = time.perf_counter()
    plan = routing.plan_routes(depot=DEPOT, stops=stops, drivers=drivers, time_limit_s=time_limit_s)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    baseline = routing.plan_nearest_neighbour(depot=DEPOT, stops=stops, drivers=drivers)
    baseline_seconds = time.perf_counter() - started
    return {
        "name": NAME,
        "seed": seed,
        "stops": len(stops),
        "urgent_stops": sum(stop.urgent for stop in stops),
        "drivers": len(drivers),
        "load": sum(stop.load for stop in stops),
        "capacity": sum(driver.capacity for driver in drivers),
        "time_limit_s": time_limit_s,
        "hit_time_limit": seconds >= time_limit_s,
        "seconds": round(seconds, 2),
        "target_seconds": TARGET_SECONDS,
        "target_met": seconds <= TARGET_SECONDS,
        **_figures(plan, stops, drivers, ""),
        "baseline": "nearest_neighbour",
        "baseline_seconds": round(baseline_seconds, 2),
        **_figures(baseline, stops, drivers, "baseline_"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="which instance (1)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT_S, help="solver cap, s")
    args = parser.parse_args()
    print(json.dumps(routing_benchmark(args.seed, args.time_limit)), flush=True)


if __name__ == "__main__":
    main()
