"""Pure values of the ledger: what a client asks for, what it gets back, how a body is hashed.

No Django here. A `TransferRequest` is the client's body; its `id` is the idempotency key, and its
`body_hash` decides whether a retry with the same id is the same request (`exists`) or another
one (`id_conflict`).
"""

import hashlib
from datetime import datetime
from enum import StrEnum
from json.encoder import encode_basestring_ascii as _quote
from typing import NamedTuple
from uuid import UUID


def _text(value: UUID | None) -> str:
    return f'"{value}"' if value else "null"


class Result(StrEnum):
    """Per-transfer result codes (TigerBeetle style)."""

    OK = "ok"
    EXISTS = "exists"
    ID_CONFLICT = "id_conflict"
    LINKED_EVENT_FAILED = "linked_event_failed"
    AMOUNT_MUST_BE_POSITIVE = "amount_must_be_positive"
    ACCOUNTS_MUST_BE_DIFFERENT = "accounts_must_be_different"
    ACCOUNT_NOT_FOUND = "account_not_found"
    LEDGER_MISMATCH = "ledger_mismatch"
    ACCOUNT_CLOSED = "account_closed"
    EXCEEDS_CREDIT_LIMIT = "exceeds_credit_limit"
    PENDING_NOT_FOUND = "pending_not_found"
    PENDING_ALREADY_RESOLVED = "pending_already_resolved"
    PENDING_EXPIRED = "pending_expired"
    EXCEEDS_PENDING_AMOUNT = "exceeds_pending_amount"
    ORIGINAL_NOT_FOUND = "original_not_found"
    EXCEEDS_ORIGINAL_AMOUNT = "exceeds_original_amount"
    TIMEOUT_INVALID = "timeout_invalid"


class Kind(StrEnum):
    POSTED = "posted"
    PENDING = "pending"
    POST = "post"
    VOID = "void"
    REVERSE = "reverse"  # a request only: it becomes a posted transfer that `reverses` another


class TransferRequest(NamedTuple):
    """What a client asks for. For post, void and reverse, `target_id` names the transfer acted on
    and the accounts come from it; `amount` 0 there means "all of it"."""

    id: UUID
    kind: Kind = Kind.POSTED
    debit_account_id: UUID | None = None
    credit_account_id: UUID | None = None
    amount: int = 0
    code: str = ""
    memo: str = ""
    target_id: UUID | None = None
    timeout_seconds: int | None = None

    def body(self) -> dict[str, object]:
        """What `body_hash` covers: the request without its id."""
        return {
            "kind": str(self.kind),
            "debit": str(self.debit_account_id) if self.debit_account_id else None,
            "credit": str(self.credit_account_id) if self.credit_account_id else None,
            "amount": self.amount,
            "code": self.code,
            "memo": self.memo,
            "target": str(self.target_id) if self.target_id else None,
            "timeout": self.timeout_seconds,
        }

    def body_hash(self) -> str:
        """SHA-256 of `body()` as `json.dumps(sort_keys=True, separators=(",", ":"))` writes it,
        written directly (several times faster; a property test holds the two equal)."""
        timeout = "null" if self.timeout_seconds is None else int(self.timeout_seconds)
        text = (
            f'{{"amount":{int(self.amount)},"code":{_quote(self.code)},'
            f'"credit":{_text(self.credit_account_id)},"debit":{_text(self.debit_account_id)},'
            f'"kind":{_quote(str(self.kind))},"memo":{_quote(self.memo)},'
            f'"target":{_text(self.target_id)},"timeout":{timeout}}}'
        )
        return hashlib.sha256(text.encode("ascii")).hexdigest()


class TransferRow(NamedTuple):
    """A transfer as the service writes it: the columns of `ledger_transfer`, in order."""

    id: UUID
    community_id: UUID
    ledger_id: UUID
    debit_account_id: UUID
    credit_account_id: UUID
    amount: int
    kind: str
    code: str
    memo: str
    pending_id: UUID | None
    reverses_id: UUID | None
    timeout_at: datetime | None
    batch_id: UUID
    body_hash: str
    created_at: datetime
    created_by_id: UUID | None
    debit_seq: int
    credit_seq: int
    debit_prev_hash: str
    credit_prev_hash: str
    hash: str


class TransferOutcome(NamedTuple):
    id: UUID
    result: Result
    created_at: datetime | None = None


def chain_prev(debit_prev_hash: str, credit_prev_hash: str) -> str:
    """A transfer links into two chains at once: its hash covers both predecessors."""
    return f"{debit_prev_hash}:{credit_prev_hash}"
