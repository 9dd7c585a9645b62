"""The database refuses bad co-op writes itself, even from code that goes around the ORM."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mutua.coop import services
from mutua.coop.models import CycleProduct, Voucher
from mutua.coop.tests.conftest import Coop


def _id(obj: object) -> object:
    return obj.hex if connection.vendor == "sqlite" else obj  # type: ignore[attr-defined]


def refused(sql: str, params: list[object]) -> None:
    with (
        pytest.raises((IntegrityError, DatabaseError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_an_offer_cannot_be_oversold(coop: Coop) -> None:
    offer = coop.offer(coop.apples)
    refused("UPDATE coop_cycleproduct SET ordered = 11 WHERE id = %s", [_id(offer.pk)])
    assert CycleProduct.objects.get(pk=offer.pk).ordered == 0


@pytest.mark.parametrize("price", [0, -150])
def test_a_price_is_positive(coop: Coop, price: int) -> None:
    refused("UPDATE coop_product SET price = %s WHERE id = %s", [price, _id(coop.apples.pk)])


def test_a_voucher_never_goes_below_zero_or_above_its_amount(coop: Coop) -> None:
    voucher = services.voucher_issue(
        actor=coop.pantry.cora,
        coop=coop.org,
        holder=coop.rosa,
        amount=1000,
        expires_at=coop.now + timedelta(days=3),
        now=coop.now,
    )
    for remaining in (-1, 1001):
        refused(
            "UPDATE coop_voucher SET remaining = %s WHERE id = %s", [remaining, _id(voucher.pk)]
        )
    assert Voucher.objects.get(pk=voucher.pk).remaining == 1000


def test_voucher_spends_are_append_only(coop: Coop) -> None:
    voucher = services.voucher_issue(
        actor=coop.pantry.cora,
        coop=coop.org,
        holder=coop.rosa,
        amount=1000,
        expires_at=coop.now + timedelta(days=3),
        now=coop.now,
    )
    spend = services.voucher_redeem(actor=coop.cass, coop=coop.org, code=voucher.code, amount=10)
    refused("UPDATE coop_voucherspend SET amount = 1 WHERE id = %s", [_id(spend.pk)])
    refused("DELETE FROM coop_voucherspend WHERE id = %s", [_id(spend.pk)])


def test_an_order_line_delivers_no_more_than_ordered(coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.apples, 2))
    line = order.lines.get()
    refused("UPDATE coop_orderline SET delivered = 3 WHERE id = %s", [_id(line.pk)])


def test_an_order_has_exactly_one_buyer(coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.apples, 2))
    refused(
        "UPDATE coop_order SET buyer_organization_id = %s WHERE id = %s",
        [_id(coop.pantry.group.pk), _id(order.pk)],
    )
