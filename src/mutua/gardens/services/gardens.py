"""Writing a garden's layout: the garden itself, its plots on the map, its seasons and its crops.

Each function checks `gardens.garden.manage` on the garden (a steward of that garden, or a
community admin), then every field at once (one error naming each problem). Plots may not leave
the map or overlap another plot: the map is what members look at to find their plot.
"""

from datetime import date
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.community.models import Member, Organization
from mutua.community.permissions import require
from mutua.community.roles import OrganizationKind
from mutua.core.errors import Conflict, problems_raise
from mutua.core.services import audit_record
from mutua.gardens.access import organization_scope
from mutua.gardens.models import MAX_GRID, Crop, Garden, Plot, Season


class Place(NamedTuple):
    """Where a plot lies on the map, in grid cells."""

    x: int
    y: int
    w: int = 1
    h: int = 1

    def overlaps(self, other: "Place") -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


@transaction.atomic
def garden_create(
    *,
    actor: Member,
    organization: Organization,
    plot_fee: int = 0,
    household_priority: bool = False,
    columns: int = 12,
    rows: int = 8,
) -> Garden:
    """The garden of a community organization of kind `garden` (one per organization)."""
    require(actor, "gardens.garden.manage", organization_scope(organization))
    problems: dict[str, list[str]] = {}
    if organization.kind != OrganizationKind.GARDEN:
        problems["organization"] = [_("Only a community garden organization has a garden.")]
    if plot_fee < 0:
        problems["plot_fee"] = [_("A fee cannot be negative.")]
    for name, value in (("columns", columns), ("rows", rows)):
        if not 1 <= value <= MAX_GRID:
            problems[name] = [_("Between 1 and %(n)s cells.") % {"n": MAX_GRID}]
    problems_raise(problems, "invalid_garden")
    if Garden.objects.filter(organization=organization).exists():
        raise Conflict(_("This organization has its garden already."), code="garden_exists")
    garden = Garden.objects.create(
        community_id=organization.community_id,
        organization=organization,
        plot_fee=plot_fee,
        household_priority=household_priority,
        columns=columns,
        rows=rows,
    )
    audit_record(action="gardens.garden.created", actor=actor, obj=garden)
    return garden


@transaction.atomic
def garden_settings_set(
    *, actor: Member, garden: Garden, plot_fee: int, household_priority: bool
) -> Garden:
    """The plot fee (for offers made from now on) and the waitlist's priority rule."""
    require(actor, "gardens.garden.manage", garden)
    if plot_fee < 0:
        problems_raise({"plot_fee": [_("A fee cannot be negative.")]}, "invalid_garden")
    garden.plot_fee, garden.household_priority = plot_fee, household_priority
    garden.save(update_fields=["plot_fee", "household_priority"])
    audit_record(
        action="gardens.garden.settings_changed",
        actor=actor,
        obj=garden,
        data={"plot_fee": plot_fee, "household_priority": household_priority},
    )
    return garden


def _place_problems(garden: Garden, place: Place) -> dict[str, list[str]]:
    if min(place) < 0 or place.w < 1 or place.h < 1:
        return {"x": [_("A plot has a place on the map and is at least one cell wide and high.")]}
    if place.x + place.w > garden.columns or place.y + place.h > garden.rows:
        return {
            "x": [
                _("The plot leaves the map (%(c)s columns by %(r)s rows).")
                % {"c": garden.columns, "r": garden.rows}
            ]
        }
    for other in Plot.objects.filter(garden=garden):
        if place.overlaps(Place(other.x, other.y, other.w, other.h)):
            return {"x": [_("The plot overlaps plot %(label)s.") % {"label": other.label}]}
    return {}


@transaction.atomic
def plot_create(*, actor: Member, garden: Garden, label: str, size_m2: int, place: Place) -> Plot:
    require(actor, "gardens.garden.manage", garden)
    Garden.objects.select_for_update().filter(pk=garden.pk).first()  # one map writer at a time
    problems: dict[str, list[str]] = {}
    label = label.strip()
    if not label:
        problems["label"] = [_("Give the plot a label, like A3.")]
    elif Plot.objects.filter(garden=garden, label__iexact=label).exists():
        problems["label"] = [_("There is already a plot with that label.")]
    if size_m2 <= 0:
        problems["size_m2"] = [_("A plot measures more than 0 m².")]
    problems.update(_place_problems(garden, place))
    problems_raise(problems, "invalid_plot")
    plot = Plot.objects.create(
        community_id=garden.community_id,
        garden=garden,
        label=label,
        size_m2=size_m2,
        x=place.x,
        y=place.y,
        w=place.w,
        h=place.h,
    )
    audit_record(action="gardens.plot.created", actor=actor, obj=plot)
    return plot


@transaction.atomic
def season_create(*, actor: Member, garden: Garden, name: str, starts: date, ends: date) -> Season:
    require(actor, "gardens.garden.manage", garden)
    problems: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        problems["name"] = [_("Name the season, like Spring 2027.")]
    elif Season.objects.filter(garden=garden, name__iexact=name).exists():
        problems["name"] = [_("There is already a season with that name.")]
    if ends <= starts:
        problems["ends"] = [_("A season ends after it starts.")]
    problems_raise(problems, "invalid_season")
    season = Season.objects.create(
        community_id=garden.community_id, garden=garden, name=name, starts=starts, ends=ends
    )
    audit_record(action="gardens.season.created", actor=actor, obj=season)
    return season


@transaction.atomic
def crop_create(
    *,
    actor: Member,
    garden: Garden,
    name: str,
    shelf_life_days: int,
    unit_grams: int = 1000,
    cold: bool = False,
) -> Crop:
    """A crop of the garden with how long it keeps once picked (a donated lot's expiry)."""
    require(actor, "gardens.garden.manage", garden)
    problems: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        problems["name"] = [_("Name the crop.")]
    elif Crop.objects.filter(garden=garden, name__iexact=name).exists():
        problems["name"] = [_("The garden has this crop already.")]
    if not 1 <= shelf_life_days <= 3650:
        problems["shelf_life_days"] = [_("Between 1 and 3650 days.")]
    if unit_grams < 1:
        problems["unit_grams"] = [_("A pantry unit weighs at least one gram.")]
    problems_raise(problems, "invalid_crop")
    crop = Crop.objects.create(
        community_id=garden.community_id,
        garden=garden,
        name=name,
        shelf_life_days=shelf_life_days,
        unit_grams=unit_grams,
        cold=cold,
    )
    audit_record(action="gardens.crop.created", actor=actor, obj=crop)
    return crop


def season_on(garden: Garden, day: date) -> Season | None:
    """The garden's season that holds `day` (the latest to start, if seasons overlap)."""
    return (
        Season.objects.filter(garden=garden, starts__lte=day, ends__gte=day)
        .order_by("-starts")
        .first()
    )
