-- The reverse of statement_apply_sqlite.sql: the check trigger of chain_check_sqlite.sql and the
-- indexes come back.

DROP TRIGGER ledger_account_keep
-- next
DROP TRIGGER ledger_transfer_check
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
CREATE INDEX ledger_transfer_community_id_54709b2a ON ledger_transfer (community_id)
-- next
CREATE INDEX ledger_transfer_ledger_id_ad544c23 ON ledger_transfer (ledger_id)
-- next
CREATE INDEX ledger_transfer_debit_account_id_4ee5177d ON ledger_transfer (debit_account_id)
-- next
CREATE INDEX ledger_transfer_credit_account_id_e98dc457 ON ledger_transfer (credit_account_id)
