"""The load scenario: members who pay, browse and ask for aid, and coordinators who work the pantry,
against a served demo community; and the step ramp that `bench/load.py` runs it with.

    .venv/bin/python bench/locustfile.py --host URL --members h1,h2,... --steps 10,20 --seconds 60
    MUTUA_LOAD_MEMBERS=h1,h2 .venv/bin/locust -f bench/locustfile.py --host URL Member Coordinator

Run it through `bench/load.py`, which builds the demo, gives the members below a password and
money, serves it with gunicorn and reads what this prints (the second line is for exploring by
hand in Locust's web page, against a demo so prepared). Locust patches the standard library
with gevent when it is imported, so this module only ever runs in a process of its own.

The scenario (weights are how often a user picks a task; each user waits `THINK_SECONDS` between
tasks, as someone reads a page):
- **Members** (9 users in 10): the dashboard (4), the wallet with its history (3), paying another
  member a few cents through the pay-link page and reading the receipt (2: three requests), the
  food co-op and its catalogue (2), the art gallery and one work's page (1), the public
  transparency page (1), their household's aid requests (1), and asking for aid, the standard box
  for pick-up, through the form (1). Writes are over-represented on purpose: a real member pays
  or asks far less than once a minute, and writes are what queue behind each other.
- **Coordinators** (1 in 10): the dashboard (2), stock (3), the request list (3), one request's
  history (2), the pick-up desk (1), the pantry's report (1). Allocation runs are left out: a
  pantry previews one a week, and `bench/aid.py` measures them.

Each user signs in through the login form (CSRF token and all) when it starts, then opens each of
its pages once, as someone looking around, which makes every kind of request appear in even the
shortest run, then picks tasks by weight. Members sign in as the handles of `--members` in turn
(several users may share one, as a person with two devices does); coordinators share the demo's
`coordinator`. Forms are filled in from the page's own fields, as a browser would send them, and
each POST must answer with the redirect that means success (anything else is a failure), which
is then followed as a request of its own: one measured request is one round trip.

The ramp (`main`): for each user count, the scenario's users start, sign in and look around;
then the statistics are reset and `--seconds` are measured; then the same number of
`StaticVisitor`s, who ask for one static file at the same pace (gunicorn, Django's WSGI handler
and WhiteNoise: the HTTP stack without Mutua), are measured the same way, so both sides share
the machine's moods. Sign-ins are measured apart: PBKDF2 makes each one slow on purpose, and a
person signs in once for many pages. One JSON line per step goes to standard output, and a last
line with every kind of request counted over the whole run (sign-ins, looking around and
warm-up included) and its failures.
"""

# Random choices are load, not secrets.
# ruff: noqa: S311

import argparse
import json
import os
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from itertools import count
from random import Random
from typing import Any

import gevent
from locust import FastHttpUser, between, events, task
from locust.env import Environment
from locust.stats import StatsEntry

DEMO_PASSWORD = "mutua-demo"  # noqa: S105 (the demo's published password)
COMMUNITY = "riverbend"
COORDINATOR = "coordinator"
THINK_SECONDS = (1.0, 5.0)
HELD_P95_MS = 200.0  # as bench/load.py's: the ramp stops after a step not held
SIGN_IN = "sign in"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

MEMBERS = [handle for handle in os.environ.get("MUTUA_LOAD_MEMBERS", "").split(",") if handle]
_member_turn = count()
_rng = Random(os.environ.get("MUTUA_LOAD_SEED", "1"))


# --- forms, as a browser sends them ---------------------------------------------------------------


class _Forms(HTMLParser):
    """The fields each `<form>` of a page would send as it stands: hidden and text inputs with
    their values, checked boxes, and each select's chosen option (its first, if none is)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({})
        elif not self.forms or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.forms[-1][a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self._select, self._chosen = a["name"], False

    def _option(self, a: dict[str, str]) -> None:
        assert self._select is not None
        if "selected" in a or self._select not in self.forms[-1]:
            if not self._chosen:
                self.forms[-1][self._select] = a.get("value", "")
            self._chosen = self._chosen or "selected" in a

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_with(page: str, field: str) -> dict[str, str]:
    """The fields of the page's form that has `field` (KeyError if none has)."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if field in form:
            return form
    raise KeyError(f"no form with a {field!r} field on the page")


def links(page: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({pattern})"', page)))


# --- users ----------------------------------------------------------------------------------------


class SignedIn(FastHttpUser):
    """A person with a browser session: signs in with the login form, then looks around."""

    abstract = True
    wait_time = between(*THINK_SECONDS)
    handle = ""

    def on_start(self) -> None:
        self.sign_in()
        for look in self.tour():
            look()
        Ramp.arrived += 1

    def tour(self) -> list[Callable[[], None]]:
        return [getattr(self, name) for name in sorted(self.tasks_named())]

    @classmethod
    def tasks_named(cls) -> list[str]:
        return [name for name, value in vars(cls).items() if hasattr(value, "locust_task_weight")]

    def sign_in(self) -> None:
        fields = form_with(self.page("/accounts/login/", "sign-in form"), "username")
        fields |= {"username": self.handle, "password": DEMO_PASSWORD}
        self.post_expecting_redirect("/accounts/login/", fields, SIGN_IN, "/dashboard/")

    def post_expecting_redirect(
        self, path: str, fields: dict[str, str], name: str, to: str
    ) -> str | None:
        """POST a form; success is the redirect to a path starting with `to`. Its target."""
        with self.client.post(
            path, data=fields, name=name, allow_redirects=False, catch_response=True
        ) as answer:
            target = answer.headers.get("Location", "") if answer.status_code == 302 else ""
            if not target.startswith(to):
                answer.failure(f"{answer.status_code}, not a redirect to {to}: {target}")
                return None
            return target

    def page(self, path: str, name: str) -> str:
        """GET a page; anything but 200 (a redirect to the sign-in page, say) is a failure."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")
            return answer.text or ""


class Member(SignedIn):
    weight = 9

    def on_start(self) -> None:
        members = MEMBERS or ["member"]
        self.handle = members[next(_member_turn) % len(members)]
        self.others = [h for h in members if h != self.handle] or ["merchant"]
        super().on_start()

    @task(4)
    def dashboard(self) -> None:
        self.page("/dashboard/member/", "member dashboard")

    @task(3)
    def wallet(self) -> None:
        self.page("/currency/wallet/", "wallet")

    @task(2)
    def pay(self) -> None:
        """A pay link for a few cents, as a QR code opens it, sent, then its receipt."""
        payee, cents = _rng.choice(self.others), _rng.randint(1, 99)
        path = f"/pay/{payee}/?amount=0.{cents:02}&memo=load"
        fields = form_with(self.page(path, "pay form"), "once")
        receipt = self.post_expecting_redirect(
            f"/pay/{payee}/", fields, "pay", "/currency/receipts/"
        )
        if receipt:
            self.page(receipt, "receipt")

    @task(2)
    def coop(self) -> None:
        catalogues = links(self.page("/coop/", "co-op"), rf"/coop/{UUID}/catalogue/")
        if catalogues:
            self.page(_rng.choice(catalogues), "catalogue")

    @task(1)
    def gallery(self) -> None:
        works = links(
            self.page(f"/art/c/{COMMUNITY}/", "gallery"), rf"/art/c/{COMMUNITY}/works/{UUID}/"
        )
        if works:
            self.page(_rng.choice(works), "artwork")

    @task(1)
    def transparency(self) -> None:
        self.page(f"/c/{COMMUNITY}/transparency/", "transparency")

    @task(1)
    def my_requests(self) -> None:
        self.page("/aid/requests/mine/", "my aid requests")

    @task(1)
    def ask_for_aid(self) -> None:
        """The standard box, for pick-up, through the "ask for aid" form."""
        fields = form_with(self.page("/aid/requests/new/", "aid form"), "fulfilment")
        fields |= {"box": "on", "fulfilment": "pick_up", "note": "load"}
        mine = self.post_expecting_redirect("/aid/requests/new/", fields, "ask for aid", "/aid/")
        if mine:
            self.page(mine, "my aid requests")


class Coordinator(SignedIn):
    weight = 1
    handle = COORDINATOR

    @task(2)
    def dashboard(self) -> None:
        self.page("/dashboard/coordinator/", "coordinator dashboard")

    @task(3)
    def stock(self) -> None:
        self.page("/aid/stock/", "stock")

    @task(3)
    def requests(self) -> None:
        self.page("/aid/requests/", "aid requests")

    @task(2)
    def request(self) -> None:
        found = links(
            self.page("/aid/requests/?status=new", "aid requests"), rf"/aid/requests/{UUID}/"
        )
        if found:
            self.page(_rng.choice(found[:50]), "aid request")

    @task(1)
    def pickups(self) -> None:
        self.page("/aid/pickups/", "pick-up desk")

    @task(1)
    def report(self) -> None:
        self.page("/aid/report/", "aid report")


class StaticVisitor(FastHttpUser):
    """The baseline: one static file at the scenario's pace. Gunicorn, Django's WSGI handler and
    WhiteNoise answer it; Mutua's views, templates and database do not."""

    wait_time = between(*THINK_SECONDS)

    path = ""  # the style sheet's hashed name, from `--static`

    def on_start(self) -> None:
        Ramp.arrived += 1

    @task
    def static(self) -> None:
        self.client.get(self.path, name="static file")


# --- every request of the run, counted ------------------------------------------------------------

REQUESTS: Counter[str] = Counter()
FAILURES: Counter[str] = Counter()
FIRST_ERRORS: dict[str, str] = {}


@events.request.add_listener
def _count(name: str, exception: BaseException | None, **_kwargs: Any) -> None:
    REQUESTS[name] += 1
    if exception is not None:
        FAILURES[name] += 1
        FIRST_ERRORS.setdefault(name, str(exception)[:300])


# --- the step ramp --------------------------------------------------------------------------------


class Ramp:
    """Runs the steps in one Locust environment in this process."""

    arrived = 0  # users signed in and done looking around, in this step

    def __init__(self, host: str, server_pid: int | None) -> None:
        self.env = Environment(
            user_classes=[Member, Coordinator, StaticVisitor], host=host, events=events
        )
        self.runner = self.env.create_local_runner()
        self.server_pid = server_pid
        self.sign_ins = StatsEntry(self.env.stats, SIGN_IN, "POST", use_response_times_cache=False)

    def measure(self, users: int, seconds: float, classes: list[type]) -> dict[str, Any]:
        Ramp.arrived = 0
        began = time.monotonic()
        # Sign-ins are slow on purpose (PBKDF2): people arrive over 5 seconds, not all at once.
        signing_in = any(issubclass(kind, SignedIn) for kind in classes)
        rate = max(1.0, users / 5) if signing_in else float(users)
        self.runner.start(users, spawn_rate=rate, user_classes=classes)
        while Ramp.arrived < users and time.monotonic() < began + 300 + users * 3:
            gevent.sleep(0.2)
        if Ramp.arrived < users:
            raise RuntimeError(f"only {Ramp.arrived} of {users} users signed in")
        signed_in = self.env.stats.entries.get((SIGN_IN, "POST"))
        if signed_in is not None:
            self.sign_ins.extend(signed_in)
        starting_failures = self.env.stats.total.num_failures
        self.env.stats.reset_all()
        before = Usage.now(self.server_pid)
        gevent.sleep(seconds)
        result = figures(self.env, before.until(Usage.now(self.server_pid)))
        self.runner.stop()
        return result | {
            "users": users,
            "start_seconds": round(time.monotonic() - began - seconds, 1),
            "start_failures": starting_failures,  # in signing in and looking around
        }


def figures(env: Environment, usage: dict[str, float]) -> dict[str, Any]:
    total, seconds = env.stats.total, usage["seconds"]
    kinds = sorted(
        (entry for entry in env.stats.entries.values() if entry.num_requests),
        key=lambda entry: -entry.num_requests,
    )
    return {
        "requests_per_s": round(total.num_requests / seconds, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "max_ms": round(total.max_response_time or 0),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "errors": [f"{e.name}: {e.error}" for e in list(env.stats.errors.values())[:3]],
        "p95_ms_by_kind": {e.name: e.get_response_time_percentile(0.95) for e in kinds},
        "requests_by_kind": {e.name: e.num_requests for e in kinds},
    } | usage


class Usage:
    """CPU time used so far: by this process (Locust), by the server (gunicorn's master and its
    workers), and by the whole machine (every process, others' included)."""

    def __init__(self, at: float, locust: float, server: float, busy: float, total: float) -> None:
        self.at, self.locust, self.server, self.busy, self.total = at, locust, server, busy, total

    @classmethod
    def now(cls, server_pid: int | None) -> "Usage":
        own = resource.getrusage(resource.RUSAGE_SELF)
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
        idle = ticks[3] + ticks[4]  # idle and iowait
        tick = os.sysconf("SC_CLK_TCK")
        server = sum(process_cpu(pid) for pid in family(server_pid)) if server_pid else 0.0
        return cls(
            time.monotonic(),
            own.ru_utime + own.ru_stime,
            server,
            (sum(ticks) - idle) / tick,
            sum(ticks) / tick,
        )

    def until(self, later: "Usage") -> dict[str, float]:
        seconds = later.at - self.at
        return {
            "seconds": round(seconds, 2),
            "locust_cpu_cores": round((later.locust - self.locust) / seconds, 2),
            "server_cpu_cores": round((later.server - self.server) / seconds, 2),
            "machine_busy": round(
                (later.busy - self.busy) / max(later.total - self.total, 1e-9), 2
            ),
            "load_1min": os.getloadavg()[0],
        }


def family(pid: int) -> list[int]:
    """`pid` and its children (gunicorn's workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [pid, *(int(child) for child in children.read().split())]
    except OSError:
        return []


def process_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # a worker that has just been replaced
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def held(step: dict[str, Any]) -> bool:
    return step["failures"] == step["start_failures"] == 0 and step["p95_ms"] < HELD_P95_MS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--members", required=True, help="handles the members sign in as")
    parser.add_argument("--steps", default="10,20,40", help="user counts, in order")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured per step and side")
    parser.add_argument("--static", required=True, help="a static file's path, the baseline's")
    parser.add_argument("--server-pid", type=int, help="gunicorn's master, for its CPU time")
    parser.add_argument("--all-steps", action="store_true", help="go on after a step not held")
    args = parser.parse_args()
    MEMBERS[:] = args.members.split(",")
    StaticVisitor.path = args.static
    ramp = Ramp(args.host, args.server_pid)
    for users in (int(n) for n in args.steps.split(",")):
        print(f"load: {users} users", file=sys.stderr, flush=True)
        step = ramp.measure(users, args.seconds, [Member, Coordinator])
        baseline = ramp.measure(users, args.seconds, [StaticVisitor])
        print(json.dumps({"step": users, "mutua": step, "baseline": baseline}), flush=True)
        if not held(step) and not args.all_steps:
            break
    sign_ins = ramp.sign_ins
    print(
        json.dumps(
            {
                "think_seconds": list(THINK_SECONDS),
                "requests_by_kind": dict(sorted(REQUESTS.items())),
                "failures_by_kind": {name: n for name, n in sorted(FAILURES.items()) if n},
                "first_error_by_kind": FIRST_ERRORS,
                "sign_in": {
                    "count": sign_ins.num_requests,
                    "p50_ms": sign_ins.get_response_time_percentile(0.5),
                    "p95_ms": sign_ins.get_response_time_percentile(0.95),
                },
            }
        ),
        flush=True,
    )
    ramp.runner.quit()


if __name__ == "__main__":
    main()
