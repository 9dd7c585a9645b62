-- The hash-chain check moves from the BEFORE trigger to the AFTER trigger, just before the
-- account rows move: the AFTER row triggers of a multi-row INSERT run at the end of the
-- statement, one row after the other, so only there does a row see the accounts as the earlier
-- rows of the same batch left them.

CREATE OR REPLACE FUNCTION ledger_transfer_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d ledger_account%ROWTYPE;
    c ledger_account%ROWTYPE;
    p ledger_transfer%ROWTYPE;
BEGIN
    SELECT * INTO d FROM ledger_account WHERE id = NEW.debit_account_id;
    SELECT * INTO c FROM ledger_account WHERE id = NEW.credit_account_id;
    IF d.ledger_id IS DISTINCT FROM NEW.ledger_id OR c.ledger_id IS DISTINCT FROM NEW.ledger_id THEN
        RAISE EXCEPTION 'ledger_mismatch: both accounts must be on the transfer''s ledger'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.kind IN ('posted', 'pending') AND (d.closed_at IS NOT NULL OR c.closed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'account_closed: a closed account takes no new transfers'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.kind IN ('post', 'void') THEN
        SELECT * INTO p FROM ledger_transfer WHERE id = NEW.pending_id;
        IF p.id IS NULL OR p.kind <> 'pending' OR p.ledger_id <> NEW.ledger_id
           OR p.debit_account_id <> NEW.debit_account_id
           OR p.credit_account_id <> NEW.credit_account_id
           OR (NEW.kind = 'void' AND NEW.amount <> p.amount)
           OR (NEW.kind = 'post' AND NEW.amount > p.amount) THEN
            RAISE EXCEPTION 'pending_mismatch: post and void must match their pending transfer'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$
-- next
CREATE OR REPLACE FUNCTION ledger_transfer_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held bigint := 0;
    d ledger_account%ROWTYPE;
    c ledger_account%ROWTYPE;
BEGIN
    SELECT * INTO d FROM ledger_account WHERE id = NEW.debit_account_id;
    SELECT * INTO c FROM ledger_account WHERE id = NEW.credit_account_id;
    IF NEW.debit_seq <> d.transfer_count + 1 OR NEW.credit_seq <> c.transfer_count + 1
       OR NEW.debit_prev_hash <> d.head_hash OR NEW.credit_prev_hash <> c.head_hash THEN
        RAISE EXCEPTION 'chain_broken: the transfer must extend both accounts'' hash chains'
            USING ERRCODE = 'check_violation';
    END IF;
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
    WHERE id = NEW.debit_account_id;
    UPDATE ledger_account SET
        credits_pending = credits_pending
            + (CASE WHEN NEW.kind = 'pending' THEN NEW.amount ELSE 0 END) - held,
        credits_posted = credits_posted
            + (CASE WHEN NEW.kind IN ('posted', 'post') THEN NEW.amount ELSE 0 END),
        transfer_count = transfer_count + 1,
        head_hash = NEW.hash
    WHERE id = NEW.credit_account_id;
    RETURN NULL;
END $$
