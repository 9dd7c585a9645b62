"""The JSON API: token sign-in, stable error codes, valid OpenAPI, bad bodies change nothing."""

import json

import pytest
from openapi_spec_validator import validate

from mutua.community import services
from mutua.community.models import Invitation
from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_token(town) -> str:
    with community_scope(town.community.id):
        return services.api_token_create(member=town.admin, name="tests")[1]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def invitations(town) -> int:
    with community_scope(town.community.id):
        return Invitation.objects.count()


def test_me_answers_who_the_token_belongs_to(client, town, admin_token) -> None:
    body = client.get("/api/v1/me", **bearer(admin_token)).json()
    assert body["handle"] == "boss"
    assert body["community"]["slug"] == "riverbend"
    assert {(r["role"], r["organization"]) for r in body["roles"]} == {
        ("admin", None),
        ("member", None),
    }


def test_without_a_valid_token_the_answer_is_401_json(client, town, admin_token) -> None:
    for headers in ({}, bearer("mutua_not-a-token"), {"HTTP_AUTHORIZATION": "Basic abc"}):
        response = client.get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_stops_working(client, town, admin_token) -> None:
    with community_scope(town.community.id):
        token = town.admin.api_tokens.get()
        services.api_token_revoke(member=town.admin, token_id=token.id)
    assert client.get("/api/v1/me", **bearer(admin_token)).status_code == 401


def test_the_session_works_for_reads_and_needs_csrf_for_writes(town) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(town.admin)
    assert browser.get("/api/v1/me").status_code == 200
    refused = browser.post("/api/v1/invitations", data={}, content_type="application/json")
    assert refused.status_code in (401, 403)
    assert invitations(town) == 0


def test_creating_an_invitation_returns_a_working_link(client, town, admin_token) -> None:
    response = client.post(
        "/api/v1/invitations",
        data={"role": "volunteer", "organization": "aid"},
        content_type="application/json",
        **bearer(admin_token),
    )
    assert response.status_code == 201
    link = response.json()["url"]
    assert link.startswith("http://testserver/join/")
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "bad_request"),
        (json.dumps({"role": "emperor"}), 422, "invalid_body"),
        (json.dumps({"days_valid": 1000}), 422, "invalid_body"),
        (json.dumps({"role": "coordinator", "organization": "nowhere"}), 404, "not_found"),
        (json.dumps({"role": "coordinator"}), 400, "role_does_not_fit"),
    ],
)
def test_a_bad_body_gets_a_clear_error_and_changes_nothing(
    client, town, admin_token, body, status, code
) -> None:
    response = client.post(
        "/api/v1/invitations", data=body, content_type="application/json", **bearer(admin_token)
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert invitations(town) == 0


def test_a_member_cannot_reach_coordinator_endpoints(client, town) -> None:
    with community_scope(town.community.id):
        raw = services.api_token_create(member=town.neighbour, name="n")[1]
    for url in ("/api/v1/households", "/api/v1/join-requests"):
        response = client.get(url, **bearer(raw))
        assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_join_requests_are_decided_through_the_api(client, town, admin_token) -> None:
    with community_scope(None):
        services.join_request_create(
            community=town.community,
            handle="rosa",
            display_name="Rosa",
            password="plant tomatoes in may",
        )
    listed = client.get("/api/v1/join-requests", **bearer(admin_token)).json()
    assert [r["handle"] for r in listed] == ["rosa"]
    url = f"/api/v1/join-requests/{listed[0]['id']}/decision"
    first = client.post(
        url, data={"approve": True}, content_type="application/json", **bearer(admin_token)
    )
    assert first.json()["status"] == "approved"
    again = client.post(
        url, data={"approve": False}, content_type="application/json", **bearer(admin_token)
    )
    assert again.status_code == 409 and again.json()["code"] == "already_decided"


def test_the_openapi_document_is_valid_and_documents_bearer_tokens(client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "/api/v1/me" in document["paths"]


def test_the_interactive_docs_load_without_a_cdn(client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in page.content
    assert b"cdn." not in page.content
