"""Contract fixtures on titanoboa's in-process EVM.

Each contract compiles once per test session (the deployers are session-scoped); each test then
runs in its own fresh EVM, so tests never see each other's deployments or balances, whether or not
titanoboa's pytest plugin is loaded. Property tests wrap every example in `boa.env.anchor()`.
"""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import boa
import pytest

from mutua.chain.source import Contract, contract_deployer, source_deployer

TEST_CONTRACTS = Path(__file__).resolve().parent / "contracts"
BASE_URI = "https://mutua.example/art/editions/7/"
ETHER = 10**18


@pytest.fixture(scope="session")
def edition_deployer() -> Any:
    return contract_deployer(Contract.ART_EDITION)


@pytest.fixture(scope="session")
def splitter_deployer() -> Any:
    return contract_deployer(Contract.ROYALTY_SPLITTER)


@pytest.fixture(scope="session")
def reverting_payee_deployer() -> Any:
    return source_deployer(TEST_CONTRACTS / "reverting_payee.vy")


@pytest.fixture(scope="session")
def reentrant_payee_deployer() -> Any:
    return source_deployer(TEST_CONTRACTS / "reentrant_payee.vy")


@pytest.fixture(autouse=True)
def fresh_evm() -> Iterator[None]:
    with boa.swap_env(boa.Env()):
        yield


def funded_address(alias: str, ether: int = 1_000) -> Any:
    address = boa.env.generate_address(alias)
    boa.env.set_balance(address, ether * ETHER)
    return address


@pytest.fixture
def minter() -> Any:
    return funded_address("minter")


@pytest.fixture
def edition(edition_deployer: Any, minter: Any) -> Any:
    with boa.env.prank(minter):
        return edition_deployer.deploy("Mutua Art for Land", "MART", BASE_URI)


@pytest.fixture
def deploy_splitter(splitter_deployer: Any) -> Any:
    def deploy(payees: Sequence[Any], shares: Sequence[int], remainder_payee: Any) -> Any:
        return splitter_deployer.deploy(list(payees), list(shares), remainder_payee)

    return deploy
