"""The co-op's pages through Django's test client: who may open what, orders placed and handed out
from the pages, bad input refused with nothing changed, and the voucher holder kept from the
co-op's eyes."""

from datetime import timedelta

import pytest
from django.test import Client

from mutua.coop import services
from mutua.coop.models import Order, OrderStatus, Voucher
from mutua.coop.tests.conftest import Coop, Elsewhere
from mutua.core.models import AuditEntry


def as_(client: Client, member: object) -> Client:
    client.force_login(member)  # type: ignore[arg-type]
    return client


def test_who_may_open_which_page(client: Client, coop: Coop) -> None:
    order = coop.order(coop.rosa, (coop.apples, 1))
    pages = {
        "/coop/": {"rosa": 200, "pat": 200, "cass": 200, "cora": 200},
        f"/coop/cycles/{coop.cycle.pk}/": {"rosa": 200, "cass": 200},
        f"/coop/orders/{order.pk}/": {"rosa": 200, "pat": 404, "cass": 200, "hana": 404},
        f"/coop/{coop.org.pk}/catalogue/": {"rosa": 200, "cass": 200},
        f"/coop/products/{coop.apples.pk}/": {"rosa": 403, "hana": 403, "cass": 200},
        f"/coop/{coop.org.pk}/vouchers/": {"rosa": 403, "hana": 403, "cora": 403, "cass": 200},
        "/coop/aid/": {"rosa": 403, "cass": 403, "cora": 200},
    }
    people = {
        "rosa": coop.rosa,
        "pat": coop.pat,
        "cass": coop.cass,
        "hana": coop.hana,
        "cora": coop.pantry.cora,
    }
    for path, answers in pages.items():
        for who, status in answers.items():
            assert as_(client, people[who]).get(path).status_code == status, (path, who)
    client.logout()
    assert client.get("/coop/").status_code == 302  # to the sign-in page


def test_another_towns_cycle_is_not_found(client: Client, coop: Coop, elsewhere: Elsewhere) -> None:
    answer = as_(client, coop.rosa).get(f"/coop/cycles/{elsewhere.cycle.pk}/")
    assert answer.status_code == 404


def test_a_member_orders_from_the_page_and_staff_hand_it_out(client: Client, coop: Coop) -> None:
    apples, bread = coop.offer(coop.apples), coop.offer(coop.bread)
    answer = as_(client, coop.rosa).post(
        f"/coop/cycles/{coop.cycle.pk}/",
        {"action": "order", f"order-units-{apples.pk}": "3", f"order-units-{bread.pk}": ""},
        follow=True,
    )
    order = Order.objects.get()
    assert answer.redirect_chain[-1][0] == f"/coop/orders/{order.pk}/"
    assert "4.50 is held on the wallet" in answer.content.decode()
    assert order.total == 450 and order.lines.get().quantity == 3

    # Cass opens the order after the cycle closed and hands out 2 of the 3 apples.
    coop.cycle.closes_at = coop.now - timedelta(minutes=1)
    coop.cycle.opens_at = coop.now - timedelta(days=2)
    coop.cycle.save()
    line = order.lines.get()
    answer = as_(client, coop.cass).post(
        f"/coop/orders/{order.pk}/",
        {"action": "pickup", f"pickup-delivered-{line.pk}": "2"},
        follow=True,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP and order.paid == 300
    assert "3.00 paid" in answer.content.decode()


def test_ordering_more_than_is_left_shows_why_and_changes_nothing(
    client: Client, coop: Coop
) -> None:
    apples = coop.offer(coop.apples)
    answer = as_(client, coop.rosa).post(
        f"/coop/cycles/{coop.cycle.pk}/", {"action": "order", f"order-units-{apples.pk}": "11"}
    )
    assert answer.status_code == 400
    assert not Order.objects.exists()
    answer = as_(client, coop.pat).post(  # 2.00 in the wallet for a 4.75 loaf
        f"/coop/cycles/{coop.cycle.pk}/",
        {"action": "order", f"order-units-{coop.offer(coop.bread).pk}": "1"},
    )
    assert answer.status_code == 400
    assert "not enough money" in answer.content.decode()
    assert not Order.objects.exists() and coop.offer(coop.bread).ordered == 0


def test_staff_take_a_voucher_and_never_see_its_holder(client: Client, coop: Coop) -> None:
    answer = as_(client, coop.pantry.cora).post(
        "/coop/aid/",
        {
            "action": "voucher",
            "voucher-holder": coop.rosa.pk,
            "voucher-coop": coop.org.pk,
            "voucher-amount": "25.00",
            "voucher-expires_at": (coop.now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "voucher-reason": "Rent went up",
        },
        follow=True,
    )
    voucher = Voucher.objects.get()
    assert voucher.amount == 2500 and voucher.code in answer.content.decode()
    assert AuditEntry.objects.filter(action="coop.voucher.holders_viewed").exists()

    desk = f"/coop/{coop.org.pk}/vouchers/"
    page = as_(client, coop.cass).get(desk).content.decode()
    assert voucher.code in page
    assert coop.rosa.display_name not in page and "Rent went up" not in page
    answer = client.post(
        desk, {"action": "redeem", "redeem-code": voucher.code, "redeem-amount": "30.00"}
    )
    assert answer.status_code == 400 and "left" in answer.content.decode()
    client.post(desk, {"action": "redeem", "redeem-code": voucher.code, "redeem-amount": "12.00"})
    voucher.refresh_from_db()
    assert voucher.remaining == 1300
    # Hilltop's staff cannot open Canal Street's desk, nor take its voucher at their own.
    hilltop_desk = f"/coop/{coop.hilltop.pk}/vouchers/"
    answer = as_(client, coop.hana).post(
        hilltop_desk, {"action": "redeem", "redeem-code": voucher.code, "redeem-amount": "1.00"}
    )
    assert answer.status_code == 400 and "Canal Co-op" in answer.content.decode()


def test_a_member_sees_their_voucher_and_solidarity_price(client: Client, coop: Coop) -> None:
    services.referral_set(actor=coop.pantry.cora, member=coop.rosa, discount_bps=2500)
    voucher = services.voucher_issue(
        actor=coop.pantry.cora,
        coop=coop.org,
        holder=coop.rosa,
        amount=1000,
        expires_at=coop.now + timedelta(days=9),
    )
    page = as_(client, coop.rosa).get("/coop/").content.decode()
    assert voucher.code in page and "25 % off" in page
    assert voucher.code not in as_(client, coop.pat).get("/coop/").content.decode()


def test_staff_add_products_and_open_cycles_from_the_catalogue(client: Client, coop: Coop) -> None:
    path = f"/coop/{coop.org.pk}/catalogue/"
    as_(client, coop.cass).post(
        path,
        {
            "action": "product",
            "product-name": "Pears",
            "product-producer": "Ridge Farm",
            "product-unit": "1 kg",
            "product-price": "2.20",
            "product-local": "on",
            "product-available": "on",
        },
    )
    assert "Pears" in client.get(path).content.decode()
    answer = client.post(
        path,
        {
            "action": "product",
            "product-name": "Plums",
            "product-producer": "X",
            "product-unit": "kg",
            "product-price": "0",
        },
    )
    assert answer.status_code == 400
    assert "Plums" not in client.get(path).content.decode()
    answer = as_(client, coop.rosa).post(
        path,
        {
            "action": "product",
            "product-name": "Figs",
            "product-producer": "X",
            "product-unit": "kg",
            "product-price": "1",
        },
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("page", ["/coop/", "/coop/aid/"])
def test_pages_render_in_spanish(client: Client, coop: Coop, page: str) -> None:
    client.force_login(coop.pantry.cora)
    answer = client.get(page, HTTP_ACCEPT_LANGUAGE="es")
    assert answer.status_code == 200


def test_the_coop_staff_dashboard_shows_its_cycles_and_takings(client: Client, coop: Coop) -> None:
    page = as_(client, coop.cass).get("/dashboard/coop_staff/").content.decode()
    assert "Week 48" in page and "Paid at pick-up, by cycle" in page
    assert f"/coop/{coop.org.pk}/vouchers/" in page
    assert f"/coop/{coop.hilltop.pk}/vouchers/" not in page  # Hana's co-op, not Cass's
