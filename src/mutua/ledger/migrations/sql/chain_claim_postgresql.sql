-- The chain check becomes part of the UPDATE that moves the account, so it holds for writers that
-- do not lock the accounts first: the second of two such writers waits for the first's row lock,
-- then finds the account no longer at the place it meant to extend, updates nothing, and fails.

CREATE OR REPLACE FUNCTION ledger_transfer_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held bigint := 0;
BEGIN
    IF NEW.kind IN ('post', 'void') THEN
        SELECT amount INTO held FROM ledger_transfer WHERE id = NEW.pending_id;
    END IF;
    UPDATE ledger_account SET
        debits_pending = debits_pending
            + (CASE WHEN NEW.kind = 'pending' THEN NEW.amount ELSE 0 END) - held,
        debits_posted = debits_posted
            + (CASE WHEN NEW.kind IN ('posted', 'post') THEN NEW.amount ELSE 0 END),
        transfer_count = transfer_count + 1,
        head_hash = NEW.hash
    WHERE id = NEW.debit_account_id
      AND transfer_count = NEW.debit_seq - 1 AND head_hash = NEW.debit_prev_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'chain_broken: the transfer must extend both accounts'' hash chains'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE ledger_account SET
        credits_pending = credits_pending
            + (CASE WHEN NEW.kind = 'pending' THEN NEW.amount ELSE 0 END) - held,
        credits_posted = credits_posted
            + (CASE WHEN NEW.kind IN ('posted', 'post') THEN NEW.amount ELSE 0 END),
        transfer_count = transfer_count + 1,
        head_hash = NEW.hash
    WHERE id = NEW.credit_account_id
      AND transfer_count = NEW.credit_seq - 1 AND head_hash = NEW.credit_prev_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'chain_broken: the transfer must extend both accounts'' hash chains'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
