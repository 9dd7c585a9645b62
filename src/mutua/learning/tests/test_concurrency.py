"""Several processes registering for one session at once never overfill it.

Each worker process registers its own members (singles and pairs, joining the waitlist when the
session is full) and cancels some of them, all at the same time as the others. The service locks
the session's row before it counts seats: PostgreSQL queues the writers on that lock, SQLite
serialises them (`BEGIN IMMEDIATE`). Afterwards the seats held never exceed the capacity, every
seat freed went to someone waiting who fits, and every registration a worker was told it got is
in the books.
"""

import json
import subprocess
import sys

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database

WORKERS = 4
EACH = 6
CAPACITY = 7

SET_UP = """
import django, json, sys
from datetime import timedelta
django.setup()
from django.utils import timezone
from mutua.community.roles import OrganizationKind, Role
from mutua.community.tests.factories import CommunityFactory, OrganizationFactory, member_with
from mutua.core.tenancy import community_scope
from mutua.learning import services
community = CommunityFactory(slug="race")
with community_scope(community.id):
    school = OrganizationFactory(community=community, kind=OrganizationKind.SCHOOL, slug="school")
    educator = member_with(Role.EDUCATOR, community=community, organization=school, handle="edu")
    program = services.program_create(
        actor=educator, organization=school, kind="cooking", title="Soup"
    )
    starts = timezone.now() + timedelta(days=2)
    session = services.session_create(actor=educator, program=program, plan=services.SessionPlan(
        starts_at=starts, ends_at=starts + timedelta(hours=2), place="Kitchen",
        capacity=int(sys.argv[1]), instructor=educator))
    handles = [
        [member_with(Role.MEMBER, community=community, handle=f"w{w}p{i}").handle
         for i in range(int(sys.argv[3]))]
        for w in range(int(sys.argv[2]))
    ]
print(json.dumps({"community": str(community.id), "session": str(session.id), "handles": handles}))
"""

WORKER = """
import django, json, sys
django.setup()
from mutua.community.models import Member
from mutua.core.errors import MutuaError
from mutua.core.tenancy import community_scope
from mutua.learning import services
from mutua.learning.models import Session
setup = json.loads(sys.argv[1])
worker = int(sys.argv[2])
told = []
with community_scope(setup["community"]):
    session = Session.objects.get(pk=setup["session"])
    for i, handle in enumerate(setup["handles"][worker]):
        member = Member.objects.get(handle=handle)
        seats = 2 if (i + worker) % 3 == 0 else 1
        mine = services.registration_create(
            actor=member, session=session, seats=seats, waitlist=True)
        told.append([str(mine.pk), mine.status])
        if i % 4 == 3:
            services.registration_cancel(actor=member, registration=mine)
            told[-1][1] = "cancelled"
print(json.dumps(told))
"""

CHECK = """
import django, json, sys
django.setup()
from django.db.models import Sum
from mutua.core.tenancy import community_scope
from mutua.learning.models import Registration, Session
setup = json.loads(sys.argv[1])
with community_scope(setup["community"]):
    session = Session.objects.get(pk=setup["session"])
    rows = Registration.objects.filter(session=session)
    held = rows.filter(status__in=["registered", "offered"]).aggregate(n=Sum("seats"))["n"] or 0
    waiting = [r.seats for r in rows.filter(status="waiting")]
    statuses = {str(r.pk): r.status for r in rows}
print(json.dumps({"held": held, "capacity": session.capacity, "waiting": waiting,
                  "statuses": statuses}))
"""


def _python(script: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_concurrent_registrations_never_overfill_a_session(tmp_path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        setup = _python(SET_UP, str(CAPACITY), str(WORKERS), str(EACH), env=env).strip()
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, setup, str(w)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for w in range(WORKERS)
        ]
        told: list[list[str]] = []
        for worker in workers:
            out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err
            told += json.loads(out)
        state = json.loads(_python(CHECK, setup, env=env))

    assert state["held"] <= state["capacity"] == CAPACITY
    free = state["capacity"] - state["held"]
    assert all(seats > free for seats in state["waiting"])  # no free seat left idle
    assert len(told) == WORKERS * EACH == len(state["statuses"])
    for registration_id, status in told:
        if status == "cancelled":
            assert state["statuses"][registration_id] == "cancelled"
    assert state["held"] >= CAPACITY - 1  # more people asked than there are seats
