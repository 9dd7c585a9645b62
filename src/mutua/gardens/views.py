"""Garden pages: the list, a garden with its plot map (and the steward's layout forms), applying,
my plots and offers, the steward's waitlist, work days, the harvest log and the report.

Thin shells in the aid pages' shape (`web.actions`): every page reads through `selectors`
(which check the rule first) or calls one service, and every POST names its `action`. A
`MutuaError` lands beside the form (400, nothing changed); `NotFound` and `Forbidden` go on to the
error pages, so another community's garden does not exist for the viewer.
"""

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.permissions import may, require, signed_in
from mutua.core.errors import NotFound
from mutua.core.spreadsheets import inert_rows
from mutua.gardens import forms as garden_forms
from mutua.gardens import reports, selectors, services
from mutua.gardens.models import Garden, Season
from mutua.web.actions import GET_POST, Act, Done, act, one_of, page
from mutua.web.charts import bar_chart

# --- the list and one garden ---------------------------------------------------------------------


@login_required
@GET_POST
def garden_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    gardens = selectors.garden_list(viewer=viewer)
    unset = selectors.gardens_to_set_up(viewer=viewer)

    def set_up(viewer: Member, form: garden_forms.IdForm) -> Done:
        org = next((o for o in unset if o.pk == form.value), None)
        if org is None:
            raise NotFound(_("Not found."))
        garden = services.garden_create(actor=viewer, organization=org)
        return Done(_("The garden is set up: add its plots and a season."), _url(garden))

    shown, done = act(request, viewer, {"setup": Act(garden_forms.IdForm, set_up)})
    if done is not None:
        return done
    context = {"gardens": gardens, "unset": unset}
    return page(request, "gardens/list.html", context, *shown.values())


def _url(garden: Garden, part: str = "") -> str:
    return f"/gardens/{garden.pk}/{part}"


def _season(request: HttpRequest, garden: Garden) -> Season | None:
    chosen = request.GET.get("season")
    if chosen:
        return selectors.season_get(garden=garden, season_id=chosen)
    return selectors.season_current(garden)


def _layout_acts(garden: Garden) -> dict[str, Act]:
    def settings(viewer: Member, form: garden_forms.SettingsForm) -> str:
        services.garden_settings_set(
            actor=viewer,
            garden=garden,
            plot_fee=form.cleaned_data["plot_fee"] or 0,
            household_priority=form.cleaned_data["household_priority"],
        )
        return _("Settings saved.")

    def plot(viewer: Member, form: garden_forms.PlotForm) -> str:
        data = form.cleaned_data
        made = services.plot_create(
            actor=viewer, garden=garden, label=data["label"], size_m2=data["size_m2"],
            place=form.place(),
        )  # fmt: skip
        return _("Plot %(label)s added.") % {"label": made.label}

    def season(viewer: Member, form: garden_forms.SeasonForm) -> str:
        services.season_create(actor=viewer, garden=garden, **form.cleaned_data)
        return _("Season added.")

    def crop(viewer: Member, form: garden_forms.CropForm) -> str:
        services.crop_create(actor=viewer, garden=garden, **form.cleaned_data)
        return _("Crop added.")

    return {
        "settings": Act(garden_forms.SettingsForm, settings),
        "plot": Act(garden_forms.PlotForm, plot),
        "season": Act(garden_forms.SeasonForm, season),
        "crop": Act(garden_forms.CropForm, crop),
    }


@login_required
@GET_POST
def garden_detail(request: HttpRequest, garden_id: str) -> HttpResponse:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    season = _season(request, garden)
    can_manage = may(viewer, "gardens.garden.manage", garden)

    def apply(viewer: Member, form: garden_forms.ApplyForm) -> Done:
        services.application_create(
            actor=viewer,
            season=form.cleaned_data["season"],
            without_garden=form.cleaned_data["without_garden"],
            note=form.cleaned_data["note"],
        )
        return Done(
            _("You are on the waitlist. We will offer you a plot in turn."), "/gardens/mine/"
        )

    acts = {
        "apply": Act(garden_forms.ApplyForm, apply, {"seasons": selectors.seasons_open(garden)})
    }
    if can_manage or request.method == "POST":
        acts.update(_layout_acts(garden))
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "garden": garden,
        "season": season,
        "seasons": Season.objects.filter(garden=garden),
        "map": selectors.plot_map(viewer=viewer, garden=garden, season=season),
        "width": garden.columns * selectors.CELL,
        "height": garden.rows * selectors.CELL,
        "crops": selectors.crops_of(garden),
        "forms": shown,
        "can_manage": can_manage,
        "can_steward": may(viewer, "gardens.waitlist.view", garden),
        "applied": set(
            selectors.my_applications(viewer=viewer).values_list("season_id", flat=True)
        ),
        "open_seasons": selectors.seasons_open(garden),
    }
    return page(request, "gardens/garden.html", context, *shown.values())


# --- my plots and offers -------------------------------------------------------------------------


def _mine_acts() -> dict[str, Act]:
    def accept(viewer: Member, form: garden_forms.IdForm) -> str:
        found = selectors.my_assignment_get(viewer=viewer, assignment_id=form.value)
        services.offer_accept(actor=viewer, assignment=found)
        return _("Plot %(label)s is yours this season. Happy growing!") % {
            "label": found.plot.label
        }

    def decline(viewer: Member, form: garden_forms.IdForm) -> str:
        found = selectors.my_assignment_get(viewer=viewer, assignment_id=form.value)
        services.offer_decline(actor=viewer, assignment=found)
        return _("You declined the offer; the plot goes to the next person on the list.")

    def give_back(viewer: Member, form: garden_forms.IdForm) -> str:
        found = selectors.my_assignment_get(viewer=viewer, assignment_id=form.value)
        services.plot_return(actor=viewer, assignment=found)
        return _("You returned the plot. Thank you for passing it on.")

    def withdraw(viewer: Member, form: garden_forms.IdForm) -> str:
        found = one_of(selectors.my_applications(viewer=viewer), form.value)
        services.application_withdraw(actor=viewer, application=found)
        return _("You left the waitlist.")

    return {
        "accept": Act(garden_forms.IdForm, accept),
        "decline": Act(garden_forms.IdForm, decline),
        "return": Act(garden_forms.IdForm, give_back),
        "withdraw": Act(garden_forms.IdForm, withdraw),
    }


@login_required
@GET_POST
def mine(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    require(viewer, "gardens.apply", viewer.tenant)
    shown, done = act(request, viewer, _mine_acts())
    if done is not None:
        return done
    assignments = list(selectors.my_assignments(viewer=viewer))
    context = {
        "offers": [a for a in assignments if a.status == "offered"],
        "plots": [a for a in assignments if a.status == "active"],
        "applications": selectors.my_applications(viewer=viewer),
    }
    return page(request, "gardens/mine.html", context, *shown.values())


# --- the steward's waitlist ----------------------------------------------------------------------


@login_required
@GET_POST
def waitlist(request: HttpRequest, garden_id: str) -> HttpResponse:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    require(viewer, "gardens.waitlist.view", garden)
    season = _season(request, garden)
    if season is None:
        return render(request, "gardens/waitlist.html", {"garden": garden, "season": None})
    entries = selectors.waitlist(viewer=viewer, garden=garden, season=season)
    waiting_ids = [a.pk for a in entries if a.status == "waiting"]

    def offer(viewer: Member, form: garden_forms.OfferForm) -> str:
        made = services.plot_offer(
            actor=viewer,
            application=form.cleaned_data["application"],
            plot=form.cleaned_data["plot"],
        )
        return _("Plot %(label)s offered to %(name)s.") % {
            "label": made.plot.label,
            "name": made.member.display_name,
        }

    def give_back(viewer: Member, form: garden_forms.IdForm) -> str:
        found = selectors.assignment_get(viewer=viewer, assignment_id=form.value)
        services.plot_return(actor=viewer, assignment=found)
        return _("The plot is back and offered to the next person on the list, if any.")

    def withdraw(viewer: Member, form: garden_forms.IdForm) -> str:
        found = selectors.assignment_get(viewer=viewer, assignment_id=form.value)
        services.offer_withdraw(actor=viewer, assignment=found)
        return _("The offer is withdrawn and the plot offered to the next person, if any.")

    options = {
        "applications": garden.applications.filter(pk__in=waiting_ids).select_related("member"),
        "plots": selectors.plots_free(garden=garden, season=season),
        "initial": {"application": waiting_ids[0] if waiting_ids else None},
    }
    acts = {
        "offer": Act(garden_forms.OfferForm, offer, options),
        "return": Act(garden_forms.IdForm, give_back),
        "withdraw": Act(garden_forms.IdForm, withdraw),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "garden": garden,
        "season": season,
        "seasons": Season.objects.filter(garden=garden),
        "entries": entries,
        "assignments": selectors.assignments_of_season(viewer=viewer, garden=garden, season=season),
        "forms": shown,
        "can_assign": may(viewer, "gardens.assign", garden),
    }
    return page(request, "gardens/waitlist.html", context, *shown.values())


# --- work days -----------------------------------------------------------------------------------


def _workday_acts(garden: Garden) -> dict[str, Act]:
    def join(viewer: Member, form: garden_forms.IdForm) -> str:
        task = selectors.task_get(viewer=viewer, garden=garden, task_id=form.value)
        services.task_join(actor=viewer, task=task)
        return _("You are signed up for %(task)s. Thank you!") % {"task": task.title}

    def leave(viewer: Member, form: garden_forms.IdForm) -> str:
        task = selectors.task_get(viewer=viewer, garden=garden, task_id=form.value)
        services.task_leave(actor=viewer, task=task)
        return _("You left %(task)s.") % {"task": task.title}

    def day(viewer: Member, form: garden_forms.WorkDayForm) -> str:
        services.workday_create(actor=viewer, garden=garden, **form.cleaned_data)
        return _("Work day added.")

    def task(viewer: Member, form: garden_forms.TaskForm) -> str:
        services.task_create(actor=viewer, **form.cleaned_data)
        return _("Task added.")

    days = garden.work_days.filter(ends_at__gt=timezone.now())
    return {
        "join": Act(garden_forms.IdForm, join),
        "leave": Act(garden_forms.IdForm, leave),
        "workday": Act(garden_forms.WorkDayForm, day),
        "task": Act(garden_forms.TaskForm, task, {"work_days": days}),
    }


@login_required
@GET_POST
def workdays(request: HttpRequest, garden_id: str) -> HttpResponse:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    shown, done = act(request, viewer, _workday_acts(garden))
    if done is not None:
        return done
    days = selectors.workdays_upcoming(viewer=viewer, garden=garden)
    context = {
        "garden": garden,
        "days": [
            (
                day,
                [
                    (t, any(s.member_id == viewer.pk for s in t.signups.all()))
                    for t in day.tasks.all()
                ],
            )
            for day in days
        ],
        "forms": shown,
        "can_manage": may(viewer, "gardens.workday.manage", garden),
        "can_steward": may(viewer, "gardens.waitlist.view", garden),
    }
    return page(request, "gardens/workdays.html", context, *shown.values())


# --- the harvest log and the report --------------------------------------------------------------


@login_required
@GET_POST
def harvests(request: HttpRequest, garden_id: str) -> HttpResponse:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    may_donate = may(viewer, "gardens.harvest.donate", garden)

    def log(viewer: Member, form: garden_forms.HarvestForm) -> str:
        donate = bool(form.cleaned_data.get("donate"))
        made = services.harvest_log(actor=viewer, entry=form.entry(), donate=donate)
        if made.donated:
            return _("Logged, and %(n)s units went to the pantry.") % {"n": made.units}
        return _("Harvest logged.")

    held = selectors.plots_held(viewer=viewer, garden=garden)
    options = {
        "crops": selectors.crops_of(garden),
        "plots": held,
        "may_donate": may_donate,
        "initial": {"day": timezone.localdate()},
    }
    shown, done = act(request, viewer, {"log": Act(garden_forms.HarvestForm, log, options)})
    if done is not None:
        return done
    context = {
        "garden": garden,
        "harvests": selectors.harvest_list(viewer=viewer, garden=garden),
        "forms": shown,
        "can_log": may(viewer, "gardens.harvest.log", garden) or held.exists(),
        "can_report": may(viewer, "gardens.report", garden),
    }
    return page(request, "gardens/harvests.html", context, *shown.values())


def report_charts(found: reports.HarvestReport) -> dict[str, Any]:
    return {
        "crops_chart": bar_chart(
            _("Harvest by crop (kg)"), [(c.crop, round(c.grams / 1000, 1)) for c in found.crops]
        ),
        "pantry_chart": bar_chart(
            _("Given to the pantry by crop (kg)"),
            [(c.crop, round(c.donated_grams / 1000, 1)) for c in found.crops if c.donated_grams],
        ),
        "seasons_chart": bar_chart(
            _("Harvest by season (kg)"),
            [(name, round(grams / 1000, 1)) for name, grams in found.seasons.items()],
        ),
    }


@login_required
def report(request: HttpRequest, garden_id: str) -> HttpResponse:
    viewer = signed_in(request)
    garden = selectors.garden_get(viewer=viewer, garden_id=garden_id)
    chosen = request.GET.get("season")
    season = selectors.season_get(garden=garden, season_id=chosen) if chosen else None
    found = reports.harvest_report(viewer=viewer, garden=garden, season=season)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"harvest-{garden.organization.slug}-{slugify(season.name) if season else 'all'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        csv.writer(response).writerows(inert_rows(reports.report_csv_rows(found)))
        return response
    context = {
        "garden": garden,
        "report": found,
        "season": season,
        "seasons": Season.objects.filter(garden=garden),
        **report_charts(found),
    }
    return render(request, "gardens/report.html", context)
