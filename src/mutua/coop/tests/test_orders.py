"""Orders as stories: a member orders, the total is held on their wallet, and at pick-up the
co-op is paid for what was delivered; cancelling releases the hold; bad orders change nothing."""

from datetime import timedelta
from uuid import uuid4

import pytest

from mutua.coop import services
from mutua.coop.models import Order, OrderStatus
from mutua.coop.tests.conftest import Coop, Elsewhere
from mutua.core.errors import Conflict, Forbidden, MutuaError, NotFound, Refused
from mutua.ledger.models import Account


def balances(account: Account) -> tuple[int, int]:
    """(posted balance, pending debits) of an account, fresh from the database."""
    account.refresh_from_db()
    return account.balance_posted, account.debits_pending


def test_an_order_is_held_then_paid_for_what_was_delivered(coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.apples, 4), (coop.bread, 2))
    assert order.total == 4 * 150 + 2 * 475 == 1550
    assert balances(coop.rosa_wallet) == (5000, 1550)  # held, not yet paid
    assert coop.offer(coop.apples).ordered == 4

    # At pick-up the bakery sent one loaf short: Rosa pays for 4 apples and 1 loaf.
    line = order.lines.get(offer__product=coop.bread)
    services.order_pickup(
        actor=coop.cass,
        order=order,
        delivered={line.pk: 1},
        now=coop.cycle.closes_at + timedelta(hours=1),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP and order.paid == 600 + 475
    assert balances(coop.rosa_wallet) == (5000 - 1075, 0)  # the rest of the hold is released
    assert balances(coop.coop_wallet)[0] == 1075


def test_cancelling_releases_the_hold_and_the_units(coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.oats, 3))
    services.order_cancel(actor=coop.rosa, order=order, now=coop.now)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert balances(coop.rosa_wallet) == (5000, 0)
    assert coop.offer(coop.oats).ordered == 0
    with pytest.raises(Conflict):  # and only once
        services.order_cancel(actor=coop.rosa, order=order, now=coop.now)


def test_a_buyer_cannot_cancel_after_orders_close_but_staff_can(coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.oats, 1))
    later = coop.cycle.closes_at + timedelta(minutes=1)
    with pytest.raises(Forbidden):
        services.order_cancel(actor=coop.rosa, order=order, now=later)
    services.order_cancel(actor=coop.cass, order=order, now=later)
    assert balances(coop.rosa_wallet) == (5000, 0)


def test_nothing_delivered_voids_the_hold(coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.apples, 2))
    line = order.lines.get()
    services.order_pickup(
        actor=coop.cass, order=order, delivered={line.pk: 0}, now=coop.cycle.closes_at
    )
    assert balances(coop.rosa_wallet) == (5000, 0)
    assert balances(coop.coop_wallet)[0] == 0


def test_ordering_after_the_cycle_closed_is_refused(coop: Coop) -> None:
    with pytest.raises(Refused) as refused:
        coop.order(coop.rosa, (coop.apples, 1), now=coop.cycle.closes_at)
    assert refused.value.code == "cycle_closed"
    assert not Order.objects.exists()
    assert balances(coop.rosa_wallet) == (5000, 0)


def test_ordering_more_than_is_left_is_refused_and_changes_nothing(coop: Coop) -> None:
    coop.order(coop.pat, (coop.apples, 1))
    with pytest.raises(Refused) as refused:
        coop.order(coop.rosa, (coop.bread, 1), (coop.apples, 10))
    assert refused.value.code == "not_available"
    assert refused.value.fields == {"lines.1": ["Only 9 of Apples left."]}
    assert coop.offer(coop.bread).ordered == 0 and coop.offer(coop.apples).ordered == 1
    assert Order.objects.count() == 1


def test_an_order_the_wallet_cannot_cover_is_refused_and_changes_nothing(coop: Coop) -> None:
    with pytest.raises(Refused) as refused:
        coop.order(coop.pat, (coop.bread, 1))  # 4.75 with 2.00 in the wallet
    assert refused.value.code == "exceeds_credit_limit"
    assert not Order.objects.exists()
    assert coop.offer(coop.bread).ordered == 0
    assert balances(coop.pat_wallet) == (200, 0)


@pytest.mark.parametrize(
    ("wanted", "field"),
    [([], "lines"), ([0], "lines.0"), ([-2], "lines.0"), ([1, 1], "lines.1")],
)
def test_bad_quantities_are_named(coop: Coop, wanted: list[int], field: str) -> None:
    with pytest.raises(MutuaError) as error:
        services.order_place(
            actor=coop.rosa,
            cycle=coop.cycle,
            wanted=[services.Wanted(coop.offer(coop.apples).pk, n) for n in wanted],
            now=coop.now,
        )
    assert field in error.value.fields
    assert not Order.objects.exists()


def test_staff_hand_out_orders_only_after_the_cycle_closed(coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.apples, 1))
    with pytest.raises(Refused):
        services.order_pickup(actor=coop.cass, order=order, now=coop.now)
    with pytest.raises(Forbidden):  # staff of another co-op
        services.order_pickup(actor=coop.hana, order=order, now=coop.cycle.closes_at)
    with pytest.raises(Forbidden):  # the buyer
        services.order_pickup(actor=coop.rosa, order=order, now=coop.cycle.closes_at)


def test_another_towns_cycle_does_not_exist_for_a_member(coop: Coop, elsewhere: Elsewhere) -> None:
    with pytest.raises(NotFound):
        services.order_place(
            actor=coop.rosa,
            cycle=elsewhere.cycle,
            wanted=[services.Wanted(uuid4(), 1)],
        )


def test_an_offer_cannot_drop_below_what_was_ordered(coop: Coop) -> None:
    coop.order(coop.rosa, (coop.apples, 6))
    with pytest.raises(Refused):
        services.cycle_offer(
            actor=coop.cass, cycle=coop.cycle, product=coop.apples, quantity=5, now=coop.now
        )
    services.cycle_offer(
        actor=coop.cass, cycle=coop.cycle, product=coop.apples, quantity=6, now=coop.now
    )
    assert coop.offer(coop.apples).left == 0


def test_only_the_coops_staff_keep_its_catalogue(coop: Coop) -> None:
    fields = services.ProductFields(name="Pears", producer="Ridge Farm", unit="each", price=100)
    for outsider in (coop.rosa, coop.hana, coop.pantry.cora):
        with pytest.raises(Forbidden):
            services.product_create(actor=outsider, coop=coop.org, fields=fields)
    with pytest.raises(MutuaError) as error:
        services.product_create(actor=coop.cass, coop=coop.org, fields=fields._replace(price=0))
    assert "price" in error.value.fields
