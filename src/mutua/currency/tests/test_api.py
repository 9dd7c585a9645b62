"""The local-dollar API: each endpoint with the permission checks of the roles involved."""

import pytest

from mutua.community.services import api_token_create
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(town):  # type: ignore[no-untyped-def]
    with community_scope(town.community.id):
        return {
            m.handle: api_token_create(member=m, name="t")[1]
            for m in (town.officer, town.ana, town.ben, town.carla)
        }


def call(client, tokens, who, method, url, body=None):  # type: ignore[no-untyped-def]
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(f"/api/v1/currency{url}", **kwargs)


def balance(town, account) -> int:  # type: ignore[no-untyped-def]
    with community_scope(town.community.id):
        return town.balance(account)


def test_an_officer_exchanges_in_and_out_and_a_retry_changes_nothing(client, town, tokens) -> None:
    body = {"id": str(new_id()), "account": str(town.bakery_wallet.id), "dollars": 9_500}
    first = call(client, tokens, "olu", "post", "/exchanges/in", body)
    assert first.status_code == 201 and first.json()["local"] == 10_000
    assert call(client, tokens, "olu", "post", "/exchanges/in", body).status_code == 201
    assert balance(town, town.bakery_wallet) == 10_000
    out = {"id": str(new_id()), "account": str(town.bakery_wallet.id), "local": 4_000}
    redeemed = call(client, tokens, "olu", "post", "/exchanges/out", out)
    assert redeemed.status_code == 201
    assert (redeemed.json()["fee"], redeemed.json()["dollars"]) == (200, 3_610)


def test_only_officers_exchange_and_set_credit_lines(client, town, tokens) -> None:
    body = {"id": str(new_id()), "account": str(town.ana_wallet.id), "dollars": 100}
    assert call(client, tokens, "ana", "post", "/exchanges/in", body).status_code == 403
    limit = {"limit": 10_000, "reason": "Please"}
    url = f"/accounts/{town.bakery_wallet.id}/credit-limit"
    assert call(client, tokens, "carla", "put", url, limit).status_code == 403
    done = call(client, tokens, "olu", "put", url, limit)
    assert done.status_code == 200 and done.json()["new_limit"] == 10_000


def test_members_pay_by_handle_and_bad_input_is_refused(client, town, tokens) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    pay = {"id": str(new_id()), "to": "bakery", "amount": 500, "memo": "Rye"}
    assert call(client, tokens, "ana", "post", "/payments", pay).status_code == 201
    assert call(client, tokens, "ana", "post", "/payments", pay).status_code == 200  # retry
    for bad, code in (
        ({"to": "bakery", "amount": 999_999}, "exceeds_credit_limit"),
        ({"to": "ana", "amount": 1}, "accounts_must_be_different"),
        ({"to": "nobody", "amount": 1}, "unknown_handle"),
    ):
        response = call(client, tokens, "ana", "post", "/payments", {"id": str(new_id()), **bad})
        assert response.json()["code"] == code, bad
    negative = call(
        client, tokens, "ana", "post", "/payments", {**pay, "id": str(new_id()), "amount": -1}
    )
    assert negative.status_code == 422
    assert balance(town, town.ana_wallet) == 1_500


def test_ben_cannot_pay_from_anas_wallet(client, town, tokens) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    body = {
        "id": str(new_id()),
        "to": "ben",
        "amount": 100,
        "from_account": str(town.ana_wallet.id),
    }
    assert call(client, tokens, "ben", "post", "/payments", body).status_code == 403
    assert balance(town, town.ana_wallet) == 2_000


def test_payment_requests_are_answered_by_the_payer_only(client, town, tokens) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    asked = call(
        client, tokens, "ben", "post", "/payment-requests", {"payer": "ana", "amount": 700}
    )
    assert asked.status_code == 201
    url = f"/payment-requests/{asked.json()['id']}"
    assert call(client, tokens, "carla", "post", f"{url}/accept", {}).status_code == 404
    paid = call(client, tokens, "ana", "post", f"{url}/accept", {"id": str(new_id())})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert call(client, tokens, "ana", "post", f"{url}/decline").status_code == 409
    assert balance(town, town.ben_wallet) == 700
    listed = call(client, tokens, "ana", "get", "/payment-requests").json()
    assert [r["status"] for r in listed] == ["paid"]


def test_the_report_is_for_officers_and_the_public_figures_for_anyone(client, town, tokens) -> None:
    town.exchange_in(town.ana_wallet, 1_900)
    assert call(client, tokens, "ana", "get", "/report").status_code == 403
    report = call(client, tokens, "olu", "get", "/report").json()
    assert {
        "supply",
        "reserve",
        "backing_ratio",
        "volume",
        "velocity",
        "active_accounts",
        "lm3",
    } <= set(report)
    assert (report["supply"], report["reserve"], report["backing_ratio"]) == (2_000, 1_900, 0.95)
    public = client.get("/api/v1/currency/public/riverbend")
    assert public.status_code == 200 and public.json()["backing_ratio"] == 0.95
    assert client.get("/api/v1/currency/public/nowhere").status_code == 404
