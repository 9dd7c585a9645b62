-- Two more foreign keys become part of the insert check on PostgreSQL: a transfer's `pending`
-- and `reverses` point at transfers, which are never deleted, so checking them when a transfer
-- is written is all they need (they cost a deferred check per row, even when empty). Their
-- indexes become partial: most transfers resolve and reverse nothing, and need no entry.
-- The row path reads the accounts through the UPDATEs that move them, not before.

CREATE OR REPLACE FUNCTION ledger_transfer_apply_row(t ledger_transfer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    p ledger_transfer%ROWTYPE;
    held bigint := 0;
    d_ledger uuid;
    c_ledger uuid;
    d_community uuid;
    c_community uuid;
    d_closed boolean;
    c_closed boolean;
BEGIN
    IF t.kind IN ('post', 'void') THEN
        SELECT * INTO p FROM ledger_transfer WHERE id = t.pending_id;
        IF p.id IS NULL OR p.kind <> 'pending' OR p.ledger_id <> t.ledger_id
           OR p.debit_account_id <> t.debit_account_id
           OR p.credit_account_id <> t.credit_account_id
           OR (t.kind = 'void' AND t.amount <> p.amount)
           OR (t.kind = 'post' AND t.amount > p.amount) THEN
            RAISE EXCEPTION 'pending_mismatch: post and void must match their pending transfer'
                USING ERRCODE = 'check_violation';
        END IF;
        held := p.amount;
    END IF;
    IF t.reverses_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ledger_transfer WHERE id = t.reverses_id AND ledger_id = t.ledger_id
    ) THEN
        RAISE EXCEPTION 'reversal_mismatch: a reversal must point at a transfer of its ledger'
            USING ERRCODE = 'check_violation';
    END IF;
    -- The UPDATEs read the accounts too: whatever they find wrong below undoes them with the
    -- whole statement.
    UPDATE ledger_account SET
        debits_pending = debits_pending
            + (CASE WHEN t.kind = 'pending' THEN t.amount ELSE 0 END) - held,
        debits_posted = debits_posted
            + (CASE WHEN t.kind IN ('posted', 'post') THEN t.amount ELSE 0 END),
        transfer_count = transfer_count + 1,
        head_hash = t.hash
    WHERE id = t.debit_account_id
      AND transfer_count = t.debit_seq - 1 AND head_hash = t.debit_prev_hash
    RETURNING ledger_id, community_id, closed_at IS NOT NULL INTO d_ledger, d_community, d_closed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'chain_broken: the transfer must extend both accounts'' hash chains'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE ledger_account SET
        credits_pending = credits_pending
            + (CASE WHEN t.kind = 'pending' THEN t.amount ELSE 0 END) - held,
        credits_posted = credits_posted
            + (CASE WHEN t.kind IN ('posted', 'post') THEN t.amount ELSE 0 END),
        transfer_count = transfer_count + 1,
        head_hash = t.hash
    WHERE id = t.credit_account_id
      AND transfer_count = t.credit_seq - 1 AND head_hash = t.credit_prev_hash
    RETURNING ledger_id, community_id, closed_at IS NOT NULL INTO c_ledger, c_community, c_closed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'chain_broken: the transfer must extend both accounts'' hash chains'
            USING ERRCODE = 'check_violation';
    END IF;
    IF d_ledger <> t.ledger_id OR c_ledger <> t.ledger_id
       OR d_community <> t.community_id OR c_community <> t.community_id THEN
        RAISE EXCEPTION 'ledger_mismatch: both accounts must be on the transfer''s ledger and in its community'
            USING ERRCODE = 'check_violation';
    END IF;
    IF t.kind IN ('posted', 'pending') AND (d_closed OR c_closed) THEN
        RAISE EXCEPTION 'account_closed: a closed account takes no new transfers'
            USING ERRCODE = 'check_violation';
    END IF;
END $$
-- next
CREATE OR REPLACE FUNCTION ledger_transfers_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t ledger_transfer;
    n bigint;
    mismatch boolean;
    closed boolean;
    unmatched boolean;
    unreversed boolean;
    touched bigint;
    moved bigint;
BEGIN
    SELECT count(*) INTO n FROM new_transfers;
    IF n <= 8 THEN
        -- A few rows: one by one, with plans cached for the session (the set below is planned
        -- afresh each time, which only pays off for a batch).
        FOR t IN SELECT * FROM new_transfers LOOP  -- in the order they were inserted
            PERFORM ledger_transfer_apply_row(t);
        END LOOP;
        RETURN NULL;
    END IF;
    -- A batch: checked as a set. EXECUTE plans each statement for this batch's size; a plan
    -- cached for the first batch of the session would be wrong for the next.
    EXECUTE $check$
    SELECT
        coalesce(bool_or(d.ledger_id IS DISTINCT FROM t.ledger_id
                         OR c.ledger_id IS DISTINCT FROM t.ledger_id
                         OR d.community_id IS DISTINCT FROM t.community_id
                         OR c.community_id IS DISTINCT FROM t.community_id), false),
        coalesce(bool_or(t.kind IN ('posted', 'pending')
                         AND (d.closed_at IS NOT NULL OR c.closed_at IS NOT NULL)), false),
        coalesce(bool_or(t.kind IN ('post', 'void') AND (
                         p.id IS NULL OR p.kind <> 'pending' OR p.ledger_id <> t.ledger_id
                         OR p.debit_account_id <> t.debit_account_id
                         OR p.credit_account_id <> t.credit_account_id
                         OR (t.kind = 'void' AND t.amount <> p.amount)
                         OR (t.kind = 'post' AND t.amount > p.amount))), false),
        coalesce(bool_or(t.reverses_id IS NOT NULL AND r.ledger_id IS DISTINCT FROM t.ledger_id),
                 false)
    FROM new_transfers t
    LEFT JOIN ledger_account d ON d.id = t.debit_account_id
    LEFT JOIN ledger_account c ON c.id = t.credit_account_id
    LEFT JOIN ledger_transfer p ON p.id = t.pending_id
    LEFT JOIN ledger_transfer r ON r.id = t.reverses_id
    $check$ INTO mismatch, closed, unmatched, unreversed;
    IF mismatch THEN
        RAISE EXCEPTION 'ledger_mismatch: both accounts must be on the transfer''s ledger and in its community'
            USING ERRCODE = 'check_violation';
    END IF;
    IF closed THEN
        RAISE EXCEPTION 'account_closed: a closed account takes no new transfers'
            USING ERRCODE = 'check_violation';
    END IF;
    IF unmatched THEN
        RAISE EXCEPTION 'pending_mismatch: post and void must match their pending transfer'
            USING ERRCODE = 'check_violation';
    END IF;
    IF unreversed THEN
        RAISE EXCEPTION 'reversal_mismatch: a reversal must point at a transfer of its ledger'
            USING ERRCODE = 'check_violation';
    END IF;

    -- Each account's legs in this statement, in chain order: consecutive, each linking to the one
    -- before, the first to the account's head. The UPDATE's WHERE is the last link: a writer that
    -- did not lock the account first waits for the row, finds it moved on, and updates nothing.
    EXECUTE $apply$
    WITH held AS (
        SELECT t.*,
               CASE WHEN t.kind = 'pending' THEN t.amount ELSE 0 END
                   - coalesce(p.amount, 0) AS pending_change,
               CASE WHEN t.kind IN ('posted', 'post') THEN t.amount ELSE 0 END AS posted_change
        FROM new_transfers t LEFT JOIN ledger_transfer p ON p.id = t.pending_id
    ), legs AS (
        SELECT debit_account_id AS account_id, debit_seq AS seq, debit_prev_hash AS prev, hash,
               pending_change AS debits_pending, posted_change AS debits_posted,
               0::bigint AS credits_pending, 0::bigint AS credits_posted
        FROM held
        UNION ALL
        SELECT credit_account_id, credit_seq, credit_prev_hash, hash,
               0, 0, pending_change, posted_change
        FROM held
    ), linked AS (
        SELECT legs.*,
               lag(seq) OVER chain AS seq_before, lag(hash) OVER chain AS hash_before
        FROM legs WINDOW chain AS (PARTITION BY account_id ORDER BY seq)
    ), moves AS (
        SELECT account_id,
               count(*) AS legs,
               min(seq) AS first_seq,
               (array_agg(prev ORDER BY seq))[1] AS first_prev,
               (array_agg(hash ORDER BY seq DESC))[1] AS last_hash,
               bool_and(seq_before IS NULL OR (seq = seq_before + 1 AND prev = hash_before))
                   AS unbroken,
               sum(debits_pending) AS debits_pending, sum(debits_posted) AS debits_posted,
               sum(credits_pending) AS credits_pending, sum(credits_posted) AS credits_posted
        FROM linked GROUP BY account_id
    ), updated AS (
        UPDATE ledger_account a SET
            debits_pending = a.debits_pending + m.debits_pending,
            debits_posted = a.debits_posted + m.debits_posted,
            credits_pending = a.credits_pending + m.credits_pending,
            credits_posted = a.credits_posted + m.credits_posted,
            transfer_count = a.transfer_count + m.legs,
            head_hash = m.last_hash
        FROM moves m
        WHERE a.id = m.account_id AND m.unbroken
          AND a.transfer_count = m.first_seq - 1 AND a.head_hash = m.first_prev
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM moves), (SELECT count(*) FROM updated)
    $apply$ INTO touched, moved;
    IF moved <> touched THEN
        RAISE EXCEPTION 'chain_broken: the transfer must extend both accounts'' hash chains'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
-- next
ALTER TABLE ledger_transfer
    DROP CONSTRAINT IF EXISTS ledger_transfer_pending_id_d4b0cd6d_fk_ledger_transfer_id,
    DROP CONSTRAINT IF EXISTS ledger_transfer_reverses_id_d2a125b2_fk_ledger_transfer_id,
    DROP CONSTRAINT IF EXISTS ledger_transfer_pending_id_key
-- next
DROP INDEX IF EXISTS ledger_transfer_reverses_id_d2a125b2
-- next
CREATE UNIQUE INDEX transfer_resolves_once ON ledger_transfer (pending_id)
    WHERE pending_id IS NOT NULL
-- next
CREATE INDEX transfer_reversals ON ledger_transfer (reverses_id) WHERE reverses_id IS NOT NULL
