"""The database refuses bad stock writes itself, even from code that goes around the ORM."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mutua.aid.models import StockLevel
from mutua.core.ids import new_id

pytestmark = pytest.mark.django_db


def raw_movement(pantry, lot, kind, quantity, *, source=None, target=None, reason="") -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO aid_stockmovement (id, community_id, kind, lot_id, quantity,"
            " from_location_id, to_location_id, reason, note, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', CURRENT_TIMESTAMP)",
            [
                new_id().hex if connection.vendor == "sqlite" else new_id(),
                pantry.community.id.hex if connection.vendor == "sqlite" else pantry.community.id,
                kind,
                lot.id.hex if connection.vendor == "sqlite" else lot.id,
                quantity,
                _id(source),
                _id(target),
                reason,
            ],
        )


def _id(obj):
    if obj is None:
        return None
    return obj.id.hex if connection.vendor == "sqlite" else obj.id


def level(lot, place) -> int:
    return StockLevel.objects.get(lot=lot, location=place).on_hand


def refused(pantry, lot, *args, **kwargs) -> None:
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        raw_movement(pantry, lot, *args, **kwargs)


def test_raw_movements_move_levels(pantry):
    lot = pantry.receive(pantry.rice, 10)
    raw_movement(pantry, lot, "transfer", 4, source=pantry.shelf, target=pantry.fridge)
    assert (level(lot, pantry.shelf), level(lot, pantry.fridge)) == (6, 4)


def test_database_refuses_a_distribution_larger_than_stock(pantry):
    lot = pantry.receive(pantry.rice, 3)
    refused(pantry, lot, "distribute", 4, source=pantry.shelf)
    assert level(lot, pantry.shelf) == 3


def test_database_refuses_taking_from_a_place_without_the_lot(pantry):
    lot = pantry.receive(pantry.rice, 3)
    refused(pantry, lot, "distribute", 1, source=pantry.fridge)
    assert not StockLevel.objects.filter(lot=lot, location=pantry.fridge).exists()


@pytest.mark.parametrize("quantity", [0, -2])
def test_database_refuses_zero_and_negative_quantities(pantry, quantity):
    lot = pantry.receive(pantry.rice, 3)
    refused(pantry, lot, "receive", quantity, target=pantry.shelf)
    assert level(lot, pantry.shelf) == 3


def test_database_refuses_a_movement_missing_its_side(pantry):
    lot = pantry.receive(pantry.rice, 3)
    refused(pantry, lot, "transfer", 1, source=pantry.shelf)
    refused(pantry, lot, "receive", 1, source=pantry.shelf)
    refused(pantry, lot, "adjust_out", 1, source=pantry.shelf)  # no reason given
    assert level(lot, pantry.shelf) == 3


def test_database_refuses_editing_or_deleting_movements_and_levels(pantry):
    lot = pantry.receive(pantry.rice, 3)
    for statement in (
        "UPDATE aid_stockmovement SET quantity = 30",
        "DELETE FROM aid_stockmovement",
        "DELETE FROM aid_stocklevel",
        "UPDATE aid_stocklevel SET location_id = %s",
    ):
        params = [_id(pantry.fridge)] if "%s" in statement else None
        with (
            pytest.raises((IntegrityError, DatabaseError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)
    assert level(lot, pantry.shelf) == 3


def test_database_refuses_a_negative_level_written_directly(pantry):
    pantry.receive(pantry.rice, 3)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aid_stocklevel SET on_hand = -1")
