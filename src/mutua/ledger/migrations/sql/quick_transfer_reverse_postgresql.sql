DROP FUNCTION ledger_transfer_quick(uuid, uuid, text, uuid, uuid, bigint, text, text, text, uuid, uuid)
-- next
DROP FUNCTION ledger_transfer_hash(ledger_transfer)
-- next
DROP FUNCTION ledger_utc_text(timestamptz)
