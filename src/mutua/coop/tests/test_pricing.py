"""The solidarity split: its parts always sum to the amount, and delivering less never asks
either payer for more than was held."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutua.coop.pricing import solidarity_split

amounts = st.integers(min_value=0, max_value=10**12)
discounts = st.integers(min_value=0, max_value=10_000)


@given(amounts, discounts)
def test_the_parts_sum_to_the_amount(amount: int, bps: int) -> None:
    fund, household = solidarity_split(amount, bps)
    assert fund + household == amount and fund >= 0 and household >= 0
    assert fund * 10_000 <= amount * bps < (fund + 1) * 10_000  # the fund's part rounds down


@given(amounts, amounts, discounts)
def test_a_smaller_amount_never_has_a_larger_part(a: int, b: int, bps: int) -> None:
    small, large = sorted((a, b))
    parts = zip(solidarity_split(small, bps), solidarity_split(large, bps), strict=True)
    assert all(x <= y for x, y in parts)


def test_worked_example() -> None:
    assert solidarity_split(999, 3000) == (299, 700)
    assert solidarity_split(1, 5000) == (0, 1)  # the odd cent is the household's
    assert solidarity_split(700, 10_000) == (700, 0)


@pytest.mark.parametrize(("amount", "bps"), [(-1, 0), (1, -1), (1, 10_001)])
def test_nonsense_is_refused(amount: int, bps: int) -> None:
    with pytest.raises(ValueError):
        solidarity_split(amount, bps)
