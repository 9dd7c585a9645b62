"""The world the API fuzzer runs in, and the pieces of the run: a served demo, personal tokens, the
published schema taught the demo's real ids, schemathesis' command line, and the verifies after.

Design:
- The fuzzer talks HTTP to gunicorn serving a copy of the served demo's database (never the
  `served_demo` the browser tests walk, which the fuzzer would change under them), in production
  settings. So every request commits or rolls back for real: the ledger's deferred checks run at
  COMMIT, as they do in production, which an in-process run inside a test transaction would skip.
- Two identities: the demo's `member`, to whom most writes are refused, and its `admin` given
  every other role (each in one organization it fits) through the API itself (`POST
  /members/admin/roles`), so one run reaches the coordinator's, officer's, co-op's, steward's,
  educator's, CLT's, merchant's and artist's endpoints too.
- Random UUIDs only ever reach the 404 branch. Before fuzzing, every GET that needs no id, then
  every GET whose ids are then known, is asked once; each id in the answers is filed under the
  kind of object it names (the list it came from, or the field that holds it). Each UUID path or
  query parameter's schema becomes `anyOf: [{enum: known ids}, <its schema>]`: the fuzzer picks
  real objects or random ids. Only requests change: responses are checked against the schema
  exactly as the server publishes it.
- Never fed real ids (`NEVER_REAL`), because one success would change who the fuzzer is for the
  rest of the run: removing a membership (it could be the fuzzing identity's own role), and
  carrying out a deletion request (it erases a member's personal details; the `member` identity
  may have asked for it while being fuzzed). Both are still fuzzed, with random ids.
"""

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutua.community.roles import ROLE_ORGANIZATION_KINDS, Role
from mutua.core.tests.databases import child_environ, database_copy, mutua_env, run_mutua

API = "/api/v1"
POWERFUL = "admin"  # the demo's admin, who is then given every other role
MEMBER = "member"
NEVER_REAL = frozenset(
    {
        ("DELETE", f"{API}/memberships/{{membership_id}}"),
        ("POST", f"{API}/privacy/deletion-requests/{{request_id}}/carry-out"),
    }
)
IDS_PER_KIND = 20
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
VERIFIES = (("ledger", "verify"), ("audit", "verify"), ("aid", "verify"), ("art", "verify"))


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:PORT
    env: dict[str, str]  # to run `mutua` on the served database


@contextmanager
def served_demo_of_its_own(home: Path, demo_url: str) -> Iterator[Served]:
    """A copy of the demo database at `demo_url`, served by gunicorn (2 workers, DEBUG off) as in
    production, static files collected: schemathesis also probes paths outside the API, answered
    by pages."""
    with database_copy(demo_url, home) as database_url:
        env = mutua_env(home, database_url, MUTUA_ALLOWED_HOSTS="127.0.0.1,localhost")
        run_mutua("collectstatic", "--noinput", "-v", "0", env=env)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with open(home / "gunicorn.log", "w") as log:
            command = [sys.executable, "-m", "gunicorn", "mutua.wsgi", "-b", base[7:], "-w", "2"]
            server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_for(base + f"{API}/openapi.json")
                yield Served(base=base, env=env)
            finally:
                server.terminate()
                server.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own server)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the fuzzing server did not answer {url}")


_TOKENS = """
import json
from mutua.community.models import Member
from mutua.community.services import api_token_create
handles = {handles!r}
print(json.dumps({{h: api_token_create(member=Member.objects.get(handle=h), name="fuzz")[1]
                  for h in handles}}))
"""


def tokens_create(env: dict[str, str], *handles: str) -> dict[str, str]:
    """One personal token per handle, in one process (each `mutua token create` starts Django)."""
    printed = run_mutua("shell", "-v", "0", "-c", _TOKENS.format(handles=handles), env=env)
    return dict(json.loads(printed.strip().splitlines()[-1]))


def ask(base: str, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        status, raw = refused.code, refused.read()
    return status, json.loads(raw) if raw else None


def every_role_grant(base: str, token: str, handle: str) -> list[str]:
    """Give `handle` every role, each in the first organization (by short name) it fits, through
    the API; returns the roles granted, as `role@organization`."""
    status, organizations = ask(base, token, "GET", f"{API}/organizations")
    assert status == 200, organizations
    by_slug = sorted(organizations, key=lambda organization: organization["slug"])
    wanted: list[tuple[Role, str | None]] = [(Role.ARTIST, None), (Role.INVESTOR, None)]
    for role, kinds in ROLE_ORGANIZATION_KINDS.items():
        fitting = [o["slug"] for o in by_slug if o["kind"] in kinds]
        wanted += [(role, fitting[0])] if fitting else []
    granted = []
    for role, organization in wanted:
        body = {"role": role.value, "organization": organization}
        status, answer = ask(base, token, "POST", f"{API}/members/{handle}/roles", body)
        assert status == 201, (role, organization, answer)
        granted.append(f"{role.value}@{organization or 'community'}")
    return granted


# --- teaching the schema the demo's ids ----------------------------------------------------------


def _singular(segment: str) -> str:
    word = segment.replace("-", "_")
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _app(path: str) -> str:
    return path.removeprefix(API + "/").split("/")[0]


def _kind_of_answer(path: str) -> str:
    """The kind of the objects a GET answers with: its last segment that names objects
    (`/aid/requests/mine` → request, `/ledger/accounts/{id}/transfers` → transfer)."""
    static = [s for s in path.split("/") if s and not s.startswith("{") and s != "mine"]
    return _singular(static[-1])


Known = dict[tuple[str, str], list[str]]


def _file(known: Known, app: str, kind: str, value: str) -> None:
    ids = known.setdefault((app, kind), [])
    if value not in ids and len(ids) < IDS_PER_KIND:
        ids.append(value)


def _harvest(known: Known, app: str, kind: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _harvest(known, app, kind, item)
    elif isinstance(value, dict):
        if isinstance(value.get("id"), str):
            _file(known, app, kind, value["id"])
        if isinstance(value.get("handle"), str):
            _file(known, app, "handle", value["handle"])
        for key, inner in value.items():
            if key == "id":
                continue
            if isinstance(inner, str) and UUID.match(inner):
                _file(known, app, key, inner)
            elif isinstance(inner, list | dict):
                _harvest(known, app, _singular(key), inner)


def _parameter_kinds(path: str, parameter: dict[str, Any]) -> list[str]:
    """Where to look for a parameter's ids: the kind the path names right before it, then its own
    name (`/coop/cycles/{cycle_id}` → cycle; `/currency/accounts/{account_id}` → account)."""
    name = parameter["name"]
    kinds = []
    segments = path.split("/")
    if parameter["in"] == "path" and f"{{{name}}}" in segments:
        before = segments[segments.index(f"{{{name}}}") - 1]
        kinds.append(_singular(before))
    kinds.append(name.removesuffix("_id"))
    return kinds


def _known_ids(known: Known, path: str, parameter: dict[str, Any]) -> list[str]:
    app = _app(path)
    for kind in _parameter_kinds(path, parameter):
        if (app, kind) in known:
            return known[(app, kind)]
    for kind in _parameter_kinds(path, parameter):
        for (_, filed_kind), ids in sorted(known.items()):
            if filed_kind == kind:
                return ids
    return []


def _takes_ids(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    return schema.get("format") == "uuid" or parameter["name"] == "handle"


def _gets(schema: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (path, operations["get"].get("parameters", []))
        for path, operations in schema["paths"].items()
        if "get" in operations
    ]


def ids_harvest(base: str, tokens: list[str], schema: dict[str, Any]) -> Known:
    """Ask every GET that needs no id, then every GET whose path ids are known by then (with two
    of each), as each identity; file every id in the answers."""
    known: Known = {}
    for round_ in (1, 2):
        for path, parameters in _gets(schema):
            in_path = [p for p in parameters if p["in"] == "path"]
            if (round_ == 1) == bool(in_path):
                continue
            for filled in _fillings(known, path, in_path):
                for token in tokens:
                    status, answer = ask(base, token, "GET", filled)
                    if status == 200:
                        _harvest(known, _app(path), _kind_of_answer(path), answer)
    return known


def _fillings(known: Known, path: str, in_path: list[dict[str, Any]]) -> list[str]:
    if not in_path:
        return [path]
    choices = [_known_ids(known, path, p)[:2] for p in in_path]
    if not all(choices):
        return []
    return [
        path.replace(f"{{{in_path[0]['name']}}}", first).replace(
            f"{{{in_path[-1]['name']}}}", choices[-1][min(i, len(choices[-1]) - 1)]
        )
        for i, first in enumerate(choices[0])
    ]


def schema_with_known_ids(schema: dict[str, Any], known: Known) -> dict[str, Any]:
    """A copy of `schema` whose id parameters also offer the known ids (see the module doc)."""
    taught = json.loads(json.dumps(schema))
    for path, operations in taught["paths"].items():
        for method, operation in operations.items():
            if (method.upper(), path) in NEVER_REAL:
                continue
            for parameter in operation.get("parameters", []):
                ids = _known_ids(known, path, parameter) if _takes_ids(parameter) else []
                if ids:
                    parameter["schema"] = {"anyOf": [{"enum": ids}, parameter["schema"]]}
    return taught


# --- the run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FuzzRun:
    who: str
    returncode: int
    output: str
    seconds: float
    requests: Counter[str]  # "METHOD /path" → requests made


def fuzz(
    *, who: str, token: str, schema_file: Path, base: str, options: list[str], report: Path
) -> FuzzRun:
    """`st run` on the taught schema as one identity, with `api_fuzz_hooks`; its own report is
    parsed for the counts."""
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        str(schema_file),
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--no-color",
        *options,
    ]
    started = time.monotonic()
    env = {**child_environ(), "SCHEMATHESIS_HOOKS": "mutua.web.tests.api_fuzz_hooks"}
    done = subprocess.run(
        command,
        cwd=report.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return FuzzRun(
        who=who,
        returncode=done.returncode,
        output=done.stdout + done.stderr,
        seconds=time.monotonic() - started,
        requests=requests_per_operation(report),
    )


def requests_per_operation(report: Path) -> Counter[str]:
    """Requests made per operation ("POST /api/v1/aid/requests"), from schemathesis' NDJSON events:
    each finished scenario is one operation's (its probes with undeclared methods included), or the
    stateful phase's sequences, counted as "Stateful tests"."""
    counts: Counter[str] = Counter()
    if not report.exists():
        return counts
    for line in report.read_text().splitlines():
        recorder = json.loads(line).get("ScenarioFinished", {}).get("recorder", {})
        if recorder.get("interactions"):
            counts[recorder["label"]] += len(recorder["interactions"])
    return counts


_VERIFIES = """
import io, json
from django.core.management import call_command
from django.core.management.base import CommandError
done = {{}}
for args in {verifies!r}:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=out)
        done[" ".join(args)] = [True, out.getvalue()]
    except CommandError as error:
        done[" ".join(args)] = [False, out.getvalue() + str(error)]
print(json.dumps(done))
"""


def verifies_run(env: dict[str, str]) -> dict[str, tuple[bool, str]]:
    """`mutua ledger|audit|aid|art verify`, the same commands in one process (each `mutua` run
    starts Django, which costs more than a verify of the demo): name → (clean, what it said)."""
    printed = run_mutua("shell", "-v", "0", "-c", _VERIFIES.format(verifies=VERIFIES), env=env)
    return {name: (ok, said) for name, (ok, said) in json.loads(printed.splitlines()[-1]).items()}
