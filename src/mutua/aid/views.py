"""Mutual aid pages: stock, intake and donor receipts, requests and offers, allocation runs and pick
lists, the pick-up desk, delivery routes, volunteers' shifts and hours, and the aid report.

Thin shells: every page reads through `selectors` (which check the role first) or calls one
service, and every POST names its `action`. A page's actions are `Act`s: the form that parses the
input and the function that calls the service. A `MutuaError` lands beside the form's fields
(`form_add_error`), the page answers 400 and nothing changes; `NotFound` and `Forbidden` go on to
the error pages (404, 403), so another community's object, or another driver's stop, does not
exist for the viewer.

Private data has the selectors' two doors only: a coordinator sees a request's household needs
through `selectors.request_needs` (audit-logged), and a driver sees their own stops' addresses
through `selectors.stop_address` (logged, closed two days after delivery). Everyone else sees a
stop's cross streets at most.
"""

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any, NamedTuple
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mutua.aid import forms as aid_forms
from mutua.aid import reports, selectors, services
from mutua.aid.access import aid_group_id, aid_may, aid_require
from mutua.aid.models import (
    AdjustReason,
    AidRequest,
    AllocationRun,
    Intake,
    Item,
    Location,
    LocationKind,
    Lot,
    MovementKind,
    RequestStatus,
    ShiftKind,
    StockCount,
    StockLevel,
)
from mutua.community.models import Member, Organization
from mutua.community.permissions import signed_in
from mutua.core.errors import Forbidden, MutuaError, NotFound
from mutua.web.charts import bar_chart
from mutua.web.errors import form_add_error

GET_POST = require_http_methods(["GET", "POST"])
PASS_THROUGH = (NotFound, Forbidden)  # to the error pages, never beside a form

# --- the shape of a page with actions ------------------------------------------------------------


class Done(NamedTuple):
    """What an action did, and where to go next (the same page unless `url` says otherwise)."""

    message: str
    url: str = ""


@dataclass(frozen=True)
class Act:
    """One thing a page's POST can do: the form that parses it, and the function that calls the
    service (returning a message, or the response to send)."""

    form_class: type[forms.Form]
    run: Callable[[Member, Any], "str | Done | HttpResponse"]
    options: dict[str, Any] = field(default_factory=dict)

    def form(self, name: str, data: Any = None, files: Any = None) -> forms.Form:
        return self.form_class(data, files, prefix=name, **self.options)


def _act(
    request: HttpRequest, viewer: Member, acts: dict[str, Act]
) -> tuple[dict[str, forms.Form], HttpResponse | None]:
    """Every action's form (the posted one bound), and the response when the action succeeded."""
    shown = {name: act.form(name) for name, act in acts.items()}
    if request.method != "POST":
        return shown, None
    name = request.POST.get("action", "")
    if name not in acts:
        raise MutuaError(_("Unknown action."), code="invalid")
    form = shown[name] = acts[name].form(name, request.POST, request.FILES)
    if form.is_valid():
        try:
            done = acts[name].run(viewer, form)
        except PASS_THROUGH:
            raise
        except MutuaError as error:
            form_add_error(form, error)
        else:
            if isinstance(done, HttpResponse):
                return shown, done
            done = done if isinstance(done, Done) else Done(done)
            messages.success(request, done.message)
            return shown, redirect(done.url or request.get_full_path())
    return shown, None


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *forms_shown: Any
) -> HttpResponse:
    """Render; 400 when a posted form (or formset) shows errors. Errors of buttons, which have no
    fields to show them beside, go to the top of the page."""
    failed = [f for f in forms_shown if f is not None and f.is_bound and not _valid(f)]
    context["button_errors"] = [
        message
        for f in failed
        if isinstance(f, forms.Form) and not f.visible_fields()
        for messages_ in f.errors.values()
        for message in messages_
    ]
    return render(request, template, context, status=400 if failed else 200)


def _valid(form: Any) -> bool:
    return not form.errors if isinstance(form, forms.Form) else form.is_valid()


def _one(queryset: QuerySet[Any], pk: UUID) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise MutuaError(_("Dates are written YYYY-MM-DD."), code="invalid_date") from error


def _clock(minutes_of_day: int) -> str:
    return f"{minutes_of_day // 60:02d}:{minutes_of_day % 60:02d}"


# --- stock ---------------------------------------------------------------------------------------


def _item_add(viewer: Member, form: aid_forms.ItemForm) -> str:
    item = services.item_create(actor=viewer, community=viewer.tenant, **form.service_fields())
    return _("%(item)s added.") % {"item": item.name}


def _location_add(viewer: Member, form: aid_forms.LocationForm) -> str:
    place = services.location_create(actor=viewer, community=viewer.tenant, **form.cleaned_data)
    return _("%(place)s added.") % {"place": place.name}


def _receive(viewer: Member, form: aid_forms.ReceiveForm) -> str:
    services.stock_receive(actor=viewer, **form.cleaned_data)
    return _("Received %(n)s units of %(item)s.") % {
        "n": form.cleaned_data["quantity"],
        "item": form.cleaned_data["item"].name,
    }


def _move(viewer: Member, form: aid_forms.MoveForm) -> str:
    moved = services.stock_transfer(actor=viewer, **form.service_fields())
    return _("Moved %(n)s units of %(item)s.") % {"n": moved.quantity, "item": moved.lot.item.name}


def _adjust(viewer: Member, form: aid_forms.AdjustForm) -> str:
    adjusted = services.stock_adjust(actor=viewer, **form.service_fields())
    return _("Stock of %(item)s adjusted.") % {"item": adjusted.lot.item.name}


def _count_start(viewer: Member, form: aid_forms.CountStartForm) -> Done:
    count = services.count_start(actor=viewer, location=form.cleaned_data["location"])
    return Done(_("Count started."), reverse("aid-count", args=[count.pk]))


def _dispose(viewer: Member, form: forms.Form) -> str:
    units = services.expired_dispose(actor=viewer, community=viewer.tenant)
    return _("%(n)s expired units taken off the shelves as waste.") % {"n": units}


def _first_expired_first_out(levels: QuerySet[StockLevel], today: date) -> list[StockLevel]:
    """Usable lots, soonest expiry first and lots that never expire last (on every database:
    SQLite sorts a missing date first, PostgreSQL last)."""
    usable = [lv for lv in levels if lv.lot.expires is None or lv.lot.expires >= today]
    return sorted(usable, key=lambda lv: (lv.lot.expires is None, lv.lot.expires or today))


@login_required
@GET_POST
def stock(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    today = timezone.localdate()
    overview = selectors.stock_overview(viewer=viewer, today=today)
    levels = selectors.lots_on_hand(viewer=viewer).exclude(location__kind=LocationKind.HELD)
    community_id = viewer.tenant_id
    acts = {
        "item": Act(aid_forms.ItemForm, _item_add),
        "location": Act(aid_forms.LocationForm, _location_add),
        "receive": Act(aid_forms.ReceiveForm, _receive, {"community_id": community_id}),
        "move": Act(aid_forms.MoveForm, _move, {"levels": levels, "community_id": community_id}),
        "adjust": Act(aid_forms.AdjustForm, _adjust, {"levels": levels}),
        "count": Act(aid_forms.CountStartForm, _count_start, {"community_id": community_id}),
        "dispose": Act(forms.Form, _dispose),
    }
    shown, done = _act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "overview": overview,
        "lots": _first_expired_first_out(levels, today),
        "expired": selectors.expired_levels(viewer=viewer, today=today),
        "counts": StockCount.objects.filter(community_id=community_id, status="open"),
        "forms": shown,
        "can_manage": aid_may(viewer, "aid.stock.manage", viewer.tenant),
        "can_receive": aid_may(viewer, "aid.stock.receive", viewer.tenant),
    }
    return _page(request, "aid/stock.html", context, *shown.values())


def _count_record(count: StockCount, viewer: Member, form: aid_forms.CountRecordForm) -> str:
    level: StockLevel = form.cleaned_data["level"]
    services.count_record(
        actor=viewer, count=count, lot=level.lot, counted=form.cleaned_data["counted"]
    )
    return _("Count of %(item)s recorded.") % {"item": level.lot.item.name}


def _count_finalize(count: StockCount, viewer: Member, form: forms.Form) -> Done:
    moves = services.count_finalize(actor=viewer, count=count)
    return Done(
        _("Count finalized: %(n)s corrections written.") % {"n": len(moves)}, reverse("aid-stock")
    )


@login_required
@GET_POST
def count(request: HttpRequest, count_id: UUID) -> HttpResponse:
    """Volunteers enter what they find, lot by lot; a coordinator finalizes."""
    viewer = signed_in(request)
    found = selectors.count_get(viewer=viewer, count_id=count_id)
    levels = selectors.lots_on_hand(viewer=viewer).filter(location=found.location)
    acts = {
        "record": Act(aid_forms.CountRecordForm, partial(_count_record, found), {"levels": levels}),
        "finalize": Act(forms.Form, partial(_count_finalize, found)),
    }
    shown, done = _act(request, viewer, acts)
    if done is not None:
        return done
    on_hand = {lv.lot_id: lv.on_hand for lv in levels}
    lines = [
        {"line": line, "on_hand": on_hand.get(line.lot_id, 0)}
        for line in found.lines.select_related("lot__item").order_by("lot__item__name")
    ]
    context = {
        "count": found,
        "lines": lines,
        "forms": shown,
        "can_finalize": aid_may(viewer, "aid.count.finalize", found),
    }
    return _page(request, "aid/count.html", context, *shown.values())


# --- intake --------------------------------------------------------------------------------------


@login_required
@GET_POST
def intake(request: HttpRequest) -> HttpResponse:
    """Record a donation or a purchase line by line, or import an intake list (CSV)."""
    viewer = signed_in(request)
    aid_require(viewer, "aid.stock.receive", viewer.tenant)
    community_id = viewer.tenant_id
    action = request.POST.get("action") if request.method == "POST" else None
    posted = request.POST if action == "record" else None
    form = aid_forms.IntakeForm(
        posted,
        community_id=community_id,
        purchases=aid_may(viewer, "aid.purchase", viewer.tenant),
    )
    lines = aid_forms.IntakeLineFormSet(
        posted, prefix="line", form_kwargs={"community_id": community_id}
    )
    upload = aid_forms.CsvIntakeForm(
        request.POST if action == "import" else None,
        request.FILES if action == "import" else None,
        prefix="csv",
    )
    try:
        if action == "record" and form.is_valid() and lines.is_valid():
            made = services.intake_record(
                actor=viewer,
                community=viewer.tenant,
                donor=form.donor(),
                lines=aid_forms.intake_lines(lines),
                note=form.cleaned_data["note"],
            )
            return redirect("aid-intake-receipt", intake_id=made.pk)
        if action == "import" and upload.is_valid():
            data = upload.cleaned_data
            made = services.intake_record(
                actor=viewer,
                community=viewer.tenant,
                donor=services.Donor(name=data["donor_name"], kind=data["donor_kind"]),
                lines=services.intake_lines_from_csv(community=viewer.tenant, text=data["file"]),
            )
            return redirect("aid-intake-receipt", intake_id=made.pk)
    except PASS_THROUGH:
        raise
    except MutuaError as error:
        form_add_error(upload if action == "import" else form, error)
    context = {
        "form": form,
        "lines": lines,
        "upload": upload,
        "intakes": Intake.objects.filter(community_id=community_id).select_related("received_by")[
            :15
        ],
    }
    return _page(request, "aid/intake.html", context, form, lines, upload)


@login_required
def intake_receipt(request: HttpRequest, intake_id: UUID) -> HttpResponse:
    """A printable receipt for the donor: what was given, and what it is worth."""
    viewer = signed_in(request)
    found = _one(
        Intake.objects.filter(community_id=viewer.tenant_id).select_related(
            "seller", "received_by"
        ),
        intake_id,
    )
    aid_require(viewer, "aid.stock.receive", found)
    lots = found.lots.select_related("item").annotate(
        units=Sum("movements__quantity", filter=Q(movements__kind=MovementKind.RECEIVE))
    )
    rows = [
        {"lot": lot, "units": lot.units or 0, "value": (lot.units or 0) * lot.item.unit_value}
        for lot in lots.order_by("item__name")
    ]
    context = {
        "intake": found,
        "rows": rows,
        "total": sum(r["value"] for r in rows),
        "group": Organization.objects.filter(pk=aid_group_id(viewer.tenant_id)).first(),
    }
    return render(request, "aid/receipt.html", context)


# --- requests and offers -------------------------------------------------------------------------


def _request_page(request: HttpRequest, viewer: Member, *, phone: bool) -> HttpResponse:
    """The household's own "ask for aid" page, or a volunteer's "take a request by phone"."""
    community_id = viewer.tenant_id
    data = request.POST if request.method == "POST" else None
    form: aid_forms.AskForm = (
        aid_forms.PhoneRequestForm(data, community_id=community_id)
        if phone
        else aid_forms.AskForm(data)
    )
    lines = aid_forms.RequestLineFormSet(
        data, prefix="line", form_kwargs={"community_id": community_id}
    )
    if data is not None and form.is_valid() and lines.is_valid():
        household = form.cleaned_data["household"] if phone else viewer.household
        if household is None:
            raise NotFound(_("Not found."))
        try:
            made = services.request_create(
                actor=viewer,
                household=household,
                lines=aid_forms.wishes(lines),
                box=form.cleaned_data["box"],
                fulfilment=form.cleaned_data["fulfilment"],
                note=form.cleaned_data["note"],
            )
        except PASS_THROUGH:
            raise
        except MutuaError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request,
                _("Request #%(n)s for %(household)s is in.")
                % {"n": made.number, "household": household.name},
            )
            return redirect("aid-request-phone" if phone else "aid-my-requests")
    box = (
        []
        if phone or viewer.household is None
        else services.box_lines(community_id=community_id, household_size=viewer.household.size)
    )
    context = {
        "form": form,
        "lines": lines,
        "phone": phone,
        "box": [(w.item.name if w.item else w.category, w.quantity) for w in box],
    }
    return _page(request, "aid/ask.html", context, form, lines)


@login_required
@GET_POST
def ask(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    if viewer.household_id is None:
        if aid_may(viewer, "aid.request.create_for", viewer.tenant):
            return redirect("aid-request-phone")
        raise Forbidden(
            _("Only a member of a household can ask for aid: a coordinator can add you to yours.")
        )
    return _request_page(request, viewer, phone=False)


@login_required
@GET_POST
def phone(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    aid_require(viewer, "aid.request.create_for", viewer.tenant)
    return _request_page(request, viewer, phone=True)


def _cancel_mine(viewer: Member, form: aid_forms.IdForm) -> str:
    found = _one(selectors.my_requests(viewer=viewer), form.value)
    services.request_cancel(actor=viewer, request=found)
    return _("Request #%(n)s cancelled.") % {"n": found.number}


@login_required
@GET_POST
def my_requests(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    shown, done = _act(request, viewer, {"cancel": Act(aid_forms.IdForm, _cancel_mine)})
    if done is not None:
        return done
    mine = selectors.my_requests(viewer=viewer).prefetch_related("events")
    context = {"requests": mine, "has_household": viewer.household_id is not None}
    return _page(request, "aid/my_requests.html", context, *shown.values())


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    everything = selectors.request_list(viewer=viewer)
    counts = dict(everything.values_list("status").annotate(n=Count("id", distinct=True)))
    context = {
        "requests": selectors.request_list(viewer=viewer, status=status or None)[:200],
        "status": status,
        "statuses": [
            (value, label, counts.get(value, 0)) for value, label in RequestStatus.choices
        ],
    }
    return render(request, "aid/request_list.html", context)


def _cancel(found: AidRequest, viewer: Member, form: forms.Form) -> str:
    services.request_cancel(actor=viewer, request=found)
    return _("Request #%(n)s cancelled.") % {"n": found.number}


def _release(found: AidRequest, viewer: Member, form: forms.Form) -> str:
    services.request_release(actor=viewer, request=found)
    return _("What was packed for #%(n)s is back on the shelves.") % {"n": found.number}


@login_required
@GET_POST
def request_detail(request: HttpRequest, request_id: UUID) -> HttpResponse:
    """A request and its history, for its household and coordinators (who also see the needs)."""
    viewer = signed_in(request)
    found = selectors.request_get(viewer=viewer, request_id=request_id)
    acts = {
        "cancel": Act(forms.Form, partial(_cancel, found)),
        "release": Act(forms.Form, partial(_release, found)),
    }
    shown, done = _act(request, viewer, acts)
    if done is not None:
        return done
    coordinator = aid_may(viewer, "aid.request.list", found)
    context = {
        "req": found,
        "lines": found.lines.select_related("item"),
        "events": found.events.select_related("actor"),
        "needs": selectors.request_needs(viewer=viewer, request=found) if coordinator else None,
        "coordinator": coordinator,
        "mine": found.household_id == viewer.household_id,
    }
    return _page(request, "aid/request_detail.html", context, *shown.values())


def _offer(viewer: Member, form: aid_forms.OfferForm) -> str:
    services.offer_create(actor=viewer, **form.cleaned_data)
    return _("Thank you: the coordinators will be in touch.")


def _offer_close(viewer: Member, form: aid_forms.IdForm) -> str:
    found = _one(selectors.offer_list(viewer=viewer), form.value)
    services.offer_close(actor=viewer, offer=found)
    return _("Offer closed.")


@login_required
@GET_POST
def offers(request: HttpRequest) -> HttpResponse:
    """Anyone offers goods or time; coordinators see the open offers."""
    viewer = signed_in(request)
    acts = {"offer": Act(aid_forms.OfferForm, _offer), "close": Act(aid_forms.IdForm, _offer_close)}
    shown, done = _act(request, viewer, acts)
    if done is not None:
        return done
    coordinator = aid_may(viewer, "aid.request.list", viewer.tenant)
    context = {
        "forms": shown,
        "offers": selectors.offer_list(viewer=viewer) if coordinator else None,
    }
    return _page(request, "aid/offers.html", context, *shown.values())


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
    shown, done = _act(request, viewer, {"preview": Act(aid_forms.RunForm, _preview, initial)})
    if done is not None:
        return done
    context = {
        "runs": listed[:30],
        "form": shown["preview"],
        "new_count": selectors.request_list(viewer=viewer, status=RequestStatus.NEW).count(),
    }
    return _page(request, "aid/runs.html", context, *shown.values())


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
    shown, done = _act(request, viewer, acts)
    if done is not None:
        return done
    context = {"run": found, "rows": _run_rows(viewer, found)}
    return _page(request, "aid/run.html", context, *shown.values())


@login_required
def pick_lists(request: HttpRequest, run_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    found = selectors.run_get(viewer=viewer, run_id=run_id)
    context = {"run": found, "lists": selectors.pick_lists(viewer=viewer, run=found)}
    return render(request, "aid/pick_lists.html", context)


# --- the pick-up desk ----------------------------------------------------------------------------


def _pickup(viewer: Member, form: aid_forms.IdForm) -> str:
    found = _one(selectors.pickups_waiting(viewer=viewer), form.value)
    services.request_pickup(actor=viewer, request=found)
    return _("#%(n)s handed out to %(household)s.") % {
        "n": found.number,
        "household": found.household.name,
    }


def _desk_release(viewer: Member, form: aid_forms.IdForm) -> str:
    return _release(_one(selectors.pickups_waiting(viewer=viewer), form.value), viewer, form)


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
    shown, done = _act(request, viewer, acts)
    if done is not None:
        return done
    packed = _packed(waiting)
    context = {
        "waiting": [(r, packed.get(r.pk, [])) for r in waiting],
        "can_release": aid_may(viewer, "aid.allocate", viewer.tenant),
    }
    return _page(request, "aid/pickups.html", context, *shown.values())


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
        "routes": [(r, _clock(r.starts), _clock(r.ends)) for r in listed[:60]],
        "form": form,
        "drivers": drivers,
        "waiting": waiting,
    }
    return _page(request, "aid/routes.html", context, form, drivers)


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
            "arrival": _clock(stop.arrival),
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
        "window": (_clock(found.starts), _clock(found.ends)),
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
        context["rows"] = [{"stop": s, "arrival": _clock(s.arrival)} for s in stops]
    return render(request, "aid/route.html", context)


@login_required
def my_routes(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    listed = selectors.routes_of_driver(viewer=viewer)[:30]
    context = {"routes": [(r, _clock(r.starts), _clock(r.ends)) for r in listed]}
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
        "arrival": _clock(found.arrival),
        "address": selectors.stop_address(viewer=viewer, stop=found),
        "button_errors": [error] if error else [],
    }
    return render(request, "aid/stop.html", context, status=400 if error else 200)


# --- volunteers ----------------------------------------------------------------------------------


def _join(viewer: Member, form: aid_forms.IdForm) -> str:
    services.shift_join(
        actor=viewer, shift=_one(selectors.shifts_upcoming(viewer=viewer), form.value)
    )
    return _("You are signed up. Thank you!")


def _leave(viewer: Member, form: aid_forms.IdForm) -> str:
    services.shift_leave(
        actor=viewer, shift=_one(selectors.shifts_upcoming(viewer=viewer), form.value)
    )
    return _("You left the shift.")


def _shift_add(viewer: Member, form: aid_forms.ShiftForm) -> str:
    services.shift_create(actor=viewer, community=viewer.tenant, **form.cleaned_data)
    return _("Shift added.")


def _hours(viewer: Member, form: aid_forms.HoursForm) -> str:
    services.hours_log(actor=viewer, **form.service_fields())
    return _("Hours logged. Thank you!")


@login_required
@GET_POST
def shifts(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    upcoming = selectors.shifts_upcoming(viewer=viewer)
    acts = {
        "join": Act(aid_forms.IdForm, _join),
        "leave": Act(aid_forms.IdForm, _leave),
        "shift": Act(aid_forms.ShiftForm, _shift_add),
        "hours": Act(aid_forms.HoursForm, _hours),
    }
    shown, done = _act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "shifts": [
            (shift, any(s.member_id == viewer.pk for s in shift.signups.all()))
            for shift in upcoming
        ],
        "forms": shown,
        "hours": round(selectors.hours_total(viewer=viewer) / 60, 1),
        "can_manage": aid_may(viewer, "aid.shift.manage", viewer.tenant),
    }
    return _page(request, "aid/shifts.html", context, *shown.values())


# --- the report ----------------------------------------------------------------------------------

BAND_LABELS = {
    "expired": _("expired"),
    "0-7": _("0 to 7 days"),
    "8-30": _("8 to 30 days"),
    "31-90": _("31 to 90 days"),
    "90+": _("over 90 days"),
}


def report_charts(found: reports.AidReport) -> dict[str, Any]:
    """The report's charts (also on the coordinator's dashboard)."""
    by_category: dict[str, int] = {}
    for month in found.distributed.values():
        for category, units in month.items():
            by_category[category] = by_category.get(category, 0) + units
    kinds, reasons = dict(ShiftKind.choices), dict(AdjustReason.choices)
    return {
        "months_chart": bar_chart(
            _("Units distributed per month"),
            [(m, sum(c.values())) for m, c in found.distributed.items()],
        ),
        "categories_chart": bar_chart(
            _("Units distributed by category"), sorted(by_category.items(), key=lambda kv: -kv[1])
        ),
        "expiry_chart": bar_chart(
            _("Units on the shelves by days to expiry"),
            [(str(BAND_LABELS.get(b, b)), n) for b, n in found.expiry.items()],
        ),
        "hours_chart": bar_chart(
            _("Volunteer hours by kind of work"),
            [(str(kinds.get(k, k)), round(m / 60, 1)) for k, m in found.volunteer_minutes.items()],
        ),
        "waste_chart": bar_chart(
            _("Units wasted, by reason"),
            [(str(reasons.get(r, r)), n) for r, n in sorted(found.wasted.items())],
        ),
    }


@login_required
def report(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    today = timezone.localdate()
    since = _day(request.GET.get("since"), today - timedelta(days=89))
    until = _day(request.GET.get("until"), today)
    if since > until:
        raise MutuaError(_("The window starts before it ends."), code="invalid_date")
    found = reports.aid_report(viewer=viewer, since=since, until=until, today=today)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="aid-report-{since}-{until}.csv"'
        csv.writer(response).writerows(reports.report_csv_rows(found))
        return response
    categories = found.categories()
    table = [
        (month, [row.get(c, 0) for c in categories]) for month, row in found.distributed.items()
    ]
    context = {
        "report": found,
        "since": since,
        "until": until,
        "categories": categories,
        "table": table,
        "hours": round(sum(found.volunteer_minutes.values()) / 60, 1),
        **report_charts(found),
    }
    return render(request, "aid/report.html", context)
