"""Every split of a sale sums exactly to the whole, with the remainder at its declared home."""

from hypothesis import given
from hypothesis import strategies as st

from mutua.art.splits import TOTAL_BPS, primary_split, resale_split

prices = st.integers(min_value=1, max_value=10**12)
bps = st.integers(min_value=0, max_value=TOTAL_BPS)


@st.composite
def shares(draw: st.DrawFn) -> tuple[int, int, int]:
    investor = draw(bps)
    artist = draw(st.integers(min_value=0, max_value=TOTAL_BPS - investor))
    return investor, artist, TOTAL_BPS - investor - artist


def test_the_field_notes_example() -> None:
    parts = resale_split(
        price=999_999, royalty_bps=1000, investor_bps=5000, artist_bps=3000, union_bps=2000
    )
    assert parts == (900_000, 99_999, 49_999, 29_999, 20_001)


@given(price=prices, artist_bps=bps)
def test_a_first_sale_splits_exactly(price: int, artist_bps: int) -> None:
    parts = primary_split(price=price, artist_bps=artist_bps)
    assert parts.artist + parts.trust == price
    assert parts.artist == price * artist_bps // TOTAL_BPS  # the trust takes the remainder


@given(price=prices, royalty_bps=st.integers(0, 5000), split=shares())
def test_a_resale_splits_exactly(price: int, royalty_bps: int, split: tuple[int, int, int]) -> None:
    investor_bps, artist_bps, union_bps = split
    parts = resale_split(
        price=price,
        royalty_bps=royalty_bps,
        investor_bps=investor_bps,
        artist_bps=artist_bps,
        union_bps=union_bps,
    )
    assert parts.seller + parts.royalty == price
    assert parts.investor + parts.artist + parts.union == parts.royalty
    assert parts.royalty == price * royalty_bps // TOTAL_BPS
    # The union (the remainder recipient) gets its floor plus at most 2 cents left over.
    assert 0 <= parts.union - parts.royalty * union_bps // TOTAL_BPS <= 2
    assert min(parts) >= 0
