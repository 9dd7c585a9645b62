"""`mutua token create`: prints one token, which signs API requests in as that member."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from mutua.community import services
from mutua.community.models import ApiToken, Member


@pytest.fixture
def rosa(db: None) -> Member:
    community = services.community_create(
        name="Riverbend",
        slug="riverbend",
        currency_name="Riverbend local dollar",
        currency_code="LD",
    )
    return services.member_create(
        community=community, handle="rosa", display_name="Rosa Delgado", password=None
    )


def _token_create(*args: str) -> str:
    out = StringIO()
    call_command("token", "create", *args, stdout=out)
    return out.getvalue()


def test_token_create_prints_only_the_token(rosa: Member) -> None:
    printed = _token_create("--user", "rosa")
    assert printed.count("\n") == 1
    raw = printed.strip()
    assert raw.startswith(services.TOKEN_PREFIX)
    token = ApiToken.objects.get(member=rosa)
    assert token.token_hash == services.token_hash(raw)
    assert token.name == "command line"


def test_printed_token_authenticates_the_api(rosa: Member, client: Client) -> None:
    raw = _token_create("--user", "rosa").strip()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content
    assert response.json()["handle"] == "rosa"


def test_token_create_takes_a_name_and_any_case_of_the_handle(rosa: Member) -> None:
    _token_create("--user", "@ROSA", "--name", "allocation script")
    assert ApiToken.objects.get(member=rosa).name == "allocation script"


def test_token_create_for_an_unknown_handle_is_a_clear_error(rosa: Member) -> None:
    with pytest.raises(CommandError, match="nobody"):
        _token_create("--user", "nobody")
    assert not ApiToken.objects.exists()


def test_token_create_with_a_bad_name_is_a_clear_error(rosa: Member) -> None:
    with pytest.raises(CommandError, match="60 characters"):
        _token_create("--user", "rosa", "--name", "x" * 61)
