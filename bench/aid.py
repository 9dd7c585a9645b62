"""How fast and how fair the aid app's allocator is, on a pantry much larger than any real one. A
benchmark to run by hand, not a test.

    .venv/bin/python bench/aid.py [--only allocation|routing] [--seed 1]

Prints one JSON line per configuration on standard output (progress goes to standard error).
`--only` (repeatable) takes a configuration's name or its first word. Configurations are the
entries of `CONFIGURATIONS`, name -> function of the parsed arguments returning the line; adding
one is adding an entry.

- `allocation_10000_requests_300_items`: `allocate` on `instance(seed)`. Target (the issue):
  `seconds` within `target_seconds` (5) on this 2-core machine. Beside the allocator's lowest fill
  rates (`lowest_fill_rates`, the 10 lowest, and `lowest_distinct`) stands the optimum of the first
  linear program of the rules, solved here on its own with a plain model (pywraplp, one variable
  per line and item): `lp_max_min_urgent`, the highest level every urgent request can reach with
  all the stock. The allocator's lowest urgent fill (`lowest_urgent`) must equal it within one
  unit per line of the request that has it (`lowest_urgent_slack`): `lowest_urgent_matches_lp`.
  The allocator's time grows with the number of distinct fill levels of the leximin (each costs a
  round of linear programs) and with the number of requests still free in each round.
- `routing_200_stops_15_drivers`: `routing.plan_routes` on 200 stops for 15 drivers (target 30 s),
  beside the nearest-neighbour baseline on the same instance (`bench/aid_routing.py` tells the
  instance and the fields).

`instance(seed)` draws the pantry: `ITEMS` items in the 12 `CATEGORIES` (9 of food), popular by a
Zipf-like law; food items carry 0 to 2 of `ALLERGENS` and suit each of `DIETS` with probability
0.7. `REQUESTS` requests, 15% urgent, of 3 to 8 lines (1 to 6 units; 15% of the lines ask for any
item of a category); 15% of the households declare 1 or 2 allergens and 10% a diet. Each item's
stock is a share of what is asked for it (counting category lines spread over their category),
drawn from three bands so that some items are short, some about right and some plentiful; it comes
in 1 to 3 lots, 30% of which have no expiry date and the others expire between 10 days before and
120 days after the pick-up. `stock_cover` is the usable units over the units asked.
"""

# Random pantries are test data, not secrets.
# ruff: noqa: S311

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from random import Random
from typing import Any

from aid_routing import routing_benchmark  # bench/ is the script's folder, first on sys.path
from ortools.linear_solver import pywraplp

from mutua.aid.allocation import (
    Item,
    Line,
    Lot,
    Problem,
    Request,
    allocate,
    suits,
    usable,
)

PICKUP = date(2026, 11, 14)
ITEMS = 300
REQUESTS = 10_000
CATEGORIES = (
    ("grains", True),
    ("legumes", True),
    ("canned vegetables", True),
    ("fruit", True),
    ("dairy", True),
    ("meat", True),
    ("fish", True),
    ("oils", True),
    ("spreads", True),
    ("baby", False),
    ("hygiene", False),
    ("cleaning", False),
)
ALLERGENS = ("peanuts", "tree nuts", "gluten", "milk", "eggs", "soy", "fish", "sesame")
DIETS = ("vegetarian", "vegan", "halal", "kosher", "gluten-free")
TARGET_SECONDS = 5


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def instance(seed: int, requests: int = REQUESTS, items: int = ITEMS) -> Problem:
    """A seeded random pantry (see the module docstring); the same seed, the same pantry."""
    rng = Random(seed)
    stock_items = [_item(rng, k) for k in range(items)]
    popularity = [1 / (1 + k) ** 0.8 for k in range(items)]
    rng.shuffle(popularity)
    asked = [0.0] * items
    drawn = [_request(rng, n, stock_items, popularity, asked) for n in range(requests)]
    lots = [lot for k, item in enumerate(stock_items) for lot in _lots(rng, item, asked[k])]
    return Problem(PICKUP, tuple(stock_items), tuple(lots), tuple(drawn))


def _item(rng: Random, k: int) -> Item:
    category, food = CATEGORIES[k % len(CATEGORIES)]
    allergens = frozenset(rng.sample(ALLERGENS, rng.choice([0, 0, 0, 1, 1, 2]))) if food else None
    diets = frozenset(diet for diet in DIETS if rng.random() < 0.7) if food else frozenset()
    return Item(f"i{k:03d}", f"{category} {k}", category, food, allergens or frozenset(), diets)


def _request(
    rng: Random, n: int, items: list[Item], popularity: list[float], asked: list[float]
) -> Request:
    lines = []
    for m in range(rng.randint(3, 8)):
        quantity = rng.choice([1, 1, 2, 2, 3, 4, 6])
        if rng.random() < 0.15:
            category = rng.choice(CATEGORIES)[0]
            members = [k for k, item in enumerate(items) if item.category == category]
            for k in members:
                asked[k] += quantity / len(members)
            lines.append(Line(f"r{n}-{m}", quantity, category=category))
        else:
            k = rng.choices(range(len(items)), popularity)[0]
            asked[k] += quantity
            lines.append(Line(f"r{n}-{m}", quantity, item=items[k].id))
    allergens = frozenset(rng.sample(ALLERGENS, rng.randint(1, 2))) if rng.random() < 0.15 else None
    diets = frozenset(rng.sample(DIETS, 1)) if rng.random() < 0.1 else frozenset()
    urgent = rng.random() < 0.15
    return Request(f"r{n:05d}", urgent, tuple(lines), allergens or frozenset(), diets)


def _lots(rng: Random, item: Item, asked: float) -> list[Lot]:
    share = rng.choice([rng.uniform(0.05, 0.4), rng.uniform(0.25, 0.75), rng.uniform(0.6, 1.3)])
    units, count = int(asked * share), rng.randint(1, 3)
    lots = []
    for n in range(count):
        no_date = not item.food or rng.random() < 0.3
        expires = None if no_date else PICKUP + timedelta(days=rng.randint(-10, 120))
        lots.append(
            Lot(
                f"{item.id}-{n}",
                item.id,
                units // count + (units % count if n == 0 else 0),
                expires,
            )
        )
    return lots


def lp_max_min(problem: Problem, requests: list[Request]) -> float:
    """The first linear program of the rules, on its own: the highest level t such that each of
    `requests` can have a fill rate of at least t at once, with all the usable stock."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    level = solver.NumVar(0, 1, "t")
    stock: dict[str, int] = {}
    for lot in problem.lots:
        if usable(lot, problem.pickup):
            stock[lot.item] = stock.get(lot.item, 0) + lot.quantity
    capacity = {k: solver.Constraint(0, units) for k, units in stock.items()}
    by_id = {item.id: [item] for item in problem.items}
    by_category: dict[str, list[Item]] = {}
    for item in problem.items:
        by_category.setdefault(item.category, []).append(item)
    for request in requests:
        fill = solver.Constraint(0, solver.infinity())
        fill.SetCoefficient(level, -1)
        for line in request.lines:
            scope = by_id[line.item] if line.item else by_category.get(line.category or "", [])
            asked = solver.Constraint(0, line.quantity)
            for item in scope:
                if item.id in capacity and suits(item, request):
                    units = solver.NumVar(0, solver.infinity(), "")
                    asked.SetCoefficient(units, 1)
                    capacity[item.id].SetCoefficient(units, 1)
                    fill.SetCoefficient(units, 1 / (len(request.lines) * line.quantity))
    solver.Maximize(level)
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("the plain linear program did not solve")
    return float(level.solution_value())


def bench_allocation(args: argparse.Namespace) -> dict[str, Any]:
    name = "allocation_10000_requests_300_items"
    log(f"{name}: drawing the pantry (seed {args.seed})")
    problem = instance(args.seed)
    log(f"{name}: allocating {len(problem.requests)} requests")
    started = time.perf_counter()
    allocation = allocate(problem)
    seconds = time.perf_counter() - started
    log(f"{name}: {seconds:.1f} s; the plain linear program for comparison")
    urgent = [r for r in problem.requests if r.urgent]
    lp_urgent = lp_max_min(problem, urgent)
    fills = sorted(result.fill_rate for result in allocation.requests)
    by_id = {result.request: result for result in allocation.requests}
    lowest = min(urgent, key=lambda r: (by_id[r.id].fill_rate, r.id))
    slack = sum(1 / line.quantity for line in lowest.lines) / len(lowest.lines)
    asked = sum(line.quantity for r in problem.requests for line in r.lines)
    usable_units = sum(lot.quantity for lot in problem.lots if usable(lot, PICKUP))
    given = sum(pick.quantity for result in allocation.requests for pick in result.picks)
    return {
        "name": name,
        "seed": args.seed,
        "requests": len(problem.requests),
        "urgent_requests": len(urgent),
        "lines": sum(len(r.lines) for r in problem.requests),
        "items": len(problem.items),
        "lots": len(problem.lots),
        "units_asked": asked,
        "units_usable": usable_units,
        "stock_cover": round(usable_units / asked, 3),
        "units_given": given,
        "seconds": round(seconds, 2),
        "target_seconds": TARGET_SECONDS,
        "target_met": seconds <= TARGET_SECONDS,
        "lowest_fill_rates": [round(fill, 4) for fill in fills[:10]],
        "lowest_distinct": sorted({round(fill, 4) for fill in fills})[:5],
        "mean_fill_rate": round(sum(fills) / len(fills), 4),
        "lowest_urgent": round(by_id[lowest.id].fill_rate, 4),
        "lowest_urgent_slack": round(slack, 4),
        "lp_max_min_urgent": round(lp_urgent, 4),
        "lowest_urgent_matches_lp": abs(by_id[lowest.id].fill_rate - lp_urgent) <= slack + 1e-6,
    }


def bench_routing(args: argparse.Namespace) -> dict[str, Any]:
    return routing_benchmark(args.seed)


CONFIGURATIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "allocation_10000_requests_300_items": bench_allocation,
    "routing_200_stops_15_drivers": bench_routing,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", help="a configuration or its first word")
    parser.add_argument("--seed", type=int, default=1, help="which instance (1)")
    args = parser.parse_args()
    chosen = [
        name
        for name in CONFIGURATIONS
        if not args.only or any(name == only or name.split("_")[0] == only for only in args.only)
    ]
    if not chosen:
        parser.error(f"--only takes one of {', '.join(CONFIGURATIONS)} (or its first word)")
    for name in chosen:
        print(json.dumps(CONFIGURATIONS[name](args)), flush=True)


if __name__ == "__main__":
    main()
