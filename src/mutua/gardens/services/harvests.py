"""Writing the harvest log, and giving a harvest to the pantry in the same step.

A harvest row is append-only, so a donation cannot be added to it later: `harvest_log` with
`donate=True` first has the aid app receive the lot (`aid.services.harvest_receive`: the crop's
item, `units_of` the weight, expiring the crop's shelf life after the day it was picked), then
writes the harvest pointing at that lot. Both commit together or not at all.

Who may log: a steward of the garden, for anyone; a member, their own harvest from a plot they
hold this season. Only a steward gives a harvest to the pantry.
"""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.models import Lot, Storage
from mutua.aid.services import Produce, harvest_receive
from mutua.community.models import Member
from mutua.community.permissions import may, require
from mutua.core.errors import Forbidden, NotFound, Refused, problems_raise
from mutua.core.services import audit_record
from mutua.gardens.models import Assignment, AssignmentStatus, Crop, Harvest, Plot
from mutua.gardens.services.gardens import season_on

MAX_GRAMS = 10**9  # a tonne of anything is a typo in a garden's log


class HarvestEntry(NamedTuple):
    crop: Crop
    weight_g: int
    day: date
    plot: Plot | None = None
    grower: Member | None = None  # default: the plot's holder, else the one who logs it


def units_of(weight_g: int, unit_grams: int) -> int:
    """Pantry units in a weight: the nearest whole unit (halves round up), at least one, so a
    donated harvest is never a lot of zero units."""
    return max(1, (2 * weight_g + unit_grams) // (2 * unit_grams))


def _problems(entry: HarvestEntry, today: date) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if isinstance(entry.weight_g, bool) or not 0 < entry.weight_g <= MAX_GRAMS:
        problems["weight_g"] = [_("A harvest weighs more than 0 grams.")]
    if entry.day > today:
        problems["day"] = [_("A harvest is logged once it is picked, not before.")]
    if entry.plot is not None and entry.plot.garden_id != entry.crop.garden_id:
        problems["plot"] = [_("That plot is in another garden.")]
    return problems


def _may_log(actor: Member, entry: HarvestEntry) -> None:
    garden = entry.crop.garden
    if may(actor, "gardens.harvest.log", garden):
        return
    require(actor, "gardens.garden.view", garden)
    own = entry.grower is None or entry.grower.pk == actor.pk
    holds = entry.plot is not None and (
        Assignment.objects.filter(
            plot=entry.plot, member=actor, status=AssignmentStatus.ACTIVE
        ).exists()
    )
    if not (own and holds):
        raise Forbidden(_("You may log harvests of a plot you hold this season."), code="forbidden")


def _donate(actor: Member, entry: HarvestEntry, now: datetime, today: date) -> tuple[int, Lot]:
    crop = entry.crop
    expires = entry.day + timedelta(days=crop.shelf_life_days)
    if expires < today:
        raise Refused(
            _("%(crop)s picked on %(day)s has gone past its shelf life: the pantry cannot take it.")
            % {"crop": crop.name, "day": entry.day.isoformat()},
            code="already_expired",
        )
    units = units_of(entry.weight_g, crop.unit_grams)
    lot = harvest_receive(
        actor=actor,
        garden=crop.garden.organization,
        produce=Produce(
            name=crop.name,
            unit=_("%(g)s g") % {"g": crop.unit_grams},
            storage=Storage.COLD if crop.cold else Storage.AMBIENT,
        ),
        quantity=units,
        expires=expires,
        now=now,
    )
    return units, lot


def _holder(plot: Plot | None) -> Member | None:
    if plot is None:
        return None
    held = Assignment.objects.filter(plot=plot, status=AssignmentStatus.ACTIVE)
    found = held.select_related("member").order_by("-offered_at").first()
    return found.member if found is not None else None


@transaction.atomic
def harvest_log(
    *, actor: Member, entry: HarvestEntry, donate: bool = False, now: datetime | None = None
) -> Harvest:
    """Log a harvest; with `donate`, it goes to the pantry as a stock lot in the same step."""
    garden = entry.crop.garden
    if entry.crop.community_id != actor.community_id:
        raise NotFound(_("Not found."))
    _may_log(actor, entry)
    now = now or timezone.now()
    today = timezone.localdate(now)
    problems_raise(_problems(entry, today), "invalid_harvest")
    units, lot = _donate(actor, entry, now, today) if donate else (0, None)
    harvest = Harvest.objects.create(
        community_id=garden.community_id,
        garden=garden,
        season=season_on(garden, entry.day),
        plot=entry.plot,
        crop=entry.crop,
        weight_g=entry.weight_g,
        day=entry.day,
        grower=entry.grower or _holder(entry.plot) or actor,
        logged_by=actor,
        logged_at=now,
        donated=donate,
        lot=lot,
        units=units,
    )
    audit_record(
        action="gardens.harvest.logged",
        actor=actor,
        obj=harvest,
        data={"grams": entry.weight_g, "donated": donate},
    )
    return harvest
