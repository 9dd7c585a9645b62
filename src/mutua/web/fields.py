"""Form fields for dates and times, shared by every app's forms: the browser's own pickers, and the
span of `mutua.core.dates`, so that a page refuses the same dates with the same words as the API."""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mutua.core.dates import EARLIEST, LATEST, OutOfSpan, plausible_day, plausible_instant

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _out_of_span() -> ValidationError:
    return ValidationError(
        _("Dates lie between %(earliest)s and %(latest)s.")
        % {"earliest": EARLIEST, "latest": LATEST},
        code="out_of_span",
    )


class DayField(forms.DateField):
    widget = DATE

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None:
            try:
                plausible_day(value)
            except OutOfSpan:
                raise _out_of_span() from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "min": str(EARLIEST), "max": str(LATEST)}


class MomentField(forms.DateTimeField):
    widget = DATETIME

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is not None:
            try:
                plausible_instant(value)
            except OutOfSpan:
                raise _out_of_span() from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {
            **super().widget_attrs(widget),
            "min": f"{EARLIEST}T00:00",
            "max": f"{LATEST}T23:59",
        }
