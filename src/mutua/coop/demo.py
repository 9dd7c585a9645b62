"""The food co-op part of `mutua demo`: Riverbend Food Co-op's catalogue, a cycle handed out today
and one open for orders, a bulk order for the pantry, vouchers and a solidarity referral.

Everything goes through the co-op's services. The ledger is never backdated, so the cycle that is
"done" opened a week ago and closes three seconds after the demo placed its orders; the demo
waits, then hands them out at its own time. The `member` login (Rosa) is referred for solidarity
prices and holds a voucher; the `coop` login runs the co-op; the `coordinator` login has a bulk
order waiting in the open cycle and one received into the pantry.

Written once: a second `mutua demo` finds the catalogue and leaves the co-op as it is.
"""

import contextlib
import time
from datetime import datetime, timedelta
from typing import NamedTuple

from django.utils import timezone

from mutua.aid.models import Item, Location
from mutua.community.demo import Progress
from mutua.community.models import Community, Member, Organization
from mutua.community.roles import OrganizationKind
from mutua.coop import services
from mutua.coop.models import CycleProduct, Order, OrderCycle, Product
from mutua.core.errors import Refused
from mutua.currency import selectors as currency_selectors

DEMO_STEPS = 2  # catalogue, cycles
# Last week's cycle closes this long after the demo placed its orders (the demo waits for it).
CLOSING = timedelta(seconds=3)

# name, producer, unit, price (cents), local, sustainable, units offered per cycle
PRODUCTS = (
    ("Apples (Empire)", "Black Diamond Orchard", "1 kg bag", 350, True, True, 40),
    ("Carrots", "Three Rivers Farm", "1 kg bunch", 275, True, True, 30),
    ("Kale", "Three Rivers Farm", "bunch", 300, True, True, 20),
    ("Potatoes", "Remembrance Farm", "2 kg bag", 450, True, True, 40),
    ("Eggs", "Sweet Land Farm", "dozen", 575, True, True, 24),
    ("Whole milk", "Cayuga Pure Organics", "1 l bottle", 325, True, True, 24),
    ("Rye bread", "Canal Street Bakery", "loaf", 525, True, False, 20),
    ("Rolled oats", "Farmer Ground Flour", "1 kg bag", 390, True, True, 60),
    ("Black beans", "Cayuga Pure Organics", "1 kg bag", 480, True, True, 30),
    ("Olive oil", "Cooperative Coffees", "500 ml", 990, False, True, 12),
    ("Coffee", "Cooperative Coffees", "340 g bag", 1150, False, True, 15),
    ("Rice (brown)", "Lundberg Family Farms", "2 kg bag", 620, False, True, 25),
)


def populate(community: Community, progress: Progress) -> None:
    coop = Organization.objects.filter(community=community, slug="food-coop").first()
    staff = Member.objects.filter(community=community, handle="coop").first()
    coordinator = Member.objects.filter(community=community, handle="coordinator").first()
    ready = coop is not None and coop.kind == OrganizationKind.FOOD_COOP
    if not ready or staff is None or coordinator is None:
        progress("co-op catalogue", 0, 0)
        progress("co-op cycles", 0, 0)
        return
    assert coop is not None
    if Product.objects.filter(organization=coop).exists():
        progress("co-op catalogue", Product.objects.filter(organization=coop).count(), 0)
        progress("co-op cycles", OrderCycle.objects.filter(organization=coop).count(), 0)
        return
    products = [
        services.product_create(
            actor=staff,
            coop=coop,
            fields=services.ProductFields(name, producer, unit, price, local, sustainable),
        )
        for name, producer, unit, price, local, sustainable, _units in PRODUCTS
    ]
    progress("co-op catalogue", len(products), len(products))
    people = Cast(community, coop, staff, coordinator, _shoppers(community))
    done = _done_cycle_ordered(people, products)
    _vouchers_issued(people)
    # The ledger is never backdated: wait, at the demo's own time, for that cycle to close.
    time.sleep(max(0.0, (done.closes_at - timezone.now()).total_seconds()) + 0.2)
    _done_cycle_handed_out(people, done)
    services.vouchers_expire(community=community)
    _open_cycle(people, products)
    progress("co-op cycles", 2, 2)


class Cast(NamedTuple):
    community: Community
    coop: Organization
    staff: Member
    coordinator: Member
    shoppers: list[Member]  # with a household and a wallet, the `member` login first


def _cycle(
    coop: Organization,
    staff: Member,
    products: list[Product],
    name: str,
    times: tuple[datetime, ...],
) -> OrderCycle:
    opens, closes, pickup, now = times
    cycle = services.cycle_create(
        actor=staff,
        coop=coop,
        name=name,
        opens_at=opens,
        closes_at=closes,
        pickup_at=pickup,
        pickup_place="Canal Street Co-op, side door",
    )
    for product, spec in zip(products, PRODUCTS, strict=True):
        services.cycle_offer(actor=staff, cycle=cycle, product=product, quantity=spec[6], now=now)
    return cycle


def _shoppers(community: Community) -> list[Member]:
    """Members with a household and a wallet, the `member` login first."""
    currency = currency_selectors.currency_of(community)
    found = Member.objects.filter(community=community, household__isnull=False).order_by("-handle")
    members = [m for m in found if currency_selectors.wallet_of(currency=currency, member=m)]
    members.sort(key=lambda m: m.handle != "member")
    return members[:6]


def _wanted(cycle: OrderCycle, picks: list[tuple[int, int]]) -> list[services.Wanted]:
    offers = list(CycleProduct.objects.filter(cycle=cycle).order_by("product__name"))
    return [services.Wanted(offers[i % len(offers)].pk, n) for i, n in picks]


def _done_cycle_ordered(people: Cast, products: list[Product]) -> OrderCycle:
    """Last week's cycle, closing in a few seconds: orders and a bulk order for the pantry."""
    now = timezone.now()
    cycle = _cycle(
        people.coop,
        people.staff,
        products,
        "Week 47",
        (now - timedelta(days=7), now + CLOSING, now + CLOSING, now),
    )
    for n, shopper in enumerate(people.shoppers[1:5]):
        with contextlib.suppress(Refused):  # a wallet that cannot cover it: no order
            services.order_place(
                actor=shopper, cycle=cycle, wanted=_wanted(cycle, [(n, 2), (n + 4, 1), (11, 1)])
            )
    services.order_place(
        actor=people.coordinator,
        cycle=cycle,
        wanted=_wanted(cycle, [(9, 20), (1, 10)]),  # rolled oats and black beans (name order)
        for_aid_group=True,
    )
    return cycle


def _done_cycle_handed_out(people: Cast, cycle: OrderCycle) -> None:
    """Handed out (the first order one unit short); the bulk order received at the pantry."""
    orders = list(cycle.orders.order_by("number"))
    for k, order in enumerate(o for o in orders if o.buyer_id is not None):
        short = {line.pk: line.quantity - 1 for line in order.lines.all()[:1]} if k == 0 else {}
        services.order_pickup(actor=people.staff, order=order, delivered=short)
    for order in orders:
        if order.buyer_organization_id is not None:
            _receive(people.community, people.coordinator, order)


def _receive(community: Community, coordinator: Member, order: Order) -> None:
    shelf = Location.objects.filter(community=community, kind="shelf").first()
    items = {i.name.lower(): i for i in Item.objects.filter(community=community)}
    arrivals = []
    for line in order.lines.select_related("offer__product"):
        name = line.offer.product.name.lower()
        item = items.get(name) or items.get(name.split(" (")[0])
        arrivals.append(
            services.Arrival(
                line.pk,
                line.quantity if item and shelf else 0,
                item.pk if item else None,
                shelf.pk if shelf else None,
                timezone.localdate() + timedelta(days=270),
            )
        )
    services.bulk_order_receive(actor=coordinator, order=order, arrivals=arrivals)


def _open_cycle(people: Cast, products: list[Product]) -> OrderCycle:
    """This week's cycle, open until the day after tomorrow, with orders placed; Rosa (the
    `member` login) pays solidarity prices."""
    now = timezone.now()
    start = now - timedelta(days=1)
    cycle = _cycle(
        people.coop,
        people.staff,
        products,
        "Week 48",
        (start, now + timedelta(days=2), now + timedelta(days=3, hours=2), now),
    )
    shoppers = people.shoppers
    if shoppers and shoppers[0].handle == "member":
        services.referral_set(
            actor=people.coordinator, member=shoppers[0], discount_bps=2500, now=start
        )
    for n, shopper in enumerate(shoppers[:4]):
        with contextlib.suppress(Refused):
            services.order_place(
                actor=shopper, cycle=cycle, wanted=_wanted(cycle, [(n, 2), (n + 5, 1)])
            )
    services.order_place(
        actor=people.coordinator,
        cycle=cycle,
        wanted=_wanted(cycle, [(8, 10)]),
        for_aid_group=True,
    )
    return cycle


def _vouchers_issued(people: Cast) -> None:
    """Rosa's voucher, partly spent; another household's, partly spent, which expires back to the
    fund once the demo's cycle has closed."""
    if not people.shoppers:
        return
    now = timezone.now()
    for k, (amount, spent, expires, reason) in enumerate(
        (
            (4000, 1275, now + timedelta(days=30), "Between jobs this month"),
            (2000, 800, now + CLOSING, "Baby formula shortfall"),
        )
    ):
        if k >= len(people.shoppers):
            return
        voucher = services.voucher_issue(
            actor=people.coordinator,
            coop=people.coop,
            holder=people.shoppers[k],
            amount=amount,
            expires_at=expires,
            reason=reason,
        )
        services.voucher_redeem(
            actor=people.staff, coop=people.coop, code=voucher.code, amount=spent
        )
