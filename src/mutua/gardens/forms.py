"""Forms of the garden pages. They parse input into the values the services take (grams, cents,
grid cells); the services decide, and raise what is wrong.

Choices are always the garden's own rows (seasons, plots, crops, applications), so a posted id of
another garden or community is simply not a valid choice.
"""

from typing import Any
from uuid import UUID

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mutua.currency.forms import AmountField
from mutua.gardens.models import MAX_GRID, Application, Crop, Plot, Season, WorkDay
from mutua.gardens.services import MAX_GRAMS, HarvestEntry, Place
from mutua.web.fields import DayField, MomentField


class IdForm(forms.Form):
    """The object a button acts on (an offer, a plot, a task)."""

    id = forms.UUIDField(widget=forms.HiddenInput)

    @property
    def value(self) -> UUID:
        return self.cleaned_data["id"]


class ApplyForm(forms.Form):
    season = forms.ModelChoiceField(
        queryset=Season.objects.none(), label=_("Season"), empty_label=None
    )
    without_garden = forms.BooleanField(
        required=False, label=_("Our household has no garden of its own")
    )
    note = forms.CharField(
        required=False, max_length=300, label=_("Anything the stewards should know (optional)")
    )

    def __init__(self, *args: Any, seasons: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["season"].queryset = seasons  # type: ignore[attr-defined]


class OfferForm(forms.Form):
    application = forms.ModelChoiceField(
        queryset=Application.objects.none(), label=_("Offer to"), empty_label=None
    )
    plot = forms.ModelChoiceField(queryset=Plot.objects.none(), label=_("Plot"), empty_label=None)

    def __init__(
        self,
        *args: Any,
        applications: QuerySet[Any] | None = None,
        plots: QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications  # type: ignore[attr-defined]
        self.fields["application"].label_from_instance = lambda a: a.member.display_name  # type: ignore[attr-defined]
        self.fields["plot"].queryset = plots  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    plot_fee = AmountField(
        required=False,
        label=_("Plot fee per season (local dollars)"),
        help_text=_("Leave empty for free plots."),
    )
    household_priority = forms.BooleanField(
        required=False, label=_("Households without a garden go first on the waitlist")
    )


class PlotForm(forms.Form):
    label = forms.CharField(max_length=20, label=_("Label"))
    size_m2 = forms.IntegerField(min_value=1, max_value=100_000, label=_("Size (m²)"))
    x = forms.IntegerField(min_value=0, max_value=MAX_GRID, label=_("Column (from 0)"))
    y = forms.IntegerField(min_value=0, max_value=MAX_GRID, label=_("Row (from 0)"))
    w = forms.IntegerField(min_value=1, max_value=MAX_GRID, initial=1, label=_("Width (cells)"))
    h = forms.IntegerField(min_value=1, max_value=MAX_GRID, initial=1, label=_("Height (cells)"))

    def place(self) -> Place:
        data = self.cleaned_data
        return Place(data["x"], data["y"], data["w"], data["h"])


class SeasonForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("Name"))
    starts = DayField(label=_("Starts"))
    ends = DayField(label=_("Ends"))


class CropForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("Crop"))
    shelf_life_days = forms.IntegerField(
        min_value=1, max_value=3650, label=_("Keeps for (days) once picked")
    )
    unit_grams = forms.IntegerField(
        min_value=1, max_value=100_000, initial=1000, label=_("Grams per pantry unit")
    )
    cold = forms.BooleanField(required=False, label=_("Keep in the fridge"))


class WorkDayForm(forms.Form):
    title = forms.CharField(max_length=120, label=_("Title"))
    starts_at = MomentField(label=_("Starts"))
    ends_at = MomentField(label=_("Ends"))
    note = forms.CharField(required=False, max_length=300, label=_("Note (optional)"))


class TaskForm(forms.Form):
    work_day = forms.ModelChoiceField(
        queryset=WorkDay.objects.none(), label=_("Work day"), empty_label=None
    )
    title = forms.CharField(max_length=120, label=_("Task"))
    capacity = forms.IntegerField(min_value=1, max_value=200, initial=4, label=_("Places"))

    def __init__(self, *args: Any, work_days: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_day"].queryset = work_days  # type: ignore[attr-defined]


class HarvestForm(forms.Form):
    crop = forms.ModelChoiceField(queryset=Crop.objects.none(), label=_("Crop"), empty_label=None)
    plot = forms.ModelChoiceField(queryset=Plot.objects.none(), label=_("Plot"), required=False)
    # The services refuse zero and less (so the API and the pages give the same message).
    weight_g = forms.IntegerField(max_value=MAX_GRAMS, label=_("Weight (grams)"))
    day = DayField(label=_("Picked on"))
    donate = forms.BooleanField(required=False, label=_("Give it to the pantry"))

    def __init__(
        self,
        *args: Any,
        crops: QuerySet[Any] | None = None,
        plots: QuerySet[Any] | None = None,
        may_donate: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crop"].queryset = crops  # type: ignore[attr-defined]
        self.fields["plot"].queryset = plots  # type: ignore[attr-defined]
        if not may_donate:
            del self.fields["donate"]

    def entry(self) -> HarvestEntry:
        data = self.cleaned_data
        return HarvestEntry(
            crop=data["crop"], weight_g=data["weight_g"], day=data["day"], plot=data["plot"]
        )
