"""Domain errors on pages: one place maps `MutuaError` to a status and a page, or to form errors.

A view that lets a `MutuaError` escape gets the friendly error page with the right status
(`DomainErrorMiddleware`); a view with a form catches it and calls `form_add_error`, so every field
problem appears beside its field and nothing is saved. The API maps the same errors to JSON in
`mutua.api`.
"""

from collections.abc import Callable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutua.core.errors import MutuaError


def form_add_error(form: forms.Form, error: MutuaError) -> None:
    placed = False
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    return render(
        request,
        f"{status}.html" if status in (400, 403, 404) else "web/error.html",
        {"status": status, "message": message},
        status=status,
    )


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MutuaError) and not request.path.startswith("/api/"):
            return error_page(request, exception.status, exception.message)
        return None
