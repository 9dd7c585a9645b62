"""Allocation runs (preview, commit, discard, pick lists), the pick-up desk and delivery routes.

A driver sees their own stops' addresses through `selectors.stop_address` (logged, closed two days
after delivery); everyone else sees cross streets at most."""

import math
from datetime import timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.aid import forms as aid_forms
from mutua.aid import selectors, services
from mutua.aid.access import aid_may
from mutua.aid.models import (
    AidRequest,
    AllocationRun,
    Item,
    Location,
    LocationKind,
    Lot,
    RequestStatus,
)
from mutua.aid.views.requests import release_packed
from mutua.community.models import Member
from mutua.community.permissions import signed_in
from mutua.core.errors import MutuaError
from mutua.web.actions import GET_POST, PASS_THROUGH, Act, Done, act, clock, one_of, page
from mutua.web.errors import form_add_error

# --- allocation runs -----------------------------------------------------------------------------


def _preview(viewer: Member, form: aid_forms.RunForm) -> HttpResponse:
    run = services.run_preview(
        actor=viewer, community=viewer.tenant, pickup=form.cleaned_data["pickup"]
    )
    return redirect("aid-run", run_id=run.pk)


@login_required
@GET_POST
def runs(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    listed = selectors.run_list(viewer=viewer)
    initial = {"initial": {"pickup": timezone.localdate() + timedelta(days=1)}}
    shown, done = act(request, viewer, {"preview": Act(aid_forms.RunForm, _preview, initial)})
    if done is not None:
        return done
    context = {
        "runs": listed[:30],
        "form": shown["preview"],
        "new_count": selectors.request_list(viewer=viewer, status=RequestStatus.NEW).count(),
    }
    return page(request, "aid/runs.html", context, *shown.values())


def _percent(value: Any) -> int | None:
    """A fill rate as a whole percent: integers are basis points (the house rule for rates), a
    float is a fraction."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(value / 100) if isinstance(value, int) else round(value * 100)


# The allocator's tiers: urgent medical requests first.
TIERS = {1: gettext_lazy("urgent medical"), 2: gettext_lazy("normal")}


def _run_rows(viewer: Member, run: AllocationRun) -> list[dict[str, Any]]:
    """Per household of a run's stored result: request, tier, fill rate, explanation, picks."""
    entries = list(run.result.get("requests", []))
    ids = [str(e.get("request")) for e in entries]
    requests = {str(r.pk): r for r in selectors.request_list(viewer=viewer).filter(id__in=ids)}
    items = dict(Item.objects.filter(community_id=viewer.tenant_id).values_list("id", "name"))
    places = dict(Location.objects.filter(community_id=viewer.tenant_id).values_list("id", "name"))
    rows = []
    for entry in entries:
        picks = []
        for pick in entry.get("picks", []):
            place = str(pick.get("lot", "")).partition("@")[2]
            picks.append(
                {
                    "item": _name(items, pick.get("item")) or pick.get("item"),
                    "place": _name(places, place),
                    "quantity": pick.get("quantity"),
                }
            )
        explanation = entry.get("explanation") or []
        rows.append(
            {
                "request": requests.get(str(entry.get("request"))),
                "tier": TIERS.get(entry.get("tier"), entry.get("tier")),
                "fill": _percent(entry.get("fill_rate")),
                "explanation": [_reason(r) for r in _listed(explanation)],
                "picks": picks,
            }
        )
    return rows


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _reason(value: Any) -> str:
    """One line of the allocator's explanation, whether it wrote a sentence or a small record."""
    if isinstance(value, dict):
        return str(value.get("text") or value.get("message") or value.get("reason") or value)
    return str(value)


def _name(names: dict[UUID, str], value: Any) -> str:
    try:
        return names.get(UUID(str(value)), "")
    except ValueError:
        return ""


def _commit(run: AllocationRun, viewer: Member, form: forms.Form) -> str:
    services.run_commit(actor=viewer, run=run)
    return _("Committed: the pick lists are ready.")


def _discard(run: AllocationRun, viewer: Member, form: forms.Form) -> Done:
    services.run_discard(actor=viewer, run=run)
    return Done(_("Preview discarded."), reverse("aid-runs"))


@login_required
@GET_POST
def run(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """A run's preview (commit or discard it) or its outcome."""
    viewer = signed_in(request)
    found = selectors.run_get(viewer=viewer, run_id=run_id)
    acts = {
        "commit": Act(forms.Form, partial(_commit, found)),
        "discard": Act(forms.Form, partial(_discard, found)),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {"run": found, "rows": _run_rows(viewer, found)}
    return page(request, "aid/run.html", context, *shown.values())


@login_required
def pick_lists(request: HttpRequest, run_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    found = selectors.run_get(viewer=viewer, run_id=run_id)
    context = {"run": found, "lists": selectors.pick_lists(viewer=viewer, run=found)}
    return render(request, "aid/pick_lists.html", context)


# --- the pick-up desk ----------------------------------------------------------------------------


def _pickup(viewer: Member, form: aid_forms.IdForm) -> str:
    found = one_of(selectors.pickups_waiting(viewer=viewer), form.value)
    services.request_pickup(actor=viewer, request=found)
    return _("#%(n)s handed out to %(household)s.") % {
        "n": found.number,
        "household": found.household.name,
    }


def _desk_release(viewer: Member, form: aid_forms.IdForm) -> str:
    return release_packed(
        one_of(selectors.pickups_waiting(viewer=viewer), form.value), viewer, form
    )


def _packed(requests: list[AidRequest]) -> dict[UUID, list[tuple[str, int]]]:
    """What is packed for each request: (item, units)."""
    held = {r.pk: services.request_held(r) for r in requests}
    lot_ids = {lot for found in held.values() for lot in found}
    names = dict(Lot.objects.filter(pk__in=lot_ids).values_list("id", "item__name"))
    return {
        pk: sorted((names.get(lot, "?"), units) for lot, (units, _origin) in found.items())
        for pk, found in held.items()
    }


@login_required
@GET_POST
def pickups(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    waiting = list(selectors.pickups_waiting(viewer=viewer))
    acts = {
        "pickup": Act(aid_forms.IdForm, _pickup),
        "release": Act(aid_forms.IdForm, _desk_release),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    packed = _packed(waiting)
    context = {
        "waiting": [(r, packed.get(r.pk, [])) for r in waiting],
        "can_release": aid_may(viewer, "aid.allocate", viewer.tenant),
    }
    return page(request, "aid/pickups.html", context, *shown.values())


# --- deliveries ----------------------------------------------------------------------------------


def _plan_message(planned: services.Planned) -> str:
    parts = [_("%(n)s routes planned.") % {"n": len(planned.routes)}]
    if planned.dropped:
        numbers = ", ".join(f"#{n}" for n in planned.dropped)
        parts.append(_("Left for another day: %(numbers)s.") % {"numbers": numbers})
    if planned.missing_place:
        numbers = ", ".join(f"#{n}" for n in planned.missing_place)
        parts.append(
            _("No coordinates yet (add them on the household's page): %(numbers)s.")
            % {"numbers": numbers}
        )
    return " ".join(parts)


@login_required
@GET_POST
def routes(request: HttpRequest) -> HttpResponse:
    """The coordinator plans a day's routes and sees every route (cross streets only)."""
    viewer = signed_in(request)
    listed = selectors.route_list(viewer=viewer)
    community_id = viewer.tenant_id
    data = request.POST if request.method == "POST" else None
    form = aid_forms.RoutePlanForm(
        data, community_id=community_id, initial={"day": timezone.localdate()}
    )
    drivers = aid_forms.DriverFormSet(
        data, prefix="driver", form_kwargs={"community_id": community_id}
    )
    if data is not None and form.is_valid() and drivers.is_valid():
        try:
            planned = services.routes_plan(
                actor=viewer,
                depot=form.cleaned_data["depot"],
                day=form.cleaned_data["day"],
                drivers=aid_forms.driver_shifts(drivers),
            )
        except PASS_THROUGH:
            raise
        except MutuaError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _plan_message(planned))
            return redirect("aid-routes")
    waiting = selectors.request_list(viewer=viewer, status=RequestStatus.ALLOCATED).filter(
        fulfilment="delivery"
    )
    context = {
        "routes": [(r, clock(r.starts), clock(r.ends)) for r in listed[:60]],
        "form": form,
        "drivers": drivers,
        "waiting": waiting,
    }
    return page(request, "aid/routes.html", context, form, drivers)


DRAWING_WIDTH, DRAWING_HEIGHT, DRAWING_MARGIN = 320, 220, 18


def _drawing(depot: Location | None, points: list[tuple[int, float, float]]) -> dict[str, Any]:
    """The route as SVG geometry: stops (position, lat, lon) projected flat (longitude shrunk by
    the cosine of the latitude), fitted into the view box; the depot first and last."""
    places: list[tuple[int, float, float]] = []
    if depot is not None and depot.latitude is not None and depot.longitude is not None:
        places.append((0, depot.latitude, depot.longitude))
    places += points
    if not points:
        return {}
    lats = [p[1] for p in places]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))
    xs = [p[2] * shrink for p in places]
    wide, high = max(xs) - min(xs), max(lats) - min(lats)
    scale = min(
        (DRAWING_WIDTH - 2 * DRAWING_MARGIN) / wide if wide else math.inf,
        (DRAWING_HEIGHT - 2 * DRAWING_MARGIN) / high if high else math.inf,
    )
    scale = 1.0 if math.isinf(scale) else scale
    left, top = (DRAWING_WIDTH - wide * scale) / 2, (DRAWING_HEIGHT - high * scale) / 2
    dots = [
        {
            "label": label,
            # Strings, so that no locale writes a decimal comma into the SVG.
            "x": f"{left + (x - min(xs)) * scale:.1f}",
            "y": f"{top + (max(lats) - lat) * scale:.1f}",
        }
        for (label, lat, _lon), x in zip(places, xs, strict=True)
    ]
    path = dots + dots[:1] if places[0][0] == 0 else dots
    return {
        "width": DRAWING_WIDTH,
        "height": DRAWING_HEIGHT,
        "dots": dots,
        "line": " ".join(f"{d['x']},{d['y']}" for d in path),
        "depot": places[0][0] == 0,
    }


def _driver_stops(viewer: Member, stops: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "stop": stop,
            "arrival": clock(stop.arrival),
            "address": selectors.stop_address(viewer=viewer, stop=stop),
        }
        for stop in stops
    ]


@login_required
def route(request: HttpRequest, route_id: UUID) -> HttpResponse:
    """A driver's own route (addresses, in order, with a drawing), or a coordinator's view of any
    route (cross streets only). Another driver's route does not exist for a driver."""
    viewer = signed_in(request)
    found = selectors.route_get(viewer=viewer, route_id=route_id)
    stops = list(found.stops.select_related("request__household").order_by("position"))
    driving = found.driver_id == viewer.pk
    context: dict[str, Any] = {
        "route": found,
        "driving": driving,
        "window": (clock(found.starts), clock(found.ends)),
        "distance_km": round(found.distance_m / 1000, 1),
    }
    if driving:
        rows = _driver_stops(viewer, stops)
        points = [
            (r["stop"].position, r["address"].latitude, r["address"].longitude)
            for r in rows
            if r["address"] is not None and r["address"].latitude is not None
        ]
        depot = (
            Location.objects.filter(community_id=viewer.tenant_id, latitude__isnull=False)
            .exclude(kind=LocationKind.HELD)
            .first()
        )
        context.update(rows=rows, drawing=_drawing(depot, points))
    else:
        context["rows"] = [{"stop": s, "arrival": clock(s.arrival)} for s in stops]
    return render(request, "aid/route.html", context)


@login_required
def my_routes(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    listed = selectors.routes_of_driver(viewer=viewer)[:30]
    context = {"routes": [(r, clock(r.starts), clock(r.ends)) for r in listed]}
    return render(request, "aid/my_routes.html", context)


@login_required
@GET_POST
def stop(request: HttpRequest, stop_id: UUID) -> HttpResponse:
    """One of the driver's own stops: its address, and the "delivered" button."""
    viewer = signed_in(request)
    found = services.stop_for_driver(actor=viewer, stop_id=stop_id)
    error = ""
    if request.method == "POST":
        try:
            services.stop_deliver(actor=viewer, stop_id=found.pk)
        except PASS_THROUGH:
            raise
        except MutuaError as refused:
            error = refused.message
        else:
            messages.success(request, _("Stop %(n)s delivered.") % {"n": found.position})
            return redirect("aid-route", route_id=found.route_id)
    context = {
        "stop": found,
        "arrival": clock(found.arrival),
        "address": selectors.stop_address(viewer=viewer, stop=found),
        "button_errors": [error] if error else [],
    }
    return render(request, "aid/stop.html", context, status=400 if error else 200)
