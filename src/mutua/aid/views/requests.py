"""Requests and offers: asking for aid (for oneself, or by phone for a household), the
coordinator's list and a request's history, cancelling and returning packed stock; offers."""

from functools import partial
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mutua.aid import forms as aid_forms
from mutua.aid import selectors, services
from mutua.aid.access import aid_may, aid_require
from mutua.aid.models import (
    AidRequest,
    RequestStatus,
)
from mutua.community.models import Member
from mutua.community.permissions import signed_in
from mutua.core.errors import Forbidden, MutuaError, NotFound
from mutua.web.actions import GET_POST, PASS_THROUGH, Act, act, one_of, page
from mutua.web.errors import form_add_error

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
    return page(request, "aid/ask.html", context, form, lines)


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
    found = one_of(selectors.my_requests(viewer=viewer), form.value)
    services.request_cancel(actor=viewer, request=found)
    return _("Request #%(n)s cancelled.") % {"n": found.number}


@login_required
@GET_POST
def my_requests(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    shown, done = act(request, viewer, {"cancel": Act(aid_forms.IdForm, _cancel_mine)})
    if done is not None:
        return done
    mine = selectors.my_requests(viewer=viewer).prefetch_related("events")
    context = {"requests": mine, "has_household": viewer.household_id is not None}
    return page(request, "aid/my_requests.html", context, *shown.values())


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


def release_packed(found: AidRequest, viewer: Member, form: forms.Form) -> str:
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
        "release": Act(forms.Form, partial(release_packed, found)),
    }
    shown, done = act(request, viewer, acts)
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
    return page(request, "aid/request_detail.html", context, *shown.values())


def _offer(viewer: Member, form: aid_forms.OfferForm) -> str:
    services.offer_create(actor=viewer, **form.cleaned_data)
    return _("Thank you: the coordinators will be in touch.")


def _offer_close(viewer: Member, form: aid_forms.IdForm) -> str:
    found = one_of(selectors.offer_list(viewer=viewer), form.value)
    services.offer_close(actor=viewer, offer=found)
    return _("Offer closed.")


@login_required
@GET_POST
def offers(request: HttpRequest) -> HttpResponse:
    """Anyone offers goods or time; coordinators see the open offers."""
    viewer = signed_in(request)
    acts = {"offer": Act(aid_forms.OfferForm, _offer), "close": Act(aid_forms.IdForm, _offer_close)}
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    coordinator = aid_may(viewer, "aid.request.list", viewer.tenant)
    context = {
        "forms": shown,
        "offers": selectors.offer_list(viewer=viewer) if coordinator else None,
    }
    return page(request, "aid/offers.html", context, *shown.values())
