"""The load scenario works: `bench/load.py --quick` serves a copy of the served demo with gunicorn,
as production does, and runs `bench/locustfile.py`'s members and coordinators against it in a
process of their own (Locust patches the standard library with gevent, so it never runs in the
test's process). Six users at once sign in, pay each other, browse, ask for aid and work the
pantry; every kind of request of the scenario must have been made, and none may have failed, and
the ledger and the pantry must verify afterwards (the script runs `mutua ledger verify` and `mutua
aid verify`).

How fast it goes is the benchmark's to report (`docs/reliability.md`, `bench/README.md`), never a
test's to assert: this machine's speed changes with whatever else runs on it.
"""

import json
import subprocess
import sys
from pathlib import Path

from mutua.core.tests.databases import child_environ, database_copy

BENCH = Path(__file__).resolve().parents[4] / "bench"

# Every request the scenario makes, by its name in Locust's statistics.
SCENARIO = {
    "sign-in form",
    "sign in",
    # members
    "member dashboard",
    "wallet",
    "pay form",
    "pay",
    "receipt",
    "co-op",
    "catalogue",
    "gallery",
    "artwork",
    "transparency",
    "my aid requests",
    "aid form",
    "ask for aid",
    # coordinators
    "coordinator dashboard",
    "stock",
    "aid requests",
    "aid request",
    "pick-up desk",
    "aid report",
    # the baseline
    "static file",
}


def test_every_kind_of_request_of_the_scenario_succeeds_under_load(
    served_demo_env: dict[str, str], tmp_path: Path
) -> None:
    with database_copy(served_demo_env["DATABASE_URL"], tmp_path) as url:
        done = subprocess.run(
            [
                sys.executable,
                str(BENCH / "load.py"),
                "--quick",
                *("--demo-database", url, "--demo-home", served_demo_env["MUTUA_HOME"]),
            ],
            env=child_environ(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.splitlines()[-1])
    made = {kind for kind, count in result["requests_by_kind"].items() if count > 0}
    assert made == SCENARIO, f"missing: {SCENARIO - made}, unexpected: {made - SCENARIO}"
    assert result["failures_by_kind"] == {}
    [step] = result["steps"]
    assert step["users"] == 6
    assert step["requests"] > 0
    assert step["failures"] == step["start_failures"] == step["baseline_failures"] == 0
    assert result["sign_in"]["count"] == 6
