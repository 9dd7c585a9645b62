"""The shape of a page with actions (`Act`), and the small parsers the pages share; used by the
pages of the pantry, the co-op, the gardens and the workshops.

A page lists its actions; a POST names one (`action`), its form parses the input and its function
calls one service. A `MutuaError` lands beside the form (400, nothing changed); `NotFound` and
`Forbidden` go on to the error pages.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutua.community.models import Member
from mutua.core.dates import OutOfSpan, plausible_day, span_told
from mutua.core.errors import Forbidden, MutuaError, NotFound
from mutua.web.errors import form_add_error

GET_POST = require_http_methods(["GET", "POST"])
PASS_THROUGH = (NotFound, Forbidden)  # to the error pages, never beside a form

# --- the shape of a page with actions ------------------------------------------------------------


class Done(NamedTuple):
    """What an action did, and where to go next (the same page unless `url` says otherwise)."""

    message: str
    url: str = ""


@dataclass(frozen=True)
class Act:
    """One thing a page's POST can do: the form that parses it, and the function that calls the
    service (returning a message, or the response to send)."""

    form_class: type[forms.Form]
    run: Callable[[Member, Any], "str | Done | HttpResponse"]
    options: dict[str, Any] = field(default_factory=dict)

    def form(self, name: str, data: Any = None, files: Any = None) -> forms.Form:
        return self.form_class(data, files, prefix=name, **self.options)


def act(
    request: HttpRequest, viewer: Member, acts: dict[str, Act]
) -> tuple[dict[str, forms.Form], HttpResponse | None]:
    """Every action's form (the posted one bound), and the response when the action succeeded."""
    shown = {name: act.form(name) for name, act in acts.items()}
    if request.method != "POST":
        return shown, None
    name = request.POST.get("action", "")
    if name not in acts:
        raise MutuaError(_("Unknown action."), code="invalid")
    form = shown[name] = acts[name].form(name, request.POST, request.FILES)
    if form.is_valid():
        try:
            done = acts[name].run(viewer, form)
        except PASS_THROUGH:
            raise
        except MutuaError as error:
            form_add_error(form, error)
        else:
            if isinstance(done, HttpResponse):
                return shown, done
            done = done if isinstance(done, Done) else Done(done)
            messages.success(request, done.message)
            return shown, redirect(done.url or request.get_full_path())
    return shown, None


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *forms_shown: Any
) -> HttpResponse:
    """Render; 400 when a posted form (or formset) shows errors. Errors of buttons, which have no
    fields to show them beside, go to the top of the page."""
    failed = [f for f in forms_shown if f is not None and f.is_bound and not _valid(f)]
    context["button_errors"] = [
        message
        for f in failed
        if isinstance(f, forms.Form) and not f.visible_fields()
        for messages_ in f.errors.values()
        for message in messages_
    ]
    return render(request, template, context, status=400 if failed else 200)


def _valid(form: Any) -> bool:
    return not form.errors if isinstance(form, forms.Form) else form.is_valid()


def one_of(queryset: QuerySet[Any], pk: UUID) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def day_param(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise MutuaError(_("Dates are written YYYY-MM-DD."), code="invalid_date") from error
    try:
        return plausible_day(day)
    except OutOfSpan as error:
        raise MutuaError(span_told(), code="invalid_date") from error


def clock(minutes_of_day: int) -> str:
    return f"{minutes_of_day // 60:02d}:{minutes_of_day % 60:02d}"
