-- SQLite has no statement-level triggers, so its row triggers stay (it runs them row by row in
-- order, which is what a batch needs). Two changes keep it in step with PostgreSQL: the check also
-- refuses accounts of another community, an account with transfers cannot be deleted (at once,
-- not only at COMMIT as its deferred foreign keys would), and the single-column indexes that the
-- composite chain and time indexes already lead with go. Its foreign keys stay: dropping one would
-- rebuild the table.

DROP TRIGGER ledger_transfer_check
-- next
CREATE TRIGGER ledger_transfer_check BEFORE INSERT ON ledger_transfer
BEGIN
    SELECT RAISE(ABORT, 'ledger_mismatch: both accounts must be on the transfer''s ledger and in its community')
    WHERE (SELECT ledger_id FROM ledger_account WHERE id = NEW.debit_account_id) IS NOT NEW.ledger_id
       OR (SELECT ledger_id FROM ledger_account WHERE id = NEW.credit_account_id) IS NOT NEW.ledger_id
       OR (SELECT community_id FROM ledger_account WHERE id = NEW.debit_account_id) IS NOT NEW.community_id
       OR (SELECT community_id FROM ledger_account WHERE id = NEW.credit_account_id) IS NOT NEW.community_id;
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
DROP INDEX IF EXISTS ledger_transfer_community_id_54709b2a
-- next
DROP INDEX IF EXISTS ledger_transfer_ledger_id_ad544c23
-- next
DROP INDEX IF EXISTS ledger_transfer_debit_account_id_4ee5177d
-- next
DROP INDEX IF EXISTS ledger_transfer_credit_account_id_e98dc457
-- next
CREATE TRIGGER ledger_account_keep BEFORE DELETE ON ledger_account
WHEN EXISTS (SELECT 1 FROM ledger_transfer WHERE debit_account_id = OLD.id)
  OR EXISTS (SELECT 1 FROM ledger_transfer WHERE credit_account_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'account_in_use: an account with transfers cannot be deleted; close it');
END
