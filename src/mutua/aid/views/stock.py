"""Stock and intake pages: items, locations, lots first-expired-first-out, moves, adjustments,
counts, quarantined expired stock; donations, purchases, CSV intake lists and donor receipts."""

from datetime import date
from functools import partial
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid import forms as aid_forms
from mutua.aid import selectors, services
from mutua.aid.access import aid_group_id, aid_may, aid_require
from mutua.aid.models import (
    Intake,
    LocationKind,
    MovementKind,
    StockCount,
    StockLevel,
)
from mutua.community.models import Member, Organization
from mutua.community.permissions import signed_in
from mutua.core.errors import MutuaError
from mutua.web.actions import GET_POST, PASS_THROUGH, Act, Done, act, one_of, page
from mutua.web.errors import form_add_error

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
    shown, done = act(request, viewer, acts)
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
    return page(request, "aid/stock.html", context, *shown.values())


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
    shown, done = act(request, viewer, acts)
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
    return page(request, "aid/count.html", context, *shown.values())


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
    return page(request, "aid/intake.html", context, form, lines, upload)


@login_required
def intake_receipt(request: HttpRequest, intake_id: UUID) -> HttpResponse:
    """A printable receipt for the donor: what was given, and what it is worth."""
    viewer = signed_in(request)
    found = one_of(
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
