"""The chain gateway: one story told on both implementations (titanoboa's in-process EVM, and
web3.py on eth-tester's in-process node), then each one's own edges and the factory."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed as EthTesterTransactionFailed
from eth_utils import ValidationError as EthValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from web3 import EthereumTesterProvider, Web3

from mutua.chain.boa_gateway import BoaGateway
from mutua.chain.gateway import (
    ChainConfigError,
    ChainError,
    ChainGateway,
    InvalidSplitTerms,
    Payee,
    TransactionFailed,
    TxStatus,
    chain_gateway,
    chain_gateway_from,
    split_terms_problems,
)
from mutua.chain.web3_gateway import Web3Gateway

ETHER = 10**18


@dataclass
class Chain:
    """An operator's gateway, and a way to act as other funded parties on the same chain."""

    operator: ChainGateway
    party: Callable[[int], ChainGateway]  # the n-th funded party (n >= 1)
    balance: Callable[[str], int]


def boa_chain() -> Chain:
    operator = BoaGateway()
    accounts: dict[int, BoaGateway] = {}

    def party(n: int) -> ChainGateway:
        if n not in accounts:
            address = operator.new_account(alias=f"party{n}", balance_wei=10 * ETHER)
            accounts[n] = operator.acting_as(address)
        return accounts[n]

    return Chain(operator, party, operator.balance)


def web3_chain() -> Chain:
    tester = EthereumTester(PyEVMBackend())
    w3 = Web3(EthereumTesterProvider(tester))
    keys = [str(key) for key in tester.backend.account_keys]

    def gateway(n: int) -> ChainGateway:
        refusals = (EthTesterTransactionFailed, EthValidationError)
        return Web3Gateway(w3=w3, private_key=keys[n], revert_errors=refusals)

    return Chain(gateway(0), gateway, lambda address: int(w3.eth.get_balance(address)))  # type: ignore[arg-type]


@pytest.fixture(params=["boa", "web3"])
def chain(request: pytest.FixtureRequest) -> Chain:
    return boa_chain() if request.param == "boa" else web3_chain()


def test_an_edition_is_minted_resold_and_its_royalty_withdrawn(chain: Chain):
    operator = chain.operator
    artist, investor, buyer = chain.party(1), chain.party(2), chain.party(3)
    credit_union = operator  # the platform's account stands for the credit union here

    edition = operator.edition_deploy(name="Mutua Art for Land", symbol="MART", base_uri="u/")
    splitter = operator.splitter_deploy(
        payees=[
            Payee(investor.account, 5_000),
            Payee(artist.account, 3_000),
            Payee(credit_union.account, 2_000),
        ],
        remainder_payee=credit_union.account,
    )
    minted = operator.mint(
        edition=edition.address,
        owner=investor.account,
        royalty_receiver=splitter.address,
        royalty_bps=1_000,
    )
    assert minted.token_id == 0
    assert operator.owner_of(edition=edition.address, token_id=0) == investor.account

    # The investor resells for 999,999 wei: the royalty is 10 %, floored.
    investor.transfer(edition=edition.address, token_id=0, to=buyer.account)
    assert operator.owner_of(edition=edition.address, token_id=0) == buyer.account
    royalty = operator.royalty_info(edition=edition.address, token_id=0, sale_price=999_999)
    assert royalty == (splitter.address, 99_999)

    buyer.royalty_pay(splitter=splitter.address, amount=royalty.amount)
    credits = [
        operator.credited(splitter=splitter.address, payee=party.account)
        for party in (investor, artist, credit_union)
    ]
    assert credits == [49_999, 29_999, 19_999 + 2]

    before = chain.balance(investor.account)
    receipt = investor.withdraw(splitter=splitter.address)
    assert receipt.status is TxStatus.SUCCEEDED
    assert operator.tx_status(receipt.tx_hash) is TxStatus.SUCCEEDED
    assert operator.credited(splitter=splitter.address, payee=investor.account) == 0
    gas_paid = before + 49_999 - chain.balance(investor.account)
    assert gas_paid >= 0  # on eth-tester the withdrawal costs gas; in boa it is free


def test_refused_calls_change_nothing(chain: Chain):
    operator, holder, stranger = chain.operator, chain.party(1), chain.party(2)
    edition = operator.edition_deploy(name="Mutua", symbol="MART", base_uri="u/")
    splitter = operator.splitter_deploy(
        payees=[Payee(holder.account, 10_000)], remainder_payee=holder.account
    )
    operator.mint(
        edition=edition.address,
        owner=holder.account,
        royalty_receiver=splitter.address,
        royalty_bps=500,
    )

    with pytest.raises(TransactionFailed, match="not a minter"):
        stranger.mint(
            edition=edition.address,
            owner=stranger.account,
            royalty_receiver=splitter.address,
            royalty_bps=500,
        )
    with pytest.raises(TransactionFailed, match="not token owner or approved"):
        stranger.transfer(edition=edition.address, token_id=0, to=stranger.account)
    with pytest.raises(TransactionFailed, match="nothing to withdraw"):
        stranger.withdraw(splitter=splitter.address)
    with pytest.raises(ChainError, match="invalid token ID"):
        operator.owner_of(edition=edition.address, token_id=7)

    assert operator.owner_of(edition=edition.address, token_id=0) == holder.account


def test_a_custodial_account_moves_its_token_only_when_signing_with_its_key(chain: Chain):
    operator, buyer, stranger = chain.operator, chain.party(1), chain.party(2)
    key = "0x" + hashlib.sha256(b"a member's custodial key, derived from a seed").hexdigest()
    custodian = operator.signing_with(key)
    other_custodian = operator.signing_with("0x" + "42" * 32)
    assert custodian.account == Account.from_key(key).address
    for account in (custodian.account, other_custodian.account):
        operator.fund(to=account, amount=ETHER)  # gas, which eth-tester charges as a network does
    edition = edition_with_one_token(operator, holder=custodian.account)

    for other in (stranger, operator, other_custodian):
        with pytest.raises(TransactionFailed, match="not token owner or approved"):
            other.transfer(edition=edition, token_id=0, to=other.account)
    assert operator.owner_of(edition=edition, token_id=0) == custodian.account

    receipt = custodian.transfer(edition=edition, token_id=0, to=buyer.account)

    assert receipt.status is TxStatus.SUCCEEDED
    assert operator.owner_of(edition=edition, token_id=0) == buyer.account


def test_web3_refuses_an_unfunded_custodial_account_before_sending():
    operator = web3_chain().operator
    custodian = operator.signing_with("0x" + "24" * 32)
    edition = edition_with_one_token(operator, holder=custodian.account)

    with pytest.raises(TransactionFailed, match="refused before sending") as refused:
        custodian.transfer(edition=edition, token_id=0, to=operator.account)
    assert refused.value.receipt is None

    operator.fund(to=custodian.account, amount=ETHER // 10)
    custodian.transfer(edition=edition, token_id=0, to=operator.account)
    assert operator.owner_of(edition=edition, token_id=0) == operator.account


def edition_with_one_token(operator: ChainGateway, *, holder: str) -> str:
    """An edition whose token 0 is `holder`'s, paying its royalties to the operator."""
    edition = operator.edition_deploy(name="Mutua", symbol="MART", base_uri="u/").address
    splitter = operator.splitter_deploy(
        payees=[Payee(operator.account, 10_000)], remainder_payee=operator.account
    ).address
    operator.mint(edition=edition, owner=holder, royalty_receiver=splitter, royalty_bps=500)
    return edition


def test_signing_with_a_malformed_key_does_not_repeat_it(chain: Chain):
    secret = "0x" + "ab" * 31  # one byte short

    with pytest.raises(ChainError, match="malformed private key") as refused:
        chain.operator.signing_with(secret)

    assert secret not in str(refused.value)
    assert refused.value.__cause__ is None


def test_received_is_every_royalty_paid_in_even_after_withdrawals(chain: Chain):
    operator, investor, buyer = chain.operator, chain.party(1), chain.party(2)
    splitter = operator.splitter_deploy(
        payees=[Payee(investor.account, 6_000), Payee(operator.account, 4_000)],
        remainder_payee=operator.account,
    ).address
    assert operator.received(splitter=splitter) == 0

    buyer.royalty_pay(splitter=splitter, amount=99_999)
    operator.royalty_pay(splitter=splitter, amount=1)
    investor.withdraw(splitter=splitter)
    buyer.royalty_pay(splitter=splitter, amount=50_000)

    assert operator.received(splitter=splitter) == 99_999 + 1 + 50_000
    assert investor.received(splitter=splitter) == 150_000


def test_fund_sends_wei_from_the_gateway_account(chain: Chain):
    sender, recipient = chain.party(1), chain.party(2)
    before = chain.balance(recipient.account), chain.balance(sender.account)

    receipt = sender.fund(to=recipient.account, amount=123_456_789)

    assert receipt.status is TxStatus.SUCCEEDED
    assert sender.tx_status(receipt.tx_hash) is TxStatus.SUCCEEDED
    assert chain.balance(recipient.account) == before[0] + 123_456_789
    assert chain.balance(sender.account) <= before[1] - 123_456_789  # and gas on eth-tester


def test_fund_refuses_more_than_the_account_holds(chain: Chain):
    sender, recipient = chain.party(1), chain.party(2)
    before = chain.balance(recipient.account)

    with pytest.raises(TransactionFailed):
        sender.fund(to=recipient.account, amount=chain.balance(sender.account) + 1)

    assert chain.balance(recipient.account) == before


def test_bad_split_terms_are_refused_before_sending_with_every_problem(chain: Chain):
    a, b = chain.party(1).account, chain.party(2).account

    with pytest.raises(InvalidSplitTerms) as refused:
        chain.operator.splitter_deploy(
            payees=[Payee(a, 6_000), Payee(a, 3_000), Payee(b, 0)],
            remainder_payee=chain.operator.account,
        )

    assert refused.value.problems == [
        "a payee appears twice",
        "every share must be positive",
        "shares must sum to 10000 basis points",
        "the remainder payee must be one of the payees",
    ]


def test_boa_gateway_records_reverted_transactions():
    operator = BoaGateway()
    edition = operator.edition_deploy(name="Mutua", symbol="MART", base_uri="u/")

    with pytest.raises(TransactionFailed, match="invalid receiver") as failed:
        operator.mint(
            edition=edition.address,
            owner=operator.account,
            royalty_receiver="0x" + "00" * 20,
            royalty_bps=500,
        )

    receipt = failed.value.receipt
    assert receipt is not None
    assert operator.tx_status(receipt.tx_hash) is TxStatus.REVERTED
    assert operator.tx_status(edition.receipt.tx_hash) is TxStatus.SUCCEEDED
    assert operator.tx_status("0x" + "ab" * 32) is TxStatus.UNKNOWN
    assert receipt.block_number is not None
    assert edition.receipt.block_number is not None
    assert receipt.block_number > edition.receipt.block_number


def test_boa_gateways_do_not_share_a_chain():
    first, second = BoaGateway(), BoaGateway()
    edition = first.edition_deploy(name="Mutua", symbol="MART", base_uri="u/")

    with pytest.raises(ChainError, match="no contract"):
        second.owner_of(edition=edition.address, token_id=0)


@settings(max_examples=40)
@given(
    shares=st.lists(st.integers(min_value=0, max_value=10_000), min_size=0, max_size=9),
    duplicate=st.booleans(),
    remainder=st.integers(min_value=0, max_value=9),
)
def test_split_terms_problems_agree_with_the_contract(
    splitter_deployer: Any, shares: list[int], duplicate: bool, remainder: int
):
    import boa

    with boa.env.anchor():
        addresses = [str(boa.env.generate_address()) for _ in shares]
        if duplicate and len(addresses) > 1:
            addresses[-1] = addresses[0]
        stranger = "0x" + "11" * 20
        remainder_address = addresses[remainder] if remainder < len(addresses) else stranger
        payees = [Payee(a, s) for a, s in zip(addresses, shares, strict=True)]
        problems = split_terms_problems(payees, remainder_address)
        try:
            splitter_deployer.deploy(addresses, shares, remainder_address)
        except Exception:  # the contract refused (or the ABI could not carry 9 payees)
            assert problems
        else:
            assert problems == []


def test_the_process_keeps_one_gateway():
    assert isinstance(chain_gateway(), BoaGateway)  # no MUTUA_CHAIN_BACKEND in the test settings
    assert chain_gateway() is chain_gateway()


def test_factory_defaults_to_the_in_process_chain():
    assert isinstance(chain_gateway_from({}), BoaGateway)
    assert isinstance(chain_gateway_from({"MUTUA_CHAIN_BACKEND": "boa"}), BoaGateway)


def test_factory_needs_an_rpc_url_and_a_key_for_web3():
    with pytest.raises(ChainConfigError, match="MUTUA_CHAIN_RPC_URL, MUTUA_CHAIN_KEY"):
        chain_gateway_from({"MUTUA_CHAIN_BACKEND": "web3"})
    with pytest.raises(ChainConfigError, match="MUTUA_CHAIN_KEY"):
        chain_gateway_from({"MUTUA_CHAIN_BACKEND": "web3", "MUTUA_CHAIN_RPC_URL": "http://x"})


def test_factory_does_not_repeat_a_malformed_key():
    secret = "not-a-key-but-secret"
    environ = {
        "MUTUA_CHAIN_BACKEND": "web3",
        "MUTUA_CHAIN_RPC_URL": "http://127.0.0.1:8545",
        "MUTUA_CHAIN_KEY": secret,
    }

    with pytest.raises(ChainConfigError) as refused:
        chain_gateway_from(environ)

    assert secret not in str(refused.value)
    assert refused.value.__cause__ is None


def test_factory_builds_a_web3_gateway_without_connecting():
    key = "0x" + "01".rjust(64, "0")
    gateway = chain_gateway_from(
        {"MUTUA_CHAIN_RPC_URL": "http://127.0.0.1:9", "MUTUA_CHAIN_KEY": key}, backend="web3"
    )

    assert isinstance(gateway, Web3Gateway)
    assert gateway.account == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"


def test_factory_refuses_an_unknown_backend():
    with pytest.raises(ChainConfigError, match="unknown chain backend"):
        chain_gateway_from({"MUTUA_CHAIN_BACKEND": "ganache"})
