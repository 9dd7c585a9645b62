"""The ledger API: members pay from what they hold, retries are safe, officers may do more."""

import pytest

from mutua.community.tests.factories import CommunityFactory
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.ledger.tests.conftest import open_books

pytestmark = pytest.mark.django_db


def call(client, world, who, method, url, body=None):  # type: ignore[no-untyped-def]
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[who]}"}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(f"/api/v1/ledger{url}", **kwargs)


def payment(world, debit, credit, amount, **extra):  # type: ignore[no-untyped-def]
    return {
        "id": str(new_id()),
        "debit_account": str(debit.id),
        "credit_account": str(credit.id),
        "amount": amount,
        "code": "groceries",
        **extra,
    }


def balance(world, account) -> int:  # type: ignore[no-untyped-def]
    with community_scope(world.community.id):
        return world.balance(account)


def test_ana_pays_the_bakery_and_a_retry_is_not_paid_twice(client, world) -> None:
    body = payment(world, world.ana, world.bakery, 450)
    first = call(client, world, "ana", "post", "/transfers", body)
    assert first.status_code == 201 and first.json()["result"] == "ok"
    again = call(client, world, "ana", "post", "/transfers", body)
    assert again.status_code == 200 and again.json()["result"] == "exists"
    other = call(client, world, "ana", "post", "/transfers", {**body, "amount": 451})
    assert other.status_code == 409 and other.json()["code"] == "id_conflict"
    assert (balance(world, world.ana), balance(world, world.bakery)) == (9_550, 450)


def test_nobody_pays_from_an_account_they_do_not_hold(client, world) -> None:
    response = call(
        client, world, "ben", "post", "/transfers", payment(world, world.ana, world.ben, 100)
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert balance(world, world.ana) == 10_000


def test_spending_more_than_you_have_is_a_clear_422(client, world) -> None:
    response = call(
        client, world, "ana", "post", "/transfers", payment(world, world.ana, world.ben, 10_001)
    )
    assert response.status_code == 422 and response.json()["code"] == "exceeds_credit_limit"
    assert balance(world, world.ben) == 0


def test_a_linked_batch_is_all_or_nothing(client, world) -> None:
    batch = {
        "linked": True,
        "transfers": [
            payment(world, world.ana, world.ben, 100),
            payment(world, world.ana, world.bakery, 99_999),
        ],
    }
    response = call(client, world, "ana", "post", "/transfers", batch)
    assert [r["result"] for r in response.json()["results"]] == [
        "linked_event_failed",
        "exceeds_credit_limit",
    ]
    assert balance(world, world.ben) == 0
    batch["linked"] = False
    response = call(client, world, "ana", "post", "/transfers", batch)
    assert [r["result"] for r in response.json()["results"]] == ["ok", "exceeds_credit_limit"]


def test_the_bakery_posts_a_hold_for_what_it_delivered(client, world) -> None:
    hold = payment(world, world.ana, world.bakery, 2_000, pending=True, timeout_seconds=3600)
    assert call(client, world, "ana", "post", "/transfers", hold).status_code == 201
    posted = call(
        client,
        world,
        "baker",
        "post",
        f"/transfers/{hold['id']}/post",
        {"id": str(new_id()), "amount": 1_750},
    )
    assert posted.status_code == 201
    void = call(
        client, world, "baker", "post", f"/transfers/{hold['id']}/void", {"id": str(new_id())}
    )
    assert void.status_code == 422 and void.json()["code"] == "pending_already_resolved"
    mine = call(client, world, "ana", "get", f"/accounts/{world.ana.id}").json()
    assert (mine["balance"], mine["pending_out"], mine["available"]) == (8_250, 0, 8_250)


def test_only_the_credited_party_or_an_officer_reverses(client, world) -> None:
    body = payment(world, world.ana, world.bakery, 500)
    call(client, world, "ana", "post", "/transfers", body)
    refused = call(
        client, world, "ana", "post", f"/transfers/{body['id']}/reverse", {"id": str(new_id())}
    )
    assert refused.status_code == 403
    refund = call(
        client,
        world,
        "baker",
        "post",
        f"/transfers/{body['id']}/reverse",
        {"id": str(new_id()), "amount": 200},
    )
    assert refund.status_code == 201
    assert balance(world, world.ana) == 9_700


def test_accounts_are_private_to_their_holders_and_officers(client, world) -> None:
    assert call(client, world, "ben", "get", f"/accounts/{world.ana.id}").status_code == 403
    assert call(client, world, "officer", "get", f"/accounts/{world.ana.id}").status_code == 200
    codes = {a["code"] for a in call(client, world, "ana", "get", "/accounts").json()}
    assert codes == {"ana"}
    stranger = CommunityFactory(slug="hillside")
    with community_scope(stranger.id):
        other = open_books(stranger)
    assert call(client, world, "officer", "get", f"/accounts/{other.ana.id}").status_code == 404


def test_an_officer_may_move_money_from_any_account(client, world) -> None:
    response = call(
        client, world, "officer", "post", "/transfers", payment(world, world.ana, world.ben, 300)
    )
    assert response.status_code == 201 and balance(world, world.ben) == 300


def test_history_shows_a_running_balance(client, world) -> None:
    for amount in (100, 250):
        call(
            client, world, "ana", "post", "/transfers", payment(world, world.ana, world.ben, amount)
        )
    lines = call(client, world, "ana", "get", f"/accounts/{world.ana.id}/transfers").json()
    assert [(line["change"], line["balance"]) for line in lines] == [
        (10_000, 10_000),
        (-100, 9_900),
        (-250, 9_650),
    ]


def test_a_bad_body_changes_nothing(client, world) -> None:
    for body in (
        {"id": "nope"},
        payment(world, world.ana, world.ben, 0),
        payment(world, world.ana, world.ben, 5, code="Not A Code"),
    ):
        response = call(client, world, "ana", "post", "/transfers", body)
        assert response.status_code == 422 and response.json()["code"] == "invalid_body"
    assert balance(world, world.ben) == 0


def test_a_time_the_database_cannot_store_is_a_422_not_a_500(client, world) -> None:
    # It parses, but in UTC it lies in year 0, which the database adapter cannot convert: a 500
    # that schemathesis found.
    answer = client.get(
        f"/api/v1/ledger/accounts/{world.ana.id}/transfers",
        {"until": "0001-01-01T00:00+17:56"},
        HTTP_AUTHORIZATION=f"Bearer {world.tokens['ana']}",
    )
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_body")
    assert (
        "dates lie between 1900-01-01 and 2999-12-31" in answer.json()["fields"]["query.until"][0]
    )
