"""One gateway in front of the chain: everything Mutua does on chain goes through a `ChainGateway`.

The art app deploys an edition contract and a royalty splitter per token, mints, moves tokens, reads
ERC-2981 royalty info, pays royalties into splitters and reads their credits, all through this
protocol, so the same code runs on:

- `BoaGateway` (`boa_gateway.py`): titanoboa's in-process EVM on py-evm, for tests and the demo;
  its chain lives in the memory of one process and is gone when the process ends.
- `Web3Gateway` (`web3_gateway.py`): any EVM network through web3.py, with the RPC URL and the
  signing key from the environment (`MUTUA_CHAIN_RPC_URL`, `MUTUA_CHAIN_KEY`).

`chain_gateway()` picks one from `settings.MUTUA_CHAIN_BACKEND` or the environment variable of
the same name (`boa`, the default, or `web3`) and keeps it for the process.

Conventions: amounts are integers of wei; addresses are 0x-prefixed hex strings (checksummed on
the way out); every write is signed by the gateway's one `account` and returns only once the
transaction is mined and succeeded. `signing_with(private_key)` gives a gateway on the same chain
whose account is that key's: the art app keeps custodial accounts for members (keys derived from
a secret seed), funds them with `fund` so they can pay gas on a real network, and moves a member's
token by signing as that member. A malformed key raises `ChainError` without repeating the key.

Errors::

    ChainError                  anything the chain layer refuses or cannot do
    ├── ChainConfigError        settings or environment do not describe a usable chain
    ├── InvalidSplitTerms       splitter terms refused before sending (carries every problem)
    └── TransactionFailed       the chain refused a call (`receipt` is None if never mined)
        └── TransactionPending  sent, but not mined before the timeout: poll `tx_status`
"""

import os
import threading
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

TOTAL_BPS = 10_000
MAX_PAYEES = 8  # the splitter contract's bound


class TxStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    REVERTED = "reverted"
    UNKNOWN = "unknown"  # never seen, or dropped


class TxReceipt(NamedTuple):
    tx_hash: str
    status: TxStatus
    block_number: int | None


class Deployment(NamedTuple):
    address: str
    receipt: TxReceipt


class Minted(NamedTuple):
    token_id: int
    receipt: TxReceipt


class RoyaltyInfo(NamedTuple):
    receiver: str
    amount: int


class Payee(NamedTuple):
    address: str
    shares_bps: int


class ChainError(Exception):
    pass


class ChainConfigError(ChainError):
    pass


class InvalidSplitTerms(ChainError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class TransactionFailed(ChainError):
    def __init__(self, message: str, receipt: TxReceipt | None = None) -> None:
        super().__init__(message)
        self.receipt = receipt


class TransactionPending(TransactionFailed):
    pass


class ChainGateway(Protocol):
    @property
    def account(self) -> str:
        """The address that signs every write."""
        ...

    def signing_with(self, private_key: str) -> "ChainGateway":
        """A gateway on the same chain that signs every write as this hex private key's account."""
        ...

    def fund(self, *, to: str, amount: int) -> TxReceipt:
        """Sends `amount` wei of the gateway's account to `to` (a plain value transfer)."""
        ...

    def edition_deploy(self, *, name: str, symbol: str, base_uri: str) -> Deployment:
        """An `art_edition` contract; the gateway's account becomes its owner and minter."""
        ...

    def splitter_deploy(self, *, payees: Sequence[Payee], remainder_payee: str) -> Deployment:
        """A `royalty_splitter`; raises `InvalidSplitTerms` before sending if the terms are bad."""
        ...

    def mint(
        self, *, edition: str, owner: str, royalty_receiver: str, royalty_bps: int
    ) -> Minted: ...

    def owner_of(self, *, edition: str, token_id: int) -> str: ...

    def transfer(self, *, edition: str, token_id: int, to: str) -> TxReceipt:
        """Moves the token from its current holder; the gateway's account must hold it or be
        approved for it."""
        ...

    def royalty_info(self, *, edition: str, token_id: int, sale_price: int) -> RoyaltyInfo: ...

    def royalty_pay(self, *, splitter: str, amount: int) -> TxReceipt:
        """Sends `amount` wei from the gateway's account into the splitter."""
        ...

    def credited(self, *, splitter: str, payee: str) -> int: ...

    def received(self, *, splitter: str) -> int:
        """Every wei the splitter has ever received (`total_received`): withdrawals never lower
        it."""
        ...

    def withdraw(self, *, splitter: str) -> TxReceipt:
        """Withdraws the gateway account's own credit (a splitter pays no one else's)."""
        ...

    def tx_status(self, tx_hash: str) -> TxStatus: ...


def split_terms_problems(payees: Sequence[Payee], remainder_payee: str) -> list[str]:
    """Every reason the splitter contract would refuse these terms, all at once (empty if none)."""
    problems: list[str] = []
    addresses = [payee.address.lower() for payee in payees]
    if not payees:
        problems.append("no payees")
    if len(payees) > MAX_PAYEES:
        problems.append(f"more than {MAX_PAYEES} payees")
    if len(set(addresses)) != len(addresses):
        problems.append("a payee appears twice")
    if any(int(address, 16) == 0 for address in addresses):
        problems.append("a payee is the zero address")
    if any(payee.shares_bps <= 0 for payee in payees):
        problems.append("every share must be positive")
    if sum(payee.shares_bps for payee in payees) != TOTAL_BPS:
        problems.append(f"shares must sum to {TOTAL_BPS} basis points")
    if remainder_payee.lower() not in addresses:
        problems.append("the remainder payee must be one of the payees")
    return problems


def split_terms_check(payees: Sequence[Payee], remainder_payee: str) -> None:
    if problems := split_terms_problems(payees, remainder_payee):
        raise InvalidSplitTerms(problems)


def key_account(private_key: str) -> "LocalAccount":
    """The account of a hex private key; a malformed key raises `ChainError`, never repeating it."""
    from eth_account import Account

    try:
        return Account.from_key(private_key)
    except ValueError as error:
        raise ChainError(f"malformed private key: {type(error).__name__}") from None


_gateway: ChainGateway | None = None
_gateway_lock = threading.Lock()


def chain_gateway_from(environ: Mapping[str, str], backend: str | None = None) -> ChainGateway:
    """A new gateway for `backend` (else `MUTUA_CHAIN_BACKEND` in `environ`, else `boa`)."""
    choice = (backend or environ.get("MUTUA_CHAIN_BACKEND") or "boa").strip().lower()
    if choice == "boa":
        from mutua.chain.boa_gateway import BoaGateway

        return BoaGateway()
    if choice == "web3":
        from mutua.chain.web3_gateway import Web3Gateway

        return Web3Gateway.from_environ(environ)
    raise ChainConfigError(f"unknown chain backend {choice!r}: use 'boa' or 'web3'")


def chain_gateway() -> ChainGateway:
    """The process's gateway, made on first use from settings or the environment."""
    global _gateway
    with _gateway_lock:
        if _gateway is None:
            from django.conf import settings

            backend = getattr(settings, "MUTUA_CHAIN_BACKEND", None)
            _gateway = chain_gateway_from(os.environ, backend)
        return _gateway
