-- Back to row triggers and foreign keys (the reverse of statement_apply_postgresql.sql).

DROP TRIGGER ledger_transfers_apply ON ledger_transfer
-- next
DROP FUNCTION ledger_transfers_apply()
-- next
DROP FUNCTION ledger_transfer_apply_row(ledger_transfer)
-- next
DROP TRIGGER ledger_account_keep ON ledger_account
-- next
DROP FUNCTION ledger_account_keep()
-- next
CREATE INDEX ledger_transfer_community_id_54709b2a ON ledger_transfer (community_id)
-- next
CREATE INDEX ledger_transfer_ledger_id_ad544c23 ON ledger_transfer (ledger_id)
-- next
CREATE INDEX ledger_transfer_debit_account_id_4ee5177d ON ledger_transfer (debit_account_id)
-- next
CREATE INDEX ledger_transfer_credit_account_id_e98dc457 ON ledger_transfer (credit_account_id)
-- next
ALTER TABLE ledger_transfer
    ADD CONSTRAINT ledger_transfer_community_id_54709b2a_fk_community_community_id
        FOREIGN KEY (community_id) REFERENCES community_community (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT ledger_transfer_ledger_id_ad544c23_fk_ledger_ledger_id
        FOREIGN KEY (ledger_id) REFERENCES ledger_ledger (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT ledger_transfer_debit_account_id_4ee5177d_fk_ledger_account_id
        FOREIGN KEY (debit_account_id) REFERENCES ledger_account (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT ledger_transfer_credit_account_id_e98dc457_fk_ledger_account_id
        FOREIGN KEY (credit_account_id) REFERENCES ledger_account (id) DEFERRABLE INITIALLY DEFERRED
-- next
CREATE TRIGGER ledger_transfer_check BEFORE INSERT ON ledger_transfer
    FOR EACH ROW EXECUTE FUNCTION ledger_transfer_check()
-- next
CREATE TRIGGER ledger_transfer_apply AFTER INSERT ON ledger_transfer
    FOR EACH ROW EXECUTE FUNCTION ledger_transfer_apply()
