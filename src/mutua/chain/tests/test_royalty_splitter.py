"""The royalty splitter: exact pull-payment accounting, told as worked examples and checked by
hypothesis against a model that splits each receipt by floor and gives the rest to one payee."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import boa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import ETHER, funded_address


@pytest.fixture
def investor() -> Any:
    return funded_address("investor")


@pytest.fixture
def artist() -> Any:
    return funded_address("artist")


@pytest.fixture
def credit_union() -> Any:
    return funded_address("credit_union")


@pytest.fixture
def marketplace() -> Any:
    return funded_address("marketplace")


@pytest.fixture
def splitter(deploy_splitter: Any, investor: Any, artist: Any, credit_union: Any) -> Any:
    """The story's three parties: 50 % investor, 30 % artist, 20 % credit union (remainder)."""
    return deploy_splitter([investor, artist, credit_union], [5_000, 3_000, 2_000], credit_union)


def test_royalty_splits_by_floor_and_the_remainder_goes_to_the_declared_payee(
    splitter: Any, marketplace: Any, investor: Any, artist: Any, credit_union: Any
):
    # The field notes' example: a 10 % royalty on 999,999 is 99,999; 50/30/20 % floors to
    # 49,999 / 29,999 / 19,999 with 2 left over, which the credit union (the remainder payee) gets.
    splitter.receive_royalty(value=99_999, sender=marketplace)

    assert splitter.credited(investor) == 49_999
    assert splitter.credited(artist) == 29_999
    assert splitter.credited(credit_union) == 19_999 + 2
    assert splitter.total_received() == 99_999
    assert boa.env.get_balance(splitter.address) == 99_999


def test_a_plain_ether_transfer_is_credited_like_a_royalty(
    splitter: Any, marketplace: Any, investor: Any, artist: Any, credit_union: Any
):
    boa.env.raw_call(splitter.address, sender=marketplace, value=10)

    assert (splitter.credited(investor), splitter.credited(artist)) == (5, 3)
    assert splitter.credited(credit_union) == 2
    assert splitter.total_received() == 10


def test_a_zero_receipt_reverts(splitter: Any, marketplace: Any):
    with boa.reverts("splitter: nothing received"):
        splitter.receive_royalty(value=0, sender=marketplace)


def test_withdraw_pays_the_callers_credit_once(
    splitter: Any, marketplace: Any, artist: Any, investor: Any
):
    splitter.receive_royalty(value=1_000, sender=marketplace)
    before = boa.env.get_balance(artist)

    splitter.withdraw(sender=artist)

    assert boa.env.get_balance(artist) == before + 300
    assert splitter.credited(artist) == 0
    assert splitter.withdrawn(artist) == 300
    assert splitter.total_withdrawn() == 300
    assert splitter.credited(investor) == 500  # untouched
    with boa.reverts("splitter: nothing to withdraw"):
        splitter.withdraw(sender=artist)


def test_withdraw_logs_the_payment(splitter: Any, marketplace: Any, artist: Any):
    splitter.receive_royalty(value=1_000, sender=marketplace)
    splitter.withdraw(sender=artist)

    (log,) = [log for log in splitter.get_logs() if type(log).__name__ == "Withdrawal"]
    assert (log.payee, log.amount) == (artist, 300)


def test_a_stranger_cannot_withdraw_anyones_balance(
    splitter: Any, marketplace: Any, investor: Any, artist: Any, credit_union: Any
):
    stranger = funded_address("stranger")
    splitter.receive_royalty(value=1_000, sender=marketplace)

    with boa.reverts("splitter: nothing to withdraw"):
        splitter.withdraw(sender=stranger)
    # withdraw() takes no recipient: a payee can only ever be paid to itself.
    assert [item["inputs"] for item in splitter.abi if item.get("name") == "withdraw"] == [[]]
    assert splitter.credited(investor) + splitter.credited(artist) == 800
    assert splitter.credited(credit_union) == 200
    assert boa.env.get_balance(splitter.address) == 1_000


def test_views_describe_the_payees(splitter: Any, investor: Any, artist: Any, credit_union: Any):
    assert splitter.payee_count() == 3
    assert [splitter.payees(i) for i in range(3)] == [investor, artist, credit_union]
    assert [splitter.shares(p) for p in (investor, artist, credit_union)] == [5_000, 3_000, 2_000]
    assert splitter.remainder_payee() == credit_union


@pytest.mark.parametrize(
    ("shares", "remainder_index", "reason"),
    [
        ([5_000, 3_000, 1_999], 0, "splitter: shares do not sum to 10000"),
        ([5_000, 3_000, 2_001], 0, "splitter: shares do not sum to 10000"),
        ([10_000, 0, 0], 0, "splitter: share is zero"),
        ([5_000, 5_000], 0, "splitter: payees and shares differ in length"),
        ([], 0, "splitter: payees and shares differ in length"),
    ],
)
def test_deploy_refuses_bad_shares(
    deploy_splitter: Any,
    investor: Any,
    artist: Any,
    credit_union: Any,
    shares: list[int],
    remainder_index: int,
    reason: str,
):
    with boa.reverts(reason):
        deploy_splitter([investor, artist, credit_union], shares, investor)


def test_deploy_refuses_bad_payees(
    deploy_splitter: Any, investor: Any, artist: Any, credit_union: Any
):
    stranger = boa.env.generate_address("stranger")
    zero = "0x0000000000000000000000000000000000000000"

    with boa.reverts("splitter: no payees"):
        deploy_splitter([], [], investor)
    with boa.reverts("splitter: duplicate payee"):
        deploy_splitter([investor, investor], [5_000, 5_000], investor)
    with boa.reverts("splitter: payee is the zero address"):
        deploy_splitter([investor, zero], [5_000, 5_000], investor)
    with boa.reverts("splitter: remainder payee is not a payee"):
        deploy_splitter([investor, artist, credit_union], [5_000, 3_000, 2_000], stranger)


@settings(max_examples=60)
@given(
    shares=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=8).filter(
        lambda s: sum(s) != 10_000
    )
)
def test_deploy_reverts_whenever_shares_do_not_sum_to_10000(
    splitter_deployer: Any, shares: list[int]
):
    with boa.env.anchor():
        payees = [boa.env.generate_address() for _ in shares]
        with boa.reverts():
            splitter_deployer.deploy(payees, shares, payees[0])


# Property: every sequence of receipts and withdrawals keeps the books exact.


@dataclass
class Model:
    """What the splitter should hold: each receipt floored per share, the rest to one payee."""

    shares: Sequence[int]
    remainder_index: int
    credited: list[int] = field(init=False)
    withdrawn: list[int] = field(init=False)
    received: int = 0

    def __post_init__(self) -> None:
        self.credited = [0] * len(self.shares)
        self.withdrawn = [0] * len(self.shares)

    def receive(self, amount: int) -> None:
        parts = [amount * share // 10_000 for share in self.shares]
        parts[self.remainder_index] += amount - sum(parts)
        self.credited = [c + p for c, p in zip(self.credited, parts, strict=True)]
        self.received += amount

    def withdraw(self, index: int) -> int:
        amount, self.credited[index] = self.credited[index], 0
        self.withdrawn[index] += amount
        return amount


@st.composite
def share_lists(draw: st.DrawFn) -> list[int]:
    """Positive basis points summing to 10000, cut at random points."""
    count = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.sets(st.integers(1, 9_999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10_000]
    return [b - a for a, b in itertools.pairwise(bounds)]


operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(min_value=1, max_value=10 * ETHER)),
        st.tuples(st.just("receive"), st.integers(min_value=1, max_value=50)),  # dust
        st.tuples(st.just("withdraw"), st.integers(min_value=0, max_value=5)),
    ),
    max_size=12,
)


@settings(max_examples=60)
@given(shares=share_lists(), remainder_seed=st.integers(0, 5), ops=operations)
def test_every_sequence_of_receipts_and_withdrawals_keeps_exact_books(
    splitter_deployer: Any, shares: list[int], remainder_seed: int, ops: list[tuple[str, int]]
):
    with boa.env.anchor():
        payees = [funded_address(f"payee{i}", ether=1) for i in range(len(shares))]
        payer = funded_address("payer", ether=1_000)
        model = Model(shares, remainder_index=remainder_seed % len(shares))
        splitter = splitter_deployer.deploy(payees, shares, payees[model.remainder_index])

        for op, value in ops:
            if op == "receive":
                splitter.receive_royalty(value=value, sender=payer)
                model.receive(value)
            else:
                index = value % len(payees)
                before = boa.env.get_balance(payees[index])
                expected = model.withdraw(index)
                if expected == 0:
                    with boa.reverts("splitter: nothing to withdraw"):
                        splitter.withdraw(sender=payees[index])
                else:
                    splitter.withdraw(sender=payees[index])
                assert boa.env.get_balance(payees[index]) == before + expected
            assert_books(splitter, payees, model)


def assert_books(splitter: Any, payees: list[Any], model: Model) -> None:
    credited = [splitter.credited(p) for p in payees]
    withdrawn = [splitter.withdrawn(p) for p in payees]
    assert credited == model.credited
    assert withdrawn == model.withdrawn
    assert sum(credited) + sum(withdrawn) == model.received
    assert splitter.total_received() == model.received
    assert splitter.total_withdrawn() == sum(withdrawn)
    assert boa.env.get_balance(splitter.address) == sum(credited)


# Hostile payees.


def test_a_payee_that_refuses_ether_cannot_block_the_others(
    deploy_splitter: Any,
    reverting_payee_deployer: Any,
    marketplace: Any,
    investor: Any,
    artist: Any,
):
    refuser = reverting_payee_deployer.deploy()
    splitter = deploy_splitter([investor, artist, refuser.address], [5_000, 3_000, 2_000], investor)

    splitter.receive_royalty(value=1_000, sender=marketplace)
    with boa.reverts():
        refuser.withdraw_from(splitter.address)
    splitter.receive_royalty(value=1_000, sender=marketplace)  # receipts still credit everyone
    splitter.withdraw(sender=investor)
    splitter.withdraw(sender=artist)

    assert splitter.withdrawn(investor) == 1_000
    assert splitter.withdrawn(artist) == 600
    assert splitter.credited(refuser.address) == 400  # kept for it, never lost
    assert boa.env.get_balance(splitter.address) == 400


def test_a_reentrant_payee_gets_its_credit_once(
    deploy_splitter: Any,
    reentrant_payee_deployer: Any,
    marketplace: Any,
    investor: Any,
    artist: Any,
):
    attacker = reentrant_payee_deployer.deploy()
    splitter = deploy_splitter(
        [investor, artist, attacker.address], [5_000, 3_000, 2_000], investor
    )
    splitter.receive_royalty(value=1_000, sender=marketplace)

    attacker.attack(splitter.address)

    assert attacker.attempts() >= 1  # it did try to re-enter
    assert attacker.reentries() == 0  # and every re-entry failed
    assert boa.env.get_balance(attacker.address) == 200
    assert splitter.withdrawn(attacker.address) == 200
    assert splitter.credited(investor) == 500
    assert splitter.credited(artist) == 300
    assert boa.env.get_balance(splitter.address) == 800
