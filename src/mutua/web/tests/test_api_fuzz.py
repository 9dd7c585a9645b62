"""The JSON API under schemathesis: no answer is a server error, every answer is what the published
OpenAPI schema says (a documented status, a body of the documented shape, the documented content
type), requests that break the schema are refused, and afterwards the books still balance
(`mutua ledger|audit|aid|art verify` are clean).

The world, the identities and how the fuzzer learns the demo's ids are in `api_fuzz`. CI runs a
short, seeded run; a long one is the same test with more examples (docs/reliability.md):

    MUTUA_FUZZ_EXAMPLES=20 MUTUA_FUZZ_PHASES=examples,coverage,fuzzing,stateful \\
        pytest src/mutua/web/tests/test_api_fuzz.py -s

Checks: all of schemathesis' checks except `positive_data_acceptance`, which expects every request
that fits the schema to succeed. Mutua's domain refuses many such requests by design, with a
documented 400, 409 or 422 and a code: a role that does not fit the organization, a payment larger
than the wallet, a full session, a hold that does not exist. No JSON schema can say those rules.
And one narrow kind of `negative_data_rejection` failure is dropped by `api_fuzz_hooks`: a scalar
of another type that pydantic's lax mode reads as the declared scalar (`0` for `false`).
"""

import json
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from django.test import Client

from mutua.community.models import Invitation
from mutua.community.services import api_token_create
from mutua.core.tenancy import community_scope
from mutua.web.tests.api_fuzz import (
    API,
    MEMBER,
    POWERFUL,
    FuzzRun,
    every_role_grant,
    fuzz,
    ids_harvest,
    schema_with_known_ids,
    served_demo_of_its_own,
    tokens_create,
    verifies_run,
)

EXAMPLES = int(os.environ.get("MUTUA_FUZZ_EXAMPLES", "2"))
PHASES = os.environ.get("MUTUA_FUZZ_PHASES", "examples,fuzzing,stateful")
SEED = os.environ.get("MUTUA_FUZZ_SEED")  # unset: deterministic generation, the same every run


def _options() -> list[str]:
    return [
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",  # domain rules refuse schema-valid requests (module doc)
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES),
        # Deterministic generation keeps no examples between runs; with a seed, none are kept
        # either, so a run never depends on the one before.
        *(["--seed", SEED, "--generation-database", "none"] if SEED else []),
        *([] if SEED else ["--generation-deterministic"]),
        # Hypothesis' health checks judge how fast inputs are generated on a busy machine, not
        # the API; a slow CI runner must not fail the run for them.
        "--suppress-health-check",
        "all",
        "--workers",
        "2",
        "--request-timeout",
        "60",
    ]


def _summary(run: FuzzRun) -> str:
    counts = sorted(run.requests.values()) or [0]
    return (
        f"{run.who}: {sum(counts)} requests to {len(run.requests)} operations "
        f"({counts[0]} to {counts[-1]} per operation) in {run.seconds:.0f} s"
    )


def test_api_fuzzing_finds_no_server_error_no_schema_violation_and_leaves_the_books_clean(
    served_demo_env: dict[str, str], tmp_path: Path
) -> None:
    problems: list[str] = []
    started = time.monotonic()
    with served_demo_of_its_own(tmp_path, served_demo_env["DATABASE_URL"]) as served:
        served_after = time.monotonic() - started
        tokens = tokens_create(served.env, MEMBER, POWERFUL)
        granted = every_role_grant(served.base, tokens[POWERFUL], POWERFUL)
        with urllib.request.urlopen(served.base + f"{API}/openapi.json") as answer:  # noqa: S310
            schema = json.load(answer)
        known = ids_harvest(served.base, [tokens[POWERFUL], tokens[MEMBER]], schema)
        schema_file = tmp_path / "openapi-with-demo-ids.json"
        schema_file.write_text(json.dumps(schema_with_known_ids(schema, known)))
        ready_after = time.monotonic() - started

        runs = [
            fuzz(
                who=who,
                token=tokens[who],
                schema_file=schema_file,
                base=served.base,
                options=_options(),
                report=tmp_path / f"fuzz-{who}.ndjson",
            )
            for who in (MEMBER, POWERFUL)
        ]
        verifies_started = time.monotonic()
        verifies = verifies_run(served.env)
        verified_in = time.monotonic() - verifies_started

    print(f"\ndemo served after {served_after:.0f} s, ready to fuzz after {ready_after:.0f} s")
    print(f"{POWERFUL} was given {len(granted)} roles: {', '.join(granted)}")
    print(f"ids known before fuzzing: {sum(map(len, known.values()))} of {len(known)} kinds")
    for run in runs:
        print(_summary(run))
        if run.returncode != 0:
            problems.append(f"schemathesis as {run.who} failed:\n{run.output}")
        elif not run.requests:
            problems.append(f"schemathesis as {run.who} made no request:\n{run.output}")
    print(f"verifies took {verified_in:.0f} s")
    for name, (clean, said) in verifies.items():
        print(f"mutua {name}: {said.strip()}")
        if not clean:
            problems.append(f"`mutua {name}` after fuzzing found problems:\n{said}")
    if os.environ.get("MUTUA_FUZZ_COUNTS"):
        Path(os.environ["MUTUA_FUZZ_COUNTS"]).write_text(
            json.dumps({run.who: dict(sorted(run.requests.items())) for run in runs}, indent=1)
        )
    assert not problems, "\n\n".join(problems)


def test_no_two_api_schemas_share_a_name() -> None:
    """ninja files a schema in the OpenAPI components under its class name and silently keeps the
    last one of a name: two `LineOut`s made the published schema describe the ledger statement's
    lines with the co-op order's fields. Schemathesis found it by chance; this finds it always."""
    from ninja import Schema

    import mutua.api  # noqa: F401 (mounts every app's router, importing its schemas)

    def subclasses(cls: type) -> Iterator[type]:
        for subclass in cls.__subclasses__():
            yield subclass
            yield from subclasses(subclass)

    modules: dict[str, set[str]] = {}
    for schema in subclasses(Schema):
        if schema.__module__.startswith("mutua.") and ".tests" not in schema.__module__:
            modules.setdefault(schema.__name__, set()).add(schema.__module__)
    shared = {name: sorted(where) for name, where in modules.items() if len(where) > 1}
    assert not shared, f"schemas that share a name in the OpenAPI components: {shared}"


# What schemathesis found, kept as plain regression tests (in process, on the test database).


@pytest.fixture
def admin_token(town: Any) -> str:
    with community_scope(town.community.id):
        return api_token_create(member=town.admin, name="tests")[1]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[null, null]", "[]", "0", '"member"', "null"])
def test_a_body_that_is_not_a_json_object_is_refused_and_creates_nothing(
    client: Client, town: Any, admin_token: str, body: str
) -> None:
    # Every field of an invitation has a default: ninja took `[null, null]` for one and made it.
    answer = client.post(
        "/api/v1/invitations",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {admin_token}",
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "bad_request")
    with community_scope(town.community.id):
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_household_needs_that_are_not_an_object_are_refused(
    client: Client, town: Any, admin_token: str
) -> None:
    answer = client.post(
        "/api/v1/households",
        data={"name": "Park", "size": 2, "needs": [None, None]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {admin_token}",
    )
    assert answer.status_code == 422
    assert "needs" in answer.json()["fields"]


@pytest.mark.django_db
def test_a_multipart_body_without_its_boundary_is_a_400_not_a_500(
    client: Client, town: Any, admin_token: str
) -> None:
    answer = client.post(
        f"/api/v1/art/artworks/{uuid.uuid4()}/photos",
        data=b"image=1",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION=f"Bearer {admin_token}",
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "bad_request")


def test_every_date_and_time_the_api_takes_is_a_day_or_an_instant() -> None:
    """The database adapters convert a time to UTC, and `0001-01-01T00:00+17:56`, which parses, lies
    in year 0 there; a report window until 9999-12-31 overflows when it is widened to midnight. Both
    were 500s. `mutua.api.Day` and `Instant` refuse what `mutua.core.dates` calls implausible with a
    422; this finds any endpoint, body or query, that takes a plain `date` or `datetime`."""
    from pydantic import BaseModel, TypeAdapter
    from pydantic import ValidationError as Refused

    from mutua.api import api

    implausible = ["0001-01-01T00:00:00+17:56", "1899-12-31T12:00:00Z", "1899-12-31", "9999-12-31"]

    def fields(model: type[BaseModel], where: str) -> Iterator[tuple[str, Any]]:
        for name, field in model.model_fields.items():
            for inner in [field.annotation, *getattr(field.annotation, "__args__", ())]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    yield from fields(inner, f"{where}.{name}")
            yield f"{where}.{name}", field

    plain, checked = [], 0
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    for where, field in fields(model, f"{prefix}{path}"):
                        if "datetime.date" not in repr(field.annotation):
                            continue
                        checked += 1
                        annotation = field.annotation
                        if field.metadata:
                            annotation = Annotated[annotation, *field.metadata]  # type: ignore[assignment]
                        adapter = TypeAdapter(annotation)
                        for value in implausible:
                            try:
                                adapter.validate_python(value)
                            except Refused:
                                continue
                            plain.append(f"{where} takes {value}")
    assert checked >= 20, "the walk found too few dates to be walking the API"
    assert not plain, f"use mutua.api.Day or Instant: {plain}"
