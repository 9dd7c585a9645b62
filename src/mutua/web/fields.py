"""Form fields for dates and times, shared by every app's forms: the browser's own pickers, and the
span of `mutua.core.dates`, so that a page refuses the same dates with the same words as the API."""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from mutua.core.dates import (
    EARLIEST,
    LATEST,
    OutOfSpan,
    plausible_day,
    plausible_instant,
    span_told,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _InSpan(forms.Field):
    """Refuses a value outside `mutua.core.dates`' span, in the same words as the API."""

    widget_bounds: tuple[str, str]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            try:
                # A datetime is a date too: ask the stricter question first.
                if isinstance(value, datetime):
                    plausible_instant(value)
                else:
                    plausible_day(value)
            except OutOfSpan:
                raise ValidationError(span_told(), code="out_of_span") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        low, high = self.widget_bounds
        return {**super().widget_attrs(widget), "min": low, "max": high}


class DayField(_InSpan, forms.DateField):
    widget = DATE
    widget_bounds = (str(EARLIEST), str(LATEST))


class MomentField(_InSpan, forms.DateTimeField):
    widget = DATETIME
    widget_bounds = (f"{EARLIEST}T00:00", f"{LATEST}T23:59")
