"""The allocator's JSON: a self-contained problem in, an allocation out (`docs/aid-allocation.md`
shows both with a worked example). Pure Python; no Django.

Reading is strict and reports every problem at once (beancount's way), in one
`AllocationInputError`: missing or unknown fields, wrong types, bad dates, negative or fractional
quantities, then what `allocation.problem_check` finds across records (duplicate ids, lines naming
unknown items or both an item and a category). A record with a bad field is still kept, with a
neutral value in its place, so that the records pointing at it are not reported as well.

    {"pickup": "2026-11-14",
     "items": [{"id": "rice", "name": "Rice 1 kg", "category": "grains", "food": true,
                "allergens": [], "diets": ["vegan", "halal"]}],
     "lots": [{"id": "rice-0412", "item": "rice", "quantity": 4, "expires": "2027-03-01"}],
     "requests": [{"id": "r-17", "urgent": false, "allergens": ["peanuts"], "diets": [],
                   "household_size": 3,
                   "lines": [{"id": "r-17-1", "item": "rice", "quantity": 4},
                             {"id": "r-17-2", "category": "grains", "quantity": 2}]}]}

`allergens`, `diets`, `urgent`, `household_size` and a lot's `expires` (null: no expiry) may be
left out. The output is `allocation_to_json`: rule version, per request (input order) its tier,
fill rate, picks and explanation, and the units left per lot.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from mutua.aid.allocation import (
    Allocation,
    AllocationInputError,
    Item,
    Line,
    Lot,
    Problem,
    Request,
    problem_check,
)

_FIELDS = {
    "problem": ({"pickup", "items", "lots", "requests"}, set()),
    "item": ({"id", "name", "category", "food"}, {"allergens", "diets"}),
    "lot": ({"id", "item", "quantity"}, {"expires"}),
    "request": ({"id", "lines"}, {"urgent", "allergens", "diets", "household_size"}),
    "line": ({"id", "quantity"}, {"item", "category"}),
}


class _Reader:
    """Reads JSON values, noting each problem with where it was found instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def record(self, value: object, kind: str, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problems.append(f"{where}: must be an object")
            return {}
        required, optional = _FIELDS[kind]
        for name in sorted(required - value.keys()):
            self.problems.append(f"{where}: missing field {name!r}")
        for name in sorted(value.keys() - required - optional):
            self.problems.append(f"{where}: unknown field {name!r}")
        return value

    def text(self, record: dict[str, Any], name: str, where: str, default: str = "") -> str:
        value = record.get(name, default)
        if not isinstance(value, str) or (name == "id" and not value):
            if name in record:
                kind = "a non-empty text" if name == "id" else "a text"
                self.problems.append(f"{where}: {name} must be {kind}")
            return default
        return value

    def whole(self, record: dict[str, Any], name: str, where: str, default: int = 0) -> int:
        value = record.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(f"{where}: {name} must be a whole number")
            return default
        return value

    def flag(self, record: dict[str, Any], name: str, where: str) -> bool:
        value = record.get(name, False)
        if not isinstance(value, bool):
            self.problems.append(f"{where}: {name} must be true or false")
            return False
        return value

    def tags(self, record: dict[str, Any], name: str, where: str) -> frozenset[str]:
        value = record.get(name, [])
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            self.problems.append(f"{where}: {name} must be a list of texts")
            return frozenset()
        return frozenset(value)

    def day(self, value: object, where: str) -> date | None:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        return None

    def each(self, data: dict[str, Any], name: str, read: Callable[[object, int], Any]) -> tuple:
        values = data.get(name, [])
        if not isinstance(values, list):
            self.problems.append(f"{name} must be a list")
            return ()
        return tuple(read(value, n) for n, value in enumerate(values))


def problem_from_json(data: object) -> Problem:
    """The problem in `data` (parsed JSON); AllocationInputError lists everything wrong in it."""
    reader = _Reader()
    top = reader.record(data, "problem", "the file")
    pickup = reader.day(top.get("pickup"), "pickup") if "pickup" in top else None
    problem = Problem(
        pickup or date.min,
        reader.each(top, "items", lambda value, n: _item(reader, value, n)),
        reader.each(top, "lots", lambda value, n: _lot(reader, value, n)),
        reader.each(top, "requests", lambda value, n: _request(reader, value, n)),
    )
    found = reader.problems + problem_check(problem)
    if found:
        raise AllocationInputError(found)
    return problem


def _where(kind: str, value: object, n: int) -> str:
    named = isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]
    return f"{kind} {value['id']!r}" if named else f"{kind} #{n + 1}"  # type: ignore[index]


def _item(reader: _Reader, value: object, n: int) -> Item:
    where = _where("item", value, n)
    record = reader.record(value, "item", where)
    return Item(
        reader.text(record, "id", where, f"#{n + 1}"),
        reader.text(record, "name", where),
        reader.text(record, "category", where),
        reader.flag(record, "food", where),
        reader.tags(record, "allergens", where),
        reader.tags(record, "diets", where),
    )


def _lot(reader: _Reader, value: object, n: int) -> Lot:
    where = _where("lot", value, n)
    record = reader.record(value, "lot", where)
    expires = record.get("expires")
    return Lot(
        reader.text(record, "id", where, f"#{n + 1}"),
        reader.text(record, "item", where),
        reader.whole(record, "quantity", where),
        None if expires is None else reader.day(expires, f"{where}: expires"),
    )


def _request(reader: _Reader, value: object, n: int) -> Request:
    where = _where("request", value, n)
    record = reader.record(value, "request", where)
    lines = reader.each(record, "lines", lambda line, m: _line(reader, line, m, where))
    return Request(
        reader.text(record, "id", where, f"#{n + 1}"),
        reader.flag(record, "urgent", where),
        lines,
        reader.tags(record, "allergens", where),
        reader.tags(record, "diets", where),
        reader.whole(record, "household_size", where, 1),
    )


def _line(reader: _Reader, value: object, n: int, request: str) -> Line:
    where = f"{request}, {_where('line', value, n)}"
    record = reader.record(value, "line", where)
    item, category = record.get("item"), record.get("category")
    return Line(
        reader.text(record, "id", where, f"#{n + 1}"),
        reader.whole(record, "quantity", where, 1),
        None if item is None else reader.text(record, "item", where),
        None if category is None else reader.text(record, "category", where),
    )


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The inverse of `problem_from_json` (for instance files: tests, the benchmark, the docs)."""
    return {
        "pickup": problem.pickup.isoformat(),
        "items": [
            {
                "id": item.id,
                "name": item.name,
                "category": item.category,
                "food": item.food,
                "allergens": sorted(item.allergens),
                "diets": sorted(item.diets),
            }
            for item in problem.items
        ],
        "lots": [
            {
                "id": lot.id,
                "item": lot.item,
                "quantity": lot.quantity,
                "expires": lot.expires.isoformat() if lot.expires else None,
            }
            for lot in problem.lots
        ],
        "requests": [
            {
                "id": request.id,
                "urgent": request.urgent,
                "allergens": sorted(request.allergens),
                "diets": sorted(request.diets),
                "household_size": request.household_size,
                "lines": [
                    {"id": line.id, "quantity": line.quantity}
                    | ({"item": line.item} if line.item is not None else {})
                    | ({"category": line.category} if line.category is not None else {})
                    for line in request.lines
                ],
            }
            for request in problem.requests
        ],
    }


def allocation_to_json(allocation: Allocation) -> dict[str, Any]:
    return {
        "rule_version": allocation.rule_version,
        "requests": [
            {
                "request": result.request,
                "tier": result.tier,
                "fill_rate": result.fill_rate,
                "picks": [
                    {"line": p.line, "item": p.item, "lot": p.lot, "quantity": p.quantity}
                    for p in result.picks
                ],
                "explanation": list(result.explanation),
            }
            for result in allocation.requests
        ],
        "leftover": dict(allocation.leftover),
    }
