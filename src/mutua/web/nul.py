"""No request may carry the NUL character (U+0000), on any page or endpoint.

PostgreSQL's text cannot hold it: a `\\u0000` in a JSON body, a `%00` in a query or a form field
that reached a query or an insert was a 500 there (psycopg refuses it), while SQLite took it.
Django's form fields refuse it already; the API's schemas, query parameters read by views, and
path parameters did not. The API fuzzer found it (`POST /learning/programs` with a NUL in the
school's slug). Rather than rely on every field, this refuses it once, before any view runs:
with a 422 in the API's error shape (its `fields` say where), or a 400 page.

Headers and cookies are left to the HTTP server: a raw NUL byte is not valid there.
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from mutua.web.errors import error_page

NUL = "\x00"


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every string in a decoded JSON value, keys included."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield f"{where}.{key}", str(key)
            yield from _strings(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _strings(inner, f"{where}.{n}")


def _body(request: HttpRequest) -> Iterator[tuple[str, str]]:
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, values in request.POST.lists():
            yield f"form.{key}", key
            for value in values:
                yield f"form.{key}", value
        for key, files in request.FILES.lists():
            for upload in files:
                yield f"form.{key}", upload.name or ""
    elif b"\\u0000" in request.body:
        # JSON can carry a NUL only as the escape `\u0000`, so a body without that text is
        # clean and is not decoded here a second time (the API decodes it anyway).
        try:
            decoded = json.loads(request.body)
        except ValueError:
            return  # not JSON: the view says what is wrong with it
        # The API names a body's fields without a prefix, as its own 422s do.
        for where, text in _strings(decoded, ""):
            yield where.removeprefix(".") or "body", text


def nul_found(request: HttpRequest) -> str | None:
    """Where the request carries a NUL character (`path`, `query.KEY`, `form.KEY`, or a JSON
    body's `FIELD.N.FIELD`), or None."""
    if NUL in request.path:
        return "path"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return f"query.{key.replace(NUL, '')}"
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for where, text in _body(request):
            if NUL in text:
                return where.replace(NUL, "")
    return None


class NulCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            where = nul_found(request)
        except MultiPartParserError:
            # Reading the form failed here rather than in the view: answer as the API would
            # (`mutua.api`); a page's broken form is Django's own 400, as before.
            if not request.path.startswith("/api/"):
                raise
            unreadable = {"code": "bad_request", "message": "The multipart body could not be read."}
            return JsonResponse(unreadable, status=400)
        if where is None:
            return self.get_response(request)
        message = _("Text may not contain the NUL character (U+0000).")
        if request.path.startswith("/api/"):
            body = {
                "code": "invalid_body",
                "message": "The request does not match the schema.",
                "fields": {where: [message]},
            }
            return JsonResponse(body, status=422)
        return error_page(request, 400, message)
