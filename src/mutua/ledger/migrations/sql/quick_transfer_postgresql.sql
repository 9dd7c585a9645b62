-- One transfer in one round trip (PostgreSQL). The service's quick path for a single new transfer
-- (posted, or a hold without a time limit) called outside any transaction: `SELECT
-- ledger_transfer_quick(...)` locks both accounts, checks what the service checks, builds the row
-- with its place in both hash chains and inserts it, all in the statement's own transaction. The
-- normal path needs two round trips (lock and read, then insert), and on a busy server a round
-- trip costs about as much as the work it carries.
--
-- The function only takes the road where everything is in order. Whenever the service would answer
-- anything but `ok` (an id already used, an account missing, closed, on another ledger or past its
-- limit) it inserts nothing and returns NULL, and the service runs its normal path, which gives the
-- exact result code. So the rules that decide a refusal live in one place, `services._check_new`;
-- these lines only recognise the case where none applies. The insert goes through the same
-- statement trigger as every other write (statement_apply_postgresql.sql), which checks the row
-- again.
--
-- The hash is `chain.transfer_hash`, written in SQL: the same canonical JSON (keys in sorted
-- order, no spaces, strings escaped as Python's json escapes them with ensure_ascii=False, which
-- is what to_json does), the same UTC times as Python's isoformat(). A property test holds
-- `ledger_transfer_hash` equal to the Python function, and `ledger verify` recomputes every hash.

CREATE FUNCTION ledger_utc_text(moment timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_trunc('second', moment) = moment THEN ''
                ELSE to_char(moment AT TIME ZONE 'UTC', '.US') END
        || '+00:00'
$$
-- next
CREATE FUNCTION ledger_transfer_hash(t ledger_transfer) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(
        t.debit_prev_hash || ':' || t.credit_prev_hash
        || '{"amount":' || t.amount
        || ',"code":' || to_json(t.code::text)::text
        || ',"created_at":"' || ledger_utc_text(t.created_at)
        || '","credit":"' || t.credit_account_id
        || '","credit_seq":' || t.credit_seq
        || ',"debit":"' || t.debit_account_id
        || '","debit_seq":' || t.debit_seq
        || ',"id":"' || t.id
        || '","kind":' || to_json(t.kind::text)::text
        || ',"ledger":"' || t.ledger_id
        || '","memo":' || to_json(t.memo::text)::text
        || ',"pending":' || coalesce('"' || t.pending_id || '"', 'null')
        || ',"reverses":' || coalesce('"' || t.reverses_id || '"', 'null')
        || ',"timeout_at":' || coalesce('"' || ledger_utc_text(t.timeout_at) || '"', 'null')
        || '}', 'UTF8')), 'hex')
$$
-- next
CREATE FUNCTION ledger_transfer_quick(
    p_id uuid, p_community uuid, p_kind text, p_debit uuid, p_credit uuid, p_amount bigint,
    p_code text, p_memo text, p_body_hash text, p_batch uuid, p_actor uuid
) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    d ledger_account%ROWTYPE;
    c ledger_account%ROWTYPE;
    t ledger_transfer%ROWTYPE;
BEGIN
    IF p_kind NOT IN ('posted', 'pending') OR p_amount IS NULL
       OR p_amount NOT BETWEEN 1 AND 1000000000000000 OR p_debit = p_credit THEN
        RETURN NULL;
    END IF;
    -- Locked in ascending id order, as the service locks them: two writers never deadlock.
    PERFORM 1 FROM ledger_account WHERE community_id = p_community AND id IN (p_debit, p_credit)
        ORDER BY id FOR UPDATE;
    SELECT * INTO d FROM ledger_account WHERE id = p_debit AND community_id = p_community;
    SELECT * INTO c FROM ledger_account WHERE id = p_credit AND community_id = p_community;
    IF d.id IS NULL OR c.id IS NULL OR d.ledger_id <> c.ledger_id
       OR d.closed_at IS NOT NULL OR c.closed_at IS NOT NULL
       OR (NOT d.unlimited
           AND d.credits_posted - d.debits_posted - d.debits_pending - p_amount < -d.credit_limit)
       OR EXISTS (SELECT 1 FROM ledger_transfer WHERE id = p_id) THEN
        RETURN NULL;  -- the service's normal path answers
    END IF;
    t.id := p_id;
    t.community_id := p_community;
    t.ledger_id := d.ledger_id;
    t.debit_account_id := p_debit;
    t.credit_account_id := p_credit;
    t.amount := p_amount;
    t.kind := p_kind;
    t.code := p_code;
    t.memo := p_memo;
    t.batch_id := p_batch;
    t.body_hash := p_body_hash;
    t.created_at := clock_timestamp();  -- stamped under the locks, as the service stamps it
    t.created_by_id := p_actor;
    t.debit_seq := d.transfer_count + 1;
    t.credit_seq := c.transfer_count + 1;
    t.debit_prev_hash := d.head_hash;
    t.credit_prev_hash := c.head_hash;
    t.hash := ledger_transfer_hash(t);
    INSERT INTO ledger_transfer (
        id, community_id, ledger_id, debit_account_id, credit_account_id, amount, kind, code, memo,
        batch_id, body_hash, created_at, created_by_id, debit_seq, credit_seq, debit_prev_hash,
        credit_prev_hash, hash
    ) VALUES (
        t.id, t.community_id, t.ledger_id, t.debit_account_id, t.credit_account_id, t.amount,
        t.kind, t.code, t.memo, t.batch_id, t.body_hash, t.created_at, t.created_by_id,
        t.debit_seq, t.credit_seq, t.debit_prev_hash, t.credit_prev_hash, t.hash
    );
    RETURN t.created_at;
END $$
