"""The demo's month of workshops: programs of all four kinds, past sessions with attendance,
credits and instructors' fees paid through the ledger, upcoming ones with registrations and a
waitlist, and a second run that writes nothing. The full `mutua demo` runs once for the module
inside a transaction that is rolled back afterwards."""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from mutua.community.models import Community
from mutua.core.tenancy import community_scope
from mutua.learning import demo, services
from mutua.learning.models import Attendance, Payout, Program, Registration, Session
from mutua.ledger.models import Transfer


@pytest.fixture(scope="module")
def riverbend(django_db_setup: None, django_db_blocker) -> Iterator[Community]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--force", stdout=StringIO())
        yield Community.objects.get(slug="riverbend")
        transaction.set_rollback(True)


@pytest.fixture
def town(riverbend: Community, db: None) -> Iterator[Community]:
    with community_scope(riverbend.id):
        yield riverbend


def test_the_demo_has_a_month_of_workshops(town) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    assert sorted(Program.objects.values_list("kind", flat=True)) == sorted(
        ["cooking", "nutrition", "health", "growing"]
    )
    assert Session.objects.count() == len(demo.SESSIONS)
    past = Session.objects.filter(ends_at__lt=now)
    # this week's sessions checked in today, older ones of programs without a credit at their door
    assert Attendance.objects.filter(session__in=past).count() >= 12
    credits = Payout.objects.filter(kind="attendance")
    assert credits.exists()
    assert Transfer.objects.filter(pk__in=credits.values("transfer_id")).count() == credits.count()
    assert Payout.objects.filter(kind="instructor").exists()
    upcoming = Session.objects.filter(starts_at__gt=now)
    assert Registration.objects.filter(session__in=upcoming, status="waiting").exists()
    assert Registration.objects.filter(session__in=upcoming, status="offered").exists()
    assert Registration.objects.filter(member__handle="member", session__in=upcoming).exists()
    for session in Session.objects.all():
        assert services.seats_held(session) <= session.capacity


def test_a_second_demo_run_writes_no_workshops(town) -> None:  # type: ignore[no-untyped-def]
    before = Registration.objects.count()
    call_command("demo", "--force", stdout=StringIO())
    assert Registration.objects.count() == before
