"""The permission matrix: every page and every API operation, asked by every role, a signed-out
visitor, the platform operator and members of another community, answers as `access_table` says.

The world (the demo community and a second one, `matrix_world`) is built once for the module in a
transaction rolled back at the end; each identity's walk is one test, so a failure reads
"coordinator: GET /aid/requests/<id>/ answered 200 (allowed), the table says refused". What an
identity expects on a route:

- the visitor: `allowed` where the table says PUBLIC, else `login`;
- a role of Riverbend, and the operator: `allowed` when listed, else refused (403 or 404);
- a member of Hillside on a route that names one of Riverbend's objects (a parameter ending in
  `_id`, or a handle): `allowed` only where PUBLIC; else refused, and exactly 404 when their own
  role would be let in, so that an object's existence never leaks across communities (a 403 is
  fine where the role is refused before any lookup, as it is for every id alike);
- a member of Hillside on any other route: what their role gets (they act in their own community).

An unsafe API operation is sent the smallest body its schema accepts (`matrix_walk`): an allowed
identity may then meet a domain answer (400, 404, 409, 410, 422) but never 401, 403 or 5xx.
"""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from mutua.web.tests import access_table as table
from mutua.web.tests.matrix_walk import (
    SAFE_METHODS,
    Answer,
    api_operations,
    ask,
    page_patterns,
    parameters,
    route_of,
)
from mutua.web.tests.matrix_world import (
    OPERATOR,
    OTHER_LOGINS,
    VISITOR,
    World,
    build_world,
)

IDENTITIES = [VISITOR, *table.ROLES, *OTHER_LOGINS, OPERATOR]
# Hillside's people and the role they hold there.
HOME_ROLE = {"other_member": "member", "other_coordinator": "coordinator", "other_admin": "admin"}
REFUSED = frozenset({"forbidden", "not_found"})


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--force", stdout=StringIO())
        yield build_world()
        transaction.set_rollback(True)


def test_the_table_names_every_route_and_only_routes_that_exist() -> None:
    pages = {route_of(key)[1] for key in table.PAGES}
    operations = set(table.API)
    assert not page_patterns() - pages, "pages missing from access_table.PAGES"
    assert not pages - page_patterns(), "access_table.PAGES names pages that no longer exist"
    assert not api_operations() - operations, "API operations missing from access_table.API"
    assert not operations - api_operations(), "access_table.API names operations that are gone"


def names_an_object(key: str) -> bool:
    return any(name.endswith("_id") or name == "handle" for name in parameters(route_of(key)[1]))


def expected(identity: str, key: str, allowed: frozenset[str]) -> frozenset[str]:
    """The outcomes the table allows for this identity on this route."""
    if key in table.NOT_FOUND_FOR_EVERYONE:
        return frozenset({"not_found"})
    public = VISITOR in allowed
    if identity == VISITOR or (identity == OPERATOR and key in api_operations()):
        # the operator belongs to no community, so has no API token
        return frozenset({"allowed" if public else "login"})
    if identity in HOME_ROLE:
        if key in table.OTHER_COMMUNITY:
            return table.OTHER_COMMUNITY[key]
        if public:
            return frozenset({"allowed"})
        role_allowed = HOME_ROLE[identity] in allowed
        if names_an_object(key):
            return frozenset({"not_found"}) if role_allowed else REFUSED
        return _answers(key, allowed=role_allowed)
    return _answers(key, allowed=public or identity in allowed)


def _answers(key: str, *, allowed: bool) -> frozenset[str]:
    if not allowed:
        return REFUSED
    unsafe_api = key in api_operations() and route_of(key)[0] not in SAFE_METHODS
    return frozenset({"allowed", "not_found"}) if unsafe_api else frozenset({"allowed"})


def _client(world: World, identity: str, *, api: bool) -> tuple[Client, str | None]:
    client = Client(raise_request_exception=False)
    if api:
        return client, world.tokens.get(identity)
    if identity != VISITOR:
        client.force_login(world.members[identity])
    return client, None


@pytest.mark.parametrize("identity", IDENTITIES)
def test_each_route_answers_as_the_table_says(identity: str, world: World, db: None) -> None:
    page_client, _ = _client(world, identity, api=False)
    api_client, token = _client(world, identity, api=True)
    wrong = []
    for key, allowed in {**table.PAGES, **table.API}.items():
        if key in table.API:
            answer = ask(api_client, key, world, token=token)
        else:
            answer = ask(page_client, key, world)
        outcomes = expected(identity, key, allowed)
        if answer.outcome not in outcomes:
            wrong.append(_mismatch(identity, key, answer, outcomes))
    assert not wrong, f"{len(wrong)} answers differ from the table:\n" + "\n".join(wrong)


def _mismatch(identity: str, key: str, answer: Answer, outcomes: frozenset[str]) -> str:
    where = f" → {answer.location}" if answer.location else ""
    says = " or ".join(sorted(outcomes))
    return (
        f"{identity}: {key} answered {answer.status}{where} ({answer.outcome}), table says {says}"
    )


@pytest.mark.parametrize("identity", [VISITOR, *table.ROLES, *OTHER_LOGINS, OPERATOR])
def test_only_the_operator_gets_into_the_django_admin(
    identity: str, world: World, db: None
) -> None:
    client, _ = _client(world, identity, api=False)
    for path in table.ADMIN_SITE:
        answer = ask(client, f"GET {path}", world)
        want = "allowed" if identity == OPERATOR else "login"
        assert answer.outcome == want, f"{identity}: GET {path} answered {answer.status}"


def test_unsafe_operations_check_the_body_before_the_role_only_where_declared(
    world: World, db: None
) -> None:
    """An empty body from someone the table refuses: 401/403/404 before any validation, except on
    the operations `access_table.VALIDATES_BEFORE_REFUSING` lists (django-ninja parses the body
    before the operation's own permission check runs)."""
    client = Client(raise_request_exception=False)
    validated_first = set()
    for key, allowed in table.API.items():
        refused = [role for role in table.ROLES if role not in allowed]
        if route_of(key)[0] in SAFE_METHODS or not refused:
            continue
        answer = ask(client, key, world, token=world.tokens[refused[0]], empty=True)
        if answer.status == 422:
            validated_first.add(key)
        else:
            assert answer.outcome in REFUSED, f"{refused[0]}: {key} answered {answer.status}"
    newly = "\n".join(sorted(validated_first - table.VALIDATES_BEFORE_REFUSING))
    fixed = "\n".join(sorted(table.VALIDATES_BEFORE_REFUSING - validated_first))
    assert not newly, f"these answer 422 before refusing, and the table does not say so:\n{newly}"
    assert not fixed, f"these now refuse before validating; take them off the table:\n{fixed}"
