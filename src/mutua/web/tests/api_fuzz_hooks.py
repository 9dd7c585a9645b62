"""Schemathesis hooks for Mutua's fuzz run, loaded by `st run` through `SCHEMATHESIS_HOOKS`.

One kind of failure is dropped, and only that kind: "schema-violating request accepted" (ST201)
when every value the fuzzer changed is a JSON scalar sent where the schema declares only scalar
types, which pydantic's lax mode reads as the declared type: `0` for `false`, `false` for `0.0`, a
number for a date (Unix time, `?until=0`). That is pydantic's documented default and Mutua keeps
it: strict types would be needed on every such field, and strict models make ninja refuse UUID
strings. The first long runs found ten such cases, which this drops (docs/reliability.md).

Everything else still fails the run: ST201 for a scalar where an object or array is declared (the
bug that let `[null, null]` create an invitation), for an array or object sent in place of a
scalar, for any change other than a type change, and for any case whose record does not say what
was changed or what the schema declares there.
"""

from typing import Any

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData

_MISSING = object()
ITEMS = object()  # in a path of keys: every element of the list there
SCALAR_TYPES = frozenset({"boolean", "integer", "number", "string", "null"})


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if not isinstance(failure, AcceptedNegativeData):
        return True
    changes = _changes(case)
    lax = bool(changes) and all(
        declared <= SCALAR_TYPES and _scalar(value) for declared, value in changes
    )
    return not lax


def _changes(case: Any) -> list[tuple[frozenset[str], Any]]:
    """What the fuzzer changed, as (the types the schema declares there, the value sent), from the
    case's own record; empty when that record does not say (the failure is then kept)."""
    data = (case.meta.to_dict() if case.meta else {}).get("phase", {}).get("data") or {}
    changes: list[tuple[frozenset[str], Any]] = []
    if data.get("scenario") == "incorrect_type":
        where = str(data.get("parameter_location") or "").lower()
        if where == "body":
            pointer = str(data.get("location") or "").strip("/").split("/")[:-1]  # drops "type"
            keys = [
                ITEMS if part == "items" else pointer[i + 1]
                for i, part in enumerate(pointer[:-1])
                if part in ("properties", "items")
            ]
            declared = _declared_types(case, pointer)
            changes += [(declared, value) for value in _values_at(case.body, keys)]
        elif where in ("query", "path") and data.get("parameter"):
            # Every query and path parameter of this API is a scalar: text on the wire.
            values = case.query if where == "query" else case.path_parameters
            changes += [(frozenset({"string"}), v) for v in _values_at(values, [data["parameter"]])]
    for mutation in data.get("mutations") or []:
        if mutation.get("operator") != "change_type":
            return []  # another kind of change: keep the failure
        declared = frozenset({str(mutation.get("original_value"))})
        sent = frozenset({str(mutation.get("new_value"))})
        changes.append((declared, "scalar" if sent <= SCALAR_TYPES - {"null"} else _MISSING))
    return [] if any(value is _MISSING for _, value in changes) else changes


def _declared_types(case: Any, pointer: list[str]) -> frozenset[str]:
    """The JSON types the body schema declares at `pointer` (every branch of an anyOf/oneOf)."""
    bodies = list(case.operation.body)
    if not bodies:
        return frozenset({"unknown"})
    root = bodies[0].unoptimized_schema
    node: Any = root
    for part in pointer:
        node = _resolved(root, node)
        node = node[int(part)] if isinstance(node, list) else node.get(part, {})
    return _types(root, _resolved(root, node))


def _types(root: dict[str, Any], node: Any) -> frozenset[str]:
    if not isinstance(node, dict):
        return frozenset({"unknown"})
    if "type" in node:
        declared = node["type"]
        return frozenset(declared if isinstance(declared, list) else [declared])
    branches = node.get("anyOf") or node.get("oneOf") or node.get("allOf")
    if branches:
        return frozenset().union(*(_types(root, _resolved(root, b)) for b in branches))
    return frozenset({"unknown"})


def _resolved(root: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _values_at(value: Any, keys: list[Any]) -> list[Any]:
    """The values at `keys` in `value` (every element of a list at ITEMS); [_MISSING] if a key is
    not there, so that the failure is kept."""
    if not keys:
        return [value]
    key, rest = keys[0], keys[1:]
    if key is ITEMS and isinstance(value, list) and value:
        return [found for item in value for found in _values_at(item, rest)]
    if isinstance(value, dict) and key in value:
        return _values_at(value[key], rest)
    return [_MISSING]


def _scalar(value: Any) -> bool:
    return isinstance(value, bool | int | float | str)
