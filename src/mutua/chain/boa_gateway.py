"""`BoaGateway`: the chain gateway on titanoboa's in-process EVM (py-evm), for tests and the demo.

Each gateway owns its own `boa.Env`, so two gateways, or a gateway and a test's global EVM, never
share state; `acting_as` gives a second gateway on the same chain that signs as another account
(an investor withdrawing from a splitter, say), and `signing_with` does the same for the account of
a private key. Nothing is really signed on the in-process chain (titanoboa sends as any address it
is told to), so the key only names the account; gas costs nothing here, so an account needs no
funds to send a transaction. `fund` is a plain value transfer. The chain lives in this process's
memory only:
addresses recorded in the database outlive it, so the demo must deploy afresh in the process that
uses it.

The in-process EVM has no mempool: every transaction is mined at once in a block of its own (the
block number goes up by one per transaction), and the gateway makes up a transaction hash for it
(keccak of a counter) so `tx_status` answers as on a real network. A transaction that reverts
is recorded as `REVERTED` and raises `TransactionFailed` with the contract's reason. Calls from
all gateways of the process take turns under one lock, since titanoboa picks its EVM through a
module-level global.
"""

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from eth_utils import keccak, to_checksum_address

from mutua.chain.gateway import (
    ChainError,
    Deployment,
    Minted,
    Payee,
    RoyaltyInfo,
    TransactionFailed,
    TxReceipt,
    TxStatus,
    key_account,
    split_terms_check,
)
from mutua.chain.source import Contract, contract_deployer

T = TypeVar("T")
# titanoboa selects its EVM through a module-level global (`boa.env`), so calls from any gateway
# in this process take turns, whichever thread makes them (`runserver` serves with threads).
_BOA_LOCK = threading.RLock()
OPERATOR_KEY = "0x" + keccak(text="mutua in-process chain operator").hex()  # play money only
OPERATOR_FUNDS_WEI = 10**24  # a million ether of play money on the in-process chain


@dataclass
class _Chain:
    """State shared by every gateway on one in-process chain."""

    env: Any
    contracts: dict[str, Any] = field(default_factory=dict)  # checksummed address -> contract
    receipts: dict[str, TxReceipt] = field(default_factory=dict)
    tx_count: int = 0


class BoaGateway:
    def __init__(self, *, account: str | None = None, _chain: _Chain | None = None) -> None:
        import boa

        self._chain = _chain or _Chain(env=boa.Env())
        if account is None:
            # The same operator on every in-process chain, so deploying and minting in the same
            # order gives the same addresses (the art app replays a process's chain this way).
            account = str(key_account(OPERATOR_KEY).address)
            self._chain.env.set_balance(account, OPERATOR_FUNDS_WEI)
        self._account = to_checksum_address(account)

    @property
    def account(self) -> str:
        return self._account

    # Helpers that exist only on the in-process chain (tests and the demo).

    def acting_as(self, account: str) -> "BoaGateway":
        return BoaGateway(account=account, _chain=self._chain)

    def new_account(self, *, alias: str | None = None, balance_wei: int = 0) -> str:
        address = str(self._chain.env.generate_address(alias))
        self._chain.env.set_balance(address, balance_wei)
        return to_checksum_address(address)

    def knows(self, address: str) -> bool:
        """Whether this chain deployed a contract at `address` (a process's chain starts empty:
        the art app replays it from the database when it does not)."""
        return to_checksum_address(address) in self._chain.contracts

    def balance(self, address: str) -> int:
        return int(self._chain.env.get_balance(address))

    # The ChainGateway protocol.

    def signing_with(self, private_key: str) -> "BoaGateway":
        return BoaGateway(account=key_account(private_key).address, _chain=self._chain)

    def fund(self, *, to: str, amount: int) -> TxReceipt:
        env = self._chain.env
        return self._transact(lambda: env.raw_call(to_checksum_address(to), value=amount))[1]

    def edition_deploy(self, *, name: str, symbol: str, base_uri: str) -> Deployment:
        contract, receipt = self._transact(
            lambda: contract_deployer(Contract.ART_EDITION).deploy(name, symbol, base_uri)
        )
        return Deployment(self._register(contract), receipt)

    def splitter_deploy(self, *, payees: Sequence[Payee], remainder_payee: str) -> Deployment:
        split_terms_check(payees, remainder_payee)
        deployer = contract_deployer(Contract.ROYALTY_SPLITTER)
        contract, receipt = self._transact(
            lambda: deployer.deploy(
                [p.address for p in payees], [p.shares_bps for p in payees], remainder_payee
            )
        )
        return Deployment(self._register(contract), receipt)

    def mint(self, *, edition: str, owner: str, royalty_receiver: str, royalty_bps: int) -> Minted:
        contract = self._contract(edition)
        token_id, receipt = self._transact(
            lambda: contract.mint(owner, royalty_receiver, royalty_bps)
        )
        return Minted(int(token_id), receipt)

    def owner_of(self, *, edition: str, token_id: int) -> str:
        return self._read(
            lambda: to_checksum_address(str(self._contract(edition).ownerOf(token_id)))
        )

    def transfer(self, *, edition: str, token_id: int, to: str) -> TxReceipt:
        holder = self.owner_of(edition=edition, token_id=token_id)
        contract = self._contract(edition)
        return self._transact(lambda: contract.transferFrom(holder, to, token_id))[1]

    def royalty_info(self, *, edition: str, token_id: int, sale_price: int) -> RoyaltyInfo:
        receiver, amount = self._read(
            lambda: self._contract(edition).royaltyInfo(token_id, sale_price)
        )
        return RoyaltyInfo(to_checksum_address(str(receiver)), int(amount))

    def royalty_pay(self, *, splitter: str, amount: int) -> TxReceipt:
        contract = self._contract(splitter)
        return self._transact(lambda: contract.receive_royalty(value=amount))[1]

    def credited(self, *, splitter: str, payee: str) -> int:
        return int(self._read(lambda: self._contract(splitter).credited(payee)))

    def received(self, *, splitter: str) -> int:
        return int(self._read(lambda: self._contract(splitter).total_received()))

    def withdraw(self, *, splitter: str) -> TxReceipt:
        contract = self._contract(splitter)
        return self._transact(contract.withdraw)[1]

    def tx_status(self, tx_hash: str) -> TxStatus:
        receipt = self._chain.receipts.get(tx_hash.lower())
        return receipt.status if receipt else TxStatus.UNKNOWN

    # Internals.

    @contextmanager
    def _signing(self) -> Iterator[None]:
        import boa

        with _BOA_LOCK, boa.swap_env(self._chain.env), self._chain.env.prank(self._account):
            yield

    def _read(self, call: Callable[[], T]) -> T:
        from boa.contracts.base_evm_contract import BoaError

        try:
            with self._signing():
                return call()
        except BoaError as error:
            raise ChainError(f"refused by the contract: {_reason(error)}") from error

    def _transact(self, call: Callable[[], T]) -> tuple[T, TxReceipt]:
        from boa.contracts.base_evm_contract import BoaError
        from eth.exceptions import VMError

        chain = self._chain
        with self._signing():
            chain.tx_count += 1
            tx_hash = "0x" + keccak(text=f"{self._account}:{chain.tx_count}").hex()
            chain.env.time_travel(blocks=1)
            block = int(chain.env.evm.patch.block_number)
            try:
                result = call()
            # A contract call fails with titanoboa's BoaError; a plain value transfer (`fund`)
            # with py-evm's own error (insufficient funds, a recipient whose fallback reverts).
            except (BoaError, VMError) as error:
                receipt = TxReceipt(tx_hash, TxStatus.REVERTED, block)
                chain.receipts[tx_hash] = receipt
                raise TransactionFailed(_reason(error), receipt) from error
            receipt = TxReceipt(tx_hash, TxStatus.SUCCEEDED, block)
            chain.receipts[tx_hash] = receipt
            return result, receipt

    def _register(self, contract: Any) -> str:
        address = to_checksum_address(str(contract.address))
        self._chain.contracts[address] = contract
        return address

    def _contract(self, address: str) -> Any:
        try:
            return self._chain.contracts[to_checksum_address(address)]
        except KeyError:
            raise ChainError(f"no contract deployed by this chain at {address}") from None


def _reason(error: Any) -> str:
    if not hasattr(error, "stack_trace"):  # py-evm's VMError: its message is the reason
        return str(error) or "reverted"
    return str(getattr(error.stack_trace.last_frame, "pretty_vm_reason", None) or "reverted")
