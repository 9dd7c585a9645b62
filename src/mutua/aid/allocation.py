"""Fair allocation of scarce pantry stock to households' requests: who gets what, and why. Pure
Python over OR-Tools' linear programming (GLOP through MathOpt) and min-cost flow; no Django.

The rules (`RULE_VERSION` "leximin-1"; `docs/aid-allocation.md` tells them with a worked example):
- Usable stock: a lot is usable if it has no expiry date or expires on or after the pick-up date
  (`expires >= pickup`); expired lots and lots expiring before the pick-up are never allocated.
- Eligibility: a line asks for `quantity` units of one `item`, or of any item of a `category`. An
  item that contains an allergen the household declared is never allocated to it, nor a food item
  whose `diets` do not include every one of the household's diets (non-food ignores diets).
- Fill rate of a request: the mean over its lines of given / asked, each line capped at 1.
- Tiers: urgent-medical requests (tier 1) are allocated first, with all the stock; their fill rates
  are then held as lower bounds while the other requests (tier 2) are allocated.
- Within a tier the fill rates are leximin (lexicographic max-min fair): raise the lowest fill as
  far as the stock allows, then the next lowest, and so on. A request that nothing can serve stays
  at 0 without holding the others back: each request is frozen at the level it cannot exceed.
- Whole units: the fractional optimum is rounded so that every line stays within one unit of it,
  extra units going to urgent requests first, then to the lowest fill; units still left after that
  go, one at a time, to the request with the lowest fill that has a line able to use them.
- Lots are picked first-expired-first-out: earliest expiry first, lots without expiry last, ties by
  lot id. The same input gives the same allocation (no clock, no randomness, no time limits).

How (`allocate`):
1. Eligibility and usable stock per item (`_demands`). A line no usable item suits gets nothing.
2. Plenty is served first (`_plentiful`): an item whose usable stock covers every line that could
   use it serves those lines in full. Some leximin optimum does so (moving a line onto such an item
   frees stock and lowers nobody), so they leave the linear programs; repeated until no item is.
3. The rest splits into parts that share no item (`_parts`, union-find). Each part's leximin is
   the textbook sequence of linear programs, in `leximin.py` (`leximin_levels`): one model per
   tier kept alive in GLOP so that each solve restarts from the last basis (`_Glop`,
   `LeximinModel`). Variables: units per line, flow per (category group, item), the level `t`, a
   test slack per request. A round maximises `t` over the tier's free requests and freezes at
   `t` those that cannot exceed it: a positive dual value on its row proves it, and so does its
   own ceiling (`Part.ceiling`, e.g. a line nothing can serve). The duals of the free rows sum
   to 1, so every round freezes someone. A request proves it can exceed `t` when it already
   does, or when one of its lines not yet full could take more of an item with units left
   (`LeximinModel.spare`: no program needed). Any others are settled at once by a test program
   (`LeximinModel.can_exceed`), run when the level is some request's ceiling or repeats (ties
   the duals leave unresolved); at other levels they stay free for the next round, which
   restarts from the last round's basis, not the test's. A variable pinned to a bound by a
   round's reduced costs stays there for good. Tier 1's model holds tier 1 only; tier 2's holds
   tier 1 at its levels (free to swap items). A request that could exceed its level by less
   than `_LIFT` (far below one unit) is held at it. Cost: one warm solve per distinct level,
   each growing with the requests still free; `bench/aid.py` measures it.
   `fractional_fill_rates` returns this stage.
4. Rounding (`_round`) is a min-cost circulation with lower bounds: each line gets between the
   floor and the ceiling of its fractional units, each item at least the floor of what the optimum
   used, so a saturated item stays saturated. Leftovers (`_hand_out`), lots (`_pick_lots`) and
   the coordinator's explanations (`_Explainer`) follow.

Invariants of every `Allocation` (the property tests check them):
- Per lot, units picked plus `leftover` equal its quantity; picks are positive whole units.
- No pick is of an unusable lot, of an item with a declared allergen, or of an unsuitable diet.
- Per line, units given never exceed units asked; `fill_rate` is computed from the picks.
- Every request of the input appears once, in input order, with its tier and an explanation.

Errors: `AllocationInputError(ValueError)` with `problems`, every problem found in the input
(`problem_check`), raised by `allocate` and by `allocation_format.problem_from_json`;
`SolverFailure(RuntimeError)` (from `leximin`) if a solver cannot finish a program that has an
answer, even from scratch and with the wider slack (`_leximin`): a fault of the solver, never of
the input.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from ortools.graph.python import min_cost_flow

from mutua.aid.leximin import SLACKS, LeximinModel, Part, SolverFailure, leximin_levels, part_of
from mutua.aid.leximin import TOLERANCE as _TOLERANCE

RULE_VERSION = "leximin-1"
URGENT, REGULAR = 1, 2


# --- the data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    category: str
    food: bool
    allergens: frozenset[str] = frozenset()
    diets: frozenset[str] = frozenset()  # the diets this item suits (halal, vegetarian, ...)


@dataclass(frozen=True)
class Lot:
    id: str
    item: str
    quantity: int
    expires: date | None = None


@dataclass(frozen=True)
class Line:
    """`quantity` units of one `item`, or of any item of a `category`: exactly one of the two."""

    id: str
    quantity: int
    item: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Request:
    id: str
    urgent: bool
    lines: tuple[Line, ...]
    allergens: frozenset[str] = frozenset()
    diets: frozenset[str] = frozenset()  # every item given must suit all of them (if food)
    household_size: int = 1  # for the coordinator; the rules do not weigh by it


@dataclass(frozen=True)
class Problem:
    pickup: date
    items: tuple[Item, ...]
    lots: tuple[Lot, ...]
    requests: tuple[Request, ...]


@dataclass(frozen=True)
class Pick:
    line: str
    item: str
    lot: str
    quantity: int


@dataclass(frozen=True)
class RequestResult:
    request: str
    tier: int
    fill_rate: float
    picks: tuple[Pick, ...]
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class Allocation:
    rule_version: str
    requests: tuple[RequestResult, ...]
    leftover: dict[str, int]  # lot id -> units not allocated (only lots with some left)


class AllocationInputError(ValueError):
    """The input cannot be allocated; `problems` lists every reason, not only the first."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def problem_check(problem: Problem) -> list[str]:
    """Every inconsistency of `problem` (duplicate ids, unknown items, bad quantities, ...)."""
    found: list[str] = []
    items = {item.id for item in problem.items}
    found += [f"item {i!r} appears more than once" for i in _duplicates(problem.items)]
    found += [f"lot {i!r} appears more than once" for i in _duplicates(problem.lots)]
    found += [f"request {i!r} appears more than once" for i in _duplicates(problem.requests)]
    for lot in problem.lots:
        if lot.item not in items:
            found.append(f"lot {lot.id!r}: unknown item {lot.item!r}")
        if not _whole(lot.quantity) or lot.quantity < 0:
            found.append(f"lot {lot.id!r}: quantity must be a whole number of 0 or more")
    for request in problem.requests:
        found += _request_check(request, items)
    return found


def _request_check(request: Request, items: set[str]) -> list[str]:
    where = f"request {request.id!r}"
    found = [f"{where}: line {i!r} appears more than once" for i in _duplicates(request.lines)]
    if not request.lines:
        found.append(f"{where}: has no lines")
    if not _whole(request.household_size) or request.household_size < 1:
        found.append(f"{where}: household size must be a whole number of 1 or more")
    for line in request.lines:
        if not _whole(line.quantity) or line.quantity < 1:
            found.append(f"{where}, line {line.id!r}: quantity must be a whole number of 1 or more")
        if (line.item is None) == (line.category is None):
            found.append(f"{where}, line {line.id!r}: give either an item or a category")
        elif line.item is not None and line.item not in items:
            found.append(f"{where}, line {line.id!r}: unknown item {line.item!r}")
    return found


def _duplicates(records: Iterable[Item | Lot | Request | Line]) -> list[str]:
    seen: set[str] = set()
    twice: list[str] = []
    for record in records:
        if record.id in seen and record.id not in twice:
            twice.append(record.id)
        seen.add(record.id)
    return twice


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def usable(lot: Lot, pickup: date) -> bool:
    """May `lot` be handed out at a pick-up on `pickup`? (No expiry, or not before the pick-up.)"""
    return lot.quantity > 0 and (lot.expires is None or lot.expires >= pickup)


def suits(item: Item, request: Request) -> bool:
    """No declared allergen, and (for food) every one of the household's diets."""
    if item.allergens & request.allergens:
        return False
    return not item.food or request.diets <= item.diets


def fefo_key(lot: Lot) -> tuple[int, date, str]:
    """First expired, first out: earliest expiry first, lots without expiry last, then by id."""
    return (lot.expires is None, lot.expires or date.max, lot.id)


# --- the pool: what the solver sees --------------------------------------------------------------


@dataclass(frozen=True)
class _Demand:
    """A line that some usable item suits, by index: `request` in the problem, `line` in it."""

    request: int
    line: int
    quantity: int
    weight: float  # fill rate per unit: 1 / (lines of the request * quantity)
    items: tuple[int, ...]  # indices of the suitable items with usable stock, ascending


@dataclass
class _Pool:
    problem: Problem
    lots: dict[int, list[Lot]]  # item index -> its usable lots, first to expire first
    capacity: list[int]  # item index -> usable units
    demands: list[_Demand]
    by_request: dict[int, list[int]]  # request index -> its demands
    given: dict[tuple[int, int], float] = field(default_factory=dict)  # (demand, item) -> units
    offset: dict[int, float] = field(default_factory=dict)  # request -> fill served in full


def _demands(problem: Problem) -> _Pool:
    index = {item.id: k for k, item in enumerate(problem.items)}
    lots: dict[int, list[Lot]] = defaultdict(list)
    for lot in problem.lots:
        if usable(lot, problem.pickup):
            lots[index[lot.item]].append(lot)
    capacity = [0] * len(problem.items)
    for k, item_lots in lots.items():
        item_lots.sort(key=fefo_key)
        capacity[k] = sum(lot.quantity for lot in item_lots)
    by_category: dict[str, list[int]] = defaultdict(list)
    for k, item in enumerate(problem.items):
        by_category[item.category].append(k)
    demands: list[_Demand] = []
    by_request: dict[int, list[int]] = defaultdict(list)
    for r, request in enumerate(problem.requests):
        for n, line in enumerate(request.lines):
            scope = (
                [index[line.item]] if line.item is not None else by_category[line.category or ""]
            )
            fit = tuple(k for k in scope if capacity[k] and suits(problem.items[k], request))
            if fit:
                weight = 1 / (len(request.lines) * line.quantity)
                by_request[r].append(len(demands))
                demands.append(_Demand(r, n, line.quantity, weight, fit))
    return _Pool(problem, dict(lots), capacity, demands, dict(by_request))


def _plentiful(pool: _Pool) -> set[int]:
    """Serve in full every demand that an item with stock for all who could use it suits; return
    the demands left for the linear programs. Their items keep their whole capacity, because a
    served demand only ever takes a plentiful item's units."""
    left = set(range(len(pool.demands)))
    while True:
        wanted = [0] * len(pool.capacity)
        for d in left:
            for k in pool.demands[d].items:
                wanted[k] += pool.demands[d].quantity
        plenty = {k for k, units in enumerate(wanted) if 0 < units <= pool.capacity[k]}
        served = {d for d in left if plenty.intersection(pool.demands[d].items)}
        if not served:
            return left
        for d in served:
            demand = pool.demands[d]
            best = min(plenty.intersection(demand.items), key=lambda k: _item_key(pool, k))
            pool.given[d, best] = demand.quantity
            offset = pool.offset.get(demand.request, 0.0)
            pool.offset[demand.request] = offset + demand.weight * demand.quantity
        left -= served


def _item_key(pool: _Pool, k: int) -> tuple[tuple[int, date, str], int]:
    return (fefo_key(pool.lots[k][0]), k)


def _parts(pool: _Pool, demands: set[int]) -> list[list[int]]:
    """Split `demands` into groups that share no item, even through one request's other lines."""
    parent = list(range(len(pool.capacity)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first_item: dict[int, int] = {}
    for d in sorted(demands):
        demand = pool.demands[d]
        anchor = first_item.setdefault(demand.request, demand.items[0])
        for k in demand.items:
            parent[root(k)] = root(anchor)
    groups: dict[int, list[int]] = defaultdict(list)
    for d in sorted(demands):
        groups[root(pool.demands[d].items[0])].append(d)
    return list(groups.values())


# --- the leximin, tier by tier (the linear programs are in `leximin`) ----------------------------


def _leximin(pool: _Pool, part: Part) -> None:
    """Fill `pool.given` for the part's demands with its leximin optimum. Should the solver fail
    even from scratch, the part is solved again, whole, holding levels with a wider slack."""
    for attempt, slack in enumerate(SLACKS, start=1):
        try:
            pool.given.update(_tiers(pool, part, slack))
            return
        except SolverFailure:
            if attempt == len(SLACKS):
                raise


def _tiers(pool: _Pool, part: Part, slack: float) -> dict[tuple[int, int], float]:
    """The part's leximin optimum, tier by tier. Tier 1's program leaves tier 2's lines out (it is
    allocated as if alone); tier 2's holds tier 1 at its levels but lets it take its units from
    other items if that helps."""
    levels: dict[int, float] = {}
    for tier in (URGENT, REGULAR):
        in_play = [d for d in part.demands if _tier_of(pool, d) <= tier]
        free = {pool.demands[d].request for d in in_play if _tier_of(pool, d) == tier}
        if not free:
            continue
        sub = part_of(pool, in_play)
        lp = LeximinModel(pool, sub, slack)
        lp.freeze(levels, levels)
        levels |= leximin_levels(lp, sub, free)
    return lp.given()


def _tier(request: Request) -> int:
    return URGENT if request.urgent else REGULAR


# --- whole units --------------------------------------------------------------------------------


def _round(pool: _Pool) -> dict[tuple[int, int], int]:
    """Whole units within one of the fractional optimum, by a min-cost circulation with lower
    bounds: source -> item [floor(used), capacity], item -> demand [0, ceil(given)], demand ->
    sink [floor, ceil of its units], sink -> source free. The fractional optimum is such a flow,
    so a whole one exists (the matrix is totally unimodular). A demand's optional last unit costs
    less the more it is due: urgent first, then the lowest fractional fill."""
    pairs = sorted((d, k) for (d, k), units in pool.given.items() if units > _TOLERANCE)
    if not pairs:
        return {}
    demands = sorted({d for d, _k in pairs})
    items = sorted({k for _d, k in pairs})
    units: dict[int, float] = defaultdict(float)
    used: dict[int, float] = defaultdict(float)
    for d, k in pairs:
        units[d] += pool.given[d, k]
        used[k] += pool.given[d, k]
    source, sink = 0, 1
    item_node = {k: 2 + n for n, k in enumerate(items)}
    demand_node = {d: 2 + len(items) + n for n, d in enumerate(demands)}
    due = sorted(demands, key=lambda d: _due(pool, units, d))
    cost = {d: -(len(due) - n) for n, d in enumerate(due)}
    arcs: list[tuple[int, int, int, int, int]] = []  # tail, head, low, high, cost
    for k in items:
        arcs.append((source, item_node[k], _floor(used[k]), pool.capacity[k], 0))
    for d, k in pairs:
        arcs.append((item_node[k], demand_node[d], 0, _ceil(pool.given[d, k]), 0))
    for d in demands:
        arcs.append((demand_node[d], sink, _floor(units[d]), _ceil(units[d]), cost[d]))
    arcs.append((sink, source, 0, sum(pool.capacity[k] for k in items), 0))
    flows = _circulation(arcs, 2 + len(items) + len(demands))
    start = len(items)
    return {pair: flows[start + n] for n, pair in enumerate(pairs) if flows[start + n] > 0}


def _due(pool: _Pool, units: dict[int, float], d: int) -> tuple[int, float, int, int]:
    demand = pool.demands[d]
    request = pool.problem.requests[demand.request]
    fill = sum(pool.demands[e].weight * units.get(e, 0.0) for e in pool.by_request[demand.request])
    return (_tier(request), fill, demand.request, demand.line)


def _floor(value: float) -> int:
    return math.floor(value + _TOLERANCE * 10)


def _ceil(value: float) -> int:
    return math.ceil(value - _TOLERANCE * 10)


def _circulation(arcs: list[tuple[int, int, int, int, int]], nodes: int) -> list[int]:
    """Flows of a min-cost circulation with lower bounds, the bounds moved into node supplies."""
    for lows in (True, False):  # without lower bounds if round-off made them contradictory
        flow = min_cost_flow.SimpleMinCostFlow()
        supply = [0] * nodes
        for tail, head, low, high, cost in arcs:
            low = low if lows else 0
            flow.add_arc_with_capacity_and_unit_cost(tail, head, max(0, high - low), cost)
            supply[tail] -= low
            supply[head] += low
        for node, units in enumerate(supply):
            flow.set_node_supply(node, units)
        if flow.solve() == flow.OPTIMAL:
            return [flow.flow(a) + (arcs[a][2] if lows else 0) for a in range(len(arcs))]
    raise SolverFailure("allocation: rounding found no whole solution")


def _hand_out(pool: _Pool, given: dict[tuple[int, int], int]) -> None:
    """Units still on the shelves go one at a time to the request with the lowest fill (urgent
    first on a tie) that has a line not yet full which one of them suits: to its line with the
    smallest quantity (the biggest step in fill), from the item whose next lot expires first."""
    left = list(pool.capacity)
    line_units: dict[int, int] = defaultdict(int)
    for (d, k), units in given.items():
        left[k] -= units
        line_units[d] += units
    open_by_request: dict[int, list[int]] = defaultdict(list)
    for d, demand in enumerate(pool.demands):
        if line_units[d] < demand.quantity and any(left[k] for k in demand.items):
            open_by_request[demand.request].append(d)
    heap = [
        (_fill(pool, r, line_units), _tier(pool.problem.requests[r]), r) for r in open_by_request
    ]
    heapq.heapify(heap)
    while heap:
        _fill_now, _t, r = heapq.heappop(heap)
        usable_demands = [
            d
            for d in open_by_request[r]
            if line_units[d] < pool.demands[d].quantity
            and any(left[k] for k in pool.demands[d].items)
        ]
        if not usable_demands:
            continue
        d = min(usable_demands, key=lambda e: (pool.demands[e].quantity, pool.demands[e].line))
        k = min((k for k in pool.demands[d].items if left[k]), key=lambda k: _item_key(pool, k))
        given[d, k] = given.get((d, k), 0) + 1
        left[k] -= 1
        line_units[d] += 1
        heapq.heappush(heap, (_fill(pool, r, line_units), _tier(pool.problem.requests[r]), r))


def _fill(pool: _Pool, r: int, line_units: dict[int, int]) -> float:
    return sum(pool.demands[d].weight * line_units[d] for d in pool.by_request[r])


def _pick_lots(pool: _Pool, given: dict[tuple[int, int], int]) -> dict[int, list[Pick]]:
    """Per request, its picks: each item's lots handed out first-expired-first-out, to urgent
    requests first, then in input order."""
    picks: dict[int, list[Pick]] = defaultdict(list)
    order = sorted(given, key=lambda dk: (_tier_of(pool, dk[0]), pool.demands[dk[0]].request, dk))
    cursor = dict.fromkeys(pool.lots, 0)
    taken: dict[str, int] = defaultdict(int)
    for d, k in order:
        demand = pool.demands[d]
        line = pool.problem.requests[demand.request].lines[demand.line]
        wanted = given[d, k]
        while wanted:
            lot = pool.lots[k][cursor[k]]
            take = min(wanted, lot.quantity - taken[lot.id])
            picks[demand.request].append(Pick(line.id, pool.problem.items[k].id, lot.id, take))
            taken[lot.id] += take
            wanted -= take
            if taken[lot.id] == lot.quantity:
                cursor[k] += 1
    return picks


def _tier_of(pool: _Pool, d: int) -> int:
    return _tier(pool.problem.requests[pool.demands[d].request])


# --- the result and its explanation --------------------------------------------------------------


def allocate(problem: Problem) -> Allocation:
    """Allocate `problem`'s usable stock to its requests by the rules above."""
    pool = _fractional(problem)
    given = _round(pool)
    _hand_out(pool, given)
    picks = _pick_lots(pool, given)
    explainer = _Explainer(pool)
    results = tuple(explainer.result(r, picks.get(r, [])) for r in range(len(problem.requests)))
    taken: dict[str, int] = defaultdict(int)
    for result in results:
        for pick in result.picks:
            taken[pick.lot] += pick.quantity
    leftover = {lot.id: lot.quantity - taken[lot.id] for lot in problem.lots}
    return Allocation(RULE_VERSION, results, {i: n for i, n in leftover.items() if n})


def fractional_fill_rates(problem: Problem) -> dict[str, float]:
    """Request id -> fill rate of the fractional leximin optimum, before whole units: what the
    linear programs found (for tests and the benchmark; `allocate` rounds it)."""
    pool = _fractional(problem)
    fill = dict.fromkeys(range(len(problem.requests)), 0.0)
    for (d, _k), units in pool.given.items():
        fill[pool.demands[d].request] += pool.demands[d].weight * units
    return {request.id: fill[r] for r, request in enumerate(problem.requests)}


def _fractional(problem: Problem) -> _Pool:
    found = problem_check(problem)
    if found:
        raise AllocationInputError(found)
    pool = _demands(problem)
    for demands in _parts(pool, _plentiful(pool)):
        _leximin(pool, part_of(pool, demands))
    return pool


class _Explainer:
    """Plain sentences for a coordinator: the tier, the fill rate, and per line what was given and,
    when less than asked, why: items left out (allergens, diets), lots left out (expiry), no stock,
    or scarce stock shared with other requests (counted with bitsets: one bit per request)."""

    def __init__(self, pool: _Pool) -> None:
        self.pool, problem = pool, pool.problem
        self.categories: dict[str, list[int]] = defaultdict(list)
        for k, item in enumerate(problem.items):
            self.categories[item.category].append(k)
        self.expired: dict[str, list[Lot]] = defaultdict(list)
        for lot in problem.lots:
            if lot.quantity > 0 and not usable(lot, problem.pickup):
                self.expired[lot.item].append(lot)
        wants = np.zeros((len(problem.items), len(problem.requests)), dtype=bool)
        for demand in pool.demands:
            wants[list(demand.items), demand.request] = True
        self.wanted_by = [_bits(row) for row in wants]
        self.urgent = _bits(np.array([request.urgent for request in problem.requests], dtype=bool))
        self.index = {item.id: k for k, item in enumerate(problem.items)}

    def result(self, r: int, picks: list[Pick]) -> RequestResult:
        request = self.pool.problem.requests[r]
        given: dict[str, int] = defaultdict(int)
        for pick in picks:
            given[pick.line] += pick.quantity
        fill = sum(min(1.0, given[line.id] / line.quantity) for line in request.lines)
        fill /= len(request.lines)
        tier = _tier(request)
        sentences = [
            "Tier 1: urgent medical, served first with all the stock."
            if tier == URGENT
            else "Tier 2: served with the stock the urgent medical requests left.",
            f"Fill rate {fill:.0%}: the mean of its {len(request.lines)} line(s), "
            "each counted up to 100%.",
        ]
        for line in request.lines:
            sentences.append(self._line(r, line, given[line.id]))
        return RequestResult(request.id, tier, fill, tuple(picks), tuple(sentences))

    def _line(self, r: int, line: Line, given: int) -> str:
        items = self.pool.problem.items
        label = items[self.index[line.item]].name if line.item else f"any {line.category}"
        # The times sign, as the aid pages print quantities.
        said = f"Line {line.id} ({line.quantity} × {label}): given {given} of {line.quantity}"  # noqa: RUF001
        if given >= line.quantity:
            return said + "."
        return f"{said}, because {'; '.join(self._reasons(r, line))}."

    def _reasons(self, r: int, line: Line) -> list[str]:
        problem, request = self.pool.problem, self.pool.problem.requests[r]
        scope = [self.index[line.item]] if line.item else self.categories[line.category or ""]
        if not scope:
            return [f"no item is in the category {line.category!r}"]
        reasons = []
        allergic = [k for k in scope if problem.items[k].allergens & request.allergens]
        if allergic:
            tagged = [
                f"{problem.items[k].name} "
                f"({', '.join(sorted(problem.items[k].allergens & request.allergens))})"
                for k in allergic
            ]
            reasons.append(f"the household's allergies rule out {_names(tagged)}")
        unsuited = [k for k in scope if k not in allergic and not suits(problem.items[k], request)]
        if unsuited:
            diets = ", ".join(sorted(request.diets))
            named = _names([problem.items[k].name for k in unsuited])
            reasons.append(f"its diet ({diets}) rules out {named}")
        suitable = [k for k in scope if suits(problem.items[k], request)]
        expired = [lot for k in suitable for lot in self.expired[problem.items[k].id]]
        if expired:
            units = sum(lot.quantity for lot in expired)
            reasons.append(
                f"{len(expired)} lot(s) ({units} units) expire before the pick-up on "
                f"{problem.pickup.isoformat()}"
            )
        stocked = [k for k in suitable if self.pool.capacity[k]]
        if not stocked:
            return [*reasons, "nothing that suits the household is in stock"]
        return [*reasons, self._shared(r, stocked)]

    def _shared(self, r: int, stocked: list[int]) -> str:
        problem = self.pool.problem
        others = 0
        for k in stocked:
            others |= self.wanted_by[k]
        others &= ~(1 << r)
        units = sum(self.pool.capacity[k] for k in stocked)
        named = _names([problem.items[k].name for k in stocked])
        if not others:
            return f"only {units} usable unit(s) of {named} are in stock"
        said = f"the {units} usable unit(s) of {named} were shared with {others.bit_count()} other"
        said += " request(s)"
        urgent = (others & self.urgent).bit_count()
        if urgent and not problem.requests[r].urgent:
            said += f", {urgent} of them urgent medical and served first"
        return said


def _bits(flags: np.ndarray) -> int:
    """A boolean vector as an int whose bit n is flags[n]."""
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def _names(names: list[str], shown: int = 3) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"
