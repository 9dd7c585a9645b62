"""The writer's fast hashes equal their definitions, byte for byte, for any content.

`TransferRequest.body_hash` and `chain.transfer_hash` write canonical JSON by hand for speed;
`ledger verify` recomputes with the definitions (`json` and `hashchain.link_hash`), so a
difference would show as a broken chain. These properties make sure there is none to find.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.core.hashchain import link_hash
from mutua.ledger.chain import transfer_content, transfer_hash
from mutua.ledger.domain import Kind, TransferRequest, TransferRow, chain_prev

ids = st.uuids()
maybe_ids = st.none() | st.uuids()
texts = st.text(max_size=60)  # any code points but surrogates: control characters, quotes, emoji
amounts = st.integers(min_value=-(10**16), max_value=10**16)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
)
moments = st.datetimes(timezones=zones)
hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@given(
    st.builds(
        TransferRequest,
        id=ids,
        kind=st.sampled_from(list(Kind)),
        debit_account_id=maybe_ids,
        credit_account_id=maybe_ids,
        amount=amounts,
        code=texts,
        memo=texts,
        target_id=maybe_ids,
        timeout_seconds=st.none() | st.integers(min_value=0, max_value=10**9),
    )
)
def test_body_hash_is_the_hash_of_the_sorted_json_body(request: TransferRequest) -> None:
    text = json.dumps(request.body(), sort_keys=True, separators=(",", ":"))
    assert request.body_hash() == hashlib.sha256(text.encode()).hexdigest()


def transfer_rows(
    *,
    amounts: st.SearchStrategy[int],
    codes: st.SearchStrategy[str],
    memos: st.SearchStrategy[str],
    moments: st.SearchStrategy[datetime],
) -> st.SearchStrategy[TransferRow]:
    return st.builds(
        TransferRow,
        id=ids,
        community_id=ids,
        ledger_id=ids,
        debit_account_id=ids,
        credit_account_id=ids,
        amount=amounts,
        kind=st.sampled_from(["posted", "pending", "post", "void"]),
        code=codes,
        memo=memos,
        pending_id=maybe_ids,
        reverses_id=maybe_ids,
        timeout_at=st.none() | moments,
        batch_id=ids,
        body_hash=hashes,
        created_at=moments,
        created_by_id=maybe_ids,
        debit_seq=st.integers(min_value=1, max_value=10**12),
        credit_seq=st.integers(min_value=1, max_value=10**12),
        debit_prev_hash=hashes,
        credit_prev_hash=hashes,
        hash=st.just(""),
    )


@given(transfer_rows(amounts=amounts, codes=texts, memos=texts, moments=moments))
def test_transfer_hash_is_the_link_hash_of_the_transfer_content(row: TransferRow) -> None:
    prev = chain_prev(row.debit_prev_hash, row.credit_prev_hash)
    assert transfer_hash(row) == link_hash(prev, transfer_content(row))


# PostgreSQL writes a single transfer's hash itself (`ledger_transfer_hash`, the quick path of
# migrations/sql/quick_transfer_postgresql.sql): it must be the same bytes as `transfer_hash`.
# Strings as the columns hold them (no NUL, within their lengths), times in the years Mutua takes.
no_nul = st.characters(exclude_characters="\x00")
column_texts = st.text(alphabet=no_nul, max_size=40)
stored_moments = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=zones
)


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    transfer_rows(
        amounts=st.integers(min_value=1, max_value=10**15),
        codes=column_texts,
        memos=column_texts | st.text(alphabet=no_nul, max_size=200),
        moments=stored_moments | stored_moments.map(lambda m: m.replace(microsecond=0)),
    )
)
def test_the_database_hashes_a_transfer_as_the_service_does(row: TransferRow) -> None:
    if connection.vendor != "postgresql":
        # SQLite has no quick path and computes no hash (migrations/sql/quick_transfer_sqlite.sql);
        # this property is checked by the suite's PostgreSQL pass.
        return
    values = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in row._asdict().items()
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ledger_transfer_hash(jsonb_populate_record(NULL::ledger_transfer, %s::jsonb))",
            [json.dumps(values, default=str)],
        )
        (digest,) = cursor.fetchone()
    assert digest == transfer_hash(row)
