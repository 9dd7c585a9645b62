"""Food co-op endpoints of the JSON API, under `/api/v1/coop/`: the catalogue, order cycles, orders
(placed, cancelled, handed out, received into the pantry), aid vouchers and solidarity referrals.

A thin shell over `mutua.coop.services` and `selectors`, with the same rules as the pages
(`coop.*`): an id in the path that names nothing the caller may see is 404 `not_found`; an id in
the body, 404 `unknown_<thing>`. Amounts are integer local cents. A voucher's holder and reason
never leave through the co-op's endpoints; members read their own vouchers from `vouchers/mine`.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from mutua.api import Day, Instant, error_responses
from mutua.community.models import Member, Organization
from mutua.community.permissions import may, require, signed_in
from mutua.community.roles import OrganizationKind
from mutua.coop import selectors, services
from mutua.coop.access import coop_get, coop_scope
from mutua.coop.models import CycleProduct, Order, OrderCycle, Product
from mutua.core.errors import NotFound

router = Router(tags=["coop"])
CENTS = 10**12
UNITS = 10**6
READ_ERRORS = error_responses(401, 403, 404, 422)  # 422: an id or a query that does not parse
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 410, 422)


# --- schemas --------------------------------------------------------------------------------------


class ProductIn(Schema):
    name: str = Field(max_length=120)
    producer: str = Field(max_length=120)
    unit: str = Field(max_length=40)
    price: int = Field(ge=-CENTS, le=CENTS, description="Local cents; more than zero.")
    local: bool = False
    sustainable: bool = False
    available: bool = True


class ProductOut(Schema):
    id: UUID
    coop: UUID = Field(alias="organization_id")
    name: str
    producer: str
    unit: str
    price: int
    local: bool
    sustainable: bool
    available: bool


class CycleIn(Schema):
    name: str = Field(max_length=120)
    opens_at: Instant
    closes_at: Instant
    pickup_at: Instant
    pickup_place: str = Field("", max_length=200)


class OfferOut(Schema):
    id: UUID
    product: UUID = Field(alias="product_id")
    name: str = Field(alias="product.name")
    producer: str = Field(alias="product.producer")
    unit: str = Field(alias="product.unit")
    local: bool = Field(alias="product.local")
    sustainable: bool = Field(alias="product.sustainable")
    price: int
    quantity: int
    left: int


class CycleOut(Schema):
    id: UUID
    coop: UUID = Field(alias="organization_id")
    coop_name: str = Field(alias="organization.name")
    name: str
    opens_at: datetime
    closes_at: datetime
    pickup_at: datetime
    pickup_place: str
    open: bool

    @staticmethod
    def resolve_open(cycle: OrderCycle) -> bool:
        return cycle.is_open()


class CycleDetailOut(CycleOut):
    offers: list[OfferOut]

    @staticmethod
    def resolve_offers(cycle: OrderCycle) -> list[CycleProduct]:
        return selectors.offers(cycle=cycle)


class CycleOfferIn(Schema):
    product: UUID
    quantity: int = Field(ge=-UNITS, le=UNITS)
    price: int | None = Field(None, ge=-CENTS, le=CENTS, description="Default: the catalogue's.")


class OrderLineIn(Schema):
    offer: UUID
    quantity: int = Field(ge=-UNITS, le=UNITS)


class OrderIn(Schema):
    lines: list[OrderLineIn] = Field(max_length=200)
    for_aid_group: bool = Field(False, description="A bulk order paid from the aid fund.")


class OrderLineOut(Schema):
    id: UUID
    offer: UUID = Field(alias="offer_id")
    product: str = Field(alias="offer.product.name")
    quantity: int
    price: int
    delivered: int | None


class OrderOut(Schema):
    id: UUID
    cycle: UUID = Field(alias="cycle_id")
    coop: UUID = Field(alias="organization_id")
    number: int
    status: str
    buyer: UUID | None = Field(alias="buyer_id")
    aid_group: UUID | None = Field(alias="buyer_organization_id")
    total: int
    fund_share: int = Field(description="Paid by the aid fund (solidarity price).")
    discount_bps: int
    paid: int = Field(description="Charged at pick-up, for what was delivered.")
    hold: UUID = Field(alias="hold_id", description="The pending ledger transfer.")
    placed_at: datetime
    closed_at: datetime | None
    received_at: datetime | None
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(order: Order) -> list[Any]:
        return selectors.order_lines(order=order)


class PickupIn(Schema):
    delivered: dict[UUID, int] = Field(
        default_factory=dict, description="Line id -> units delivered; a line left out: all."
    )


class ArrivalIn(Schema):
    line: UUID
    delivered: int = Field(ge=-UNITS, le=UNITS)
    item: UUID | None = Field(None, description="The pantry item it becomes.")
    location: UUID | None = None
    expires: Day | None = None


class OrderReceiveIn(Schema):
    arrivals: list[ArrivalIn] = Field(max_length=200)


class VoucherIn(Schema):
    holder: UUID
    coop: UUID
    amount: int = Field(ge=-CENTS, le=CENTS)
    expires_at: Instant
    reason: str = Field("", max_length=200)


class VoucherOut(Schema):
    """What the co-op sees of a voucher."""

    code: str
    amount: int
    remaining: int
    expires_at: datetime
    expired_at: datetime | None


class MyVoucherOut(VoucherOut):
    coop: UUID = Field(alias="organization_id")
    coop_name: str = Field(alias="organization.name")


class RedeemIn(Schema):
    code: str = Field(max_length=20)
    amount: int = Field(ge=-CENTS, le=CENTS)


class SpendOut(Schema):
    code: str = Field(alias="voucher.code")
    amount: int
    transfer: UUID = Field(alias="transfer_id")
    remaining: int

    @staticmethod
    def resolve_remaining(spend: Any) -> int:
        spend.voucher.refresh_from_db(fields=["remaining"])
        return int(spend.voucher.remaining)


class ReferralIn(Schema):
    member: UUID
    discount_bps: int = Field(ge=-(10**6), le=10**6, description="Paid by the aid fund; 1-10000.")
    ends_at: Instant | None = None


class ReferralOut(Schema):
    id: UUID
    member: UUID = Field(alias="member_id")
    discount_bps: int
    starts_at: datetime
    ends_at: datetime | None


# --- helpers --------------------------------------------------------------------------------------


def _coop(viewer: Member, coop_id: UUID) -> Organization:
    return coop_get(viewer.tenant, coop_id)


def _unknown(where: str) -> NotFound:
    return NotFound(_("Not found."), code=f"unknown_{where}", fields={where: [_("Not found.")]})


def _body_member(viewer: Member, member_id: UUID, where: str) -> Member:
    found = Member.objects.filter(community_id=viewer.tenant_id, pk=member_id).first()
    if found is None:
        raise _unknown(where)
    return found


def _cycle(viewer: Member, cycle_id: UUID) -> OrderCycle:
    return selectors.cycle_get(actor=viewer, cycle_id=cycle_id)


# --- the catalogue and cycles ---------------------------------------------------------------------


@router.get("/{coop_id}/products", response={200: list[ProductOut], **READ_ERRORS})
def products_list(request: HttpRequest, coop_id: UUID) -> Any:
    """A co-op's catalogue (its staff also see products that are not available)."""
    viewer = signed_in(request)
    coop = _coop(viewer, coop_id)
    require(viewer, "coop.catalogue.view", coop_scope(coop))
    manage = may(viewer, "coop.catalogue.manage", coop_scope(coop))
    return selectors.products(coop=coop, available_only=not manage)


@router.post("/{coop_id}/products", response={201: ProductOut, **WRITE_ERRORS})
def product_create(request: HttpRequest, coop_id: UUID, body: ProductIn) -> Any:
    """Add a product to the catalogue (co-op staff)."""
    viewer = signed_in(request)
    fields = services.ProductFields(**body.dict())
    return 201, services.product_create(actor=viewer, coop=_coop(viewer, coop_id), fields=fields)


@router.put("/products/{product_id}", response={200: ProductOut, **WRITE_ERRORS})
def product_update(request: HttpRequest, product_id: UUID, body: ProductIn) -> Any:
    """Change a product: its price, its availability... (co-op staff)."""
    viewer = signed_in(request)
    product: Product = selectors.product_get(actor=viewer, product_id=product_id)
    return services.product_update(
        actor=viewer, product=product, fields=services.ProductFields(**body.dict())
    )


@router.get("/cycles", response={200: list[CycleOut], **READ_ERRORS})
def cycles_list(request: HttpRequest) -> Any:
    """Every order cycle of the community's co-ops, latest first."""
    viewer = signed_in(request)
    require(viewer, "coop.catalogue.view", viewer.tenant)
    return selectors.cycles(community=viewer.tenant)


@router.post("/{coop_id}/cycles", response={201: CycleOut, **WRITE_ERRORS})
def cycle_create(request: HttpRequest, coop_id: UUID, body: CycleIn) -> Any:
    """Open an ordering window with a pick-up time (co-op staff)."""
    viewer = signed_in(request)
    return 201, services.cycle_create(actor=viewer, coop=_coop(viewer, coop_id), **body.dict())


@router.get("/cycles/{cycle_id}", response={200: CycleDetailOut, **READ_ERRORS})
def cycle_get(request: HttpRequest, cycle_id: UUID) -> Any:
    """A cycle with what it offers: price and units left."""
    return _cycle(signed_in(request), cycle_id)


@router.post("/cycles/{cycle_id}/offers", response={201: OfferOut, **WRITE_ERRORS})
def cycle_offer(request: HttpRequest, cycle_id: UUID, body: CycleOfferIn) -> Any:
    """Offer units of a product in a cycle, or change the offer (co-op staff)."""
    viewer = signed_in(request)
    cycle = _cycle(viewer, cycle_id)
    product = Product.objects.filter(organization_id=cycle.organization_id, pk=body.product).first()
    if product is None:
        raise _unknown("product")
    return 201, services.cycle_offer(
        actor=viewer, cycle=cycle, product=product, quantity=body.quantity, price=body.price
    )


# --- orders ---------------------------------------------------------------------------------------


@router.post("/cycles/{cycle_id}/orders", response={201: OrderOut, **WRITE_ERRORS})
def order_place(request: HttpRequest, cycle_id: UUID, body: OrderIn) -> Any:
    """Place an order: its total is held on your wallet (or the aid fund's, for a bulk order)
    until pick-up. 422 `cycle_closed` outside the window, `not_available` for more than is left,
    `exceeds_credit_limit` when the wallet cannot cover it."""
    viewer = signed_in(request)
    wanted = [services.Wanted(line.offer, line.quantity) for line in body.lines]
    return 201, services.order_place(
        actor=viewer,
        cycle=_cycle(viewer, cycle_id),
        wanted=wanted,
        for_aid_group=body.for_aid_group,
    )


@router.get("/orders/mine", response={200: list[OrderOut], **READ_ERRORS})
def orders_mine(request: HttpRequest) -> Any:
    return selectors.my_orders(member=signed_in(request))


@router.get("/cycles/{cycle_id}/orders", response={200: list[OrderOut], **READ_ERRORS})
def cycle_orders(request: HttpRequest, cycle_id: UUID) -> Any:
    """A cycle's orders (co-op staff)."""
    viewer = signed_in(request)
    return selectors.cycle_orders(actor=viewer, cycle=_cycle(viewer, cycle_id))


@router.get("/orders/{order_id}", response={200: OrderOut, **READ_ERRORS})
def order_get(request: HttpRequest, order_id: UUID) -> Any:
    """An order, for its buyer, the co-op's staff, or (bulk orders) aid coordinators."""
    return selectors.order_get(actor=signed_in(request), order_id=order_id)


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **WRITE_ERRORS})
def order_cancel(request: HttpRequest, order_id: UUID) -> Any:
    """Cancel: the hold is voided (buyers until orders close, staff until pick-up)."""
    viewer = signed_in(request)
    order = selectors.order_get(actor=viewer, order_id=order_id)
    return services.order_cancel(actor=viewer, order=order)


@router.post("/orders/{order_id}/pickup", response={200: OrderOut, **WRITE_ERRORS})
def order_pickup(request: HttpRequest, order_id: UUID, body: PickupIn) -> Any:
    """Hand out a member's order (co-op staff, after orders close): the hold is charged for what
    was delivered and the rest released."""
    viewer = signed_in(request)
    order = selectors.order_get(actor=viewer, order_id=order_id)
    return services.order_pickup(actor=viewer, order=order, delivered=body.delivered)


@router.post("/orders/{order_id}/receive", response={200: OrderOut, **WRITE_ERRORS})
def order_receive(request: HttpRequest, order_id: UUID, body: OrderReceiveIn) -> Any:
    """A bulk order arrives at the pantry (aid coordinators): the aid fund's hold is charged for
    what was delivered and each delivered line becomes a pantry lot. Every line must be listed."""
    viewer = signed_in(request)
    order = selectors.order_get(actor=viewer, order_id=order_id)
    arrivals = [
        services.Arrival(a.line, a.delivered, a.item, a.location, a.expires) for a in body.arrivals
    ]
    return services.bulk_order_receive(actor=viewer, order=order, arrivals=arrivals)


# --- vouchers and referrals -----------------------------------------------------------------------


@router.post("/vouchers", response={201: MyVoucherOut, **WRITE_ERRORS})
def voucher_issue(request: HttpRequest, body: VoucherIn) -> Any:
    """Give a household's member a voucher funded from the aid fund (aid coordinators). The
    answer carries the code to give them."""
    viewer = signed_in(request)
    coop = Organization.objects.filter(
        community_id=viewer.tenant_id, kind=OrganizationKind.FOOD_COOP, pk=body.coop
    ).first()
    if coop is None:
        raise _unknown("coop")
    return 201, services.voucher_issue(
        actor=viewer,
        coop=coop,
        holder=_body_member(viewer, body.holder, "holder"),
        amount=body.amount,
        expires_at=body.expires_at,
        reason=body.reason,
    )


@router.get("/vouchers/mine", response={200: list[MyVoucherOut], **READ_ERRORS})
def vouchers_mine(request: HttpRequest) -> Any:
    return selectors.my_vouchers(member=signed_in(request))


@router.get("/{coop_id}/vouchers", response={200: list[VoucherOut], **READ_ERRORS})
def vouchers_for_coop(request: HttpRequest, coop_id: UUID) -> Any:
    """The vouchers a co-op can take: codes and amounts, never holders (co-op staff)."""
    viewer = signed_in(request)
    return selectors.vouchers_for_coop(actor=viewer, coop=_coop(viewer, coop_id))


@router.post("/{coop_id}/vouchers/redeem", response={201: SpendOut, **WRITE_ERRORS})
def voucher_redeem(request: HttpRequest, coop_id: UUID, body: RedeemIn) -> Any:
    """Take an amount of a voucher by its code (co-op staff). 422 `wrong_merchant` at another
    co-op, `exceeds_voucher` for more than is left; 410 `voucher_expired`."""
    viewer = signed_in(request)
    return 201, services.voucher_redeem(
        actor=viewer, coop=_coop(viewer, coop_id), code=body.code, amount=body.amount
    )


@router.post("/referrals", response={201: ReferralOut, **WRITE_ERRORS})
def referral_set(request: HttpRequest, body: ReferralIn) -> Any:
    """Refer a member for solidarity prices paid by the aid fund (aid coordinators)."""
    viewer = signed_in(request)
    return 201, services.referral_set(
        actor=viewer,
        member=_body_member(viewer, body.member, "member"),
        discount_bps=body.discount_bps,
        ends_at=body.ends_at,
    )
