"""Writing the co-op's data: the catalogue, order cycles, orders paid by holds, the aid group's bulk
orders, aid vouchers and solidarity referrals. The only writers of `coop` rows.

Every function is one database transaction: its rows and its ledger transfers commit together or
not at all (the ledger's services join the caller's transaction), so a refused hold leaves no
order behind and a refused redemption leaves the voucher as it was.

Money moves (local dollars, through `mutua.ledger.services`):
- placing an order: pending transfers (holds) from the buyer's wallet, or the aid fund for a bulk
  order, to the co-op's wallet; with a solidarity price, a second hold from the aid fund for its
  part (`pricing.solidarity_split`). Both are one linked batch.
- picking up: the holds are posted for what was delivered (split the same way), the rest released;
  nothing delivered voids them. Cancelling voids them.
- a voucher: aid fund -> vouchers account (escrow) when issued; vouchers account -> the co-op's
  wallet when spent; what is left -> aid fund when it expires.

Errors: `MutuaError` with `fields` for bad input; `Refused` (422) when the rules say no (ordering
outside the window, more than is left, a voucher at another co-op, not enough money); `Gone` for an
expired voucher; `Conflict` for an order no longer open to the change.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.access import aid_group_id, aid_require
from mutua.community.models import Member, Organization
from mutua.community.permissions import require
from mutua.community.roles import OrganizationKind
from mutua.coop.access import coop_scope
from mutua.coop.models import (
    CycleProduct,
    Order,
    OrderCycle,
    OrderLine,
    OrderStatus,
    Product,
    Referral,
    Voucher,
    VoucherSpend,
)
from mutua.coop.pricing import solidarity_split
from mutua.core.errors import Conflict, Gone, MutuaError, NotFound, Refused, problems_raise
from mutua.core.ids import new_id
from mutua.core.services import audit_record
from mutua.currency import selectors as currency_selectors
from mutua.currency.models import Currency
from mutua.ledger import services as ledger
from mutua.ledger.domain import Kind, TransferRequest
from mutua.ledger.messages import linked_refusal_raise, refusal_raise
from mutua.ledger.models import Account, AccountKind

# A hold outlives the pick-up by this much, then `mutua ledger expire` releases it.
HOLD_AFTER_PICKUP = timedelta(days=14)
VOUCHER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
VOUCHERS_ACCOUNT = "aid-vouchers"


def _check_coop(coop: Organization) -> None:
    if coop.kind != OrganizationKind.FOOD_COOP:
        raise MutuaError(_("Choose a food co-op."), code="not_a_coop")


def _coop_wallet(currency: Currency, coop: Organization) -> Account:
    wallet = currency_selectors.wallet_of(currency=currency, organization=coop)
    if wallet is None:
        raise Refused(
            _("%(coop)s has no local-dollar wallet to be paid into.") % {"coop": coop.name},
            code="no_wallet",
        )
    return wallet


# --- the catalogue --------------------------------------------------------------------------------


class ProductFields(NamedTuple):
    name: str
    producer: str
    unit: str
    price: int
    local: bool = False
    sustainable: bool = False
    available: bool = True


def _product_problems(fields: ProductFields) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not fields.name.strip():
        problems["name"] = [_("Give the product a name.")]
    if not fields.producer.strip():
        problems["producer"] = [_("Say who produced it.")]
    if not fields.unit.strip():
        problems["unit"] = [_("Say what one unit is, e.g. '1 kg bag'.")]
    if not isinstance(fields.price, int) or fields.price <= 0:
        problems["price"] = [_("A price is more than zero.")]
    return problems


@transaction.atomic
def product_create(*, actor: Member, coop: Organization, fields: ProductFields) -> Product:
    _check_coop(coop)
    require(actor, "coop.catalogue.manage", coop_scope(coop))
    problems = _product_problems(fields)
    if Product.objects.filter(organization=coop, name__iexact=fields.name.strip()).exists():
        problems.setdefault("name", []).append(_("The catalogue has this product already."))
    problems_raise(problems)
    values = fields._asdict() | {"name": fields.name.strip(), "producer": fields.producer.strip()}
    product = Product.objects.create(community_id=coop.community_id, organization=coop, **values)
    audit_record(action="coop.product.created", actor=actor, obj=product)
    return product


@transaction.atomic
def product_update(*, actor: Member, product: Product, fields: ProductFields) -> Product:
    require(actor, "coop.catalogue.manage", product)
    problems = _product_problems(fields)
    clash = Product.objects.filter(organization_id=product.organization_id)
    if clash.filter(name__iexact=fields.name.strip()).exclude(pk=product.pk).exists():
        problems.setdefault("name", []).append(_("The catalogue has this product already."))
    problems_raise(problems)
    for name, value in fields._asdict().items():
        setattr(product, name, value.strip() if isinstance(value, str) else value)
    product.save()
    audit_record(action="coop.product.updated", actor=actor, obj=product)
    return product


# --- order cycles ---------------------------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    actor: Member,
    coop: Organization,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    pickup_at: datetime,
    pickup_place: str = "",
) -> OrderCycle:
    _check_coop(coop)
    require(actor, "coop.cycle.manage", coop_scope(coop))
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = [_("Give the cycle a name.")]
    if closes_at <= opens_at:
        problems["closes_at"] = [_("Orders close after they open.")]
    if pickup_at < closes_at:
        problems["pickup_at"] = [_("Pick-up is after orders close.")]
    problems_raise(problems)
    cycle = OrderCycle.objects.create(
        community_id=coop.community_id,
        organization=coop,
        name=name.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        pickup_at=pickup_at,
        pickup_place=pickup_place.strip(),
    )
    audit_record(action="coop.cycle.created", actor=actor, obj=cycle)
    return cycle


@transaction.atomic
def cycle_offer(
    *,
    actor: Member,
    cycle: OrderCycle,
    product: Product,
    quantity: int,
    price: int | None = None,
    now: datetime | None = None,
) -> CycleProduct:
    """Offer `quantity` units of a product in a cycle (or change the offer) until orders close; a
    quantity cannot fall below what orders already took."""
    require(actor, "coop.cycle.manage", cycle)
    now = now or timezone.now()
    if product.organization_id != cycle.organization_id:
        raise NotFound(_("Not found."))
    if now >= cycle.closes_at:
        raise Refused(_("Orders for this cycle have closed."), code="cycle_closed")
    price = product.price if price is None else price
    problems: dict[str, list[str]] = {}
    if not isinstance(quantity, int) or quantity < 0:
        problems["quantity"] = [_("A quantity is a whole number, 0 or more.")]
    if not isinstance(price, int) or price <= 0:
        problems["price"] = [_("A price is more than zero.")]
    problems_raise(problems)
    offer = CycleProduct.objects.select_for_update().filter(cycle=cycle, product=product).first()
    if offer is None:
        offer = CycleProduct(
            community_id=cycle.community_id, cycle=cycle, product=product, ordered=0
        )
    elif quantity < offer.ordered:
        raise Refused(
            _("Orders already took %(n)s units: offer at least that many.") % {"n": offer.ordered},
            code="below_ordered",
        )
    offer.quantity, offer.price = quantity, price
    offer.save()
    audit_record(action="coop.cycle.offered", actor=actor, obj=offer, data={"quantity": quantity})
    return offer


# --- orders ---------------------------------------------------------------------------------------


class Wanted(NamedTuple):
    offer_id: UUID
    quantity: int


def _referral_bps(member: Member, now: datetime) -> int:
    referral = (
        Referral.objects.filter(member=member, starts_at__lte=now)
        .exclude(ends_at__lte=now)
        .order_by("-starts_at")
        .first()
    )
    return referral.discount_bps if referral else 0


def _take(cycle: OrderCycle, wanted: Sequence[Wanted]) -> list[tuple[CycleProduct, int]]:
    """Lock the offers in id order and take the units: all of them, or a `Refused` naming every
    line that asks for more than is left."""
    problems: dict[str, list[str]] = {}
    counts: dict[UUID, int] = {}
    for n, want in enumerate(wanted):
        if not isinstance(want.quantity, int) or want.quantity <= 0:
            problems[f"lines.{n}"] = [_("A quantity is a whole number, more than zero.")]
        elif want.offer_id in counts:
            problems[f"lines.{n}"] = [_("This product is on the order twice.")]
        else:
            counts[want.offer_id] = want.quantity
    if not wanted:
        problems["lines"] = [_("An order has at least one product.")]
    problems_raise(problems)
    offers = {
        o.pk: o
        for o in CycleProduct.objects.select_for_update()
        .select_related("product")
        .filter(cycle=cycle, pk__in=sorted(counts))
        .order_by("pk")
    }
    for n, want in enumerate(wanted):
        offer = offers.get(want.offer_id)
        if offer is None:
            problems[f"lines.{n}"] = [_("This product is not offered in this cycle.")]
        elif want.quantity > offer.left:
            problems[f"lines.{n}"] = [
                _("Only %(n)s of %(product)s left.") % {"n": offer.left, "product": offer.product}
            ]
    if problems:
        raise Refused(
            _("Some products are not available as asked."), code="not_available", fields=problems
        )
    for offer in offers.values():
        CycleProduct.objects.filter(pk=offer.pk).update(ordered=F("ordered") + counts[offer.pk])
    return [(offers[w.offer_id], w.quantity) for w in wanted]


def _hold_requests(
    order: Order, payer: Account, currency: Currency, wallet: Account, seconds: int
) -> list[TransferRequest]:
    memo = _("Co-op order %(cycle)s #%(n)s") % {"cycle": order.cycle.name, "n": order.number}
    holds = [
        TransferRequest(
            id=order.hold_id,
            kind=Kind.PENDING,
            debit_account_id=payer.pk,
            credit_account_id=wallet.pk,
            amount=order.member_share,
            code="coop_order",
            memo=memo,
            timeout_seconds=seconds,
        )
    ]
    if order.fund_hold_id is not None:
        holds.append(
            holds[0]._replace(
                id=order.fund_hold_id,
                debit_account_id=currency.aid_fund_id,
                amount=order.fund_share,
                code="coop_solidarity",
            )
        )
    return [hold for hold in holds if hold.amount > 0]


@transaction.atomic
def order_place(
    *,
    actor: Member,
    cycle: OrderCycle,
    wanted: Sequence[Wanted],
    for_aid_group: bool = False,
    now: datetime | None = None,
) -> Order:
    """Place an order in an open cycle and hold its total on the payer's wallet: the member's own,
    or the aid fund for the aid group's bulk order (a coordinator's)."""
    now = now or timezone.now()
    if for_aid_group:
        aid_require(actor, "coop.bulk_order", cycle)
    else:
        require(actor, "coop.order.place", cycle)
    cycle = OrderCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open(now):
        raise Refused(
            _("This cycle takes orders from %(opens)s until %(closes)s.")
            % {"opens": _when(cycle.opens_at), "closes": _when(cycle.closes_at)},
            code="cycle_closed",
        )
    taken = _take(cycle, wanted)
    currency = currency_selectors.currency_of(cycle.community)
    wallet = _coop_wallet(currency, cycle.organization)
    total = sum(offer.price * quantity for offer, quantity in taken)
    bps = 0 if for_aid_group else _referral_bps(actor, now)
    fund_share, _member_share = solidarity_split(total, bps)
    number = (Order.objects.filter(cycle=cycle).aggregate(n=Max("number"))["n"] or 0) + 1
    order = Order.objects.create(
        community_id=cycle.community_id,
        organization_id=cycle.organization_id,
        cycle=cycle,
        number=number,
        buyer=None if for_aid_group else actor,
        buyer_organization_id=aid_group_id(cycle.community_id) if for_aid_group else None,
        placed_by=actor,
        total=total,
        fund_share=fund_share,
        discount_bps=bps,
        hold_id=new_id(),
        fund_hold_id=new_id() if fund_share else None,
        placed_at=now,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            community_id=cycle.community_id,
            order=order,
            offer=offer,
            quantity=quantity,
            price=offer.price,
        )
        for offer, quantity in taken
    )
    payer = _payer(currency, order, actor)
    seconds = int((cycle.pickup_at + HOLD_AFTER_PICKUP - now).total_seconds())
    holds = _hold_requests(order, payer, currency, wallet, seconds)
    linked_refusal_raise(
        ledger.transfers_create(
            community=cycle.community, requests=holds, linked=True, actor=actor, now=now
        )
    )
    audit_record(action="coop.order.placed", actor=actor, obj=order, data={"total": total}, now=now)
    return order


def _payer(currency: Currency, order: Order, actor: Member) -> Account:
    if order.buyer_organization_id is not None:
        return Account.objects.get(pk=currency.aid_fund_id)
    wallet = currency_selectors.wallet_of(currency=currency, member=actor)
    if wallet is None:
        raise Refused(
            _("You have no local-dollar wallet yet: the credit union opens one for you."),
            code="no_wallet",
        )
    return wallet


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _order_locked(order: Order) -> Order:
    locked = Order.objects.select_for_update().select_related("cycle").get(pk=order.pk)
    if locked.status != OrderStatus.PLACED:
        raise Conflict(
            _("Order #%(n)s is %(status)s already.")
            % {"n": locked.number, "status": locked.get_status_display().lower()},
            code="order_closed",
        )
    return locked


def _may_cancel(actor: Member, order: Order, now: datetime) -> None:
    """Buyers cancel until orders close; co-op staff until the pick-up."""
    if order.buyer_id is not None and order.buyer_id == actor.pk and now < order.cycle.closes_at:
        return
    if order.buyer_organization_id is not None and now < order.cycle.closes_at:
        aid_require(actor, "coop.bulk_order", order)
        return
    require(actor, "coop.order.handle", order)


@transaction.atomic
def order_cancel(*, actor: Member, order: Order, now: datetime | None = None) -> Order:
    """Cancel a placed order: its holds are voided and its units go back to the cycle."""
    now = now or timezone.now()
    order = _order_locked(order)
    _may_cancel(actor, order, now)
    lines = list(order.lines.order_by("offer_id"))
    for line in lines:
        CycleProduct.objects.filter(pk=line.offer_id).update(ordered=F("ordered") - line.quantity)
    voids = [TransferRequest(id=new_id(), kind=Kind.VOID, target_id=hold) for hold in _holds(order)]
    linked_refusal_raise(
        ledger.transfers_create(
            community=order.cycle.community, requests=voids, linked=True, actor=actor, now=now
        )
    )
    order.status, order.closed_at = OrderStatus.CANCELLED, now
    order.save(update_fields=["status", "closed_at"])
    audit_record(action="coop.order.cancelled", actor=actor, obj=order, now=now)
    return order


def _holds(order: Order) -> list[UUID]:
    holds = [order.hold_id] if order.member_share > 0 else []
    return holds + ([order.fund_hold_id] if order.fund_hold_id is not None else [])


def _settle(actor: Member, order: Order, delivered: dict[UUID, int], now: datetime) -> int:
    """Record what was delivered and post the holds for it (the rest released); return the
    amount paid. `delivered` has every line of the order."""
    lines = list(order.lines.all())
    problems: dict[str, list[str]] = {}
    for line in lines:
        units = delivered.get(line.pk)
        if not isinstance(units, int) or not 0 <= units <= line.quantity:
            problems[str(line.pk)] = [
                _("Between 0 and %(n)s units were delivered.") % {"n": line.quantity}
            ]
    unknown = set(delivered) - {line.pk for line in lines}
    if unknown:
        problems["lines"] = [_("A line that is not on this order.")]
    problems_raise(problems)
    for line in lines:
        line.delivered = delivered[line.pk]
    OrderLine.objects.bulk_update(lines, ["delivered"])
    paid = sum(line.price * (line.delivered or 0) for line in lines)
    fund, member = solidarity_split(paid, order.discount_bps)
    shares = [(order.hold_id, member if order.fund_hold_id else paid)]
    if order.fund_hold_id is not None:
        shares.append((order.fund_hold_id, fund))
    requests = [
        TransferRequest(id=new_id(), kind=Kind.POST, target_id=hold, amount=amount)
        if amount > 0
        else TransferRequest(id=new_id(), kind=Kind.VOID, target_id=hold)
        for hold, amount in shares
        if hold in _holds(order)
    ]
    linked_refusal_raise(
        ledger.transfers_create(
            community=order.cycle.community, requests=requests, linked=True, actor=actor, now=now
        )
    )
    order.status, order.paid, order.closed_at = OrderStatus.PICKED_UP, paid, now
    order.save(update_fields=["status", "paid", "closed_at"])
    return paid


@transaction.atomic
def order_pickup(
    *,
    actor: Member,
    order: Order,
    delivered: dict[UUID, int] | None = None,
    now: datetime | None = None,
) -> Order:
    """Co-op staff hand out a member's order once orders have closed: the holds are posted for what
    was delivered (`delivered`: line id -> units; a line left out was delivered in full)."""
    require(actor, "coop.order.handle", order)
    now = now or timezone.now()
    order = _order_locked(order)
    if order.buyer_organization_id is not None:
        raise Refused(_("The aid group's orders are received at the pantry."), code="bulk_order")
    if now < order.cycle.closes_at:
        raise Refused(_("Orders are handed out once the cycle has closed."), code="cycle_open")
    full = {line.pk: line.quantity for line in order.lines.all()}
    paid = _settle(actor, order, full | (delivered or {}), now)
    audit_record(
        action="coop.order.picked_up", actor=actor, obj=order, data={"paid": paid}, now=now
    )
    return order


class Arrival(NamedTuple):
    """What arrived of one line of a bulk order, and where it goes in the pantry."""

    line_id: UUID
    delivered: int
    item_id: UUID | None = None
    location_id: UUID | None = None
    expires: Any = None  # a date, or None for goods that keep


@transaction.atomic
def bulk_order_receive(
    *, actor: Member, order: Order, arrivals: Sequence[Arrival], now: datetime | None = None
) -> Order:
    """The aid group's bulk order arrives at the pantry: the aid fund's hold is posted for what was
    delivered, and every delivered line becomes a pantry lot (`aid.services.order_receive`)."""
    from mutua.aid.services.intake import OrderArrival, order_receive

    aid_require(actor, "coop.bulk_order", order)
    now = now or timezone.now()
    order = _order_locked(order)
    if order.buyer_organization_id is None:
        raise Refused(_("Only the aid group's orders arrive at the pantry."), code="not_bulk")
    if now < order.cycle.closes_at:
        raise Refused(_("Orders are handed out once the cycle has closed."), code="cycle_open")
    by_line = {arrival.line_id: arrival for arrival in arrivals}
    paid = _settle(actor, order, {line: a.delivered for line, a in by_line.items()}, now)
    lines = {line.pk: line for line in order.lines.select_related("offer__product")}
    landed = [
        OrderArrival(
            item_id=a.item_id,
            location_id=a.location_id,
            quantity=a.delivered,
            expires=a.expires,
            label=lines[a.line_id].offer.product.name,
        )
        for a in arrivals
        if a.delivered > 0
    ]
    if landed:
        order_receive(
            actor=actor,
            seller=order.organization,
            amount=paid,
            transfer_id=order.hold_id,
            note=_("Co-op order %(cycle)s #%(n)s") % {"cycle": order.cycle.name, "n": order.number},
            arrivals=landed,
            now=now,
        )
    order.received_at = now
    order.save(update_fields=["received_at"])
    audit_record(action="coop.order.received", actor=actor, obj=order, data={"paid": paid}, now=now)
    return order


# --- aid vouchers ---------------------------------------------------------------------------------


def vouchers_account(currency: Currency, actor: Member | None = None) -> Account:
    """The escrow account that holds the value of every unspent voucher (opened on first use)."""
    found = Account.objects.filter(ledger=currency.local, code=VOUCHERS_ACCOUNT).first()
    if found is not None:
        return found
    group = Organization.objects.filter(pk=aid_group_id(currency.community_id)).first()
    return ledger.account_open(
        ledger=currency.local,
        code=VOUCHERS_ACCOUNT,
        name=_("Aid vouchers (unspent)"),
        kind=AccountKind.ESCROW,
        organization=group,
        actor=actor,
    )


def _voucher_code() -> str:
    raw = "".join(secrets.choice(VOUCHER_ALPHABET) for _n in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def voucher_code_normal(code: str) -> str:
    """What a person types ("abcd efgh", "ABCD-EFGH") in the stored form."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


class VoucherTerms(NamedTuple):
    """What a voucher is: worth `amount` local cents to `holder`, spendable at `coop` only, until
    `expires_at`; `reason` is for the funder's eyes only."""

    coop: Organization
    holder: Member
    amount: int
    expires_at: datetime
    reason: str = ""


@transaction.atomic
def voucher_issue(
    *,
    actor: Member,
    coop: Organization,
    holder: Member,
    amount: int,
    expires_at: datetime,
    reason: str = "",
    now: datetime | None = None,
) -> Voucher:
    """The aid group gives `holder` a voucher worth `amount` local cents, spendable only at `coop`,
    funded from the aid fund."""
    aid_require(actor, "coop.voucher.issue", holder)
    currency = currency_selectors.currency_of(coop.community)
    terms = VoucherTerms(coop, holder, amount, expires_at, reason)
    return voucher_fund(funder_id=currency.aid_fund_id, actor=actor, terms=terms, now=now)


@transaction.atomic
def voucher_fund(
    *, funder_id: UUID, actor: Member, terms: VoucherTerms, now: datetime | None = None
) -> Voucher:
    """Issue a voucher paid from the account `funder_id` (whatever is left returns there when it
    expires). No permission check: the caller has decided who may spend the funder's money
    (`voucher_issue`: aid coordinators, from the aid fund; a school's educators, from its wallet,
    for a workshop's attendance reward)."""
    coop, holder = terms.coop, terms.holder
    _check_coop(coop)
    if coop.community_id != actor.community_id or holder.community_id != actor.community_id:
        raise NotFound(_("Not found."))
    now = now or timezone.now()
    problems: dict[str, list[str]] = {}
    if not isinstance(terms.amount, int) or terms.amount <= 0:
        problems["amount"] = [_("A voucher is worth more than zero.")]
    if terms.expires_at <= now:
        problems["expires_at"] = [_("A voucher expires in the future.")]
    problems_raise(problems)
    currency = currency_selectors.currency_of(coop.community)
    escrow = vouchers_account(currency, actor)
    transfer_id = new_id()
    code = _voucher_code()
    while Voucher.objects.filter(code=code).exists():
        code = _voucher_code()
    refusal_raise(
        ledger.transfer_create(
            community=coop.community,
            request=TransferRequest(
                id=transfer_id,
                debit_account_id=funder_id,
                credit_account_id=escrow.pk,
                amount=terms.amount,
                code="aid_voucher",
                memo=_("Aid voucher %(code)s") % {"code": code},
            ),
            actor=actor,
            now=now,
        )
    )
    voucher = Voucher.objects.create(
        community_id=coop.community_id,
        organization=coop,
        code=code,
        amount=terms.amount,
        remaining=terms.amount,
        holder=holder,
        reason=terms.reason.strip(),
        funder_id=funder_id,
        issued_by=actor,
        issued_at=now,
        expires_at=terms.expires_at,
        issue_transfer_id=transfer_id,
    )
    audit_record(action="coop.voucher.issued", actor=actor, obj=voucher, now=now)
    return voucher


@transaction.atomic
def voucher_redeem(
    *, actor: Member, coop: Organization, code: str, amount: int, now: datetime | None = None
) -> VoucherSpend:
    """Co-op staff take `amount` of a voucher by its code: paid from the vouchers account to the
    co-op's wallet. Only the co-op the voucher names can take it; never more than is left."""
    require(actor, "coop.voucher.redeem", coop_scope(coop))
    now = now or timezone.now()
    if not isinstance(amount, int) or amount <= 0:
        problems_raise({"amount": [_("Take more than zero.")]})
    voucher = (
        Voucher.objects.select_for_update()
        .filter(community_id=coop.community_id, code=voucher_code_normal(code))
        .first()
    )
    if voucher is None:
        raise NotFound(_("No voucher has this code."), code="voucher_not_found")
    if voucher.organization_id != coop.pk:
        raise Refused(
            _("This voucher can only be spent at %(coop)s.") % {"coop": voucher.organization.name},
            code="wrong_merchant",
        )
    if voucher.expired_at is not None or now >= voucher.expires_at:
        raise Gone(_("This voucher has expired."), code="voucher_expired")
    if amount > voucher.remaining:
        raise Refused(
            _("This voucher has %(left)s left.") % {"left": _cents(voucher.remaining)},
            code="exceeds_voucher",
        )
    currency = currency_selectors.currency_of(coop.community)
    spend = VoucherSpend(
        community_id=coop.community_id,
        voucher=voucher,
        amount=amount,
        transfer_id=new_id(),
        redeemed_by=actor,
        redeemed_at=now,
    )
    refusal_raise(
        ledger.transfer_create(
            community=coop.community,
            request=TransferRequest(
                id=spend.transfer_id,
                debit_account_id=vouchers_account(currency, actor).pk,
                credit_account_id=_coop_wallet(currency, coop).pk,
                amount=amount,
                code="aid_voucher_spent",
                memo=_("Aid voucher %(code)s") % {"code": voucher.code},
            ),
            actor=actor,
            now=now,
        )
    )
    spend.save()
    Voucher.objects.filter(pk=voucher.pk).update(remaining=F("remaining") - amount)
    audit_record(action="coop.voucher.redeemed", actor=actor, obj=voucher, now=now)
    return spend


def _cents(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


@transaction.atomic
def vouchers_expire(*, community: Any, now: datetime | None = None) -> int:
    """Close every voucher past its date; what is left goes back to the aid fund. Returns how many
    closed. Run daily (`mutua coop vouchers-expire`); running it twice changes nothing."""
    now = now or timezone.now()
    due = list(
        Voucher.objects.select_for_update()
        .filter(community=community, expired_at__isnull=True, expires_at__lte=now)
        .order_by("pk")
    )
    if not due:
        return 0
    currency = currency_selectors.currency_of(community)
    escrow = vouchers_account(currency)
    for voucher in due:
        if voucher.remaining:
            voucher.expire_transfer_id = new_id()
            refusal_raise(
                ledger.transfer_create(
                    community=community,
                    request=TransferRequest(
                        id=voucher.expire_transfer_id,
                        debit_account_id=escrow.pk,
                        credit_account_id=voucher.funder_id or currency.aid_fund_id,
                        amount=voucher.remaining,
                        code="aid_voucher_expired",
                        memo=_("Aid voucher %(code)s expired") % {"code": voucher.code},
                    ),
                    now=now,
                )
            )
        voucher.returned, voucher.remaining, voucher.expired_at = voucher.remaining, 0, now
        voucher.save(update_fields=["returned", "remaining", "expired_at", "expire_transfer_id"])
        audit_record(
            action="coop.voucher.expired",
            community_id=community.pk,
            obj=voucher,
            data={"returned": voucher.returned},
            now=now,
        )
    return len(due)


# --- solidarity referrals -------------------------------------------------------------------------


@transaction.atomic
def referral_set(
    *,
    actor: Member,
    member: Member,
    discount_bps: int,
    ends_at: datetime | None = None,
    now: datetime | None = None,
) -> Referral:
    """Refer `member` for solidarity prices: the aid fund pays `discount_bps` of their co-op orders.
    A new referral replaces the member's current one."""
    aid_require(actor, "coop.referral.manage", member)
    now = now or timezone.now()
    problems: dict[str, list[str]] = {}
    if not isinstance(discount_bps, int) or not 0 < discount_bps <= 10_000:
        problems["discount_bps"] = [_("A discount is more than 0 and at most 100 percent.")]
    if ends_at is not None and ends_at <= now:
        problems["ends_at"] = [_("A referral ends in the future.")]
    problems_raise(problems)
    _referrals_end(member, now)
    assert member.community_id is not None  # `aid_require` found them in the actor's community
    referral = Referral.objects.create(
        community_id=member.community_id,
        member=member,
        discount_bps=discount_bps,
        referred_by=actor,
        starts_at=now,
        ends_at=ends_at,
    )
    audit_record(action="coop.referral.set", actor=actor, obj=referral, now=now)
    return referral


def _referrals_end(member: Member, now: datetime) -> None:
    current = Referral.objects.filter(member=member)
    current.filter(ends_at__isnull=True).update(ends_at=now)
    current.filter(ends_at__gt=now).update(ends_at=now)


@transaction.atomic
def referral_end(*, actor: Member, member: Member, now: datetime | None = None) -> None:
    aid_require(actor, "coop.referral.manage", member)
    now = now or timezone.now()
    _referrals_end(member, now)
    audit_record(action="coop.referral.ended", actor=actor, obj=member, now=now)


# --- forgetting (the privacy app's deletions) ----------------------------------------------------


@transaction.atomic
def voucher_reasons_forget(*, member: Member) -> int:
    """Blank why the aid group gave a departing member their vouchers; how many said why. The
    vouchers stay: their spends and returns are the aid fund's money."""
    return Voucher.objects.filter(holder=member).exclude(reason="").update(reason="")
