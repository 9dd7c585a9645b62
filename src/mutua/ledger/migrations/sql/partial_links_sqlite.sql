-- SQLite keeps its foreign keys and the unique index of `pending_id` (dropping either would
-- rebuild the table); it gets the same partial indexes by name, so both databases match the
-- models, and loses the full index of `reverses_id`. Its foreign keys are checked only at COMMIT,
-- so a reversal's link is also checked at once, as on PostgreSQL.

DROP INDEX IF EXISTS ledger_transfer_reverses_id_d2a125b2
-- next
CREATE UNIQUE INDEX transfer_resolves_once ON ledger_transfer (pending_id)
    WHERE pending_id IS NOT NULL
-- next
CREATE INDEX transfer_reversals ON ledger_transfer (reverses_id) WHERE reverses_id IS NOT NULL
-- next
CREATE TRIGGER ledger_transfer_reversal_check BEFORE INSERT ON ledger_transfer
WHEN NEW.reverses_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM ledger_transfer WHERE id = NEW.reverses_id AND ledger_id = NEW.ledger_id)
BEGIN
    SELECT RAISE(ABORT, 'reversal_mismatch: a reversal must point at a transfer of its ledger');
END
