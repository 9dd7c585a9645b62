"""The demo's gardens: Mill Street's map, season, paid plots, waitlist, work days and harvests
(some in the pantry), written through the services. The full `mutua demo` runs once for the module
inside a transaction that is rolled back afterwards."""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from mutua.aid.models import Intake, StockLevel
from mutua.community.models import Community, Member
from mutua.core.tenancy import community_scope
from mutua.gardens import demo
from mutua.gardens.models import Application, Assignment, Garden, Harvest, TaskSignup
from mutua.gardens.reports import harvest_report
from mutua.gardens.services.plots import FEE_CODE
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


def test_the_demo_garden_has_paid_plots_a_waitlist_and_harvests(town) -> None:
    mill = Garden.objects.get(organization__slug=demo.MILL)
    assert mill.plots.count() == 16 and mill.seasons.count() == 1
    active = Assignment.objects.filter(season__garden=mill, status="active")
    assert active.count() >= 5
    assert Transfer.objects.filter(code=FEE_CODE).count() == active.count()
    assert Application.objects.filter(garden=mill, status="waiting").count() == demo.WAITING
    assert not Application.objects.filter(member__handle="member").exists()
    assert TaskSignup.objects.exists()
    assert Harvest.objects.filter(garden=mill).count() > 20
    donated = Harvest.objects.filter(garden=mill, donated=True)
    assert donated.exists()
    intakes = Intake.objects.filter(lots__in=donated.values("lot_id"), donor_kind="garden")
    assert intakes.distinct().count() == donated.count()
    lots = StockLevel.objects.filter(lot__in=donated.values("lot_id"), on_hand__gt=0)
    assert lots.count() == donated.count()


def test_the_steward_login_sees_the_report(town) -> None:
    steward = Member.objects.get(handle="steward")
    mill = Garden.objects.get(organization__slug=demo.MILL)
    report = harvest_report(viewer=steward, garden=mill, season=None)
    assert report.grams > 0 and report.donated_units > 0 and len(report.crops) >= 3
