"""How the money of a sale is split, in integer minor units, so the parts always sum to the whole.

Pure functions, no Django. Every split floors each share (`amount * bps // 10000`, as
OpenZeppelin, snekmate and Manifold do) and gives what the floors leave over to one declared
recipient, never to no one:

- `primary_split`: a first sale. The artist gets `price * artist_bps // 10000`; the land trust
  (through the credit union) gets the rest, so the trust is the remainder recipient.
- `resale_split`: a resale. The royalty is `price * royalty_bps // 10000` (floor: the seller keeps
  the fraction of a cent); the seller gets `price - royalty`; the royalty is shared between the
  original investor, the artist and the credit union, whose share (with the remainder of the
  three floors) is paid on to the trust.

Worked example (FIELD-NOTES): a resale at 999,999 with a 10 % royalty shared 50/30/20: royalty
99,999; the investor 49,999, the artist 29,999, the credit union 19,999 + 2 left over = 20,001;
the seller 900,000.
"""

from typing import NamedTuple

TOTAL_BPS = 10_000


class PrimaryParts(NamedTuple):
    artist: int
    trust: int


class ResaleParts(NamedTuple):
    seller: int
    royalty: int
    investor: int
    artist: int
    union: int  # passed on to the land trust; the remainder recipient of the royalty


def share_of(amount: int, bps: int) -> int:
    """`amount * bps // 10000`: the floor of a share in basis points."""
    if amount < 0 or not 0 <= bps <= TOTAL_BPS:
        raise ValueError("an amount is not negative and a share is 0 to 10000 basis points")
    return amount * bps // TOTAL_BPS


def primary_split(*, price: int, artist_bps: int) -> PrimaryParts:
    artist = share_of(price, artist_bps)
    return PrimaryParts(artist=artist, trust=price - artist)


def resale_split(
    *, price: int, royalty_bps: int, investor_bps: int, artist_bps: int, union_bps: int
) -> ResaleParts:
    if investor_bps + artist_bps + union_bps != TOTAL_BPS:
        raise ValueError("royalty shares must sum to 10000 basis points")
    royalty = share_of(price, royalty_bps)
    investor = share_of(royalty, investor_bps)
    artist = share_of(royalty, artist_bps)
    return ResaleParts(
        seller=price - royalty,
        royalty=royalty,
        investor=investor,
        artist=artist,
        union=royalty - investor - artist,
    )
