"""The database refuses bad garden writes itself, even from code that goes around the ORM."""

from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from mutua.core.ids import new_id
from mutua.gardens import services
from mutua.gardens.models import Application, Assignment, Harvest, Task

pytestmark = pytest.mark.django_db


def _value(value):  # type: ignore[no-untyped-def]
    if hasattr(value, "pk"):
        value = value.pk
    if connection.vendor == "sqlite" and hasattr(value, "hex"):
        return value.hex
    return value


def insert(table: str, **columns: object) -> None:
    columns = {"id": new_id(), **columns}
    names = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (names are ours)
            [_value(v) for v in columns.values()],
        )


def refused(statement, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        statement(*args, **kwargs)


def execute(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def harvest_row(town, grams: int, **extra: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "community_id": town.community,
        "garden_id": town.garden,
        "crop_id": town.tomatoes,
        "weight_g": grams,
        "day": date(2026, 6, 1),
        "grower_id": town.ana,
        "logged_by_id": town.tess,
        "logged_at": timezone.now(),
        "donated": False,
        "units": 0,
        **extra,
    }


def application_row(town, member) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "community_id": town.community,
        "garden_id": town.garden,
        "season_id": town.spring,
        "member_id": member,
        "without_garden": False,
        "note": "",
        "status": "waiting",
        "created_at": timezone.now(),
    }


def test_raw_harvest_rows_go_in(town) -> None:
    insert("gardens_harvest", **harvest_row(town, 500))
    assert Harvest.objects.get().weight_g == 500


@pytest.mark.parametrize("grams", [0, -250])
def test_database_refuses_an_empty_or_negative_harvest(town, grams) -> None:
    refused(insert, "gardens_harvest", **harvest_row(town, grams))
    assert not Harvest.objects.exists()


def test_database_refuses_a_donation_without_its_lot(town) -> None:
    refused(insert, "gardens_harvest", **harvest_row(town, 500, donated=True, units=2))
    assert not Harvest.objects.exists()


def test_database_refuses_editing_or_deleting_the_harvest_log(town) -> None:
    services.harvest_log(
        actor=town.tess,
        entry=services.HarvestEntry(crop=town.tomatoes, weight_g=800, day=town.today),
    )
    for sql in (
        "UPDATE gardens_harvest SET weight_g = 8000",
        "UPDATE gardens_harvest SET donated = TRUE",
        "DELETE FROM gardens_harvest",
    ):
        refused(execute, sql)
    assert list(Harvest.objects.values_list("weight_g", "donated")) == [(800, False)]


def test_database_refuses_a_second_application_for_the_same_season(town) -> None:
    insert("gardens_application", **application_row(town, town.ana))
    refused(insert, "gardens_application", **application_row(town, town.ana))
    assert Application.objects.filter(member=town.ana).count() == 1


def test_database_refuses_a_plot_offered_twice_in_a_season(town) -> None:
    first = town.offer(town.apply(town.ana))
    second = town.apply(town.ben)
    row = {
        "community_id": town.community,
        "season_id": town.spring,
        "plot_id": first.plot_id,
        "application_id": second,
        "member_id": town.ben,
        "status": "active",
        "fee": 0,
        "offered_at": timezone.now(),
    }
    refused(insert, "gardens_assignment", **row)
    insert("gardens_assignment", **{**row, "plot_id": town.plots[1]})  # another plot is fine
    assert Assignment.objects.filter(season=town.spring, plot=first.plot_id).count() == 1


def test_database_refuses_an_accepted_plot_whose_fee_was_not_paid(town) -> None:
    offer = town.offer(town.apply(town.ana))
    refused(execute, "UPDATE gardens_assignment SET status = 'active'")
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_database_refuses_a_task_above_its_places(town) -> None:
    day = services.workday_create(
        actor=town.tess,
        garden=town.garden,
        title="Work day",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timezone.timedelta(hours=2),
    )
    task = services.task_create(actor=town.tess, work_day=day, title="Weeding", capacity=1)
    refused(execute, "UPDATE gardens_task SET taken = 2")
    assert Task.objects.get(pk=task.pk).taken == 0
