"""How many people Mutua serves at once: the users and requests per second a served demo holds with
a 95th percentile under 200 ms and no errors, next to the HTTP stack alone measured in the same run.
A benchmark to run by hand (the long run), and, with `--quick`, the short run CI makes.

    .venv/bin/python bench/load.py [--only sqlite|postgres] [--postgres URL] [--steps 10,20,...]
                                   [--seconds 60] [--workers 3] [--quick]
                                   [--demo-database URL --demo-home DIR]

Prints one JSON line per database on standard output (progress goes to standard error):
- `sqlite_load`: the demo on a temporary SQLite file (WAL, as Mutua always opens it);
- `postgres_load`: the demo on a new database on the server of `--postgres` (default
  `$DATABASE_URL`), dropped afterwards, also when stopped with SIGTERM.

Each database gets `mutua migrate`, `mutua demo` and `mutua collectstatic`, then the load cast:
`MEMBERS` of the demo's household members (none of the demo's own logins) are given the demo
password, a wallet if they have none, and 500 dollars exchanged in at the credit union's desk, so
that paying a few cents back and forth never runs one dry. Gunicorn then serves it as production
does (`docs/operations.md`: sync workers, `--workers 3` by default, DEBUG off, static files by
WhiteNoise) on a free port, and the scenario of `bench/locustfile.py` runs against it in a process
of its own, one step of users after another, each step followed by its baseline (the same number
of users asking for a static file at the same pace). The ramp stops after the first step that is
not held. Afterwards `mutua ledger verify` and `mutua aid verify` must pass on the database.

`--quick` is the CI run: one step of 6 users measured for 4 seconds a side; it shows that every
kind of request of the scenario works under concurrency, and says nothing about speed.
`--demo-database URL --demo-home DIR` serve a database that holds the demo already (the test's
copy of the served demo's) with the MUTUA_HOME its static files were collected in, instead of
building one; only the load cast is added to it.

The figure reported for a database, `users_held` and `requests_per_s_held`, is the last step
whose 95th percentile over every request of the measured seconds is under `HELD_P95_MS` with no
failure; `steps` has every step's figures beside its baseline's, the CPU used by Locust (one
process, gevent), by gunicorn's workers, and by the whole machine (others' work included), to
judge how quiet the run was.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ledger import emit, in_django, log, postgres_database

from mutua.core.tests.databases import mutua_env, run_mutua

BENCH = Path(__file__).resolve().parent
MEMBERS = 20  # household members who sign in and pay each other
FUNDING_CENTS = 50_000  # 500 dollars, in cents, exchanged into each one's wallet
STEPS = "10,20,30,40,60,80,100,130,160,200"
HELD_P95_MS = 200.0  # the bar, with no failure
QUICK_STEPS, QUICK_SECONDS = "6", 4.0


# --- the database ---------------------------------------------------------------------------------


def load_cast(members: int, *, start: Callable[[], float]) -> list[str]:
    """Gives `members` of the demo's household members the demo password, a wallet and money;
    their handles. Runs inside Django, on the served database."""
    from django.db import transaction

    from mutua.community.demo import LOGINS
    from mutua.community.models import Community, Member
    from mutua.core.ids import new_id
    from mutua.core.tenancy import community_scope
    from mutua.currency import selectors, services

    community = Community.objects.get(slug="riverbend")
    demo_login = Member.objects.get(community=community, handle="member")  # has the demo's hash
    with community_scope(community.id), transaction.atomic():
        officer = Member.objects.get(community=community, handle="officer")
        currency = selectors.currency_of(community)
        cast = list(
            Member.objects.filter(community=community, household__isnull=False, is_active=True)
            .exclude(handle__in=[login.handle for login in LOGINS])
            .order_by("handle")[:members]
        )
        for member in cast:
            member.password = demo_login.password
            member.save(update_fields=["password"])
            wallet = selectors.wallet_of(currency=currency, member=member)
            if wallet is None:
                wallet = services.wallet_open(currency=currency, officer=officer, member=member)
            services.exchange_in(
                currency=currency,
                officer=officer,
                account=wallet,
                dollars=FUNDING_CENTS,
                id=new_id(),
            )
    start()
    return [member.handle for member in cast]


def demo_built(env: dict[str, str]) -> list[str]:
    began = time.monotonic()
    run_mutua("migrate", "--no-input", "-v", "0", env=env)
    run_mutua("demo", "--force", env=env)
    run_mutua("collectstatic", "--noinput", "-v", "0", env=env)
    cast = in_django(env, load_cast, MEMBERS)
    log(f"demo built and {len(cast)} members funded in {time.monotonic() - began:.0f} s")
    return cast


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log_path: Path) -> Iterator[tuple[str, int]]:
    """The demo served as in production; yields its address and the master's process id."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "mutua.wsgi", "-b", f"127.0.0.1:{port}"]
    with open(log_path, "w") as server_log:
        server = subprocess.Popen(  # noqa: S603 (our own command line)
            [*command, "--workers", str(workers)],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield serving(f"http://127.0.0.1:{port}", server), server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)


def serving(base: str, server: subprocess.Popen[bytes]) -> str:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped before serving")
        try:
            urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 (our own server)
            return base
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn at {base} did not start")


# --- the ramp -------------------------------------------------------------------------------------


def ramp(
    base: str, pid: int, cast: list[str], args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Runs `locustfile.py`'s ramp in its own process; its steps, and its whole-run counts."""
    command = [
        *(sys.executable, str(BENCH / "locustfile.py"), "--host", base),
        *("--members", ",".join(cast), "--steps", args.steps, "--seconds", str(args.seconds)),
        *("--server-pid", str(pid), "--static", style_sheet(base)),
        *(["--all-steps"] if args.all_steps else []),
    ]
    done = subprocess.run(  # noqa: S603 (our own command line)
        command,
        capture_output=True,
        text=True,
        timeout=3600 * 3,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load run failed:\n{done.stderr[-4000:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return lines[:-1], lines[-1]


def style_sheet(base: str) -> str:
    """The path of the style sheet the pages link to (its name carries its hash)."""
    with urllib.request.urlopen(base + "/accounts/login/", timeout=10) as page:  # noqa: S310
        found = re.search(r'href="(/static/[^"]+\.css)"', page.read().decode())
    if found is None:
        raise RuntimeError("the sign-in page links no style sheet")
    return found.group(1)


def step_held(figures: dict[str, Any]) -> bool:
    no_failure = figures["failures"] == figures["start_failures"] == 0
    return no_failure and figures["p95_ms"] < HELD_P95_MS


def summary(
    name: str, steps: list[dict[str, Any]], run: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    held = [s for s in steps if step_held(s["mutua"])]
    best = held[-1]["mutua"] if held else None
    return {
        "name": name,
        "users_held": best["users"] if best else 0,
        "requests_per_s_held": best["requests_per_s"] if best else 0,
        "p95_ms_held": best["p95_ms"] if best else None,
        "target_p95_ms": HELD_P95_MS,
        "baseline": "the same users at the same pace, each asking for one static file "
        "(gunicorn, Django's WSGI handler, WhiteNoise)",
        "workers": args.workers,
        "think_seconds": run["think_seconds"],
        "steps": [compact(s) for s in steps],
        "sign_in": run["sign_in"],
        "requests_by_kind": run["requests_by_kind"],
        "failures_by_kind": run["failures_by_kind"],
        "first_error_by_kind": run["first_error_by_kind"],
        "verified": "mutua ledger verify, mutua aid verify",
    }


def compact(step: dict[str, Any]) -> dict[str, Any]:
    """A step's figures for the summary line: Mutua's, then the baseline's under `baseline_`."""
    ours, theirs = step["mutua"], step["baseline"]
    keys = ("requests_per_s", "p50_ms", "p95_ms", "p99_ms", "failures")
    return (
        {"users": step["step"]}
        | {key: ours[key] for key in (*keys, "start_failures", "requests", "errors")}
        | {"p95_ms_by_kind": ours["p95_ms_by_kind"]}
        | {f"baseline_{key}": theirs[key] for key in keys}
        | {key: ours[key] for key in ("locust_cpu_cores", "server_cpu_cores", "machine_busy")}
        | {"baseline_server_cpu_cores": theirs["server_cpu_cores"], "load_1min": ours["load_1min"]}
    )


def bench(
    name: str, database_url: str, home: Path, folder: Path, args: argparse.Namespace
) -> dict[str, Any]:
    env = mutua_env(home, database_url, MUTUA_ALLOWED_HOSTS="127.0.0.1")
    cast = in_django(env, load_cast, MEMBERS) if args.demo_database else demo_built(env)
    server_log = folder / f"{name}-gunicorn.log"
    with gunicorn(env, args.workers, server_log) as (base, pid):
        log(f"{name}: steps {args.steps} users, {args.seconds:g} s each, at {base}")
        steps, run = ramp(base, pid, cast, args)
    if run["failures_by_kind"]:
        log(f"{name}: failures {run['failures_by_kind']}; the server's log ends:")
        log("\n".join(server_log.read_text().splitlines()[-60:]))
    run_mutua("ledger", "verify", env=env)
    run_mutua("aid", "verify", env=env)
    return summary(name, steps, run, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--postgres", help="server URL (default: $DATABASE_URL)")
    parser.add_argument("--steps", default=STEPS, help=f"user counts, in order ({STEPS})")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured per step and side")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn's sync workers (3)")
    parser.add_argument("--all-steps", action="store_true", help="go on after a step not held")
    parser.add_argument("--quick", action="store_true", help="the CI run: one short small step")
    parser.add_argument("--demo-database", help="a database that holds the demo already ...")
    parser.add_argument("--demo-home", type=Path, help="... and its MUTUA_HOME (static files)")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.seconds = QUICK_STEPS, QUICK_SECONDS
    # Interrupted by a signal, unwind so that the server stops and the databases are dropped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    server = args.postgres or os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="mutua-load-") as tmp:
        folder = Path(tmp)
        if args.demo_database:
            kind = "postgres" if args.demo_database.startswith("postg") else "sqlite"
            emit(bench(f"{kind}_load", args.demo_database, args.demo_home, folder, args))
            return
        if "postgres" in (args.only or ["postgres"]):
            if server.startswith("postg"):
                with postgres_database(server, "load") as url:
                    emit(bench("postgres_load", url, folder / "pg", folder, args))
            else:
                log("no PostgreSQL: give --postgres URL or set DATABASE_URL")
        if "sqlite" in (args.only or ["sqlite"]):
            url = f"sqlite:///{folder / 'load.sqlite3'}"
            emit(bench("sqlite_load", url, folder / "sqlite", folder, args))


if __name__ == "__main__":
    main()
