-- The seats of a session's registered and offered registrations never add up to more than its
-- capacity. The trigger first locks the session's row (as the services do), so two transactions
-- adding seats to one session check the sum one after the other, each seeing the other's commit.

CREATE OR REPLACE FUNCTION learning_seats_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    limit_ integer;
    held bigint;
BEGIN
    IF NEW.status NOT IN ('registered', 'offered') THEN
        RETURN NULL;
    END IF;
    SELECT capacity INTO limit_ FROM learning_session WHERE id = NEW.session_id FOR UPDATE;
    SELECT COALESCE(SUM(seats), 0) INTO held FROM learning_registration
    WHERE session_id = NEW.session_id AND status IN ('registered', 'offered');
    IF held > limit_ THEN
        RAISE EXCEPTION 'learning_capacity_exceeded: more seats held than the session has'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
-- next
CREATE TRIGGER learning_seats_held AFTER INSERT OR UPDATE ON learning_registration
FOR EACH ROW EXECUTE FUNCTION learning_seats_held()
-- next
CREATE OR REPLACE FUNCTION learning_capacity_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT COALESCE(SUM(seats), 0) FROM learning_registration
        WHERE session_id = NEW.id AND status IN ('registered', 'offered')) > NEW.capacity THEN
        RAISE EXCEPTION 'learning_capacity_exceeded: more seats held than the session has'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
-- next
CREATE TRIGGER learning_capacity_kept AFTER UPDATE OF capacity ON learning_session
FOR EACH ROW EXECUTE FUNCTION learning_capacity_kept()
