"""The co-op's pages: for members (cycles, ordering, their orders and vouchers), for co-op staff
(catalogue, cycles, hand-out, the voucher desk) and for aid coordinators (bulk orders, vouchers,
solidarity referrals). Each page lists its actions (`web.actions.Act`); each action calls one
service, and a refused one shows its reason beside the form with nothing changed."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.access import aid_may, aid_require
from mutua.aid.forms import IdForm
from mutua.aid.models import Item, Location, LocationKind
from mutua.community.models import Member, Organization
from mutua.community.permissions import may, require, signed_in
from mutua.community.roles import OrganizationKind
from mutua.coop import forms as coop_forms
from mutua.coop import selectors, services
from mutua.coop.access import coop_get, coop_scope, coops_of
from mutua.coop.models import Order, OrderCycle, OrderStatus, Product
from mutua.core.errors import NotFound
from mutua.web.actions import GET_POST, Act, Done, act, page
from mutua.web.templatetags.mutua import money


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    require(viewer, "coop.catalogue.view", viewer.tenant)
    now = timezone.now()
    cycles = selectors.cycles(community=viewer.tenant)
    coops = coops_of(viewer.tenant)
    context = {
        "coops": [(coop, may(viewer, "coop.catalogue.manage", coop_scope(coop))) for coop in coops],
        "open_cycles": [c for c in cycles if c.is_open(now)],
        "coming_cycles": [c for c in cycles if c.opens_at > now],
        "past_cycles": [c for c in cycles if c.closes_at <= now][:8],
        "orders": selectors.my_orders(member=viewer),
        "vouchers": selectors.my_vouchers(member=viewer),
        "referral": selectors.referral_current(member=viewer, now=now),
        "coordinator": aid_may(viewer, "coop.voucher.issue"),
    }
    return page(request, "coop/home.html", context)


# --- a cycle --------------------------------------------------------------------------------------


def _order_run(cycle: OrderCycle, for_aid_group: bool) -> Any:
    def run(viewer: Member, form: coop_forms.OrderForm) -> Done:
        wanted = [services.Wanted(offer_id, n) for offer_id, n in form.wanted()]
        order = services.order_place(
            actor=viewer, cycle=cycle, wanted=wanted, for_aid_group=for_aid_group
        )
        return Done(
            _("Order #%(n)s placed: %(total)s is held on the wallet until pick-up.")
            % {"n": order.number, "total": money(order.total)},
            reverse("coop-order", args=[order.pk]),
        )

    return run


def _offer_run(cycle: OrderCycle) -> Any:
    def run(viewer: Member, form: coop_forms.OfferForm) -> str:
        data = form.cleaned_data
        services.cycle_offer(
            actor=viewer,
            cycle=cycle,
            product=data["product"],
            quantity=data["quantity"],
            price=data["price"],
        )
        return _("%(product)s offered.") % {"product": data["product"]}

    return run


@login_required
@GET_POST
def cycle_detail(request: HttpRequest, cycle_id: str) -> HttpResponse:
    viewer = signed_in(request)
    cycle = selectors.cycle_get(actor=viewer, cycle_id=cycle_id)
    offers = selectors.offers(cycle=cycle)
    staff = may(viewer, "coop.order.view", cycle)
    manage = may(viewer, "coop.cycle.manage", cycle)
    options = {"offers": offers}
    acts = {
        "order": Act(coop_forms.OrderForm, _order_run(cycle, False), options),
        "bulk": Act(coop_forms.OrderForm, _order_run(cycle, True), options),
        "offer": Act(
            coop_forms.OfferForm,
            _offer_run(cycle),
            {"products": Product.objects.filter(organization_id=cycle.organization_id)},
        ),
    }
    if request.method == "POST" and request.POST.get("action") == "offer" and not manage:
        require(viewer, "coop.cycle.manage", cycle)
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "cycle": cycle,
        "offers": offers,
        "open": cycle.is_open(),
        "forms": shown,
        "order_rows": [(offer, shown["order"][f"units-{offer.pk}"]) for offer in offers],
        "bulk_rows": [(offer, shown["bulk"][f"units-{offer.pk}"]) for offer in offers],
        "can_bulk": aid_may(viewer, "coop.bulk_order"),
        "staff": staff,
        "manage": manage,
        "orders": selectors.cycle_orders(actor=viewer, cycle=cycle) if staff else [],
        "totals": selectors.cycle_totals(actor=viewer, cycle=cycle) if staff else [],
    }
    return page(request, "coop/cycle.html", context, *shown.values())


# --- an order -------------------------------------------------------------------------------------


def _cancel(order: Order) -> Any:
    def run(viewer: Member, form: Any) -> str:
        services.order_cancel(actor=viewer, order=order)
        return _("Order #%(n)s cancelled; the hold is released.") % {"n": order.number}

    return run


def _pickup(order: Order) -> Any:
    def run(viewer: Member, form: coop_forms.DeliveredForm) -> str:
        services.order_pickup(actor=viewer, order=order, delivered=form.delivered())
        order.refresh_from_db()
        return _("Order #%(n)s handed out; %(paid)s paid.") % {
            "n": order.number,
            "paid": money(order.paid),
        }

    return run


def _receive(order: Order) -> Any:
    def run(viewer: Member, form: coop_forms.ArrivalForm) -> str:
        data = form.cleaned_data
        arrivals = [
            services.Arrival(
                line.pk,
                data[f"delivered-{line.pk}"],
                getattr(data[f"item-{line.pk}"], "pk", None),
                getattr(data[f"place-{line.pk}"], "pk", None),
                data[f"expires-{line.pk}"],
            )
            for line in form.lines
        ]
        services.bulk_order_receive(actor=viewer, order=order, arrivals=arrivals)
        return _("Order #%(n)s received into the pantry.") % {"n": order.number}

    return run


class _NoFields(coop_forms.forms.Form):
    pass


@login_required
@GET_POST
def order_detail(request: HttpRequest, order_id: str) -> HttpResponse:
    viewer = signed_in(request)
    order = selectors.order_get(actor=viewer, order_id=order_id)
    lines = selectors.order_lines(order=order)
    community = viewer.tenant
    acts = {
        "cancel": Act(_NoFields, _cancel(order)),
        "pickup": Act(coop_forms.DeliveredForm, _pickup(order), {"lines": lines}),
        "receive": Act(
            coop_forms.ArrivalForm,
            _receive(order),
            {
                "lines": lines,
                "items": Item.objects.filter(community=community, active=True),
                "places": Location.objects.filter(community=community).exclude(
                    kind=LocationKind.HELD
                ),
            },
        ),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    placed = order.status == OrderStatus.PLACED
    closed = timezone.now() >= order.cycle.closes_at
    bulk = order.buyer_organization_id is not None
    context = {
        "order": order,
        "lines": lines,
        "forms": shown,
        "arrival_rows": shown["receive"].rows(),  # type: ignore[attr-defined]
        "pickup_rows": [(line, shown["pickup"][f"delivered-{line.pk}"]) for line in lines],
        "can_cancel": placed and (not closed or may(viewer, "coop.order.handle", order)),
        "can_pickup": placed and closed and not bulk and may(viewer, "coop.order.handle", order),
        "can_receive": placed and closed and bulk and aid_may(viewer, "coop.bulk_order"),
    }
    return page(request, "coop/order.html", context, *shown.values())


# --- the co-op's own pages ------------------------------------------------------------------------


@login_required
@GET_POST
def catalogue(request: HttpRequest, coop_id: str) -> HttpResponse:
    viewer = signed_in(request)
    coop = coop_get(viewer.tenant, coop_id)
    require(viewer, "coop.catalogue.view", coop_scope(coop))
    manage = may(viewer, "coop.catalogue.manage", coop_scope(coop))

    def product_add(actor: Member, form: coop_forms.ProductForm) -> str:
        product = services.product_create(actor=actor, coop=coop, fields=form.fields_value())
        return _("%(product)s added to the catalogue.") % {"product": product}

    def cycle_add(actor: Member, form: coop_forms.CycleForm) -> Done:
        cycle = services.cycle_create(actor=actor, coop=coop, **form.cleaned_data)
        return Done(
            _("Cycle created: now offer products in it."), reverse("coop-cycle", args=[cycle.pk])
        )

    acts = {
        "product": Act(coop_forms.ProductForm, product_add),
        "cycle": Act(coop_forms.CycleForm, cycle_add),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "coop": coop,
        "products": selectors.products(coop=coop, available_only=not manage),
        "manage": manage,
        "forms": shown,
    }
    return page(request, "coop/catalogue.html", context, *shown.values())


@login_required
@GET_POST
def product_edit(request: HttpRequest, product_id: str) -> HttpResponse:
    viewer = signed_in(request)
    product = selectors.product_get(actor=viewer, product_id=product_id)
    require(viewer, "coop.catalogue.manage", product)

    def save(actor: Member, form: coop_forms.ProductForm) -> Done:
        services.product_update(actor=actor, product=product, fields=form.fields_value())
        return Done(
            _("%(product)s saved.") % {"product": product},
            reverse("coop-catalogue", args=[product.organization_id]),
        )

    acts = {"product": Act(coop_forms.ProductForm, save)}
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    if request.method != "POST":
        initial = {
            name: getattr(product, name)
            for name in ("name", "producer", "unit", "local", "sustainable", "available")
        }
        shown["product"] = coop_forms.ProductForm(
            prefix="product", initial=initial | {"price": money(product.price)}
        )
    return page(request, "coop/product.html", {"product": product, "forms": shown}, *shown.values())


@login_required
@GET_POST
def voucher_desk(request: HttpRequest, coop_id: str) -> HttpResponse:
    viewer = signed_in(request)
    coop = coop_get(viewer.tenant, coop_id)
    require(viewer, "coop.voucher.redeem", coop_scope(coop))

    def redeem(actor: Member, form: coop_forms.RedeemForm) -> str:
        spend = services.voucher_redeem(actor=actor, coop=coop, **form.cleaned_data)
        return _("%(amount)s taken from voucher %(code)s.") % {
            "amount": money(spend.amount),
            "code": spend.voucher.code,
        }

    shown, done = act(request, viewer, {"redeem": Act(coop_forms.RedeemForm, redeem)})
    if done is not None:
        return done
    context = {
        "coop": coop,
        "vouchers": selectors.vouchers_for_coop(actor=viewer, coop=coop),
        "forms": shown,
        "now": timezone.now(),
    }
    return page(request, "coop/voucher_desk.html", context, *shown.values())


# --- the aid group's side -------------------------------------------------------------------------


@login_required
@GET_POST
def aid_partnership(request: HttpRequest) -> HttpResponse:
    """Vouchers and solidarity referrals: for aid coordinators only; the list of holders is
    logged every time it is shown."""
    viewer = signed_in(request)
    community = viewer.tenant
    aid_require(viewer, "coop.voucher.issue")
    members = Member.objects.filter(community=community, is_active=True).order_by("display_name")
    coops = coops_of(community)

    def issue(actor: Member, form: coop_forms.VoucherForm) -> str:
        data = form.cleaned_data
        voucher = services.voucher_issue(
            actor=actor,
            coop=data["coop"],
            holder=data["holder"],
            amount=data["amount"],
            expires_at=data["expires_at"],
            reason=data["reason"],
        )
        return _("Voucher %(code)s for %(amount)s issued: give the code to %(holder)s.") % {
            "code": voucher.code,
            "amount": money(voucher.amount),
            "holder": voucher.holder.display_name,
        }

    def refer(actor: Member, form: coop_forms.ReferralForm) -> str:
        data = form.cleaned_data
        services.referral_set(
            actor=actor,
            member=data["member"],
            discount_bps=data["discount"] * 100,
            ends_at=data["ends_at"],
        )
        return _("%(member)s now pays solidarity prices.") % {"member": data["member"].display_name}

    def unrefer(actor: Member, form: Any) -> str:
        member = members.filter(pk=form.value).first()
        if member is None:
            raise NotFound(_("Not found."))
        services.referral_end(actor=actor, member=member)
        return _("Referral ended.")

    acts = {
        "voucher": Act(
            coop_forms.VoucherForm,
            issue,
            {"members": members, "coops": coops_queryset(community)},
        ),
        "referral": Act(coop_forms.ReferralForm, refer, {"members": members}),
        "unrefer": Act(IdForm, unrefer),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "forms": shown,
        "coops": coops,
        "vouchers": selectors.vouchers_with_holders(actor=viewer),
        "referrals": selectors.referrals(actor=viewer),
        "bulk_orders": selectors.bulk_orders(actor=viewer),
        "now": timezone.now(),
    }
    return page(request, "coop/aid.html", context, *shown.values())


def coops_queryset(community: Any) -> Any:
    return Organization.objects.filter(community=community, kind=OrganizationKind.FOOD_COOP)
