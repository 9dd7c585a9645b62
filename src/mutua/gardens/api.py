"""The community gardens' endpoints of the JSON API, under `/api/v1/gardens/`: gardens and their
plot maps, applying, the waitlist and offers, a member's plots, work days and sign-ups, the
harvest log (and giving a harvest to the pantry) and the harvest report.

A thin shell: each endpoint finds the objects it names inside the caller's community
(`selectors`, which check the rule first), calls one service, and renders. Who may do what is
decided by the rules `gardens.*`, exactly as for the pages; errors leave through `mutua.api`'s one
error mapping. An id in the path that names nothing in the community is 404 `not_found`.
Weights are grams and fees local cents; the services check their sign, so the API and the pages
give the same 400.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from mutua.api import Day, error_responses
from mutua.community.permissions import signed_in
from mutua.gardens import reports, selectors, services
from mutua.gardens.models import Application, Assignment, Harvest, Task, WorkDay

router = Router(tags=["gardens"])
READ_ERRORS = error_responses(401, 403, 404, 422)  # 422: an id or a query that does not parse
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
GRAMS = 10**12  # keeps numbers inside a 64-bit column; the services refuse what is absurd


class PlotOut(Schema):
    id: UUID
    label: str
    size_m2: int
    x: int
    y: int
    w: int
    h: int


class SeasonOut(Schema):
    id: UUID
    name: str
    starts: date
    ends: date


class CropOut(Schema):
    id: UUID
    name: str
    shelf_life_days: int
    unit_grams: int
    cold: bool


class GardenOut(Schema):
    id: UUID
    name: str = Field(alias="organization.name")
    organization: UUID = Field(alias="organization_id")
    plot_fee: int = Field(description="Local cents per plot per season.")
    household_priority: bool
    columns: int
    rows: int


class MapPlotOut(Schema):
    plot: PlotOut
    state: str = Field(description="free, offered, taken or mine")
    holder: str = Field(description="Who holds it: shown to its stewards and its holder only.")


class GardenDetailOut(GardenOut):
    seasons: list[SeasonOut]
    crops: list[CropOut]
    season: UUID | None = Field(alias="season_shown", description="The season `plots` shows.")
    plots: list[MapPlotOut] = Field(alias="map_plots")


class ApplyIn(Schema):
    season: UUID
    without_garden: bool = False
    note: str = Field("", max_length=300)


class ApplicationOut(Schema):
    id: UUID
    garden: UUID = Field(alias="garden_id")
    season: UUID = Field(alias="season_id")
    member: str = Field(alias="member.handle")
    without_garden: bool
    note: str
    status: str
    created_at: datetime


class PlotOfferIn(Schema):
    application: UUID
    plot: UUID


class AssignmentOut(Schema):
    id: UUID
    plot: UUID = Field(alias="plot_id")
    plot_label: str = Field(alias="plot.label")
    season: UUID = Field(alias="season_id")
    application: UUID = Field(alias="application_id")
    member: str = Field(alias="member.handle")
    status: str = Field(description="offered, active, declined, withdrawn or returned")
    fee: int
    transfer_id: UUID | None
    offered_at: datetime
    decided_at: datetime | None


class AnsweredOut(Schema):
    assignment: AssignmentOut
    next_offer: AssignmentOut | None = Field(
        description="The plot's offer to the next person in line, if anyone was waiting."
    )


class TaskOut(Schema):
    id: UUID
    title: str
    capacity: int
    taken: int


class WorkDayOut(Schema):
    id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    note: str
    tasks: list[TaskOut]


class HarvestIn(Schema):
    crop: UUID
    weight_g: int = Field(ge=-GRAMS, le=GRAMS)
    day: Day
    plot: UUID | None = None
    donate: bool = Field(False, description="Give it to the pantry as a stock lot (stewards).")


class HarvestOut(Schema):
    id: UUID
    crop: UUID = Field(alias="crop_id")
    crop_name: str = Field(alias="crop.name")
    weight_g: int
    day: date
    plot: UUID | None = Field(alias="plot_id")
    season: UUID | None = Field(alias="season_id")
    grower: str = Field(alias="grower.handle")
    donated: bool
    lot: UUID | None = Field(alias="lot_id", description="The pantry stock lot, if donated.")
    units: int = Field(description="Pantry units received.")


class CropLineOut(Schema):
    crop: str
    harvests: int
    grams: int
    donated_grams: int
    donated_units: int


class GardenReportOut(Schema):
    grams: int
    donated_grams: int
    donated_units: int
    crops: list[CropLineOut]
    seasons: dict[str, int]


# --- gardens -------------------------------------------------------------------------------------


@router.get("", response={200: list[GardenOut], **READ_ERRORS}, summary="The community's gardens")
def garden_list(request: HttpRequest) -> Any:
    return list(selectors.garden_list(viewer=signed_in(request)))


@router.get(
    "/mine/plots",
    response={200: list[AssignmentOut], **READ_ERRORS},
    summary="My offers and plots",
)
def my_plots(request: HttpRequest) -> Any:
    return list(selectors.my_assignments(viewer=signed_in(request)).select_related("member"))


@router.get(
    "/mine/applications",
    response={200: list[ApplicationOut], **READ_ERRORS},
    summary="My applications",
)
def my_applications(request: HttpRequest) -> Any:
    return list(selectors.my_applications(viewer=signed_in(request)).select_related("member"))


@router.get(
    "/{garden_id}",
    response={200: GardenDetailOut, **READ_ERRORS},
    summary="A garden, its seasons, crops and plot map",
)
def garden_detail(request: HttpRequest, garden_id: UUID, season: UUID | None = None) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    chosen = (
        selectors.season_get(garden=garden, season_id=season)
        if season
        else selectors.season_current(garden)
    )
    garden.season_shown = chosen.id if chosen else None  # type: ignore[attr-defined]
    garden.map_plots = selectors.plot_map(viewer=viewer, garden=garden, season=chosen)  # type: ignore[attr-defined]
    return garden


# --- the waitlist --------------------------------------------------------------------------------


@router.post(
    "/{garden_id}/applications",
    response={201: ApplicationOut, **WRITE_ERRORS},
    summary="Apply for a plot (once per season)",
)
def apply(request: HttpRequest, garden_id: UUID, body: ApplyIn) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    season = selectors.season_get(garden=garden, season_id=body.season)
    made = services.application_create(
        actor=viewer, season=season, without_garden=body.without_garden, note=body.note
    )
    return 201, made


@router.get(
    "/{garden_id}/waitlist",
    response={200: list[ApplicationOut], **READ_ERRORS},
    summary="The season's waitlist, in the order plots are offered (stewards)",
)
def waitlist(request: HttpRequest, garden_id: UUID, season: UUID | None = None) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    chosen = (
        selectors.season_get(garden=garden, season_id=season)
        if season
        else selectors.season_current(garden)
    )
    if chosen is None:
        return []
    return selectors.waitlist(viewer=viewer, garden=garden, season=chosen)


@router.post(
    "/{garden_id}/offers",
    response={201: AssignmentOut, **WRITE_ERRORS},
    summary="Offer a free plot to a waiting applicant (stewards)",
)
def offer(request: HttpRequest, garden_id: UUID, body: PlotOfferIn) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    application: Application = selectors.application_get(
        viewer=viewer, garden=garden, application_id=body.application
    )
    plot = selectors.plot_get(garden=garden, plot_id=body.plot)
    return 201, services.plot_offer(actor=viewer, application=application, plot=plot)


def _answered(assignment: Assignment, next_offer: Assignment | None) -> dict[str, Any]:
    return {"assignment": assignment, "next_offer": next_offer}


@router.post(
    "/assignments/{assignment_id}/accept",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="Accept an offer (and pay the plot fee from my wallet)",
)
def accept(request: HttpRequest, assignment_id: UUID) -> Any:
    viewer = signed_in(request)
    found = selectors.my_assignment_get(viewer=viewer, assignment_id=assignment_id)
    return services.offer_accept(actor=viewer, assignment=found)


@router.post(
    "/assignments/{assignment_id}/decline",
    response={200: AnsweredOut, **WRITE_ERRORS},
    summary="Decline an offer; the plot goes to the next in line",
)
def decline(request: HttpRequest, assignment_id: UUID) -> Any:
    viewer = signed_in(request)
    found = selectors.my_assignment_get(viewer=viewer, assignment_id=assignment_id)
    return _answered(found, services.offer_decline(actor=viewer, assignment=found))


@router.post(
    "/assignments/{assignment_id}/withdraw",
    response={200: AnsweredOut, **WRITE_ERRORS},
    summary="Withdraw an unanswered offer (stewards); the plot goes to the next in line",
)
def withdraw(request: HttpRequest, assignment_id: UUID) -> Any:
    viewer = signed_in(request)
    found = selectors.assignment_get(viewer=viewer, assignment_id=assignment_id)
    return _answered(found, services.offer_withdraw(actor=viewer, assignment=found))


@router.post(
    "/assignments/{assignment_id}/return",
    response={200: AnsweredOut, **WRITE_ERRORS},
    summary="Give a plot back (its holder or a steward); it goes to the next in line",
)
def give_back(request: HttpRequest, assignment_id: UUID) -> Any:
    viewer = signed_in(request)
    found = selectors.assignment_get(viewer=viewer, assignment_id=assignment_id)
    return _answered(found, services.plot_return(actor=viewer, assignment=found))


# --- work days -----------------------------------------------------------------------------------


@router.get(
    "/{garden_id}/workdays",
    response={200: list[WorkDayOut], **READ_ERRORS},
    summary="Coming work days and their tasks",
)
def workdays(request: HttpRequest, garden_id: UUID) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    days: list[WorkDay] = selectors.workdays_upcoming(viewer=viewer, garden=garden)
    return days


@router.post(
    "/{garden_id}/tasks/{task_id}/signup",
    response={201: TaskOut, **WRITE_ERRORS},
    summary="Sign up for a task (once; not when it is full)",
)
def task_join(request: HttpRequest, garden_id: UUID, task_id: UUID) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    task: Task = selectors.task_get(viewer=viewer, garden=garden, task_id=task_id)
    services.task_join(actor=viewer, task=task)
    task.refresh_from_db()
    return 201, task


@router.delete(
    "/{garden_id}/tasks/{task_id}/signup",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Leave a task",
)
def task_leave(request: HttpRequest, garden_id: UUID, task_id: UUID) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    task: Task = selectors.task_get(viewer=viewer, garden=garden, task_id=task_id)
    services.task_leave(actor=viewer, task=task)
    task.refresh_from_db()
    return task


# --- harvests ------------------------------------------------------------------------------------


@router.get(
    "/{garden_id}/harvests",
    response={200: list[HarvestOut], **READ_ERRORS},
    summary="The harvest log (stewards: all of it; others: their own)",
)
def harvest_list(request: HttpRequest, garden_id: UUID) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    return list(selectors.harvest_list(viewer=viewer, garden=garden))


@router.post(
    "/{garden_id}/harvests",
    response={201: HarvestOut, **WRITE_ERRORS},
    summary="Log a harvest; with `donate`, it becomes a pantry stock lot in the same step",
)
def harvest_log(request: HttpRequest, garden_id: UUID, body: HarvestIn) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    crop = selectors.crop_get(garden=garden, crop_id=body.crop)
    plot = selectors.plot_get(garden=garden, plot_id=body.plot) if body.plot else None
    entry = services.HarvestEntry(crop=crop, weight_g=body.weight_g, day=body.day, plot=plot)
    made: Harvest = services.harvest_log(actor=viewer, entry=entry, donate=body.donate)
    return 201, made


@router.get(
    "/{garden_id}/report",
    response={200: GardenReportOut, **READ_ERRORS},
    summary="Harvest by crop and season, and what went to the pantry (stewards, admins)",
)
def report(request: HttpRequest, garden_id: UUID, season: UUID | None = None) -> Any:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    chosen = selectors.season_get(garden=garden, season_id=season) if season else None
    found = reports.harvest_report(viewer=viewer, garden=garden, season=chosen)
    return {
        "grams": found.grams,
        "donated_grams": found.donated_grams,
        "donated_units": found.donated_units,
        "crops": [vars(line) for line in found.crops],
        "seasons": found.seasons,
    }
