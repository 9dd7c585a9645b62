"""The privacy pages and endpoints as each person meets them: Ana on her own data, Boss (the
admin) on the requests, Cora (no admin) and Hillside's admin refused, a visitor sent to sign in."""

import pytest
from django.test import Client

from mutua.community.services import api_token_create
from mutua.privacy.models import DeletionRequest, DeletionStatus
from mutua.privacy.tests.conftest import ANA_DETAILS, BEN_ADDRESS

pytestmark = pytest.mark.django_db


def signed_in(member) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(member)
    return client


def test_ana_downloads_her_data_and_asks_then_withdraws(street) -> None:  # type: ignore[no-untyped-def]
    ana = signed_in(street.ana)
    assert b"Download my data" in ana.get("/privacy/").content
    download = ana.get("/privacy/export/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="mutua-ana-')
    assert ANA_DETAILS["email"] in download.content.decode()
    assert BEN_ADDRESS not in download.content.decode()
    assert ana.post("/privacy/deletion/", {"action": "request"}).status_code == 302
    assert b"waiting for an admin" in ana.get("/privacy/").content
    ana.post("/privacy/deletion/", {"action": "withdraw"})
    assert DeletionRequest.objects.get().status == DeletionStatus.WITHDRAWN


def test_a_blocked_request_says_why_on_the_page(street) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(street.ben).get("/privacy/")
    assert b"First, please settle these" in page.content
    assert (
        signed_in(street.ben).post("/privacy/deletion/", {"action": "request"}).status_code == 302
    )
    assert not DeletionRequest.objects.exists()


def test_the_admin_carries_it_out_and_anas_session_ends(street, hillside_admin) -> None:  # type: ignore[no-untyped-def]
    ana = signed_in(street.ana)
    ana.post("/privacy/deletion/", {"action": "request"})
    asked = DeletionRequest.objects.get()
    url = f"/privacy/requests/{asked.pk}/carry-out/"
    assert signed_in(street.cora).get("/privacy/requests/").status_code == 403
    assert signed_in(street.cora).post(url).status_code == 403
    assert signed_in(hillside_admin).post(url).status_code == 404
    boss = signed_in(street.admin)
    assert b"Ana Quintessa" in boss.get("/privacy/requests/").content
    assert boss.post(url).status_code == 302
    asked.refresh_from_db()
    assert asked.status == DeletionStatus.DONE
    assert ana.get("/privacy/").status_code == 302  # signed out: sent to the sign-in page


def test_a_visitor_is_sent_to_sign_in(street) -> None:  # type: ignore[no-untyped-def]
    visitor = Client()
    for url in ("/privacy/", "/privacy/export/", "/privacy/requests/"):
        assert visitor.get(url)["Location"].startswith("/accounts/login/"), url
    assert visitor.post("/privacy/deletion/", {"action": "request"}).status_code == 302
    assert not DeletionRequest.objects.exists()


def _api(member):  # type: ignore[no-untyped-def]
    token = api_token_create(member=member, name="test")[1]

    def call(method: str, path: str):  # type: ignore[no-untyped-def]
        return getattr(Client(), method)(
            f"/api/v1/privacy{path}", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return call


def test_the_api_exports_asks_and_carries_out(street, hillside_admin) -> None:  # type: ignore[no-untyped-def]
    ana, boss, cora = _api(street.ana), _api(street.admin), _api(street.cora)
    exported = ana("get", "/export")
    assert exported.status_code == 200
    assert exported.json()["profile"]["email"] == ANA_DETAILS["email"]
    assert BEN_ADDRESS not in exported.content.decode()
    assert Client().get("/api/v1/privacy/export").status_code == 401
    asked = ana("post", "/deletion")
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    assert ana("post", "/deletion").json()["code"] == "deletion_pending"
    assert ana("get", "/deletion").json()["request"]["id"] == asked.json()["id"]
    assert cora("get", "/deletion-requests").status_code == 403
    assert [r["handle"] for r in boss("get", "/deletion-requests").json()] == ["ana"]
    path = f"/deletion-requests/{asked.json()['id']}/carry-out"
    assert cora("post", path).status_code == 403
    assert _api(hillside_admin)("post", path).status_code == 404
    done = boss("post", path)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert ana("get", "/export").status_code == 401  # her tokens were revoked


def test_the_api_refuses_a_wallet_with_money_and_says_why(street) -> None:  # type: ignore[no-untyped-def]
    refused = _api(street.ben)("post", "/deletion")
    assert refused.status_code == 422
    assert refused.json()["code"] == "deletion_blocked"
    assert len(refused.json()["fields"]["blockers"]) == 1
    state = _api(street.ben)("get", "/deletion").json()
    assert (state["request"], [b["code"] for b in state["blockers"]]) == (
        None,
        ["balance_not_zero"],
    )
    assert _api(street.ben)("delete", "/deletion").status_code == 404
