"""No request carries a NUL character into Mutua (`mutua.web.nul`). On PostgreSQL each of these was
a 500 (its text cannot hold U+0000); on SQLite they went through. CI runs them on both."""

from typing import Any

import pytest
from django.test import Client

from mutua.community.models import Household
from mutua.community.services import api_token_create
from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db

REFUSAL = "Text may not contain the NUL character (U+0000)."


@pytest.fixture
def token(town: Any) -> str:
    with community_scope(town.community.id):
        return api_token_create(member=town.admin, name="tests")[1]


def api(client: Client, token: str, method: str, url: str, **kwargs: Any) -> Any:
    return getattr(client, method)(f"/api/v1{url}", HTTP_AUTHORIZATION=f"Bearer {token}", **kwargs)


def test_a_json_body_with_a_nul_is_a_422_that_says_where_and_creates_nothing(
    client: Client, town: Any, token: str
) -> None:
    with community_scope(town.community.id):
        before = Household.objects.count()
    answer = api(
        client,
        token,
        "post",
        "/households",
        data={"name": "Park\u0000", "size": 2},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json() == {
        "code": "invalid_body",
        "message": "The request does not match the schema.",
        "fields": {"name": [REFUSAL]},
    }
    with community_scope(town.community.id):
        assert Household.objects.count() == before


def test_a_nul_deep_in_a_body_or_in_a_key_is_found(client: Client, town: Any, token: str) -> None:
    answer = api(
        client,
        token,
        "post",
        "/households",
        data={"name": "Park", "size": 2, "needs": {"diets": ["ok", "ha\u0000lal"]}},
        content_type="application/json",
    )
    assert answer.json()["fields"] == {"needs.diets.1": [REFUSAL]}
    answer = api(
        client,
        token,
        "post",
        "/households",
        data={"na\u0000me": 1},
        content_type="application/json",
    )
    assert list(answer.json()["fields"]) == ["name"]


def test_a_nul_in_the_path_or_the_query_of_the_api_is_a_422(
    client: Client, town: Any, token: str
) -> None:
    answer = api(client, token, "get", "/members/a%00b")
    assert (answer.status_code, answer.json()["fields"]) == (422, {"path": [REFUSAL]})
    answer = api(client, token, "get", "/members", data={"role": "member\u0000"})
    assert (answer.status_code, answer.json()["fields"]) == (422, {"query.role": [REFUSAL]})


def test_pages_answer_a_400_that_says_why(client: Client, town: Any) -> None:
    with community_scope(town.community.id):
        client.force_login(town.member)
    page = client.get("/members/a%00b/")
    assert page.status_code == 400 and REFUSAL in page.content.decode()
    page = client.get("/members/", {"q": "\u0000"})
    assert page.status_code == 400
    page = client.post("/households/new/", {"name": "Park\u0000"})
    assert page.status_code == 400 and REFUSAL in page.content.decode()


def test_a_request_without_a_nul_is_untouched(client: Client, town: Any, token: str) -> None:
    answer = api(client, token, "get", f"/members/{town.member.handle}")
    assert answer.status_code == 200
