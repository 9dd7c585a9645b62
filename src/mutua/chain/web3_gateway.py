"""`Web3Gateway`: the chain gateway on any EVM network, through web3.py.

Configured from the environment: `MUTUA_CHAIN_RPC_URL` (an HTTP(S) JSON-RPC endpoint) and
`MUTUA_CHAIN_KEY` (the hex private key of the operator account, which deploys, mints and pays;
keep it in the process environment or a secret store, never in the database or the repository).
`MUTUA_CHAIN_RECEIPT_TIMEOUT` (seconds, default 120) bounds the wait for a transaction to be mined.

Each write is built by web3.py (nonce from the pending count, gas estimated, fees from the node),
signed locally with the key, sent raw, and waited for. A call the node refuses while estimating
gas raises `TransactionFailed` without a receipt; a mined revert raises it with the receipt; a
transaction not mined in time raises `TransactionPending`, whose receipt's hash `tx_status` polls.

The test suite runs it only against web3.py's `EthereumTesterProvider` (eth-tester on py-evm, in
process): the same calls and the same signing, but no HTTP, no real node, no fee market, no
reorganisation and no transaction that stays pending. Try it on a test network before relying on
it on a real one.
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mutua.chain.gateway import (
    ChainConfigError,
    ChainError,
    Deployment,
    Minted,
    Payee,
    RoyaltyInfo,
    TransactionFailed,
    TransactionPending,
    TxReceipt,
    TxStatus,
    split_terms_check,
)
from mutua.chain.source import Contract, contract_compile

if TYPE_CHECKING:
    from web3 import Web3

DEFAULT_RECEIPT_TIMEOUT_S = 120.0


class Web3Gateway:
    def __init__(
        self,
        *,
        w3: "Web3",
        private_key: str,
        receipt_timeout_s: float = DEFAULT_RECEIPT_TIMEOUT_S,
        revert_errors: tuple[type[Exception], ...] = (),
    ) -> None:
        """`revert_errors`: exception types besides web3's `ContractLogicError` by which the
        provider says a call reverted (web3's `EthereumTesterProvider` raises eth-tester's own)."""
        from eth_account import Account
        from web3.exceptions import ContractLogicError

        self._refusals: tuple[type[Exception], ...] = (ContractLogicError, *revert_errors)
        self._w3 = w3
        self._signer = Account.from_key(private_key)
        self._timeout = receipt_timeout_s

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Web3Gateway":
        rpc_url = environ.get("MUTUA_CHAIN_RPC_URL", "").strip()
        key = environ.get("MUTUA_CHAIN_KEY", "").strip()
        missing = [
            name
            for name, value in (("MUTUA_CHAIN_RPC_URL", rpc_url), ("MUTUA_CHAIN_KEY", key))
            if not value
        ]
        if missing:
            raise ChainConfigError(f"the web3 chain backend needs {', '.join(missing)}")
        from web3 import Web3

        try:
            timeout = float(environ.get("MUTUA_CHAIN_RECEIPT_TIMEOUT", DEFAULT_RECEIPT_TIMEOUT_S))
            w3 = Web3(Web3.HTTPProvider(rpc_url))
            return cls(w3=w3, private_key=key, receipt_timeout_s=timeout)
        except ValueError as error:  # a malformed key or timeout; the message never holds the key
            raise ChainConfigError(f"bad chain configuration: {type(error).__name__}") from None

    @property
    def account(self) -> str:
        return str(self._signer.address)

    def edition_deploy(self, *, name: str, symbol: str, base_uri: str) -> Deployment:
        return self._deploy(Contract.ART_EDITION, name, symbol, base_uri)

    def splitter_deploy(self, *, payees: Sequence[Payee], remainder_payee: str) -> Deployment:
        split_terms_check(payees, remainder_payee)
        return self._deploy(
            Contract.ROYALTY_SPLITTER,
            [self._address(p.address) for p in payees],
            [p.shares_bps for p in payees],
            self._address(remainder_payee),
        )

    def mint(self, *, edition: str, owner: str, royalty_receiver: str, royalty_bps: int) -> Minted:
        function = self._contract(Contract.ART_EDITION, edition).functions.mint(
            self._address(owner), self._address(royalty_receiver), royalty_bps
        )
        from web3.logs import DISCARD

        raw = self._send(function)
        minted = self._contract(Contract.ART_EDITION, edition).events.EditionMinted()
        (event,) = minted.process_receipt(raw, errors=DISCARD)
        return Minted(int(event["args"]["token_id"]), _receipt(raw))

    def owner_of(self, *, edition: str, token_id: int) -> str:
        contract = self._contract(Contract.ART_EDITION, edition)
        return str(self._call(contract.functions.ownerOf(token_id)))

    def transfer(self, *, edition: str, token_id: int, to: str) -> TxReceipt:
        holder = self.owner_of(edition=edition, token_id=token_id)
        contract = self._contract(Contract.ART_EDITION, edition)
        function = contract.functions.transferFrom(holder, self._address(to), token_id)
        return _receipt(self._send(function))

    def royalty_info(self, *, edition: str, token_id: int, sale_price: int) -> RoyaltyInfo:
        contract = self._contract(Contract.ART_EDITION, edition)
        receiver, amount = self._call(contract.functions.royaltyInfo(token_id, sale_price))
        return RoyaltyInfo(str(receiver), int(amount))

    def royalty_pay(self, *, splitter: str, amount: int) -> TxReceipt:
        function = self._contract(Contract.ROYALTY_SPLITTER, splitter).functions.receive_royalty()
        return _receipt(self._send(function, value=amount))

    def credited(self, *, splitter: str, payee: str) -> int:
        contract = self._contract(Contract.ROYALTY_SPLITTER, splitter)
        return int(self._call(contract.functions.credited(self._address(payee))))

    def withdraw(self, *, splitter: str) -> TxReceipt:
        function = self._contract(Contract.ROYALTY_SPLITTER, splitter).functions.withdraw()
        return _receipt(self._send(function))

    def tx_status(self, tx_hash: str) -> TxStatus:
        from web3.exceptions import TransactionNotFound

        try:
            raw = self._w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            try:
                self._w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                return TxStatus.UNKNOWN
            return TxStatus.PENDING
        return _receipt(raw).status

    # Internals.

    def _address(self, address: str) -> str:
        return str(self._w3.to_checksum_address(address))

    def _contract(self, contract: Contract, address: str) -> Any:
        abi = contract_compile(contract).abi
        return self._w3.eth.contract(address=self._address(address), abi=abi)  # type: ignore[call-overload]

    def _deploy(self, contract: Contract, *args: Any) -> Deployment:
        compiled = contract_compile(contract)
        factory = self._w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        raw = self._send(factory.constructor(*args))
        return Deployment(str(raw["contractAddress"]), _receipt(raw))

    def _call(self, function: Any) -> Any:
        try:
            return function.call()
        except self._refusals as error:
            raise ChainError(f"refused by the contract: {error}") from error

    def _send(self, function: Any, *, value: int = 0) -> Any:
        """Builds, signs, sends and waits for one transaction; returns web3's raw receipt."""
        from web3.exceptions import TimeExhausted

        sender = self._signer.address
        try:
            tx = function.build_transaction(
                {
                    "from": sender,
                    "value": value,
                    "nonce": self._w3.eth.get_transaction_count(sender, "pending"),
                }
            )
        except self._refusals as error:
            raise TransactionFailed(f"refused by the contract: {error}") from error
        signed = self._signer.sign_transaction(tx)
        tx_hash = self._w3.eth.send_raw_transaction(signed.raw_transaction)
        try:
            raw = self._w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self._timeout)
        except TimeExhausted:
            pending = TxReceipt(tx_hash.to_0x_hex(), TxStatus.PENDING, None)
            raise TransactionPending("not mined in time", pending) from None
        if raw["status"] != 1:
            raise TransactionFailed("reverted on chain", _receipt(raw))
        return raw


def _receipt(raw: Any) -> TxReceipt:
    status = TxStatus.SUCCEEDED if raw["status"] == 1 else TxStatus.REVERTED
    return TxReceipt(raw["transactionHash"].to_0x_hex(), status, int(raw["blockNumber"]))
