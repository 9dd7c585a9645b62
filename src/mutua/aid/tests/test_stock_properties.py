"""Property: under any sequence of movements (good or bad), no level is ever negative, every level
equals the sum of its movements, and a refused movement changes nothing."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.aid import services
from mutua.aid.models import StockLevel, StockMovement
from mutua.core.errors import MutuaError

pytestmark = pytest.mark.django_db

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["receive", "transfer", "adjust", "count"]),
        st.integers(min_value=0, max_value=2),  # which lot (receive makes a new one)
        st.booleans(),  # from the shelf (else the fridge)
        st.integers(min_value=-12, max_value=12),
    ),
    max_size=25,
)


def levels_from_movements() -> Counter:
    totals: Counter = Counter()
    for m in StockMovement.objects.all():
        if m.from_location_id:
            totals[(m.lot_id, m.from_location_id)] -= m.quantity
        if m.to_location_id:
            totals[(m.lot_id, m.to_location_id)] += m.quantity
    return totals


def apply(pantry, lots, action) -> None:
    kind, which, from_shelf, amount = action
    here, there = (pantry.shelf, pantry.fridge) if from_shelf else (pantry.fridge, pantry.shelf)
    if kind == "receive" or not lots:
        lots.append(pantry.receive(pantry.beans, amount, place=here))
        return
    lot = lots[which % len(lots)]
    if kind == "transfer":
        services.stock_transfer(
            actor=pantry.cora, lot=lot, source=here, target=there, quantity=amount
        )
    elif kind == "adjust":
        services.stock_adjust(
            actor=pantry.cora, lot=lot, location=here, change=amount, reason="correction"
        )
    else:
        count = services.count_start(actor=pantry.dev, location=here)
        services.count_record(actor=pantry.dev, count=count, lot=lot, counted=amount)
        services.count_finalize(actor=pantry.cora, count=count)


# Each example runs in a transaction rolled back at its end, so examples share only the pantry.
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_stock_is_never_negative_and_always_the_sum_of_its_movements(pantry, actions):
    with transaction.atomic():
        check_sequence(pantry, actions)
        transaction.set_rollback(True)


def check_sequence(pantry, actions) -> None:
    lots: list = []
    for action in actions:
        before = {(lv.lot_id, lv.location_id): lv.on_hand for lv in StockLevel.objects.all()}
        try:
            apply(pantry, lots, action)
        except MutuaError:
            after = {(lv.lot_id, lv.location_id): lv.on_hand for lv in StockLevel.objects.all()}
            assert after == before
        levels = {(lv.lot_id, lv.location_id): lv.on_hand for lv in StockLevel.objects.all()}
        assert all(v >= 0 for v in levels.values())
        expected = levels_from_movements()
        assert levels == {key: expected[key] for key in levels}
