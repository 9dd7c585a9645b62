-- The seats of a session's registered and offered registrations never add up to more than its
-- capacity. Checked after each write that can add held seats, and when a capacity is lowered.
-- SQLite has one writer at a time, so the sum read here is the committed truth.

CREATE TRIGGER learning_seats_insert AFTER INSERT ON learning_registration
WHEN NEW.status IN ('registered', 'offered')
BEGIN
    SELECT RAISE(ABORT, 'learning_capacity_exceeded: more seats held than the session has')
    WHERE (SELECT COALESCE(SUM(seats), 0) FROM learning_registration
           WHERE session_id = NEW.session_id AND status IN ('registered', 'offered'))
        > (SELECT capacity FROM learning_session WHERE id = NEW.session_id);
END
-- next
CREATE TRIGGER learning_seats_update AFTER UPDATE OF status, seats, session_id ON learning_registration
WHEN NEW.status IN ('registered', 'offered')
BEGIN
    SELECT RAISE(ABORT, 'learning_capacity_exceeded: more seats held than the session has')
    WHERE (SELECT COALESCE(SUM(seats), 0) FROM learning_registration
           WHERE session_id = NEW.session_id AND status IN ('registered', 'offered'))
        > (SELECT capacity FROM learning_session WHERE id = NEW.session_id);
END
-- next
CREATE TRIGGER learning_capacity_update AFTER UPDATE OF capacity ON learning_session
BEGIN
    SELECT RAISE(ABORT, 'learning_capacity_exceeded: more seats held than the session has')
    WHERE (SELECT COALESCE(SUM(seats), 0) FROM learning_registration
           WHERE session_id = NEW.id AND status IN ('registered', 'offered')) > NEW.capacity;
END
