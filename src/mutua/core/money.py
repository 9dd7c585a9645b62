"""Money: integers of minor units everywhere; `Decimal` only at the edges (parsing and display).

`parse_amount("12.34", scale=2) == 1234`; `format_amount(1234, scale=2) == "12.34"`. Parsing refuses
more decimal places than the currency has, instead of rounding: a person typing 1.005 local
dollars meant something we cannot pay, and should be told.
"""

from decimal import Decimal, InvalidOperation


class AmountError(ValueError):
    pass


def parse_amount(text: str, *, scale: int) -> int:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation as error:
        raise AmountError(f"{text!r} is not an amount") from error
    if not value.is_finite():
        raise AmountError(f"{text!r} is not an amount")
    minor = value.scaleb(scale)
    if minor != minor.to_integral_value():
        raise AmountError(f"{text!r} has more than {scale} decimal places")
    return int(minor)


def format_amount(minor: int, *, scale: int) -> str:
    """Signed, with exactly `scale` decimals and thousands separators: -1,234.50."""
    value = Decimal(minor).scaleb(-scale)
    return f"{value:,.{scale}f}"
