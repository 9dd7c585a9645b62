"""How the permission matrix walks the site: which routes exist, how each is asked, and what an
answer means.

Routes are read from the running code, never listed by hand: every pattern of the URL resolver
(pages; the Django admin's own patterns aside) and every operation of the API's OpenAPI schema.
A page is keyed `"GET /aid/requests/<uuid:request_id>/"`, an API operation
`"POST /api/v1/aid/requests/{request_id}/cancel"`: the pattern as written, so a key names one
route whatever object fills it.

An answer is one of five outcomes:

- `allowed`: the request got through to the page or the operation: 2xx, 3xx other than to the
  sign-in page, or a 4xx the domain gives an allowed person for a minimal request (400, 409, 410,
  422: an empty form or body, a request already decided);
- `login`: a signed-out visitor is sent to sign in (pages: a redirect to the sign-in page; the
  API: 401);
- `forbidden` (403) and `not_found` (404): refused;
- `error`: anything else (5xx, 405, 429), which no row of the table may produce.

Requests that change things (any method but GET) run in a savepoint that is rolled back, so an
allowed identity's POST (an admin revoking a role, a coordinator committing a run, a sign-out)
leaves the world as it was for the rows after it; the client's cookies are put back likewise.
"""

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from http.cookies import SimpleCookie
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from mutua.api import api
from mutua.web.tests.matrix_world import World

API_PREFIX = "/api/v1/"
ADMIN_PREFIX = "/admin/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def _patterns(patterns: list[Any], prefix: str = "/") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _as_openapi(pattern: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


@cache
def openapi_schema() -> dict[str, Any]:
    """Built once: building it takes about a second."""
    return dict(api.get_openapi_schema())


@cache
def api_operations() -> frozenset[str]:
    """`"METHOD /api/v1/path/{param}"` for every operation in the OpenAPI schema."""
    schema = openapi_schema()
    return frozenset(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    )


def page_patterns() -> set[str]:
    """Every URL pattern that is neither the Django admin's nor an API operation (the API's own
    pages, its schema and docs, stay: they are pages of the resolver)."""
    operation_paths = {key.split(" ", 1)[1] for key in api_operations()}
    return {
        pattern
        for pattern in _patterns(get_resolver().url_patterns)
        if not pattern.startswith(ADMIN_PREFIX) and _as_openapi(pattern) not in operation_paths
    }


def route_of(key: str) -> tuple[str, str]:
    method, pattern = key.split(" ", 1)
    return method, pattern


def parameters(pattern: str) -> list[str]:
    return [a or b for a, b in _PARAMETER.findall(pattern)]


def fill(world: World, pattern: str) -> str:
    return _PARAMETER.sub(lambda found: world.value(pattern, found[1] or found[2]), pattern)


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    outcome: str


def outcome_of(response: HttpResponse, *, is_api: bool) -> str:
    status = response.status_code
    if status >= 500 or status in (405, 429):
        return "error"
    if status == 401 and is_api:
        return "login"
    if status in (301, 302, 303, 307) and _to_login(response.get("Location", "")):
        return "login"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not_found"
    if status < 400 or status in (400, 409, 410, 422):
        return "allowed"
    return "error"


def _to_login(location: str) -> bool:
    path = location.split("?", 1)[0]
    return path.endswith(reverse(settings.LOGIN_URL)) or path.endswith("/admin/login/")


def ask(
    client: Client, key: str, world: World, *, token: str | None = None, empty: bool = False
) -> Answer:
    """Send one request; anything but GET runs in a rolled-back savepoint. An API operation's body
    is the smallest one its schema accepts (`empty`: `{}`, which the schema may refuse)."""
    method, pattern = route_of(key)
    path = fill(world, pattern)
    is_api = key in api_operations()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method in SAFE_METHODS:
        response = client.generic(method, path, headers=headers)
    else:
        body, content_type = ("{}", JSON) if empty else request_body(key, world)
        cookies = SimpleCookie(client.cookies)
        with transaction.atomic():
            response = client.generic(
                method, path, data=body, content_type=content_type, headers=headers
            )
            transaction.set_rollback(True)
        client.cookies = cookies
    return Answer(
        response.status_code, response.get("Location", ""), outcome_of(response, is_api=is_api)
    )


# --- the smallest body an operation's schema accepts ---------------------------------------------

JSON = "application/json"
MULTIPART = "multipart/form-data"
FORM = "application/x-www-form-urlencoded"


def request_body(key: str, world: World) -> tuple[str | bytes, str]:
    """A page's POST is an empty form; an API operation's body is built from its schema with only
    the required fields, ids taken from the world where a field is named like a URL parameter."""
    if key not in api_operations():
        return "", FORM
    method, path = route_of(key)
    schema = openapi_schema()
    content = schema["paths"][path][method.lower()].get("requestBody", {}).get("content", {})
    if MULTIPART in content:
        image = SimpleUploadedFile("matrix.png", _png(), content_type="image/png")
        return encode_multipart(BOUNDARY, {"image": image}), MULTIPART_CONTENT
    if JSON not in content:
        return "", FORM
    example = _example(content[JSON]["schema"], schema["components"]["schemas"], world, "")
    return json.dumps(example), JSON


@cache
def _png() -> bytes:
    """A real 8 by 8 PNG, for the operations that take a photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def _example(node: dict[str, Any], components: dict[str, Any], world: World, name: str) -> Any:
    if "$ref" in node:
        return _example(components[node["$ref"].rsplit("/", 1)[1]], components, world, name)
    if "allOf" in node:
        return _example(node["allOf"][0], components, world, name)
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option.get("type") != "null"]
        if name and len(options) < len(node["anyOf"]):
            return None  # an optional field; an optional body is sent all the same
        return _example(options[0], components, world, name)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        properties = node.get("properties", {})
        return {
            field: _example(properties[field], components, world, field)
            for field in node.get("required", [])
        }
    if kind == "array":
        item = node.get("items", {})
        return [_example(item, components, world, name) for _ in range(node.get("minItems", 0))]
    if kind in ("integer", "number"):
        return max(node.get("minimum", 1), node.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return False
    return _string_example(node.get("format", ""), name, world, node.get("minLength", 1))


def _string_example(format_: str, name: str, world: World, length: int) -> str:
    if name == "id":
        return str(uuid4())  # a new transfer's or payment's own id (its idempotency key)
    if name in world.body_values:
        return world.body_values[name]
    if format_ == "uuid":
        return "00000000-0000-7000-8000-000000000000"
    if format_ == "date":
        return date.today().isoformat()
    if format_ == "date-time":
        return datetime.now(UTC).isoformat()
    return world.values.get(name, "x" * max(length, 1))
