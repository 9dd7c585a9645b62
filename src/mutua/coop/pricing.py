"""Solidarity prices: how an amount splits between the aid fund and the household. Pure integers.

The aid fund pays `amount * discount_bps // 10_000` (rounded down) and the household the rest, so
the remainder of the division is the household's and the two parts always sum to the amount. The
split is monotone: a smaller amount (what was delivered) never makes either part larger than it
was for the whole order, so posting a hold for what was delivered never exceeds what was held.
"""

BPS = 10_000


def solidarity_split(amount: int, discount_bps: int) -> tuple[int, int]:
    """(aid fund's part, household's part) of `amount` local cents."""
    if amount < 0 or not 0 <= discount_bps <= BPS:
        raise ValueError("an amount of at least 0 and a discount between 0 and 10000 bps")
    fund = amount * discount_bps // BPS
    return fund, amount - fund
