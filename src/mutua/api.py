"""The JSON API at `/api/v1/` (django-ninja); OpenAPI at `openapi.json`, docs at `docs`.

Authentication: a personal token (`Authorization: Bearer mutua_...`, see `BearerTokenMiddleware`) or
the browser session (with CSRF). Every error, whatever raised it, leaves as one JSON shape with a
stable code:

    {"code": "handle_taken", "message": "That handle is already taken.", "fields": {...}}

| status | code | raised by |
|---|---|---|
| 400 | `bad_request` or the domain's code | a body that is not JSON; a domain `MutuaError` |
| 401 | `unauthenticated` | no valid token or session |
| 403 | `forbidden` | the role does not allow it |
| 404 | `not_found` | no such object, or another community's |
| 409 | `conflict` or the domain's code | a taken handle, a decided request |
| 410 | `gone` or the domain's code | an expired invitation |
| 422 | `invalid_body` | the body does not match the schema (`fields` says where) |
| 429 | `throttled` | too many requests |
| 500 | `server_error` | a bug: the operator's log has the details |
| 503 | `unavailable` or the domain's code | a solver that could not finish; nothing changed |
"""

import logging
from datetime import date, datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from pydantic import AfterValidator

from mutua.core.dates import plausible_day, plausible_instant
from mutua.core.errors import MutuaError

log = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries that document an endpoint's error answers."""
    return dict.fromkeys(statuses, ErrorOut)


Instant = Annotated[datetime, AfterValidator(plausible_instant)]
"""Every time an endpoint takes, in a body or a query: in UTC, within `mutua.core.dates`' span."""

Day = Annotated[date, AfterValidator(plausible_day)]
"""Every date an endpoint takes."""


class BearerToken(HttpBearer):
    """The token itself was checked by `BearerTokenMiddleware`; this documents it in OpenAPI and
    accepts the request only if that check succeeded."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return request.user if getattr(request, "api_token", None) is not None else None


class ObjectBodyParser(Parser):
    """Every JSON body this API takes is an object, so any other JSON value is refused here (ninja
    answers 400). Without this, `[]` or `0` would pass for a body whose fields all have defaults:
    ninja's `Schema` reads fields as attributes, and a list has none, so it got every default."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        body = super().parse_body(request)
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return body


api = NinjaAPI(
    title="Mutua API",
    version="1",
    description="Mutual aid, local dollars and art for land, for one community. "
    "Authenticate with `Authorization: Bearer <token>` (create one on your profile page).",
    urls_namespace="api-1",
    auth=[BearerToken(), SessionAuth()],
    docs_url="/docs",
    parser=ObjectBodyParser(),
)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    429: "throttled",
}


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, body, status=status)


@api.exception_handler(MutuaError)
def _domain_error(request: HttpRequest, exc: MutuaError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        fields.setdefault(where, []).append(str(error.get("msg", "invalid")))
    return _error(request, 422, "invalid_body", "The request does not match the schema.", fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthenticated",
        "Sign in, or send a personal token as 'Authorization: Bearer <token>'.",
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, _STATUS_CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(MultiPartParserError)
def _unreadable_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _error(request, 400, "bad_request", "The multipart body could not be read.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API request failed: %s %s", request.method, request.path)
    return _error(
        request, 500, "server_error", "Something went wrong on our side. It has been logged."
    )


api.add_router("/", "mutua.community.api.router")
api.add_router("/ledger", "mutua.ledger.api.router")
api.add_router("/currency", "mutua.currency.api.router")
api.add_router("/aid", "mutua.aid.api.router")
api.add_router("/coop", "mutua.coop.api.router")
api.add_router("/gardens", "mutua.gardens.api.router")
api.add_router("/learning", "mutua.learning.api.router")
api.add_router("/art", "mutua.art.api.router")
api.add_router("/privacy", "mutua.privacy.api.router")
