-- The hash-chain check moves from the BEFORE trigger to the AFTER trigger, just before the
-- account rows move: on PostgreSQL the AFTER row triggers of a multi-row INSERT run at the end of
-- the statement, so a BEFORE check of a later row would see the account before the earlier rows
-- of the same batch had moved it. SQLite runs them row by row either way; it gets the same shape.

DROP TRIGGER ledger_transfer_check
-- next
DROP TRIGGER ledger_transfer_apply
-- next
CREATE TRIGGER ledger_transfer_check BEFORE INSERT ON ledger_transfer
BEGIN
    SELECT RAISE(ABORT, 'ledger_mismatch: both accounts must be on the transfer''s ledger')
    WHERE (SELECT ledger_id FROM ledger_account WHERE id = NEW.debit_account_id) IS NOT NEW.ledger_id
       OR (SELECT ledger_id FROM ledger_account WHERE id = NEW.credit_account_id) IS NOT NEW.ledger_id;
    SELECT RAISE(ABORT, 'account_closed: a closed account takes no new transfers')
    WHERE NEW.kind IN ('posted', 'pending') AND EXISTS (
        SELECT 1 FROM ledger_account
        WHERE id IN (NEW.debit_account_id, NEW.credit_account_id) AND closed_at IS NOT NULL);
    SELECT RAISE(ABORT, 'pending_mismatch: post and void must match their pending transfer')
    WHERE NEW.kind IN ('post', 'void') AND NOT EXISTS (
        SELECT 1 FROM ledger_transfer AS p
        WHERE p.id = NEW.pending_id AND p.kind = 'pending' AND p.ledger_id = NEW.ledger_id
          AND p.debit_account_id = NEW.debit_account_id
          AND p.credit_account_id = NEW.credit_account_id
          AND ((NEW.kind = 'void' AND NEW.amount = p.amount)
               OR (NEW.kind = 'post' AND NEW.amount <= p.amount)));
END
-- next
CREATE TRIGGER ledger_transfer_apply AFTER INSERT ON ledger_transfer
BEGIN
    SELECT RAISE(ABORT, 'chain_broken: the transfer must extend both accounts'' hash chains')
    WHERE NEW.debit_seq IS NOT (SELECT transfer_count + 1 FROM ledger_account WHERE id = NEW.debit_account_id)
       OR NEW.credit_seq IS NOT (SELECT transfer_count + 1 FROM ledger_account WHERE id = NEW.credit_account_id)
       OR NEW.debit_prev_hash IS NOT (SELECT head_hash FROM ledger_account WHERE id = NEW.debit_account_id)
       OR NEW.credit_prev_hash IS NOT (SELECT head_hash FROM ledger_account WHERE id = NEW.credit_account_id);
    UPDATE ledger_account SET
        debits_pending = debits_pending
            + (CASE WHEN NEW.kind = 'pending' THEN NEW.amount ELSE 0 END)
            - (CASE WHEN NEW.kind IN ('post', 'void')
                    THEN (SELECT amount FROM ledger_transfer WHERE id = NEW.pending_id) ELSE 0 END),
        debits_posted = debits_posted
            + (CASE WHEN NEW.kind IN ('posted', 'post') THEN NEW.amount ELSE 0 END),
        transfer_count = transfer_count + 1,
        head_hash = NEW.hash
    WHERE id = NEW.debit_account_id;
    UPDATE ledger_account SET
        credits_pending = credits_pending
            + (CASE WHEN NEW.kind = 'pending' THEN NEW.amount ELSE 0 END)
            - (CASE WHEN NEW.kind IN ('post', 'void')
                    THEN (SELECT amount FROM ledger_transfer WHERE id = NEW.pending_id) ELSE 0 END),
        credits_posted = credits_posted
            + (CASE WHEN NEW.kind IN ('posted', 'post') THEN NEW.amount ELSE 0 END),
        transfer_count = transfer_count + 1,
        head_hash = NEW.hash
    WHERE id = NEW.credit_account_id;
END
