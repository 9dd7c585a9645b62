"""Reading the co-op's data, with the checks of who may see what.

Private here: who holds a voucher and why (`Voucher.holder`, `Voucher.reason`). The co-op's own
views of vouchers carry only `COOP_VOUCHER_FIELDS`; the aid group's view with holders is for aid
coordinators and writes an audit entry each time. Buyers' names are on the co-op's order lists
(staff hand the orders out), but whether an order has a solidarity price says nothing of why.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.access import aid_may, aid_require
from mutua.community.models import Community, Member, Organization
from mutua.community.permissions import may, require
from mutua.coop.access import coop_scope
from mutua.coop.models import (
    CycleProduct,
    Order,
    OrderCycle,
    OrderLine,
    Product,
    Referral,
    Voucher,
)
from mutua.core.errors import NotFound
from mutua.core.services import audit_record

COOP_VOUCHER_FIELDS = ("code", "amount", "remaining", "expires_at", "expired_at")


def _get(queryset: QuerySet[Any], pk: object) -> Any:
    try:
        found = queryset.filter(pk=pk).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise NotFound(_("Not found."))
    return found


def products(*, coop: Organization, available_only: bool = False) -> list[Product]:
    found = Product.objects.filter(organization=coop)
    return list(found.filter(available=True) if available_only else found)


def product_get(*, actor: Member, product_id: object) -> Product:
    product: Product = _get(Product.objects.select_related("organization"), product_id)
    require(actor, "coop.catalogue.view", product)
    return product


def cycles(*, community: Community) -> list[OrderCycle]:
    return list(
        OrderCycle.objects.filter(community=community)
        .select_related("organization")
        .annotate(order_count=Count("orders", filter=~Q(orders__status="cancelled")))
    )


def cycle_get(*, actor: Member, cycle_id: object) -> OrderCycle:
    cycle: OrderCycle = _get(OrderCycle.objects.select_related("organization"), cycle_id)
    require(actor, "coop.catalogue.view", cycle)
    return cycle


def offers(*, cycle: OrderCycle) -> list[CycleProduct]:
    return list(cycle.offers.select_related("product").filter(quantity__gt=0))


def may_see_order(actor: Member, order: Order) -> bool:
    if order.buyer_id is not None and order.buyer_id == actor.pk:
        return True
    if order.buyer_organization_id is not None and aid_may(actor, "coop.bulk_order", order):
        return True
    return may(actor, "coop.order.view", order)


def order_get(*, actor: Member, order_id: object) -> Order:
    """An order for its buyer, the co-op's staff, or (a bulk order) the aid coordinators."""
    order: Order = _get(
        Order.objects.select_related("cycle", "organization", "buyer", "buyer_organization"),
        order_id,
    )
    if order.community_id != actor.community_id or not may_see_order(actor, order):
        raise NotFound(_("Not found."))
    return order


def order_lines(*, order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("offer__product"))


def my_orders(*, member: Member) -> list[Order]:
    return list(Order.objects.filter(buyer=member).select_related("cycle", "organization"))


def bulk_orders(*, actor: Member) -> list[Order]:
    aid_require(actor, "coop.bulk_order")
    return list(
        Order.objects.filter(buyer_organization__isnull=False).select_related(
            "cycle", "organization"
        )
    )


def cycle_orders(*, actor: Member, cycle: OrderCycle) -> list[Order]:
    """A cycle's orders for the co-op's staff, with each buyer's name, to hand them out."""
    require(actor, "coop.order.view", cycle)
    return list(cycle.orders.select_related("buyer", "buyer_organization").order_by("number"))


def cycle_totals(*, actor: Member, cycle: OrderCycle) -> list[dict[str, Any]]:
    """Units ordered per product in a cycle (not cancelled): what to bring to the pick-up."""
    require(actor, "coop.order.view", cycle)
    rows = (
        OrderLine.objects.filter(order__cycle=cycle)
        .exclude(order__status="cancelled")
        .values("offer__product__name", "offer__product__producer", "offer__product__unit")
        .annotate(units=Sum("quantity"))
        .order_by("offer__product__name")
    )
    return [
        {
            "product": row["offer__product__name"],
            "producer": row["offer__product__producer"],
            "unit": row["offer__product__unit"],
            "units": row["units"],
        }
        for row in rows
    ]


def vouchers_for_coop(*, actor: Member, coop: Organization) -> list[dict[str, Any]]:
    """The vouchers a co-op can take: codes and amounts only."""
    require(actor, "coop.voucher.redeem", coop_scope(coop))
    return list(Voucher.objects.filter(organization=coop).values(*COOP_VOUCHER_FIELDS))


def vouchers_with_holders(*, actor: Member) -> list[Voucher]:
    """Every voucher with its holder and reason, for aid coordinators; the view is logged."""
    aid_require(actor, "coop.voucher.holders")
    found = list(Voucher.objects.select_related("holder", "organization", "issued_by"))
    audit_record(
        action="coop.voucher.holders_viewed",
        actor=actor,
        community_id=actor.community_id,
        data={"vouchers": len(found)},
    )
    return found


def my_vouchers(*, member: Member) -> list[Voucher]:
    return list(Voucher.objects.filter(holder=member).select_related("organization"))


def referral_current(*, member: Member, now: datetime | None = None) -> Referral | None:
    now = now or timezone.now()
    return (
        Referral.objects.filter(member=member, starts_at__lte=now)
        .exclude(ends_at__lte=now)
        .order_by("-starts_at")
        .first()
    )


def referrals(*, actor: Member, now: datetime | None = None) -> list[Referral]:
    aid_require(actor, "coop.referral.manage")
    now = now or timezone.now()
    return list(Referral.objects.exclude(ends_at__lte=now).select_related("member", "referred_by"))


def order_by_id(order_id: UUID) -> Order:
    return Order.objects.get(pk=order_id)


def coop_desk(*, actor: Member, coop: Organization, cycles_shown: int = 8) -> dict[str, Any]:
    """A co-op staff member's overview of one co-op: its cycles open or coming, and for each of
    the last cycles the units ordered and what was paid at pick-up (not cancelled orders)."""
    require(actor, "coop.order.view", coop_scope(coop))
    now = timezone.now()
    recent = list(
        OrderCycle.objects.filter(organization=coop)
        .annotate(
            orders_placed=Count("orders", filter=~Q(orders__status="cancelled")),
            paid=Sum("orders__paid"),
        )
        .order_by("-opens_at")[:cycles_shown]
    )
    return {
        "coop": coop,
        "current": [c for c in recent if c.closes_at > now or c.pickup_at > now],
        "recent": list(reversed(recent)),
    }
