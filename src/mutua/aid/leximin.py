"""Leximin by a sequence of linear programs: the fractional heart of the aid allocator.

`allocation` prepares a part (requests sharing items, with what plentiful items already gave them)
and calls, per tier, `LeximinModel` and `leximin_levels`; it rounds the result to whole units
afterwards. The method, its shortcuts and its cost are told in `allocation`'s docstring (step 3)
and in `docs/aid-allocation.md`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from ortools.glop import parameters_pb2 as glop_parameters
from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    model_pb2,
    model_update_pb2,
    parameters_pb2,
    result_pb2,
)
from ortools.math_opt.core.python import solver as core_solver

if TYPE_CHECKING:
    from mutua.aid.allocation import _Pool

# Fractional solutions are exact to about 1e-9; these margins keep frozen levels and roundings
# from tripping over that noise. None of them is a unit of stock: they are far below 1 / quantity.
TOLERANCE = 1e-7
# How far below its level a held request may fall, against infeasible round-offs: 1e-9 first; if
# GLOP still fails (its own tolerances are near 1e-8), the part is solved again with 1e-8, which is
# sturdier but sends the simplex down longer paths (2 to 3 s more on the benchmark).
SLACKS = (1e-9, 1e-8)
_LIFT = 1e-6  # a request that cannot exceed its level by this much is held at it
_TEST_EXCESS = 1e-4  # how far `can_exceed` tries to lift each request above the level
_DUAL = 1e-9


@dataclass
class Part:
    """One group of demands sharing items, with local indices for the linear program."""

    demands: list[int]
    requests: list[int]  # problem indices of the requests with a demand here
    items: list[int]
    offset: dict[int, float]  # request -> fill already given in full by plentiful items
    ceiling: dict[int, float]  # request -> fill it could not exceed even with all the stock


def part_of(pool: _Pool, demands: list[int]) -> Part:
    requests = sorted({pool.demands[d].request for d in demands})
    items = sorted({k for d in demands for k in pool.demands[d].items})
    offset = {r: pool.offset.get(r, 0.0) for r in requests}
    ceiling = dict(offset)
    for d in demands:
        demand = pool.demands[d]
        reach = min(demand.quantity, sum(pool.capacity[k] for k in demand.items))
        ceiling[demand.request] += demand.weight * reach
    return Part(demands, requests, items, offset, ceiling)


class SolverFailure(RuntimeError):
    """The solver could not finish a program that has an answer: a fault of the solver, not of
    the input, which `problem_check` has already passed."""


class _Solution(NamedTuple):
    objective: float
    values: np.ndarray  # by variable id
    duals: np.ndarray  # by row id
    costs: np.ndarray  # reduced costs, by variable id
    basis: Any  # the optimal basis (a `BasisProto`), to restart from later


class _Glop:
    """GLOP kept alive across solves, spoken to in MathOpt's protocol buffers: changes pile up in
    one `ModelUpdateProto` and the next solve restarts from the last basis (presolve off: it would
    throw the basis away). Results come back as arrays. (`mathopt.IncrementalSolver` does the same
    but turns every result into dicts of Python objects, which costs more than the solve.)"""

    PARAMETERS = parameters_pb2.SolveParametersProto(
        glop=glop_parameters.GlopParameters(
            use_dual_simplex=False, use_preprocessing=False, change_status_to_imprecise=False
        )
    )

    def __init__(self, proto: model_pb2.ModelProto) -> None:
        self.proto = proto
        self.solver = self._new_solver(proto)
        self.changes: dict[str, dict[Any, float]] = defaultdict(dict)
        self.applied: dict[str, dict[Any, float]] = defaultdict(dict)  # every change sent so far
        self.cold_restarts = 0

    @staticmethod
    def _new_solver(proto: model_pb2.ModelProto) -> Any:
        return core_solver.new(
            parameters_pb2.SOLVER_TYPE_GLOP, proto, parameters_pb2.SolverInitializerProto()
        )

    def set(self, what: str, key: Any, value: float) -> None:
        """Queue a change: `what` is var_lower, var_upper, row_lower, objective or matrix."""
        self.changes[what][key] = value

    def optimum(self, basis: Any = None) -> _Solution:
        """Apply the queued changes and solve, from `basis` if given (else from the last one).
        Every program here is feasible (nobody is ever asked for more than it already has) and
        bounded (levels are at most 1), so any other answer is the simplex losing its way from a
        warm start (GLOP has been seen to answer "infeasible" so): the model is then rebuilt and
        solved from scratch once before giving up."""
        if self.changes:
            self.solver.update(self._update())
            for what, values in self.changes.items():
                self.applied[what].update(values)
            self.changes.clear()
        result = self._solve(basis)
        if result.termination.reason != result_pb2.TERMINATION_REASON_OPTIMAL:
            self.cold_restarts += 1
            self.solver = self._new_solver(self.current_model())
            result = self._solve(None)
        if result.termination.reason != result_pb2.TERMINATION_REASON_OPTIMAL:
            reason = result_pb2.TerminationReasonProto.Name(result.termination.reason)
            raise SolverFailure(f"allocation: the linear program ended {reason}")
        solution = result.solutions[0]
        return _Solution(
            solution.primal_solution.objective_value,
            np.array(solution.primal_solution.variable_values.values),
            np.array(solution.dual_solution.dual_values.values),
            np.array(solution.dual_solution.reduced_costs.values),
            solution.basis,
        )

    def _solve(self, basis: Any) -> result_pb2.SolveResultProto:
        return self.solver.solve(
            self.PARAMETERS,
            model_parameters_pb2.ModelSolveParametersProto(initial_basis=basis),
            None,
            callback_pb2.CallbackRegistrationProto(),
            None,
            None,
        )

    def current_model(self) -> model_pb2.ModelProto:
        """The model as it stands: the first one with every change sent since applied."""
        proto = model_pb2.ModelProto()
        proto.CopyFrom(self.proto)
        for key, value in self.applied["var_lower"].items():
            proto.variables.lower_bounds[key] = value
        for key, value in self.applied["var_upper"].items():
            proto.variables.upper_bounds[key] = value
        for key, value in self.applied["row_lower"].items():
            proto.linear_constraints.lower_bounds[key] = value
        objective = proto.objective.linear_coefficients
        costs = dict(zip(objective.ids, objective.values, strict=True)) | self.applied["objective"]
        objective.Clear()
        for key in sorted(k for k, value in costs.items() if value):
            objective.ids.append(key)
            objective.values.append(costs[key])
        matrix = proto.linear_constraint_matrix
        places = zip(matrix.row_ids, matrix.column_ids, strict=True)
        entries = dict(zip(places, matrix.coefficients, strict=True))
        entries |= self.applied["matrix"]
        matrix.Clear()
        for row, col in sorted(key for key, value in entries.items() if value):
            matrix.row_ids.append(row)
            matrix.column_ids.append(col)
            matrix.coefficients.append(entries[row, col])
        return proto

    def _update(self) -> model_update_pb2.ModelUpdateProto:
        update = model_update_pb2.ModelUpdateProto()
        vectors = {
            "var_lower": update.variable_updates.lower_bounds,
            "var_upper": update.variable_updates.upper_bounds,
            "row_lower": update.linear_constraint_updates.lower_bounds,
            "objective": update.objective_updates.linear_coefficients,
        }
        for what, vector in vectors.items():
            for key in sorted(self.changes.get(what, {})):
                vector.ids.append(key)
                vector.values.append(self.changes[what][key])
        matrix = update.linear_constraint_matrix_updates
        for row, col in sorted(self.changes.get("matrix", {})):
            matrix.row_ids.append(row)
            matrix.column_ids.append(col)
            matrix.coefficients.append(self.changes["matrix"][row, col])
        return update


class LeximinModel:
    """One part's linear program (`_model_proto`) and the moves of the leximin sequence on it.

    Per request, row `sum(weight * units) - link * t - test >= lower`: a free request has link 1
    and lower -offset, a frozen one link 0 and lower level - offset; one not yet in play (tier 2
    while tier 1 is allocated) link 0 and lower -inf. `test` is 0 outside `can_exceed`.
    """

    def __init__(self, pool: _Pool, part: Part, slack: float = SLACKS[0]) -> None:
        self.pool, self.part, self.slack = pool, part, slack
        self.glop = _Glop(_model_proto(pool, part))
        first_row = len(part.items) + len(_groups(pool, part))
        self.row = {r: first_row + n for n, r in enumerate(part.requests)}
        first_test = 1 + len(part.demands) + sum(len(g) for g in _groups(pool, part))
        self.test = {r: first_test + n for n, r in enumerate(part.requests)}
        self.values = np.zeros(first_test + len(part.requests))
        self.column = {d: 1 + n for n, d in enumerate(part.demands)}
        self.position = {r: n for n, r in enumerate(part.requests)}
        self.owner = np.array([self.position[pool.demands[d].request] for d in part.demands])
        self.weight = np.array([pool.demands[d].weight for d in part.demands])
        self.offsets = np.array([part.offset[r] for r in part.requests])
        self.pinned = np.zeros(len(self.values), dtype=bool)  # columns fixed for good, by id
        # The last round's optimal basis, and the one the next round starts from: the round's,
        # after a test program (which leaves a basis far from the next round's optimum).
        self.raised: Any = None
        self.basis: Any = None
        self._stock_arrays()

    def _stock_arrays(self) -> None:
        """Arrays for `spare`: each unit or flow column's item, and each (demand, item) pair with
        the column that would carry one more unit of the item to the demand."""
        pool, part = self.pool, self.part
        item_at = {k: n for n, k in enumerate(part.items)}
        self.capacity = np.array([pool.capacity[k] for k in part.items], dtype=float)
        self.quantity = np.array([pool.demands[d].quantity for d in part.demands], dtype=float)
        carrier: dict[tuple[tuple[int, ...], int], int] = {}
        col_item: list[tuple[int, int]] = []
        col = 1 + len(part.demands)
        for items in _groups(pool, part):
            for k in items:
                carrier[items, k] = col
                col_item.append((col, item_at[k]))
                col += 1
        pairs: list[tuple[int, int, int]] = []  # demand position, item position, carrier column
        for n, d in enumerate(part.demands):
            items = pool.demands[d].items
            if len(items) == 1:
                col_item.append((1 + n, item_at[items[0]]))
                pairs.append((n, item_at[items[0]], 1 + n))
            else:
                pairs += [(n, item_at[k], carrier[items, k]) for k in items]
        self.carried = np.array([c for c, _k in col_item], dtype=int)
        self.carried_item = np.array([k for _c, k in col_item], dtype=int)
        self.pair_demand, self.pair_item, self.pair_column = (
            np.array(column, dtype=int) for column in zip(*pairs, strict=True)
        )

    def free(self, requests: Iterable[int]) -> None:
        for r in requests:
            self.glop.set("matrix", (self.row[r], 0), -1.0)
            self.glop.set("row_lower", self.row[r], -self.part.offset[r])

    def freeze(self, requests: Iterable[int], levels: dict[int, float]) -> None:
        for r in requests:
            self.glop.set("matrix", (self.row[r], 0), 0.0)
            self.glop.set("row_lower", self.row[r], levels[r] - self.part.offset[r] - self.slack)

    def raise_level(self, free: set[int]) -> tuple[float, set[int], set[int]]:
        """Maximise the level `t` of the free requests. Return it, the free requests whose row has
        a positive dual value (they cannot exceed it) and those that already exceed it here."""
        level, self.values, duals, costs, basis = self.glop.optimum(self.basis)
        self.basis = None
        self.raised = basis
        self._fix(costs)
        blocked = {r for r in free if abs(duals[self.row[r]]) > _DUAL}
        fills = self.fills()
        spare = self.spare()
        above = {
            r
            for r in free
            if fills[self.position[r]] > level + _LIFT or spare[self.position[r]] > _LIFT
        }
        return level, blocked, above

    def spare(self) -> np.ndarray:
        """Per request (in `part.requests` order), how much its fill could rise in the last
        solution without taking anything from anyone: one of its lines not yet full could take
        more of a suitable item that still has units left, through columns not fixed for good.
        A request with some can exceed the level; no test program is needed to prove it."""
        used = np.bincount(
            self.carried_item, self.values[self.carried], minlength=len(self.capacity)
        )
        left = self.capacity - used
        units = self.values[1 : 1 + len(self.part.demands)]
        room = np.minimum((self.quantity - units)[self.pair_demand], left[self.pair_item])
        room = np.where(self.pinned[self.pair_column], 0.0, room)
        room = np.where(self.pinned[1 + self.pair_demand], 0.0, room)
        lift = np.maximum(room, 0.0) * self.weight[self.pair_demand]
        best = np.zeros(len(self.part.requests))
        np.maximum.at(best, self.owner[self.pair_demand], lift)
        return best

    def _fix(self, costs: np.ndarray) -> None:
        """Every later program's solutions are optimal for this one (they keep everyone at or
        above this level), so a unit or flow variable with a nonzero reduced cost, which sits at
        a bound in every optimum of this one, can be fixed there for good."""
        last = len(self.values) - len(self.part.requests)
        for col in np.nonzero(np.abs(costs[1:last]) > _DUAL)[0] + 1:
            if not self.pinned[col]:
                self.pinned[col] = True
                self.glop.set("var_lower", int(col), float(self.values[col]))
                self.glop.set("var_upper", int(col), float(self.values[col]))

    def fills(self) -> np.ndarray:
        """The part's requests' fill rates in the last solution, in `part.requests` order."""
        units = self.values[1 : 1 + len(self.part.demands)]
        given = np.bincount(self.owner, self.weight * units, minlength=len(self.part.requests))
        return self.offsets + given

    def can_exceed(self, requests: set[int], level: float) -> set[int]:
        """Which of `requests` (free) can get more than `level` while every free request keeps at
        least `level` and every frozen one its own level. Each round maximises the sum of small
        excesses; whoever gets one can exceed. A round in which nobody does ends it."""
        self.glop.set("var_lower", 0, level - self.slack)
        self.glop.set("var_upper", 0, level - self.slack)
        self.glop.set("objective", 0, 0.0)
        untested, lifted = set(requests), set()
        while untested:
            for r in untested:
                self.glop.set("var_upper", self.test[r], _TEST_EXCESS)
                self.glop.set("objective", self.test[r], 1.0)
            self.values = self.glop.optimum().values
            up = {r for r in untested if self.values[self.test[r]] > _LIFT}
            for r in untested:
                self.glop.set("var_upper", self.test[r], 0.0)
                self.glop.set("objective", self.test[r], 0.0)
            if not up:
                break
            lifted |= up
            untested -= up
        self.glop.set("var_lower", 0, 0.0)
        self.glop.set("var_upper", 0, 1.0)
        self.glop.set("objective", 0, 1.0)
        self.basis = self.raised
        return lifted

    def given(self) -> dict[tuple[int, int], float]:
        """(demand, item) -> units in the last solution; a category group's flows are shared out
        among its lines in order (any split is as good: the lines' items are the same)."""
        given: dict[tuple[int, int], float] = {}
        groups: dict[tuple[int, ...], list[tuple[int, float]]] = defaultdict(list)
        for d, col in self.column.items():
            demand = self.pool.demands[d]
            units = max(0.0, float(self.values[col]))
            if len(demand.items) == 1:
                given[d, demand.items[0]] = units
            else:
                groups[demand.items].append((d, units))
        col = 1 + len(self.part.demands)
        for items in _groups(self.pool, self.part):
            supply = [(k, max(0.0, float(self.values[col + n]))) for n, k in enumerate(items)]
            col += len(items)
            _share(groups[items], supply, given)
        return given


def _groups(pool: _Pool, part: Part) -> list[tuple[int, ...]]:
    """The part's category groups (suitable item sets of more than one item), in a fixed order."""
    return sorted({pool.demands[d].items for d in part.demands if len(pool.demands[d].items) > 1})


def _share(
    lines: list[tuple[int, float]],
    supply: list[tuple[int, float]],
    given: dict[tuple[int, int], float],
) -> None:
    """Split a group's item flows among its lines, first line first (the north-west corner)."""
    k = 0
    left = [units for _item, units in supply]
    for d, wanted in lines:
        while wanted > TOLERANCE and k < len(supply):
            take = min(wanted, left[k])
            if take > 0:
                given[d, supply[k][0]] = given.get((d, supply[k][0]), 0.0) + take
            wanted -= take
            left[k] -= take
            if left[k] <= TOLERANCE:
                k += 1


def _model_proto(pool: _Pool, part: Part) -> model_pb2.ModelProto:
    """Variables: t, units per demand, flow per (group, item), test slack per request. Rows:
    items, groups, requests (all requests start out of play). Built as arrays: a part can have
    tens of thousands of lines."""
    item_row = {k: n for n, k in enumerate(part.items)}
    groups = _groups(pool, part)
    group_row = {items: len(part.items) + n for n, items in enumerate(groups)}
    request_row = {r: len(part.items) + len(groups) + n for n, r in enumerate(part.requests)}
    entries: list[tuple[int, int, float]] = []  # row, column, coefficient
    for col, d in enumerate(part.demands, start=1):
        demand = pool.demands[d]
        entries.append((request_row[demand.request], col, demand.weight))
        if len(demand.items) == 1:
            entries.append((item_row[demand.items[0]], col, 1.0))
        else:
            entries.append((group_row[demand.items], col, -1.0))
    col = 1 + len(part.demands)
    for items in groups:
        for k in items:
            entries += [(group_row[items], col, 1.0), (item_row[k], col, 1.0)]
            col += 1
    for r in part.requests:
        entries.append((request_row[r], col, -1.0))
        col += 1
    n_rows = len(part.items) + len(groups) + len(part.requests)
    upper = [1.0] + [float(pool.demands[d].quantity) for d in part.demands]
    upper += [math.inf] * (col - len(part.requests) - len(upper)) + [0.0] * len(part.requests)
    proto = model_pb2.ModelProto()
    proto.variables.ids.extend(range(col))
    proto.variables.lower_bounds.extend([0.0] * col)
    proto.variables.upper_bounds.extend(upper)
    proto.variables.integers.extend([False] * col)
    proto.objective.maximize = True
    proto.objective.linear_coefficients.ids.append(0)
    proto.objective.linear_coefficients.values.append(1.0)
    proto.linear_constraints.ids.extend(range(n_rows))
    lower = [-math.inf] * len(part.items) + [0.0] * len(groups)
    proto.linear_constraints.lower_bounds.extend(lower + [-math.inf] * len(part.requests))
    upper_rows = [float(pool.capacity[k]) for k in part.items] + [0.0] * len(groups)
    proto.linear_constraints.upper_bounds.extend(upper_rows + [math.inf] * len(part.requests))
    entries.sort()
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(row for row, _col, _coef in entries)
    matrix.column_ids.extend(col for _row, col, _coef in entries)
    matrix.coefficients.extend(coef for _row, _col, coef in entries)
    return proto


def leximin_levels(lp: LeximinModel, part: Part, free: set[int]) -> dict[int, float]:
    """The textbook sequence: raise the free requests' common level as far as it goes, freeze
    those that cannot exceed it, repeat. One round per distinct level: that is the cost."""
    levels: dict[int, float] = {}
    lp.free(free)
    last = -1.0
    while free:
        level, blocked, above = lp.raise_level(free)
        if level >= 1 - TOLERANCE:
            blocked = set(free)
        capped = {r for r in free if part.ceiling[r] <= level + TOLERANCE}
        unknown = free - blocked - capped - above
        if unknown and (capped or level <= last + _LIFT):
            blocked |= unknown - lp.can_exceed(unknown, level)
        last = level
        blocked |= capped
        if not blocked:  # only numerical noise could do this: freeze the lowest to progress
            fills = lp.fills()
            blocked = {min(free, key=lambda r: (fills[lp.position[r]], r))}
        # A capped request is held at its ceiling if the solver's `t` overshoots it by more than
        # the slack a frozen row is given anyway (moving it by less sends the simplex elsewhere).
        over = {r for r in blocked if part.ceiling[r] < level - lp.slack}
        held = {r: part.ceiling[r] if r in over else level for r in blocked}
        lp.freeze(blocked, held)
        levels |= held
        free -= blocked
    return levels
