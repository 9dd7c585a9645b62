-- The reverse of partial_links_sqlite.sql.

DROP TRIGGER ledger_transfer_reversal_check
-- next
DROP INDEX transfer_resolves_once
-- next
DROP INDEX transfer_reversals
-- next
CREATE INDEX ledger_transfer_reverses_id_d2a125b2 ON ledger_transfer (reverses_id)
