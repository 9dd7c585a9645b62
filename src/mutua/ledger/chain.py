"""The ledger's hash chains: what a transfer's hash covers, and the digest of all chain heads.

Each transfer extends two chains, its debit account's and its credit account's: its hash covers
both predecessors and its own content (`transfer_content`). The digest of every account's head as
of a moment (`digest_compute`) is what gets published, so a later rewrite shows.

`transfer_content` with `hashchain.link_hash` is the definition, and what `ledger verify` uses.
`transfer_hash` computes the same hash several times faster for the writer, by writing the
canonical JSON of these known fields directly; a property test holds the two equal.
"""

import hashlib
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, Protocol
from uuid import UUID

from mutua.ledger.models import Ledger, Transfer


class Chained(Protocol):
    """A stored `Transfer` or a `TransferRow` about to be written: what the hash reads."""

    @property
    def id(self) -> UUID: ...
    @property
    def ledger_id(self) -> UUID: ...
    @property
    def debit_account_id(self) -> UUID: ...
    @property
    def credit_account_id(self) -> UUID: ...
    @property
    def amount(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def memo(self) -> str: ...
    @property
    def pending_id(self) -> UUID | None: ...
    @property
    def reverses_id(self) -> UUID | None: ...
    @property
    def timeout_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def debit_seq(self) -> int: ...
    @property
    def credit_seq(self) -> int: ...
    @property
    def debit_prev_hash(self) -> str: ...
    @property
    def credit_prev_hash(self) -> str: ...


def _utc(moment: datetime) -> str:
    """Times are hashed in UTC: the database gives them back in UTC whatever zone wrote them."""
    return moment.astimezone(UTC).isoformat()


def transfer_content(transfer: Chained) -> dict[str, Any]:
    """What a transfer's hash covers (all of it but the hash)."""
    return {
        "id": str(transfer.id),
        "ledger": str(transfer.ledger_id),
        "debit": str(transfer.debit_account_id),
        "credit": str(transfer.credit_account_id),
        "amount": transfer.amount,
        "kind": transfer.kind,
        "code": transfer.code,
        "memo": transfer.memo,
        "pending": str(transfer.pending_id) if transfer.pending_id else None,
        "reverses": str(transfer.reverses_id) if transfer.reverses_id else None,
        "timeout_at": _utc(transfer.timeout_at) if transfer.timeout_at else None,
        "created_at": _utc(transfer.created_at),
        "debit_seq": transfer.debit_seq,
        "credit_seq": transfer.credit_seq,
    }


def _text(value: UUID | None) -> str:
    return f'"{value}"' if value else "null"


def transfer_hash(transfer: Chained) -> str:
    """`link_hash(chain_prev(debit_prev_hash, credit_prev_hash), transfer_content(transfer))`:
    the same bytes (keys in sorted order, no spaces, strings quoted as `json` quotes them with
    `ensure_ascii=False`), without building and sorting a dict."""
    t = transfer
    timeout = f'"{_utc(t.timeout_at)}"' if t.timeout_at else "null"
    text = (
        f'{{"amount":{int(t.amount)},"code":{encode_basestring(t.code)},'
        f'"created_at":"{_utc(t.created_at)}","credit":"{t.credit_account_id}",'
        f'"credit_seq":{int(t.credit_seq)},"debit":"{t.debit_account_id}",'
        f'"debit_seq":{int(t.debit_seq)},"id":"{t.id}",'
        f'"kind":{encode_basestring(t.kind)},"ledger":"{t.ledger_id}",'
        f'"memo":{encode_basestring(t.memo)},"pending":{_text(t.pending_id)},'
        f'"reverses":{_text(t.reverses_id)},"timeout_at":{timeout}}}'
    )
    digest = hashlib.sha256(f"{t.debit_prev_hash}:{t.credit_prev_hash}".encode("ascii"))
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def digest_compute(*, ledger: Ledger, at: datetime) -> tuple[str, int]:
    """The chain-heads digest of `ledger` as of `at`, and how many transfers it covers."""
    heads: dict[UUID, tuple[int, str]] = {}
    count = 0
    rows = Transfer.objects.filter(ledger=ledger, created_at__lte=at).values_list(
        "debit_account_id", "debit_seq", "credit_account_id", "credit_seq", "hash"
    )
    for debit, debit_seq, credit, credit_seq, digest in rows.iterator(chunk_size=5000):
        count += 1
        for account, seq in ((debit, debit_seq), (credit, credit_seq)):
            if account not in heads or heads[account][0] < seq:
                heads[account] = (seq, digest)
    text = "".join(f"{account}:{heads[account][1]}\n" for account in sorted(heads, key=str))
    return hashlib.sha256(text.encode()).hexdigest(), count
