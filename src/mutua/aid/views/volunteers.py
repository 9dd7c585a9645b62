"""Volunteers' shifts and hours, and the aid report with its charts and CSV."""

import csv
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid import forms as aid_forms
from mutua.aid import reports, selectors, services
from mutua.aid.access import aid_may
from mutua.aid.models import (
    AdjustReason,
    ShiftKind,
)
from mutua.community.models import Member
from mutua.community.permissions import signed_in
from mutua.core.errors import MutuaError
from mutua.core.spreadsheets import inert_rows
from mutua.web.actions import GET_POST, Act, act, day_param, one_of, page
from mutua.web.charts import bar_chart

# --- volunteers ----------------------------------------------------------------------------------


def _join(viewer: Member, form: aid_forms.IdForm) -> str:
    services.shift_join(
        actor=viewer, shift=one_of(selectors.shifts_upcoming(viewer=viewer), form.value)
    )
    return _("You are signed up. Thank you!")


def _leave(viewer: Member, form: aid_forms.IdForm) -> str:
    services.shift_leave(
        actor=viewer, shift=one_of(selectors.shifts_upcoming(viewer=viewer), form.value)
    )
    return _("You left the shift.")


def _shift_add(viewer: Member, form: aid_forms.ShiftForm) -> str:
    services.shift_create(actor=viewer, community=viewer.tenant, **form.cleaned_data)
    return _("Shift added.")


def _hours(viewer: Member, form: aid_forms.HoursForm) -> str:
    services.hours_log(actor=viewer, **form.service_fields())
    return _("Hours logged. Thank you!")


@login_required
@GET_POST
def shifts(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    upcoming = selectors.shifts_upcoming(viewer=viewer)
    acts = {
        "join": Act(aid_forms.IdForm, _join),
        "leave": Act(aid_forms.IdForm, _leave),
        "shift": Act(aid_forms.ShiftForm, _shift_add),
        "hours": Act(aid_forms.HoursForm, _hours),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "shifts": [
            (shift, any(s.member_id == viewer.pk for s in shift.signups.all()))
            for shift in upcoming
        ],
        "forms": shown,
        "hours": round(selectors.hours_total(viewer=viewer) / 60, 1),
        "can_manage": aid_may(viewer, "aid.shift.manage", viewer.tenant),
    }
    return page(request, "aid/shifts.html", context, *shown.values())


# --- the report ----------------------------------------------------------------------------------

BAND_LABELS = {
    "expired": _("expired"),
    "0-7": _("0 to 7 days"),
    "8-30": _("8 to 30 days"),
    "31-90": _("31 to 90 days"),
    "90+": _("over 90 days"),
}


def report_charts(found: reports.AidReport) -> dict[str, Any]:
    """The report's charts (also on the coordinator's dashboard)."""
    by_category: dict[str, int] = {}
    for month in found.distributed.values():
        for category, units in month.items():
            by_category[category] = by_category.get(category, 0) + units
    kinds, reasons = dict(ShiftKind.choices), dict(AdjustReason.choices)
    return {
        "months_chart": bar_chart(
            _("Units distributed per month"),
            [(m, sum(c.values())) for m, c in found.distributed.items()],
        ),
        "categories_chart": bar_chart(
            _("Units distributed by category"), sorted(by_category.items(), key=lambda kv: -kv[1])
        ),
        "expiry_chart": bar_chart(
            _("Units on the shelves by days to expiry"),
            [(str(BAND_LABELS.get(b, b)), n) for b, n in found.expiry.items()],
        ),
        "hours_chart": bar_chart(
            _("Volunteer hours by kind of work"),
            [(str(kinds.get(k, k)), round(m / 60, 1)) for k, m in found.volunteer_minutes.items()],
        ),
        "waste_chart": bar_chart(
            _("Units wasted, by reason"),
            [(str(reasons.get(r, r)), n) for r, n in sorted(found.wasted.items())],
        ),
    }


@login_required
def report(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    today = timezone.localdate()
    since = day_param(request.GET.get("since"), today - timedelta(days=89))
    until = day_param(request.GET.get("until"), today)
    if since > until:
        raise MutuaError(_("The window starts after it ends."), code="invalid_date")
    found = reports.aid_report(viewer=viewer, since=since, until=until, today=today)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="aid-report-{since}-{until}.csv"'
        csv.writer(response).writerows(inert_rows(reports.report_csv_rows(found)))
        return response
    categories = found.categories()
    table = [
        (month, [row.get(c, 0) for c in categories]) for month, row in found.distributed.items()
    ]
    context = {
        "report": found,
        "since": since,
        "until": until,
        "categories": categories,
        "table": table,
        "hours": round(sum(found.volunteer_minutes.values()) / 60, 1),
        **report_charts(found),
    }
    return render(request, "aid/report.html", context)
