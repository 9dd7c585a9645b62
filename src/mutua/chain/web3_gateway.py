"""`Web3Gateway`: the chain gateway on any EVM network, through web3.py.

Configured from the environment: `MUTUA_CHAIN_RPC_URL` (an HTTP(S) JSON-RPC endpoint) and
`MUTUA_CHAIN_KEY` (the hex private key of the operator account, which deploys, mints and pays;
keep it in the process environment or a secret store, never in the database or the repository).
`MUTUA_CHAIN_RECEIPT_TIMEOUT` (seconds, default 120) bounds the wait for a transaction to be mined.

Each write is built by web3.py (nonce from the pending count, gas estimated, fees from the node),
signed locally with the key, sent raw, and waited for; `fund`'s plain value transfer is built by
the same web3.py defaults as a contract call. A write the node refuses while estimating gas (a
revert, or a sender who cannot pay) raises `TransactionFailed` without a receipt; a mined revert
raises it with the receipt; a transaction not mined in time raises `TransactionPending`, whose
receipt's hash `tx_status` polls.

`signing_with` gives a gateway on the same connection that signs with another key: a member's
custodial account, which pays its own gas, so `fund` it before it sends anything.

The test suite runs it only against web3.py's `EthereumTesterProvider` (eth-tester on py-evm, in
process): the same calls and the same signing, but no HTTP, no real node, no fee market, no
reorganisation and no transaction that stays pending. Try it on a test network before relying on
it on a real one.
"""

from collections.abc import Callable, Mapping, Sequence
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
    key_account,
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
        """`revert_errors`: exception types besides web3's `ContractLogicError` and `Web3RPCError`
        by which the provider refuses a call or a transaction (web3's `EthereumTesterProvider`
        raises eth-tester's `TransactionFailed` for a revert, and py-evm's `ValidationError` for a
        sender who cannot pay)."""
        from web3.exceptions import ContractLogicError, Web3RPCError

        self._revert_errors = revert_errors
        # A revert, or the node's refusal of a transaction it was asked to estimate (a sender who
        # cannot pay for it, say): either way nothing was sent.
        self._refusals: tuple[type[Exception], ...] = (
            ContractLogicError,
            Web3RPCError,
            *revert_errors,
        )
        self._w3 = w3
        self._signer = key_account(private_key)
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
        except ChainError as error:  # a malformed key: the message never holds the key
            raise ChainConfigError(str(error)) from None
        except ValueError as error:  # a malformed timeout
            raise ChainConfigError(f"bad chain configuration: {type(error).__name__}") from None

    @property
    def account(self) -> str:
        return str(self._signer.address)

    def signing_with(self, private_key: str) -> "Web3Gateway":
        return Web3Gateway(
            w3=self._w3,
            private_key=private_key,
            receipt_timeout_s=self._timeout,
            revert_errors=self._revert_errors,
        )

    def fund(self, *, to: str, amount: int) -> TxReceipt:
        # The helper web3.py's own `build_transaction` uses (gas, fees, chain id), so a transfer
        # is built exactly as a contract call is.
        from web3._utils.transactions import fill_transaction_defaults

        recipient = self._address(to)
        return _receipt(
            self._send(
                lambda tx: fill_transaction_defaults(self._w3, {**tx, "to": recipient}),
                value=amount,
            )
        )

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

        raw = self._send(function.build_transaction)
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
        return _receipt(self._send(function.build_transaction))

    def royalty_info(self, *, edition: str, token_id: int, sale_price: int) -> RoyaltyInfo:
        contract = self._contract(Contract.ART_EDITION, edition)
        receiver, amount = self._call(contract.functions.royaltyInfo(token_id, sale_price))
        return RoyaltyInfo(str(receiver), int(amount))

    def royalty_pay(self, *, splitter: str, amount: int) -> TxReceipt:
        function = self._contract(Contract.ROYALTY_SPLITTER, splitter).functions.receive_royalty()
        return _receipt(self._send(function.build_transaction, value=amount))

    def credited(self, *, splitter: str, payee: str) -> int:
        contract = self._contract(Contract.ROYALTY_SPLITTER, splitter)
        return int(self._call(contract.functions.credited(self._address(payee))))

    def received(self, *, splitter: str) -> int:
        contract = self._contract(Contract.ROYALTY_SPLITTER, splitter)
        return int(self._call(contract.functions.total_received()))

    def withdraw(self, *, splitter: str) -> TxReceipt:
        function = self._contract(Contract.ROYALTY_SPLITTER, splitter).functions.withdraw()
        return _receipt(self._send(function.build_transaction))

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
        raw = self._send(factory.constructor(*args).build_transaction)
        return Deployment(str(raw["contractAddress"]), _receipt(raw))

    def _call(self, function: Any) -> Any:
        try:
            return function.call()
        except self._refusals as error:
            raise ChainError(f"refused by the contract: {error}") from error

    def _send(self, build: Callable[[Any], Any], *, value: int = 0) -> Any:
        """Builds (`build` fills in gas, fees and the call), signs, sends and waits for one
        transaction; returns web3's raw receipt."""
        from web3.exceptions import TimeExhausted

        sender = self._signer.address
        try:
            tx = build(
                {
                    "from": sender,
                    "value": value,
                    "nonce": self._w3.eth.get_transaction_count(sender, "pending"),
                }
            )
        except self._refusals as error:
            raise TransactionFailed(f"refused before sending: {error}") from error
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
