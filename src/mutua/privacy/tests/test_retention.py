"""Retention, told by the calendar: Ana's delivery was on day 1 and her request closed then; the
clock moves by `now`, and each detail goes on its day, not the day before."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mutua.aid.models import AidRequest, DeliveryStop
from mutua.aid.services import LineWish, request_create
from mutua.community.models import HouseholdNeeds
from mutua.core.models import AuditEntry
from mutua.core.tasks import email_send
from mutua.privacy.retention import Applied, Policy, mail_apply, retention_apply
from mutua.privacy.tests.conftest import ANA_ADDRESS, ANA_CROSS_STREETS, BEN_ADDRESS

pytestmark = pytest.mark.django_db

POLICY = Policy(delivery_address_days=30, health_needs_days=180, mail_days=14)


def apply(street, days: float, dry_run: bool = False) -> Applied:  # type: ignore[no-untyped-def]
    now = street.day0 + timedelta(days=days)
    return retention_apply(community=street.community, policy=POLICY, now=now, dry_run=dry_run)


def needs_of(household) -> HouseholdNeeds:  # type: ignore[no-untyped-def]
    return HouseholdNeeds.objects.get(household=household)


def test_a_delivery_address_goes_30_days_after_the_delivery_not_before(street) -> None:  # type: ignore[no-untyped-def]
    assert apply(street, 30.9) == Applied()  # delivered on day 1: day 30.9 is 29.9 days later
    assert DeliveryStop.objects.get(pk=street.stop.pk).cross_streets == ANA_CROSS_STREETS
    assert apply(street, 31.1) == Applied(stop_addresses=1)
    assert DeliveryStop.objects.get(pk=street.stop.pk).cross_streets == ""
    assert needs_of(street.ana_home).address == ANA_ADDRESS


def test_health_needs_go_180_days_after_the_last_request_closed(street) -> None:  # type: ignore[no-untyped-def]
    assert apply(street, 180.9).household_needs == 1  # Ben's, untouched since day -10
    assert needs_of(street.ana_home).allergens == ["peanuts"]
    assert apply(street, 181.1) == Applied(household_needs=1, request_notes=1)
    needs = needs_of(street.ana_home)
    assert (needs.address, needs.allergens, needs.notes, needs.urgent_medical) == (
        "",
        [],
        "",
        False,
    )
    assert AidRequest.objects.get(pk=street.request.pk).note == ""


def test_an_open_request_keeps_the_needs(street) -> None:  # type: ignore[no-untyped-def]
    request_create(
        actor=street.ana,
        household=street.ana_home,
        lines=[LineWish(quantity=1, category="food")],
        now=street.day0 + timedelta(days=2),
    )
    apply(street, 400)
    assert needs_of(street.ana_home).address == ANA_ADDRESS
    assert needs_of(street.ben_home).address == ""


def test_editing_the_needs_restarts_the_clock(street) -> None:  # type: ignore[no-untyped-def]
    HouseholdNeeds.objects.filter(household=street.ana_home).update(
        updated_at=street.day0 + timedelta(days=100)
    )
    apply(street, 200)
    assert needs_of(street.ana_home).address == ANA_ADDRESS
    apply(street, 281)
    assert needs_of(street.ana_home).address == ""


def test_a_dry_run_counts_and_changes_nothing(street) -> None:  # type: ignore[no-untyped-def]
    entries = AuditEntry.objects.count()
    assert apply(street, 400, dry_run=True) == Applied(1, 2, 1)
    assert AuditEntry.objects.count() == entries
    assert needs_of(street.ben_home).address == BEN_ADDRESS
    assert DeliveryStop.objects.get(pk=street.stop.pk).cross_streets == ANA_CROSS_STREETS


def test_applying_twice_is_applying_once(street) -> None:  # type: ignore[no-untyped-def]
    assert apply(street, 400) == Applied(1, 2, 1)
    assert apply(street, 401) == Applied()
    entry = AuditEntry.objects.get(action="privacy.retention.applied")
    assert (entry.data["household_needs"], entry.data["stop_addresses"]) == (2, 1)
    assert ANA_ADDRESS not in str(entry.data)


def _mail(street, days_ago: float) -> DBTaskResult:  # type: ignore[no-untyped-def]
    email_send.enqueue(to=["ana.quintessa@example.org"], subject="Reminder", body="Hello Ana")
    mail = DBTaskResult.objects.latest("enqueued_at")
    mail.status = TaskResultStatus.SUCCESSFUL
    mail.finished_at = street.day0 - timedelta(days=days_ago)
    mail.save()
    return mail


def test_sent_mail_leaves_the_queue_after_14_days(street) -> None:  # type: ignore[no-untyped-def]
    old, recent = _mail(street, 15), _mail(street, 13)
    assert mail_apply(policy=POLICY, now=street.day0, dry_run=True) == 1
    assert mail_apply(policy=POLICY, now=street.day0) == 1
    assert mail_apply(policy=POLICY, now=street.day0) == 0
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()


def test_the_command_prints_its_counts(street) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    at = (street.day0 + timedelta(days=400)).isoformat()
    call_command("privacy", "apply", "--dry-run", f"--now={at}", stdout=out)
    assert "riverbend: would forget 1 delivery address(es), 2 household needs" in out.getvalue()
    assert needs_of(street.ana_home).address == ANA_ADDRESS
    call_command("privacy", "apply", f"--now={at}", stdout=out)
    call_command("privacy", "apply", f"--now={at}", stdout=out)
    lines = out.getvalue().splitlines()
    assert "riverbend: forgot 1 delivery address(es), 2 household needs" in lines[2]
    assert "riverbend: forgot 0 delivery address(es), 0 household needs" in lines[4]
    assert needs_of(street.ana_home).address == ""
