"""Dates and times on the pages: the span of the API (`mutua.core.dates`), told the same way."""

from collections.abc import Iterator
from importlib import import_module

from django import forms
from django.apps import apps

from mutua.web.fields import DayField, MomentField


class Shift(forms.Form):
    day = DayField()
    starts_at = MomentField()


def test_a_plausible_day_and_time_pass() -> None:
    form = Shift({"day": "2026-11-29", "starts_at": "2026-11-29T09:30"})
    assert form.is_valid(), form.errors


def test_a_date_outside_the_span_is_refused_with_the_span() -> None:
    for day, moment in [("9999-12-31", "9999-12-31T23:00"), ("0001-01-01", "1899-12-31T23:59")]:
        form = Shift({"day": day, "starts_at": moment})
        assert not form.is_valid()
        assert form.errors["day"] == ["Dates lie between 1900-01-01 and 2999-12-31."]
        assert form.errors["starts_at"] == ["Dates lie between 1900-01-01 and 2999-12-31."]


def test_the_browser_picker_is_bounded_too() -> None:
    html = str(Shift()["day"]) + str(Shift()["starts_at"])
    assert 'type="date"' in html and 'min="1900-01-01"' in html and 'max="2999-12-31"' in html
    assert 'type="datetime-local"' in html and 'max="2999-12-31T23:59"' in html


def test_every_form_takes_dates_and_times_through_these_fields() -> None:
    def subclasses(cls: type) -> Iterator[type]:
        for subclass in cls.__subclasses__():
            yield subclass
            yield from subclasses(subclass)

    for config in apps.get_app_configs():
        if config.name.startswith("mutua."):
            try:
                import_module(f"{config.name}.forms")
            except ModuleNotFoundError:
                continue
    plain, seen = [], 0
    for form in subclasses(forms.BaseForm):
        if not form.__module__.startswith("mutua.") or ".tests" in form.__module__:
            continue
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                seen += 1
                if not isinstance(field, DayField | MomentField):
                    plain.append(f"{form.__module__}.{form.__name__}.{name}")
    assert seen >= 15, "the walk found too few date fields to be walking the forms"
    assert not plain, f"use mutua.web.fields.DayField or MomentField: {plain}"
