"""The demo's pantry: twelve weeks of history written through the aid services, and today's work
waiting on every page. The full `mutua demo` runs once for the module inside a transaction that is
rolled back afterwards."""

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from mutua.aid.models import (
    AidRequest,
    AllocationRun,
    DeliveryRoute,
    HoursLog,
    Intake,
    StockMovement,
)
from mutua.aid.reports import aid_report
from mutua.aid.selectors import expired_levels, levels_verify, low_stock_alerts
from mutua.community.models import Community, Member
from mutua.core.tenancy import community_scope


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


def test_the_demo_pantry_has_history_that_verifies(town):
    assert AllocationRun.objects.filter(status="committed").count() >= 10
    assert StockMovement.objects.filter(kind="distribute").count() > 100
    assert AidRequest.objects.filter(status="fulfilled").count() > 50
    # the aid group's purchase in the pantry's history, and the co-op's bulk order (`coop.demo`)
    purchases = Intake.objects.filter(kind="purchase")
    assert purchases.count() == 2
    assert purchases.filter(note__startswith="Co-op order").count() == 1
    assert HoursLog.objects.exists()
    assert levels_verify(community_id=town.id) == []


def test_todays_work_is_waiting_for_each_login(town):
    coordinator = Member.objects.get(handle="coordinator")
    member = Member.objects.get(handle="member")
    assert AidRequest.objects.filter(status="new", household=member.household).exists()
    assert AidRequest.objects.filter(status="new").count() >= 5
    assert DeliveryRoute.objects.filter(driver__handle="volunteer").exists()
    assert low_stock_alerts(viewer=coordinator)
    assert expired_levels(viewer=coordinator).exists()


def test_the_report_has_every_section(town):
    coordinator = Member.objects.get(handle="coordinator")
    today = timezone.localdate()
    report = aid_report(viewer=coordinator, since=today - timedelta(days=90), until=today)
    assert report.households_served >= 10
    assert len(report.distributed) >= 3
    assert report.stock_value > 0
    assert report.volunteer_minutes
    assert report.wasted.get("expired", 0) > 0 or report.wasted.get("spoiled", 0) > 0
