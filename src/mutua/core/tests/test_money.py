"""Amounts round-trip exactly between text and minor units; extra decimals are refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutua.core.money import AmountError, format_amount, parse_amount


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=4))
def test_formatting_then_parsing_gives_back_the_same_minor_units(minor: int, scale: int) -> None:
    assert parse_amount(format_amount(minor, scale=scale), scale=scale) == minor


def test_examples() -> None:
    assert parse_amount("12.34", scale=2) == 1234
    assert parse_amount("7", scale=2) == 700
    assert format_amount(-123450, scale=2) == "-1,234.50"
    assert format_amount(5, scale=0) == "5"


@pytest.mark.parametrize("text", ["1.005", "abc", "", "NaN", "Infinity"])
def test_what_is_not_an_amount_of_this_currency_is_refused(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text, scale=2)
