"""LM3 told as stories worked out by hand, then properties over random movement streams.

The cast: `I` is the credit union's issuance account; `A`, `B`, `C` and `M` are community wallets
(`M` a merchant with a credit line); `X` and `Y` are outside accounts (the dollar reserve, a
supplier out of town). Amounts are cents. Holdings are read back in cents as `Fraction`s.
"""

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutua.currency.circulation import (
    TAG_SCALE,
    Circulation,
    Movement,
    Multiplier,
    circulation_follow,
    local_multiplier,
    minor_units_round,
)

ISSUANCE = "I"
COMMUNITY = frozenset({"A", "B", "C", "M"})
OUTSIDE = ("I", "X", "Y")
pay = Movement


def multiplier(*movements: Movement, opening: Mapping[Hashable, int] | None = None) -> Multiplier:
    return local_multiplier(
        movements=movements, opening=opening or {}, community=COMMUNITY, issuance=ISSUANCE
    )


def follow(*movements: Movement, opening: Mapping[Hashable, int] | None = None) -> Circulation:
    return circulation_follow(
        movements=movements, opening=opening or {}, community=COMMUNITY, issuance=ISSUANCE
    )


def held(circulation: Circulation, account: str) -> tuple[int, Fraction, Fraction]:
    """An account's balance, round-1 and round-2 money, in cents."""
    holding = circulation.holdings[account]
    return (
        holding.balance,
        Fraction(holding.round1, TAG_SCALE),
        Fraction(holding.round2, TAG_SCALE),
    )


# Stories worked out by hand


WORKED_EXAMPLE = (pay("I", "A", 100), pay("A", "B", 60), pay("B", "C", 30), pay("B", "I", 50))


def test_worked_example_counts_three_rounds() -> None:
    """100 issued to A (R1 = 100, round-1 money at A). A pays B 60: round-1 money reaches another
    community account (R2 = 60) and is round-2 money at B, who already held 40 of older money.
    B pays C 30 out of a balance of 100, 60 of it round-2: 30 * 60 / 100 = 18 (R3 = 18).
    B redeems 50 out of 70, 42 of it round-2: 30 of round-2 money leaks back to the credit union.
    LM3 = (100 + 60 + 18) / 100 = 1.78."""
    result = multiplier(*WORKED_EXAMPLE, opening={"B": 40})

    assert result[:3] == (100, 60, 18)
    assert result.lm3 == pytest.approx(1.78, abs=1e-9)


def test_worked_example_leaves_tagged_money_where_the_story_says() -> None:
    circulation = follow(*WORKED_EXAMPLE, opening={"B": 40})

    assert held(circulation, "A") == (40, 40, 0)
    assert held(circulation, "B") == (20, 0, 12)  # 42 - 30 leaked
    assert held(circulation, "C") == (30, 0, 0)  # round-2 money passed on is no longer followed
    assert held(circulation, "I") == (-50, 0, 0)


def test_loop_between_two_wallets_counts_each_round_once() -> None:
    """I -> A 100: R1 = 100. A -> B 50: R2 = 50, A keeps 50 of round 1, B holds 50 of round 2.
    B -> A 20: all B holds is round 2, so R3 = 20; the 20 back at A is untagged (A: 70, 50 of
    round 1). A -> B 35: 35 * 50 / 70 = 25 of round 1, R2 = 75 (A: 35, 25 of round 1; B: 65, 55 of
    round 2). B -> A 13: 13 * 55 / 65 = 11 of round 2, R3 = 31. LM3 = 206 / 100 = 2.06."""
    movements = (
        pay("I", "A", 100),
        pay("A", "B", 50),
        pay("B", "A", 20),
        pay("A", "B", 35),
        pay("B", "A", 13),
    )

    assert multiplier(*movements) == Multiplier(r1=100, r2=75, r3=31, lm3=2.06)
    circulation = follow(*movements)
    assert held(circulation, "A") == (48, 25, 0)
    assert held(circulation, "B") == (52, 0, 44)


def test_loop_of_all_the_money_reaches_the_ceiling_of_three() -> None:
    """I -> A 100, A -> B 100 (R2 = 100), B -> A 100 (R3 = 100), A -> B 100: nothing is tagged any
    more, so the loop adds nothing. However often money goes round, LM3 stops at 3."""
    movements = [pay("I", "A", 100), *[pay("A", "B", 100), pay("B", "A", 100)] * 3]

    assert multiplier(*movements) == Multiplier(r1=100, r2=100, r3=100, lm3=3.0)


def test_money_back_at_a_previous_holder_dilutes_its_round_one_share() -> None:
    """I -> A 100. A -> B 40: R2 = 40, A keeps 60 of round 1. B -> A 40: round-2 money passed on,
    R3 = 40, and untagged at A, who now holds 100 of which 60 round 1. A -> C 50:
    50 * 60 / 100 = 30 of round 1, R2 = 70. LM3 = (100 + 70 + 40) / 100 = 2.1."""
    movements = (pay("I", "A", 100), pay("A", "B", 40), pay("B", "A", 40), pay("A", "C", 50))

    assert multiplier(*movements) == Multiplier(r1=100, r2=70, r3=40, lm3=2.1)
    circulation = follow(*movements)
    assert held(circulation, "A") == (50, 30, 0)
    assert held(circulation, "C") == (50, 0, 30)


def test_injections_at_different_times_mix_rounds_in_one_wallet() -> None:
    """I -> A 100. A -> B 50: R2 = 50. I -> A 50: R1 = 150, A holds 100 of round 1.
    A -> B 100: all of it, R2 = 150, B holds 150 of round 2. B -> C 60: R3 = 60, B keeps 90.
    I -> B 30: R1 = 180, B holds 120: 30 of round 1 and 90 of round 2. B -> C 40: 40 * 30 / 120 =
    10 of round 1 (R2 = 160) and 40 * 90 / 120 = 30 of round 2 (R3 = 90).
    LM3 = (180 + 160 + 90) / 180 = 2.3889."""
    movements = (
        pay("I", "A", 100),
        pay("A", "B", 50),
        pay("I", "A", 50),
        pay("A", "B", 100),
        pay("B", "C", 60),
        pay("I", "B", 30),
        pay("B", "C", 40),
    )

    assert multiplier(*movements) == Multiplier(r1=180, r2=160, r3=90, lm3=2.3889)
    circulation = follow(*movements)
    assert held(circulation, "B") == (80, 20, 60)
    assert held(circulation, "C") == (100, 0, 10)


def test_credit_line_debt_absorbs_tags_in_proportion() -> None:
    """M opens 30 below zero. I -> A 100. A -> M 50: R2 = 50; 30 of it pays M's debt down, so only
    50 * 20 / 50 = 20 stays round-2 money at M. M -> C 25: M holds 20 and sends 5 on its credit
    line; all its tagged money goes, R3 = 20, and M, at -5, holds none. A -> M 10: 10 of round 1
    (A holds only round 1), R2 = 60; 5 pays the debt, 5 stays tagged. LM3 = 180 / 100 = 1.8."""
    movements = (pay("I", "A", 100), pay("A", "M", 50), pay("M", "C", 25), pay("A", "M", 10))

    assert multiplier(*movements, opening={"M": -30}) == Multiplier(r1=100, r2=60, r3=20, lm3=1.8)
    circulation = follow(*movements, opening={"M": -30})
    assert held(circulation, "M") == (5, 0, 5)
    assert held(circulation, "A") == (40, 40, 0)


def test_issuance_into_a_wallet_in_debt_counts_in_r1() -> None:
    """Money issued to M at -30 entered the community (R1 = 50) but 30 of it pays M's debt: M holds
    20, all of it round 1. M -> A 20: R2 = 20."""
    movements = (pay("I", "M", 50), pay("M", "A", 20))

    assert multiplier(*movements, opening={"M": -30}) == Multiplier(r1=50, r2=20, r3=0, lm3=1.4)


def test_issuance_to_an_outside_account_is_not_r1() -> None:
    """I -> X (the reserve) 100, X -> A 100, A -> B 100: no money came in through issuance to a
    community account, so nothing is followed and LM3 is undefined."""
    movements = (pay("I", "X", 100), pay("X", "A", 100), pay("A", "B", 100))

    assert multiplier(*movements) == Multiplier(r1=0, r2=0, r3=0, lm3=None)


def test_redemption_right_after_issuance_gives_one() -> None:
    assert multiplier(pay("I", "A", 100), pay("A", "I", 100)) == Multiplier(100, 0, 0, 1.0)


def test_spending_outside_leaks_and_stops_following() -> None:
    """I -> A 100. A -> Y 75 (a supplier out of town): 75 of round 1 leaks. A -> B 25: R2 = 25."""
    movements = (pay("I", "A", 100), pay("A", "Y", 75), pay("A", "B", 25))

    assert multiplier(*movements) == Multiplier(r1=100, r2=25, r3=0, lm3=1.25)


def test_r3_is_rounded_to_whole_cents_and_lm3_comes_from_the_rounded_figures() -> None:
    """B opens with 200. I -> A 100, A -> B 100 (R2 = 100, B holds 300 of which 100 round 2).
    B -> C 5: 5 * 100 / 300 = 5/3 cents of round 2, R3 = 1.67 reported as 2; LM3 = 202 / 100."""
    movements = (pay("I", "A", 100), pay("A", "B", 100), pay("B", "C", 5))

    assert follow(*movements, opening={"B": 200}).r3 == -(-5 * 100 * TAG_SCALE // 300)
    assert multiplier(*movements, opening={"B": 200}) == Multiplier(100, 100, 2, 2.02)


def test_no_movements_gives_no_multiplier() -> None:
    assert multiplier(opening={"A": 500}) == Multiplier(0, 0, 0, None)


@pytest.mark.parametrize(
    ("tag_units", "cents"),
    [
        (0, 0),
        (TAG_SCALE // 2 - 1, 0),
        (TAG_SCALE // 2, 0),  # a half goes to the even neighbour
        (TAG_SCALE // 2 + 1, 1),
        (3 * TAG_SCALE // 2, 2),
        (5 * TAG_SCALE // 2, 2),
        (7 * TAG_SCALE, 7),
    ],
)
def test_minor_units_round_to_nearest_halves_to_even(tag_units: int, cents: int) -> None:
    assert minor_units_round(tag_units) == cents


@pytest.mark.parametrize(
    "movement", [pay("A", "A", 10), pay("A", "B", 0), pay("A", "B", -5)], ids=str
)
def test_a_movement_the_ledger_would_refuse_is_an_error(movement: Movement) -> None:
    with pytest.raises(ValueError, match="not a posted movement"):
        multiplier(pay("I", "A", 100), movement)


def test_issuance_marked_community_is_an_error() -> None:
    with pytest.raises(ValueError, match="issuance account"):
        local_multiplier(movements=[], opening={}, community={"I", "A"}, issuance="I")


# Properties over random movement streams

ACCOUNTS = sorted(COMMUNITY) + list(OUTSIDE)


def _movements(
    accounts: Sequence[str], *, min_size: int = 0, max_size: int
) -> st.SearchStrategy[list[Movement]]:
    one = st.tuples(st.sampled_from(accounts), st.sampled_from(accounts), st.integers(1, 120))
    movement = one.filter(lambda m: m[0] != m[1]).map(Movement._make)
    return st.lists(movement, min_size=min_size, max_size=max_size)


# Most streams start by issuing money and are weighted to pass it on for two rounds or more.
_injection = st.builds(
    Movement, st.just(ISSUANCE), st.sampled_from(sorted(COMMUNITY)), st.just(200)
)
_weighted = _movements([*sorted(COMMUNITY) * 3, "I", "X", "Y"], min_size=4, max_size=40)
streams = st.one_of(_weighted, st.builds(lambda first, rest: [first, *rest], _injection, _weighted))
openings = st.dictionaries(st.sampled_from(ACCOUNTS), st.integers(-100, 300))


def _exact(movements: Sequence[Movement], opening: Mapping[str, int]) -> tuple[Fraction, ...]:
    """The method again in `Fraction`s, written plainly: R1, R2, R3 in cents."""
    balance: defaultdict[Hashable, int] = defaultdict(int, opening)
    tagged: defaultdict[Hashable, list[Fraction]] = defaultdict(lambda: [Fraction(0)] * 2)
    r1 = r2 = r3 = Fraction(0)
    for debit, credit, amount in movements:
        held, before = balance[debit], balance[credit]
        balance[debit] -= amount
        balance[credit] += amount
        if credit not in COMMUNITY:
            share = min(Fraction(amount, held), Fraction(1)) if held > 0 else Fraction(0)
            tagged[debit] = [t - t * share for t in tagged[debit]]
            continue
        if debit == ISSUANCE:
            r1 += amount
            gains = [Fraction(amount), Fraction(0)]
        else:
            share = min(Fraction(amount, held), Fraction(1)) if held > 0 else Fraction(0)
            sent = [t * share for t in tagged[debit]]
            tagged[debit] = [t - s for t, s in zip(tagged[debit], sent, strict=True)]
            r2 += sent[0]
            r3 += sent[1]
            gains = [Fraction(0), sent[0]]
        stays = Fraction(max(0, min(amount, before + amount)), amount)
        tagged[credit] = [t + g * stays for t, g in zip(tagged[credit], gains, strict=True)]
    return r1, r2, r3


@given(movements=streams, opening=openings)
def test_rounds_shrink_and_lm3_stays_between_one_and_three(
    movements: list[Movement], opening: dict[str, int]
) -> None:
    result = multiplier(*movements, opening=opening)
    circulation = follow(*movements, opening=opening)

    assert 0 <= circulation.r3 <= circulation.r2 <= circulation.r1 * TAG_SCALE
    assert 0 <= result.r3 <= result.r2 <= result.r1
    assert (result.lm3 is None) == (result.r1 == 0)
    if result.lm3 is not None:
        assert 1 <= result.lm3 <= 3


@given(movements=streams, opening=openings)
def test_balances_move_as_the_movements_say_and_tags_stay_within_them(
    movements: list[Movement], opening: dict[str, int]
) -> None:
    """Checked after every movement, as a simulator would."""
    expected = defaultdict(int, opening)
    for done, (debit, credit, amount) in enumerate(movements, start=1):
        expected[debit] -= amount
        expected[credit] += amount
        holdings = follow(*movements[:done], opening=opening).holdings

        assert {account: holding.balance for account, holding in holdings.items()} == expected
        assert sum(h.balance for h in holdings.values()) == sum(opening.values())
        for account, holding in holdings.items():
            assert holding.round1 >= 0 and holding.round2 >= 0
            assert holding.round1 + holding.round2 <= max(holding.balance, 0) * TAG_SCALE
            if account not in COMMUNITY:
                assert holding.round1 == holding.round2 == 0


@given(
    movements=streams,
    opening=openings,
    outside=_movements(OUTSIDE, max_size=10),
    data=st.data(),
)
def test_movements_among_outside_accounts_change_nothing(
    movements: list[Movement],
    opening: dict[str, int],
    outside: list[Movement],
    data: st.DataObject,
) -> None:
    mixed = list(movements)
    for movement in outside:
        mixed.insert(data.draw(st.integers(0, len(mixed))), movement)

    assert multiplier(*mixed, opening=opening) == multiplier(*movements, opening=opening)
    alone = follow(*movements, opening=opening).holdings
    together = follow(*mixed, opening=opening).holdings
    assert {a: together[a] for a in alone if a in COMMUNITY} == {
        a: alone[a] for a in alone if a in COMMUNITY
    }


@given(movements=streams, opening=openings)
def test_integer_tags_stay_within_a_few_tag_units_of_exact_fractions(
    movements: list[Movement], opening: dict[str, int]
) -> None:
    circulation = follow(*movements, opening=opening)
    r1, r2, r3 = _exact(movements, opening)

    assert circulation.r1 == r1
    assert abs(circulation.r2 - r2 * TAG_SCALE) <= 4 * len(movements)
    assert abs(circulation.r3 - r3 * TAG_SCALE) <= 4 * len(movements)
