"""The allocator's linear programs (`leximin.py`) when the solver stumbles: GLOP is kept alive
across solves and restarted warm; should a warm restart answer anything but "optimal" (every
program of the sequence is feasible and bounded, so that is the simplex losing its way), the model
as it stands is rebuilt and solved from scratch. These tests hold the rebuilt model equal to the
one the warm solver has, and walk the fallback and the final error."""

import math

import pytest
from hypothesis import given, settings
from ortools.math_opt import model_pb2, result_pb2

from mutua.aid import allocation, leximin
from mutua.aid.leximin import SolverFailure, _Glop
from mutua.aid.tests.test_allocation import item, lot, pantry, problems, request, wants


class _Spy:
    """Solves every model of the sequence a second time, cold, from `current_model()`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.compared = 0
        self.levels: list[tuple[dict[int, float], dict[int, float]]] = []
        warm = _Glop.optimum
        sequence = leximin.leximin_levels

        def optimum(glop: _Glop, basis=None):
            solution = warm(glop, basis)
            cold = warm(_Glop(glop.current_model()))
            assert cold.objective == pytest.approx(solution.objective, abs=1e-7)
            self.compared += 1
            return solution

        def leximin_levels(lp, part, free):
            levels = sequence(lp, part, free)
            self.levels.append((levels, part.ceiling))
            return levels

        monkeypatch.setattr(_Glop, "optimum", optimum)
        monkeypatch.setattr(allocation, "leximin_levels", leximin_levels)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_the_model_as_it_stands_is_the_one_the_warm_solver_has(problem):
    """Frees, freezes, pins, test programs: after each, a fresh GLOP given `current_model()`
    finds the same optimum as the one that took every change as an update."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        spy = _Spy(monkeypatch)
        allocation.fractional_fill_rates(problem)
    assert spy.compared or not spy.levels
    for levels, ceiling in spy.levels:  # never held above what it could ever get, beyond slack
        assert all(level <= ceiling[r] + max(leximin.SLACKS) for r, level in levels.items())


def test_every_kind_of_change_is_in_the_model_as_it_stands():
    """max x + y with x + y <= 4 and x, y in [0, 3]; then x fixed at 1, y at most 2, the row
    made 2x + y >= 3 (from x + y <= 4), the objective x + 2y: each shows in the rebuilt model."""
    proto = model_pb2.ModelProto()
    proto.variables.ids.extend([0, 1])
    proto.variables.lower_bounds.extend([0.0, 0.0])
    proto.variables.upper_bounds.extend([3.0, 3.0])
    proto.variables.integers.extend([False, False])
    proto.objective.maximize = True
    proto.objective.linear_coefficients.ids.extend([0, 1])
    proto.objective.linear_coefficients.values.extend([1.0, 1.0])
    proto.linear_constraints.ids.append(0)
    proto.linear_constraints.lower_bounds.append(-math.inf)
    proto.linear_constraints.upper_bounds.append(4.0)
    proto.linear_constraint_matrix.row_ids.extend([0, 0])
    proto.linear_constraint_matrix.column_ids.extend([0, 1])
    proto.linear_constraint_matrix.coefficients.extend([1.0, 1.0])
    glop = _Glop(proto)
    assert glop.optimum().objective == pytest.approx(4.0)
    for what, key, value in [
        ("var_lower", 0, 1.0),
        ("var_upper", 0, 1.0),
        ("var_upper", 1, 2.0),
        ("row_lower", 0, 3.0),
        ("matrix", (0, 0), 2.0),
        ("objective", 1, 2.0),
    ]:
        glop.set(what, key, value)
    assert glop.optimum().objective == pytest.approx(5.0)  # x = 1, y = 2
    model = glop.current_model()
    assert list(model.variables.lower_bounds) == [1.0, 0.0]
    assert list(model.variables.upper_bounds) == [1.0, 2.0]
    assert list(model.linear_constraints.lower_bounds) == [3.0]
    assert list(model.linear_constraint_matrix.coefficients) == [2.0, 1.0]
    assert list(model.objective.linear_coefficients.values) == [1.0, 2.0]
    assert _Glop(model).optimum().objective == pytest.approx(5.0)
    assert proto.variables.upper_bounds[1] == 3.0  # the first model is left as it was


def _pantry():
    """Two households share 3 bags of rice; one of them also wants beans, of which there are 4."""
    return pantry(
        [item("rice"), item("beans")],
        [lot("rice-1", "rice", 3), lot("beans-1", "beans", 4)],
        [
            request("amina", wants("a1", 2, "rice")),
            request("bo", wants("b1", 2, "rice"), wants("b2", 6, "beans")),
        ],
    )


class LosesItsWay:
    """A GLOP whose next `failures` solves answer "infeasible", as a warm restart gone astray
    would; after that it answers truly."""

    def __init__(self, inner, failures: int) -> None:
        self.inner, self.failures = inner, failures

    def update(self, update) -> None:
        self.inner.update(update)

    def solve(self, *args):
        if self.failures:
            self.failures -= 1
            return result_pb2.SolveResultProto(
                termination=result_pb2.TerminationProto(
                    reason=result_pb2.TERMINATION_REASON_INFEASIBLE
                )
            )
        return self.inner.solve(*args)


def test_a_part_that_fails_even_from_scratch_is_solved_again_with_the_wider_slack(monkeypatch):
    expected = allocation.fractional_fill_rates(_pantry())
    tried: list[float] = []
    tiers = allocation._tiers
    new_solver = _Glop._new_solver

    def attempt(pool, part, slack):
        tried.append(slack)
        return tiers(pool, part, slack)

    def stumbling(proto):  # every solver of the first attempt fails, warm and from scratch
        failures = 10**6 if tried[-1] == leximin.SLACKS[0] else 0
        return LosesItsWay(new_solver(proto), failures)

    monkeypatch.setattr(allocation, "_tiers", attempt)
    monkeypatch.setattr(_Glop, "_new_solver", staticmethod(stumbling))
    assert allocation.fractional_fill_rates(_pantry()) == pytest.approx(expected, abs=1e-6)
    assert tried == list(leximin.SLACKS)


def test_a_warm_solve_that_loses_its_way_is_solved_again_from_scratch(monkeypatch):
    expected = allocation.fractional_fill_rates(_pantry())
    made: list[_Glop] = []
    new_solver = _Glop._new_solver
    first_init = _Glop.__init__

    def stumbling(proto):
        solver = new_solver(proto)
        return LosesItsWay(solver, 1) if not made[-1].cold_restarts else solver

    def init(glop, proto):
        made.append(glop)
        glop.cold_restarts = 0
        first_init(glop, proto)

    monkeypatch.setattr(_Glop, "_new_solver", staticmethod(stumbling))
    monkeypatch.setattr(_Glop, "__init__", init)
    assert allocation.fractional_fill_rates(_pantry()) == pytest.approx(expected, abs=1e-9)
    assert made and all(glop.cold_restarts == 1 for glop in made)


def test_a_part_that_fails_with_every_slack_stops_the_allocation_with_its_reason(monkeypatch):
    new_solver = _Glop._new_solver
    monkeypatch.setattr(
        _Glop, "_new_solver", staticmethod(lambda proto: LosesItsWay(new_solver(proto), 2))
    )
    with pytest.raises(SolverFailure, match="the linear program ended TERMINATION_REASON_INFEAS"):
        allocation.fractional_fill_rates(_pantry())
