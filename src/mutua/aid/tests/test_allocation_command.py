"""`mutua aid allocate --from FILE.json`, run through `call_command` on files in a temporary
directory: no database is touched."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given

from mutua.aid.allocation_format import problem_from_json, problem_to_json
from mutua.aid.tests.test_allocation import problems

VALID = {
    "pickup": "2026-11-14",
    "items": [
        {"id": "rice", "name": "Rice 1 kg", "category": "grains", "food": True, "diets": ["halal"]},
        {
            "id": "pb",
            "name": "Peanut butter",
            "category": "spreads",
            "food": True,
            "allergens": ["peanuts"],
        },
    ],
    "lots": [
        {"id": "rice-1", "item": "rice", "quantity": 3, "expires": "2027-01-31"},
        {"id": "rice-2", "item": "rice", "quantity": 2, "expires": None},
        {"id": "pb-1", "item": "pb", "quantity": 5},
    ],
    "requests": [
        {"id": "ana", "urgent": True, "lines": [{"id": "a1", "item": "rice", "quantity": 4}]},
        {
            "id": "bo",
            "allergens": ["peanuts"],
            "household_size": 4,
            "lines": [
                {"id": "b1", "item": "rice", "quantity": 4},
                {"id": "b2", "category": "spreads", "quantity": 1},
            ],
        },
    ],
}


def _run(tmp_path, data) -> str:
    path = tmp_path / "instance.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("aid", "allocate", "--from", str(path), stdout=out)
    return out.getvalue()


def test_valid_file_prints_the_allocation_as_json(tmp_path):
    printed = json.loads(_run(tmp_path, VALID))
    assert printed["rule_version"] == "leximin-1"
    ana, bo = printed["requests"]
    assert ana == {
        "request": "ana",
        "tier": 1,
        "fill_rate": 1.0,
        "picks": [
            {"line": "a1", "item": "rice", "lot": "rice-1", "quantity": 3},
            {"line": "a1", "item": "rice", "lot": "rice-2", "quantity": 1},
        ],
        "explanation": ana["explanation"],
    }
    assert bo["tier"] == 2 and bo["fill_rate"] == 0.125
    assert bo["picks"] == [{"line": "b1", "item": "rice", "lot": "rice-2", "quantity": 1}]
    assert "the household's allergies rule out Peanut butter (peanuts)" in bo["explanation"][3]
    assert printed["leftover"] == {"pb-1": 5}


def test_bad_file_fails_naming_every_problem(tmp_path):
    bad = {
        "pickup": "2026-13-01",
        "items": [{"id": "rice", "name": "Rice", "category": "grains", "food": "yes"}],
        "lots": [{"id": "l1", "item": "rice", "quantity": -2, "expires": "soon"}],
        "requests": [
            {
                "id": "ana",
                "lines": [
                    {"id": "a1", "item": "rize", "quantity": 2},
                    {
                        "id": "a2",
                        "item": "rice",
                        "category": "grains",
                        "quantity": 1.5,
                        "colour": "red",
                    },
                ],
            },
            {"id": "ana", "lines": []},
        ],
    }
    with pytest.raises(CommandError) as raised:
        _run(tmp_path, bad)
    message = str(raised.value)
    for problem in [
        "pickup: '2026-13-01' is not a date (YYYY-MM-DD)",
        "item 'rice': food must be true or false",
        "lot 'l1': expires: 'soon' is not a date (YYYY-MM-DD)",
        "request 'ana', line 'a2': unknown field 'colour'",
        "request 'ana', line 'a2': quantity must be a whole number",
        "lot 'l1': quantity must be a whole number of 0 or more",
        "request 'ana' appears more than once",
        "request 'ana', line 'a1': unknown item 'rize'",
        "request 'ana', line 'a2': give either an item or a category",
        "request 'ana': has no lines",
    ]:
        assert f"- {problem}\n" in message + "\n", problem
    assert "(10 problem(s))" in message


def test_file_that_is_not_json_or_not_there_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="is not valid JSON"):
        _run(tmp_path, "{not json")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("aid", "allocate", "--from", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match=r"--from FILE\.json"):
        call_command("aid", "allocate")


def test_a_solver_that_cannot_finish_fails_clearly(tmp_path, solver_fails):
    with pytest.raises(CommandError, match=r"The allocator could not finish .*INFEASIBLE"):
        _run(tmp_path, VALID)


@given(problems())
def test_problem_survives_a_trip_through_json(problem):
    assert problem_from_json(json.loads(json.dumps(problem_to_json(problem)))) == problem
