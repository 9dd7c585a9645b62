"""Exchange arithmetic, pure: how many local cents dollars buy, what a redemption pays, and the
backing ratio. Every rounding has one declared home for its remainder.

- **Issuance** (dollars in): `local = dollars * 10000 // rate_bps`, rounded down; the fraction of
  a local cent not issued stays in the reserve with the dollars that bought it.
- **Redemption** (local dollars out): the fee `local * fee_bps // 10000` is rounded down (in the
  redeemer's favour) and goes to the community fund; the rest is retired, and pays
  `retired * rate_bps // 10000` dollar cents, rounded down: the reserve keeps the fraction.
  So `fee + retired == local` exactly, and neither direction ever pays out more than the rate.
- **Backing** is reserve ÷ outstanding local dollars, in basis points rounded down. An exchange
  may not leave it below the community's minimum unless it raises it (an exchange in at a rate
  above the minimum helps a currency that credit lines have pushed below it).
"""

from typing import NamedTuple

BPS = 10_000


def issued_for(*, dollars: int, rate_bps: int) -> int:
    """Local cents issued for `dollars` cents."""
    return dollars * BPS // rate_bps


class Redemption(NamedTuple):
    fee: int  # local cents to the community fund
    retired: int  # local cents taken out of circulation
    dollars: int  # dollar cents paid out of the reserve


def redemption(*, local: int, rate_bps: int, fee_bps: int) -> Redemption:
    fee = local * fee_bps // BPS
    retired = local - fee
    return Redemption(fee, retired, retired * rate_bps // BPS)


def backing_bps(*, reserve: int, outstanding: int) -> int | None:
    """Reserve ÷ outstanding in basis points (None when nothing is outstanding)."""
    if outstanding <= 0:
        return None
    return reserve * BPS // outstanding


def backing_allows(*, before: int | None, after: int | None, minimum_bps: int) -> bool:
    """May an exchange move the backing ratio from `before` to `after`?"""
    if after is None or after >= minimum_bps:
        return True
    return before is not None and after > before
