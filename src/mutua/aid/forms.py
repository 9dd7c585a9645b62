"""Forms of the mutual aid pages. They parse input into the values the services take (whole units,
cents, minutes after midnight); the services decide, and raise what is wrong.

Choices are always the viewer's community's own rows (items, places, lots, households, drivers),
so a posted id of another community is simply not a valid choice.
"""

from datetime import time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mutua.aid.access import aid_group_id
from mutua.aid.models import (
    AdjustReason,
    DonorKind,
    Fulfilment,
    Item,
    ItemKind,
    Location,
    LocationKind,
    OfferKind,
    ShiftKind,
    StockLevel,
    Storage,
)
from mutua.aid.services import Donor, DriverShift, IntakeLine, LineWish
from mutua.community.models import Household, Member, Organization
from mutua.community.roles import Allergen, Diet, Role
from mutua.currency.forms import AmountField
from mutua.web.fields import DayField, MomentField

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_UNITS = 1_000_000


def items_of(community_id: Any) -> QuerySet[Item]:
    return Item.objects.filter(community_id=community_id, active=True).order_by("name")


def places_of(community_id: Any) -> QuerySet[Location]:
    """Where stock can be received, moved and counted: every place but the packed-for shelf."""
    return Location.objects.filter(community_id=community_id).exclude(kind=LocationKind.HELD)


def categories_of(community_id: Any) -> list[tuple[str, str]]:
    found = items_of(community_id).order_by("category").values_list("category", flat=True)
    return [(c, c.replace("-", " ")) for c in dict.fromkeys(found)]


class LevelChoiceField(forms.ChoiceField):
    """One lot in one place (the unit a volunteer picks from), posted as `lot@place`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.levels: dict[str, StockLevel] = {}

    def use(self, levels: QuerySet[StockLevel]) -> None:
        self.levels = {f"{lv.lot_id}@{lv.location_id}": lv for lv in levels}
        self.choices = [("", "—")] + [
            (
                key,
                _("%(item)s · %(place)s · expires %(expires)s · %(n)s on hand")
                % {
                    "item": lv.lot.item.name,
                    "place": lv.location.name,
                    "expires": lv.lot.expires or "—",
                    "n": lv.on_hand,
                },
            )
            for key, lv in self.levels.items()
        ]

    def clean(self, value: Any) -> StockLevel:
        key = super().clean(value)
        if key not in self.levels:
            raise forms.ValidationError(_("Choose a lot from the list."), code="invalid_choice")
        return self.levels[key]


def _queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- stock ---------------------------------------------------------------------------------------


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    category = forms.SlugField(
        label=_("Category"),
        max_length=40,
        required=False,
        help_text=_("For example grains, canned-vegetables, infant-formula."),
    )
    unit = forms.CharField(label=_("Unit"), max_length=40, help_text=_("One unit, e.g. 1 kg bag."))
    storage = forms.ChoiceField(label=_("Storage"), choices=Storage.choices)
    allergens = forms.MultipleChoiceField(
        label=_("Contains allergens"),
        choices=Allergen.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    diets = forms.MultipleChoiceField(
        label=_("Suits diets"),
        choices=Diet.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    low_stock = forms.IntegerField(
        label=_("Low-stock threshold"), min_value=0, max_value=1_000_000, initial=0
    )
    unit_value = forms.DecimalField(
        label=_("Estimated value per unit"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        initial=Decimal("0"),
        help_text=_("In local dollars, for receipts and the stock-value report."),
    )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["unit_value"] = int(data["unit_value"] * 100)
        return data


class LocationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in LocationKind.choices if c[0] != LocationKind.HELD]
    )
    latitude = forms.FloatField(
        label=_("Latitude (optional)"),
        required=False,
        help_text=_("Delivery routes start at a place with coordinates, e.g. 42.4440."),
    )
    longitude = forms.FloatField(label=_("Longitude (optional)"), required=False)


class ReceiveForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.IntegerField(label=_("Units"), min_value=1, max_value=MAX_UNITS)
    location = forms.ModelChoiceField(label=_("Into"), queryset=Location.objects.none())
    expires = DayField(label=_("Expires (optional)"), required=False)

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "item", items_of(community_id))
        _queryset(self, "location", places_of(community_id))


class MoveForm(forms.Form):
    level = LevelChoiceField(label=_("Lot"))
    target = forms.ModelChoiceField(label=_("To"), queryset=Location.objects.none())
    quantity = forms.IntegerField(label=_("Units"), min_value=1, max_value=MAX_UNITS)

    def __init__(self, *args: Any, levels: QuerySet[StockLevel], community_id: Any, **kw: Any):
        super().__init__(*args, **kw)
        field = self.fields["level"]
        assert isinstance(field, LevelChoiceField)
        field.use(levels)
        _queryset(self, "target", places_of(community_id))

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        level: StockLevel = data["level"]
        return {
            "lot": level.lot,
            "source": level.location,
            "target": data["target"],
            "quantity": data["quantity"],
        }


class AdjustForm(forms.Form):
    level = LevelChoiceField(label=_("Lot"))
    change = forms.IntegerField(
        label=_("Change in units"),
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=_("Negative for units lost, spoiled or recalled; positive for units found."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=AdjustReason.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, levels: QuerySet[StockLevel], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["level"]
        assert isinstance(field, LevelChoiceField)
        field.use(levels)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        level: StockLevel = data["level"]
        return {
            "lot": level.lot,
            "location": level.location,
            "change": data["change"],
            "reason": data["reason"],
            "note": data["note"],
        }

    def clean_change(self) -> int:
        change = int(self.cleaned_data["change"])
        if change == 0:
            raise forms.ValidationError(_("An adjustment adds or removes at least one unit."))
        return change


class CountStartForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Place to count"), queryset=Location.objects.none())

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "location", places_of(community_id))


class CountRecordForm(forms.Form):
    level = LevelChoiceField(label=_("Lot"))
    counted = forms.IntegerField(label=_("Units found"), min_value=0, max_value=1_000_000)

    def __init__(self, *args: Any, levels: QuerySet[StockLevel], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["level"]
        assert isinstance(field, LevelChoiceField)
        field.use(levels)


# --- intake --------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """Who the goods came from; a purchase names the seller and what the aid fund paid."""

    kind = forms.ChoiceField(
        label=_("This is"),
        choices=[("donation", _("A donation")), ("purchase", _("A purchase"))],
        initial="donation",
    )
    donor_name = forms.CharField(
        label=_("Donor"), max_length=120, required=False, help_text=_("A person or a business.")
    )
    donor_kind = forms.ChoiceField(label=_("Donor is"), choices=DonorKind.choices)
    seller = forms.ModelChoiceField(
        label=_("Bought from"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For a purchase only."),
    )
    amount = AmountField(
        label=_("Paid from the aid fund (local dollars)"),
        required=False,
        help_text=_("For a purchase only: paid into the seller's wallet when you save."),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, community_id: Any, purchases: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if purchases:
            _queryset(self, "seller", Organization.objects.filter(community_id=community_id))
        else:
            for name in ("kind", "seller", "amount"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "purchase":
            if data.get("seller") is None:
                self.add_error("seller", _("Choose the organization the goods were bought from."))
            if not data.get("amount"):
                self.add_error("amount", _("Say how much was paid, more than zero."))
        elif not (data.get("donor_name") or "").strip():
            self.add_error("donor_name", _("Say who the goods came from."))
        return data

    def donor(self) -> Donor:
        data = self.cleaned_data
        if data.get("kind") != "purchase":
            return Donor(name=data["donor_name"], kind=data["donor_kind"])
        name = (data.get("donor_name") or "").strip() or data["seller"].name
        return Donor(
            name=name, kind=data["donor_kind"], seller=data["seller"], amount=data["amount"]
        )


class IntakeLineForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none(), required=False)
    quantity = forms.IntegerField(
        label=_("Units"), required=False, min_value=1, max_value=MAX_UNITS
    )
    location = forms.ModelChoiceField(
        label=_("Into"), queryset=Location.objects.none(), required=False
    )
    expires = DayField(label=_("Expires"), required=False)

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "item", items_of(community_id))
        _queryset(self, "location", places_of(community_id))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("item") is not None or data.get("quantity"):
            for name in ("item", "quantity", "location"):
                if not data.get(name):
                    self.add_error(name, _("This line needs an item, units and a place."))
        return data


IntakeLineFormSet = forms.formset_factory(IntakeLineForm, extra=4, max_num=40)


def intake_lines(formset: Any) -> list[IntakeLine]:
    """The filled-in lines of a valid intake formset (empty rows are skipped)."""
    return [
        IntakeLine(
            item=row["item"],
            quantity=row["quantity"],
            location=row["location"],
            expires=row["expires"],
        )
        for row in formset.cleaned_data
        if row.get("item") is not None
    ]


class CsvIntakeForm(forms.Form):
    donor_name = forms.CharField(label=_("Donor"), max_length=120)
    donor_kind = forms.ChoiceField(label=_("Donor is"), choices=DonorKind.choices)
    file = forms.FileField(
        label=_("Intake list (CSV)"),
        help_text=_("Columns item, quantity, expires, location; a header row first."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("The file is too large (at most 1 MB)."))
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("Save the file as CSV in UTF-8.")) from error


# --- requests and offers -------------------------------------------------------------------------


class AskForm(forms.Form):
    box = forms.BooleanField(label=_("The standard box"), required=False, initial=True)
    fulfilment = forms.ChoiceField(
        label=_("Pick-up or delivery"),
        choices=Fulfilment.choices,
        initial=Fulfilment.PICK_UP,
    )
    note = forms.CharField(
        label=_("Anything we should know (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PhoneRequestForm(AskForm):
    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none())
    field_order = ["household", "box", "fulfilment", "note"]

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "household", Household.objects.filter(community_id=community_id))


class RequestLineForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none(), required=False)
    category = forms.ChoiceField(label=_("or any of"), required=False)
    quantity = forms.IntegerField(label=_("How many"), required=False, min_value=1, max_value=100)

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "item", items_of(community_id))
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *categories_of(community_id)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = (data.get("item") is not None) + bool(data.get("category"))
        if chosen == 2:
            self.add_error("category", _("Choose an item or a category, not both."))
        elif chosen == 1 and not data.get("quantity"):
            self.add_error("quantity", _("Say how many."))
        elif chosen == 0 and data.get("quantity"):
            self.add_error("item", _("Choose an item or a category."))
        return data


RequestLineFormSet = forms.formset_factory(RequestLineForm, extra=4, max_num=40)


def wishes(formset: Any) -> list[LineWish]:
    """The filled-in lines of a valid request formset (empty rows are skipped)."""
    return [
        LineWish(quantity=row["quantity"], item=row.get("item"), category=row.get("category") or "")
        for row in formset.cleaned_data
        if row.get("quantity")
    ]


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("I offer"), choices=OfferKind.choices, initial="goods")
    description = forms.CharField(
        label=_("What you offer"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- allocation and delivery ---------------------------------------------------------------------


class RunForm(forms.Form):
    pickup = DayField(label=_("Pick-up date"))


def minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def drivers_of(community_id: Any) -> QuerySet[Member]:
    """The aid group's volunteers and coordinators, who may drive."""
    return (
        Member.objects.filter(
            community_id=community_id,
            is_active=True,
            memberships__organization_id=aid_group_id(community_id),
            memberships__role__in=[Role.VOLUNTEER, Role.COORDINATOR],
        )
        .distinct()
        .order_by("display_name")
    )


class RoutePlanForm(forms.Form):
    day = DayField(label=_("Delivery day"))
    depot = forms.ModelChoiceField(
        label=_("Routes start at"),
        queryset=Location.objects.none(),
        help_text=_("Only places with coordinates can be a route's start."),
    )

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "depot", places_of(community_id).filter(latitude__isnull=False))


class DriverForm(forms.Form):
    driver = forms.ModelChoiceField(
        label=_("Driver"), queryset=Member.objects.none(), required=False
    )
    capacity = forms.IntegerField(label=_("Boxes"), min_value=1, max_value=200, required=False)
    starts = forms.TimeField(label=_("From"), widget=TIME, required=False)
    ends = forms.TimeField(label=_("Until"), widget=TIME, required=False)

    def __init__(self, *args: Any, community_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "driver", drivers_of(community_id))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("driver") is not None:
            for name in ("capacity", "starts", "ends"):
                if data.get(name) is None:
                    self.add_error(name, _("Each driver needs boxes and a time window."))
            if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
                self.add_error("ends", _("The window ends after it starts."))
        return data


DriverFormSet = forms.formset_factory(DriverForm, extra=3, max_num=20)


def driver_shifts(formset: Any) -> list[DriverShift]:
    """The drivers chosen in a valid driver formset, their windows in minutes after midnight."""
    return [
        DriverShift(
            driver=row["driver"],
            capacity=row["capacity"],
            starts=minutes(row["starts"]),
            ends=minutes(row["ends"]),
        )
        for row in formset.cleaned_data
        if row.get("driver") is not None
    ]


# --- volunteers ----------------------------------------------------------------------------------


class ShiftForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ShiftKind.choices)
    starts_at = MomentField(label=_("Starts"))
    ends_at = MomentField(label=_("Ends"))
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=100, initial=4)


class HoursForm(forms.Form):
    day = DayField(label=_("Day"))
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.25"), max_value=24, max_digits=4, decimal_places=2
    )
    kind = forms.ChoiceField(label=_("Work"), choices=ShiftKind.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "day": data["day"],
            "minutes": int(data["hours"] * 60),
            "kind": data["kind"],
            "note": data["note"],
        }


class IdForm(forms.Form):
    """The object a button acts on (a request, a shift, an offer)."""

    id = forms.UUIDField(widget=forms.HiddenInput)

    @property
    def value(self) -> UUID:
        return self.cleaned_data["id"]
