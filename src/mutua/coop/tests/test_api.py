"""The co-op's JSON API with personal tokens: the same stories and refusals as the pages, and a
voucher's holder never in the co-op's answers."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from mutua.aid.models import Lot
from mutua.community.services import api_token_create
from mutua.coop.models import Order, Voucher
from mutua.coop.tests.conftest import Coop, Elsewhere
from mutua.ledger.models import Account


@pytest.fixture
def call(client: Client, coop: Coop) -> Any:
    people = {
        "rosa": coop.rosa,
        "pat": coop.pat,
        "cass": coop.cass,
        "hana": coop.hana,
        "cora": coop.pantry.cora,
    }
    tokens = {who: api_token_create(member=m, name="t")[1] for who, m in people.items()}

    def call(who: str, method: str, url: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1/coop{url}", **kwargs)

    return call


def test_a_member_orders_and_staff_hand_it_out(call: Any, coop: Coop) -> None:
    cycle = call("rosa", "get", f"/cycles/{coop.cycle.pk}").json()
    assert cycle["open"] and len(cycle["offers"]) == 3
    apples = next(o for o in cycle["offers"] if o["name"] == "Apples")
    answer = call(
        "rosa",
        "post",
        f"/cycles/{coop.cycle.pk}/orders",
        {"lines": [{"offer": apples["id"], "quantity": 4}]},
    )
    assert answer.status_code == 201, answer.json()
    order = answer.json()
    assert (order["total"], order["status"]) == (600, "placed")
    assert Account.objects.get(pk=coop.rosa_wallet.pk).debits_pending == 600

    assert call("pat", "get", f"/orders/{order['id']}").status_code == 404
    early = call("cass", "post", f"/orders/{order['id']}/pickup", {})
    assert early.status_code == 422 and early.json()["code"] == "cycle_open"

    coop.cycle.opens_at, coop.cycle.closes_at = coop.now - timedelta(days=2), coop.now
    coop.cycle.save()
    line = order["lines"][0]["id"]
    answer = call("cass", "post", f"/orders/{order['id']}/pickup", {"delivered": {line: 3}})
    assert answer.status_code == 200
    assert (answer.json()["paid"], answer.json()["status"]) == (450, "picked_up")
    again = call("cass", "post", f"/orders/{order['id']}/pickup", {})
    assert again.status_code == 409


def test_bad_orders_are_refused_with_their_reason(call: Any, coop: Coop) -> None:
    offer = coop.offer(coop.bread)
    url = f"/cycles/{coop.cycle.pk}/orders"
    too_many = call("rosa", "post", url, {"lines": [{"offer": str(offer.pk), "quantity": 11}]})
    assert too_many.status_code == 422 and too_many.json()["code"] == "not_available"
    broke = call("pat", "post", url, {"lines": [{"offer": str(offer.pk), "quantity": 1}]})
    assert broke.status_code == 422 and broke.json()["code"] == "exceeds_credit_limit"
    zero = call("rosa", "post", url, {"lines": [{"offer": str(offer.pk), "quantity": 0}]})
    assert zero.status_code == 400 and "lines.0" in zero.json()["fields"]
    schema = call("rosa", "post", url, {"lines": "bread"})
    assert schema.status_code == 422
    assert not Order.objects.exists()


def test_another_towns_cycle_is_not_found(call: Any, coop: Coop, elsewhere: Elsewhere) -> None:
    assert call("rosa", "get", f"/cycles/{elsewhere.cycle.pk}").status_code == 404
    assert call("cass", "get", f"/{elsewhere.org.pk}/products").status_code == 404


def test_staff_keep_the_catalogue_and_members_cannot(call: Any, coop: Coop) -> None:
    body = {"name": "Pears", "producer": "Ridge Farm", "unit": "each", "price": 120}
    assert call("rosa", "post", f"/{coop.org.pk}/products", body).status_code == 403
    answer = call("cass", "post", f"/{coop.org.pk}/products", body)
    assert answer.status_code == 201
    bad = call("cass", "post", f"/{coop.org.pk}/products", body | {"name": "Plums", "price": 0})
    assert bad.status_code == 400 and "price" in bad.json()["fields"]
    names = [p["name"] for p in call("rosa", "get", f"/{coop.org.pk}/products").json()]
    assert names == ["Apples", "Pears", "Rolled oats", "Rye bread"]


def test_vouchers_through_the_api(call: Any, coop: Coop) -> None:
    body = {
        "holder": str(coop.rosa.pk),
        "coop": str(coop.org.pk),
        "amount": 1500,
        "expires_at": (coop.now + timedelta(days=10)).isoformat(),
        "reason": "Medical bills",
    }
    assert call("cass", "post", "/vouchers", body).status_code == 403
    issued = call("cora", "post", "/vouchers", body)
    assert issued.status_code == 201
    code = issued.json()["code"]
    assert [v["code"] for v in call("rosa", "get", "/vouchers/mine").json()] == [code]

    seen = call("cass", "get", f"/{coop.org.pk}/vouchers").json()
    assert seen[0]["code"] == code and "holder" not in seen[0] and "reason" not in seen[0]
    elsewhere = call(
        "hana", "post", f"/{coop.hilltop.pk}/vouchers/redeem", {"code": code, "amount": 100}
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "wrong_merchant"
    spent = call("cass", "post", f"/{coop.org.pk}/vouchers/redeem", {"code": code, "amount": 1000})
    assert spent.status_code == 201 and spent.json()["remaining"] == 500
    over = call("cass", "post", f"/{coop.org.pk}/vouchers/redeem", {"code": code, "amount": 501})
    assert over.status_code == 422 and over.json()["code"] == "exceeds_voucher"
    assert Voucher.objects.get().remaining == 500


def test_a_referral_through_the_api_gives_solidarity_prices(call: Any, coop: Coop) -> None:
    body = {"member": str(coop.rosa.pk), "discount_bps": 2000}
    assert call("cass", "post", "/referrals", body).status_code == 403
    assert call("cora", "post", "/referrals", body | {"discount_bps": 0}).status_code == 400
    assert call("cora", "post", "/referrals", body).status_code == 201
    offer = coop.offer(coop.oats)
    order = call(
        "rosa",
        "post",
        f"/cycles/{coop.cycle.pk}/orders",
        {"lines": [{"offer": str(offer.pk), "quantity": 1}]},
    ).json()
    assert (order["fund_share"], order["discount_bps"]) == (66, 2000)


def test_a_bulk_order_is_received_into_the_pantry(call: Any, coop: Coop) -> None:
    pantry, offer = coop.pantry, coop.offer(coop.oats)
    url = f"/cycles/{coop.cycle.pk}/orders"
    lines = {"lines": [{"offer": str(offer.pk), "quantity": 5}], "for_aid_group": True}
    assert call("rosa", "post", url, lines).status_code == 403
    order = call("cora", "post", url, lines).json()
    assert order["aid_group"] == str(pantry.group.pk)
    coop.cycle.opens_at, coop.cycle.closes_at = coop.now - timedelta(days=2), coop.now
    coop.cycle.save()
    arrival = {
        "line": order["lines"][0]["id"],
        "delivered": 5,
        "item": str(pantry.rice.pk),
        "location": str(pantry.shelf.pk),
    }
    assert (
        call("cass", "post", f"/orders/{order['id']}/receive", {"arrivals": [arrival]}).status_code
        == 403
    )
    answer = call("cora", "post", f"/orders/{order['id']}/receive", {"arrivals": [arrival]})
    assert answer.status_code == 200 and answer.json()["received_at"]
    assert Lot.objects.get(item=pantry.rice).intake.amount == 5 * 333
