"""Stock as volunteers and coordinators change it: every change a movement, never below zero,
bad input refused with a clear message and nothing changed."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from mutua.aid import services
from mutua.aid.models import StockLevel, StockMovement
from mutua.aid.selectors import levels_verify
from mutua.core.errors import Forbidden, MutuaError, NotFound, Refused

pytestmark = pytest.mark.django_db


def on_hand(lot, place) -> int:
    found = StockLevel.objects.filter(lot=lot, location=place).first()
    return found.on_hand if found else 0


def test_receiving_makes_a_lot_and_one_movement(pantry):
    lot = pantry.receive(pantry.rice, 12)
    assert on_hand(lot, pantry.shelf) == 12
    assert list(StockMovement.objects.values_list("kind", "quantity")) == [("receive", 12)]


def test_a_volunteer_receives_but_a_garden_volunteer_does_not(pantry):
    services.stock_receive(actor=pantry.dev, item=pantry.rice, quantity=1, location=pantry.shelf)
    with pytest.raises(Forbidden):
        services.stock_receive(
            actor=pantry.gus, item=pantry.rice, quantity=1, location=pantry.shelf
        )


def test_another_towns_coordinator_cannot_touch_this_stock(pantry, elsewhere):
    with pytest.raises(NotFound):
        services.stock_receive(actor=elsewhere, item=pantry.rice, quantity=1, location=pantry.shelf)


def test_expired_goods_and_cold_goods_on_a_shelf_are_refused(pantry):
    with pytest.raises(Refused, match="expired"):
        pantry.receive(pantry.rice, 5, days=-1)
    with pytest.raises(Refused, match="storage"):
        pantry.receive(pantry.milk, 5, place=pantry.shelf)
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("quantity", [0, -3, 2.5, True])
def test_a_quantity_is_a_whole_number_above_zero(pantry, quantity):
    with pytest.raises(MutuaError, match="whole number"):
        pantry.receive(pantry.rice, quantity)
    assert not StockMovement.objects.exists()


def test_an_adjustment_larger_than_stock_is_refused_and_changes_nothing(pantry):
    lot = pantry.receive(pantry.rice, 3)
    with pytest.raises(Refused, match="Only 3"):
        services.stock_adjust(
            actor=pantry.cora, lot=lot, location=pantry.shelf, change=-4, reason="spoiled"
        )
    assert on_hand(lot, pantry.shelf) == 3


def test_moving_stock_between_places(pantry):
    lot = pantry.receive(pantry.beans, 10)
    services.stock_transfer(
        actor=pantry.cora, lot=lot, source=pantry.shelf, target=pantry.fridge, quantity=4
    )
    assert (on_hand(lot, pantry.shelf), on_hand(lot, pantry.fridge)) == (6, 4)


def test_a_count_changes_nothing_until_a_coordinator_finalizes_it(pantry):
    rice = pantry.receive(pantry.rice, 10)
    beans = pantry.receive(pantry.beans, 5)
    count = services.count_start(actor=pantry.dev, location=pantry.shelf)
    services.count_record(actor=pantry.dev, count=count, lot=rice, counted=8)
    services.count_record(actor=pantry.dev, count=count, lot=beans, counted=7)
    assert on_hand(rice, pantry.shelf) == 10
    with pytest.raises(Forbidden):
        services.count_finalize(actor=pantry.dev, count=count)
    moves = services.count_finalize(actor=pantry.cora, count=count)
    assert sorted((m.kind, m.quantity) for m in moves) == [("count_in", 2), ("count_out", 2)]
    assert (on_hand(rice, pantry.shelf), on_hand(beans, pantry.shelf)) == (8, 7)
    with pytest.raises(Refused, match="already finalized"):
        services.count_finalize(actor=pantry.cora, count=count)


def test_a_negative_count_is_refused(pantry):
    lot = pantry.receive(pantry.rice, 1)
    count = services.count_start(actor=pantry.dev, location=pantry.shelf)
    with pytest.raises(MutuaError, match="zero or more"):
        services.count_record(actor=pantry.dev, count=count, lot=lot, counted=-1)


def test_disposing_of_expired_lots_records_waste(pantry):
    fresh = pantry.receive(pantry.rice, 4, days=10)
    old = pantry.receive(pantry.beans, 6, days=2)
    later = timezone.now() + timedelta(days=5)
    assert services.expired_dispose(actor=pantry.cora, community=pantry.community, now=later) == 6
    assert (on_hand(fresh, pantry.shelf), on_hand(old, pantry.shelf)) == (4, 0)
    waste = StockMovement.objects.get(kind="adjust_out")
    assert (waste.reason, waste.quantity) == ("expired", 6)


def test_verify_is_clean_after_real_work_and_finds_a_level_edited_by_hand(pantry):
    lot = pantry.receive(pantry.rice, 10)
    services.stock_transfer(
        actor=pantry.cora, lot=lot, source=pantry.shelf, target=pantry.fridge, quantity=3
    )
    assert levels_verify(community_id=pantry.community.id) == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE aid_stocklevel SET on_hand = on_hand + 5")
    problems = levels_verify()
    assert len(problems) == 2
    assert "level 12, movements add up to 7" in " ".join(problems)


def test_a_second_location_with_the_same_name_is_refused(pantry):
    with pytest.raises(MutuaError) as refused:
        services.location_create(
            actor=pantry.cora, community=pantry.community, name="shelves", kind="shelf"
        )
    assert "already a location" in str(refused.value.fields["name"])


def test_packed_stock_cannot_be_counted_by_hand(pantry):
    held = services.held_location(pantry.community)
    with pytest.raises(Refused):
        services.count_start(actor=pantry.dev, location=held)


def test_the_verify_command_exits_non_zero_on_a_hand_edited_level(pantry):
    pantry.receive(pantry.rice, 2)
    out = io.StringIO()
    call_command("aid", "verify", stdout=out)
    assert "Every stock level" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE aid_stocklevel SET on_hand = 1")
    with pytest.raises(CommandError, match="1 stock level"):
        call_command("aid", "verify", stdout=io.StringIO())
