"""Reading the gardens: the list, one garden's map and seasons, the waitlist, a member's own
plots and offers, work days, and the harvest log.

Every selector takes the viewer and checks the rule first (`community.permissions`, roles held in
the garden's organization). An object of another community, or a malformed id, is `NotFound`: the
scoped managers never return another community's rows, and `_get` says so in one way. Members see
which plots are taken, not by whom; the steward's waitlist shows names.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import Member, Organization
from mutua.community.permissions import may, require
from mutua.community.roles import OrganizationKind
from mutua.core.errors import NotFound
from mutua.gardens.access import organization_scope
from mutua.gardens.models import (
    LIVE,
    Application,
    ApplicationStatus,
    Assignment,
    Crop,
    Garden,
    Harvest,
    Plot,
    Season,
    Task,
    TaskSignup,
    WorkDay,
)
from mutua.gardens.waitlist import Entry, waitlist_order

CELL = 40  # px per grid cell on the plot map


def _get(queryset: QuerySet[Any], pk: UUID | str) -> Any:
    try:
        found = queryset.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id is simply not found
        found = None
    if found is None:
        raise NotFound(_("Not found."))
    return found


def garden_list(*, viewer: Member) -> QuerySet[Garden]:
    require(viewer, "gardens.garden.view", viewer.tenant)
    return (
        Garden.objects.filter(community_id=viewer.tenant_id)
        .select_related("organization")
        .annotate(plot_count=Count("plots", distinct=True))
    )


def gardens_to_set_up(*, viewer: Member) -> list[Organization]:
    """The community's garden organizations without a garden yet that the viewer may set up."""
    found = Organization.objects.filter(
        community_id=viewer.tenant_id, kind=OrganizationKind.GARDEN, garden__isnull=True
    )
    return [org for org in found if may(viewer, "gardens.garden.manage", organization_scope(org))]


def garden_get(*, viewer: Member, garden_id: UUID | str) -> Garden:
    garden: Garden = _get(
        Garden.objects.filter(community_id=viewer.tenant_id).select_related("organization"),
        garden_id,
    )
    require(viewer, "gardens.garden.view", garden)
    return garden


def season_get(*, garden: Garden, season_id: UUID | str) -> Season:
    found: Season = _get(Season.objects.filter(garden=garden), season_id)
    return found


def plot_get(*, garden: Garden, plot_id: UUID | str) -> Plot:
    found: Plot = _get(Plot.objects.filter(garden=garden), plot_id)
    return found


def crop_get(*, garden: Garden, crop_id: UUID | str) -> Crop:
    found: Crop = _get(Crop.objects.filter(garden=garden), crop_id)
    return found


def season_current(garden: Garden, today: date | None = None) -> Season | None:
    """The season on today, else the next to start, else the latest."""
    today = today or timezone.localdate()
    seasons = Season.objects.filter(garden=garden)
    return (
        seasons.filter(starts__lte=today, ends__gte=today).order_by("-starts").first()
        or seasons.filter(starts__gt=today).order_by("starts").first()
        or seasons.order_by("-ends").first()
    )


def seasons_open(garden: Garden, today: date | None = None) -> QuerySet[Season]:
    """Seasons one may still apply for."""
    return Season.objects.filter(garden=garden, ends__gte=today or timezone.localdate())


@dataclass(frozen=True)
class MapPlot:
    plot: Plot
    state: str  # free, offered, taken, mine
    holder: str  # shown to stewards only

    @property
    def box(self) -> dict[str, int]:
        p = self.plot
        return {"x": p.x * CELL, "y": p.y * CELL, "w": p.w * CELL, "h": p.h * CELL}

    @property
    def centre(self) -> dict[str, int]:
        box = self.box
        return {"x": box["x"] + box["w"] // 2, "y": box["y"] + box["h"] // 2}


def plot_map(*, viewer: Member, garden: Garden, season: Season | None) -> list[MapPlot]:
    """Every plot with its state in `season` (who holds it, for a steward)."""
    steward = may(viewer, "gardens.waitlist.view", garden)
    live: dict[UUID, Assignment] = {}
    if season is not None:
        rows = Assignment.objects.filter(season=season, status__in=LIVE).select_related("member")
        live = {a.plot_id: a for a in rows}
    found = []
    for plot in Plot.objects.filter(garden=garden):
        held = live.get(plot.id)
        if held is None:
            state, holder = "free", ""
        else:
            mine = held.member_id == viewer.pk
            state = "mine" if mine else ("offered" if held.status == "offered" else "taken")
            holder = held.member.display_name if steward or mine else ""
        found.append(MapPlot(plot, state, holder))
    return found


def plots_free(*, garden: Garden, season: Season) -> QuerySet[Plot]:
    taken = Assignment.objects.filter(season=season, status__in=LIVE).values("plot_id")
    return Plot.objects.filter(garden=garden).exclude(pk__in=taken)


def waitlist(*, viewer: Member, garden: Garden, season: Season) -> list[Application]:
    """Every application of the season, in the order plots are offered (waiting ones first)."""
    require(viewer, "gardens.waitlist.view", garden)
    rows = {
        a.id: a
        for a in Application.objects.filter(garden=garden, season=season).select_related(
            "member", "household"
        )
    }
    entries = [
        Entry(a.id, a.created_at, a.without_garden, a.status == ApplicationStatus.WAITING)
        for a in rows.values()
    ]
    ordered = waitlist_order(entries, household_priority=garden.household_priority)
    waiting = [rows[e.id] for e in ordered if e.waiting]
    return waiting + [rows[e.id] for e in ordered if not e.waiting]


def application_get(*, viewer: Member, garden: Garden, application_id: UUID | str) -> Application:
    require(viewer, "gardens.waitlist.view", garden)
    found: Application = _get(Application.objects.filter(garden=garden), application_id)
    return found


def assignments_of_season(*, viewer: Member, garden: Garden, season: Season) -> list[Assignment]:
    require(viewer, "gardens.waitlist.view", garden)
    return list(
        Assignment.objects.filter(season=season, plot__garden=garden, status__in=LIVE)
        .select_related("plot", "member")
        .order_by("plot__label")
    )


def my_applications(*, viewer: Member) -> QuerySet[Application]:
    return (
        Application.objects.filter(community_id=viewer.tenant_id, member=viewer)
        .select_related("garden__organization", "season")
        .order_by("-created_at")
    )


def my_assignments(*, viewer: Member) -> QuerySet[Assignment]:
    """The viewer's offers and plots (live ones first), with their garden and season."""
    return (
        Assignment.objects.filter(community_id=viewer.tenant_id, member=viewer)
        .select_related("plot__garden__organization", "season")
        .order_by("status", "-offered_at")
    )


def my_assignment_get(*, viewer: Member, assignment_id: UUID | str) -> Assignment:
    """One of the viewer's own offers or plots; another's is not found."""
    found: Assignment = _get(my_assignments(viewer=viewer), assignment_id)
    return found


def assignment_get(*, viewer: Member, assignment_id: UUID | str) -> Assignment:
    """An assignment the viewer holds, or one of a garden they steward."""
    found: Assignment = _get(
        Assignment.objects.filter(community_id=viewer.tenant_id).select_related(
            "plot__garden__organization", "season", "application"
        ),
        assignment_id,
    )
    if found.member_id != viewer.pk:
        require(viewer, "gardens.waitlist.view", found.plot.garden)
    return found


def workdays_upcoming(
    *, viewer: Member, garden: Garden, now: datetime | None = None
) -> list[WorkDay]:
    require(viewer, "gardens.garden.view", garden)
    signups = TaskSignup.objects.select_related("member")
    tasks = Task.objects.prefetch_related(Prefetch("signups", queryset=signups))
    return list(
        WorkDay.objects.filter(garden=garden, ends_at__gt=now or timezone.now()).prefetch_related(
            Prefetch("tasks", queryset=tasks)
        )
    )


def task_get(*, viewer: Member, garden: Garden, task_id: UUID | str) -> Task:
    require(viewer, "gardens.garden.view", garden)
    found: Task = _get(
        Task.objects.filter(work_day__garden=garden).select_related("work_day__garden"), task_id
    )
    return found


def workday_get(*, viewer: Member, garden: Garden, workday_id: UUID | str) -> WorkDay:
    require(viewer, "gardens.garden.view", garden)
    found: WorkDay = _get(WorkDay.objects.filter(garden=garden), workday_id)
    return found


def crops_of(garden: Garden) -> QuerySet[Crop]:
    return Crop.objects.filter(garden=garden)


def plots_held(*, viewer: Member, garden: Garden) -> QuerySet[Plot]:
    """The plots whose harvests the viewer may log: every plot for a steward, else their own."""
    plots = Plot.objects.filter(garden=garden)
    if may(viewer, "gardens.harvest.log", garden):
        return plots
    held = Assignment.objects.filter(member=viewer, status="active").values("plot_id")
    return plots.filter(pk__in=held)


def harvest_list(*, viewer: Member, garden: Garden, limit: int = 200) -> QuerySet[Harvest]:
    """The garden's log for its stewards; a member's own harvests for everyone else."""
    require(viewer, "gardens.garden.view", garden)
    harvests = Harvest.objects.filter(garden=garden).select_related("crop", "plot", "grower")
    if not may(viewer, "gardens.harvest.log", garden):
        harvests = harvests.filter(Q(grower=viewer) | Q(logged_by=viewer))
    return harvests[:limit]
