-- Stock levels move only with stock movements. A movement that takes from a (lot, location) that
-- holds none is refused here; one that takes more than the level holds is refused by the level's
-- CHECK (on_hand >= 0). A movement that puts into a new (lot, location) opens its level.

CREATE TRIGGER aid_movement_apply AFTER INSERT ON aid_stockmovement
BEGIN
    SELECT RAISE(ABORT, 'aid_not_in_stock: the lot has no stock in that location')
    WHERE NEW.from_location_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM aid_stocklevel
        WHERE lot_id = NEW.lot_id AND location_id = NEW.from_location_id);
    UPDATE aid_stocklevel SET on_hand = on_hand - NEW.quantity
    WHERE NEW.from_location_id IS NOT NULL
      AND lot_id = NEW.lot_id AND location_id = NEW.from_location_id;
    INSERT OR IGNORE INTO aid_stocklevel (id, community_id, lot_id, location_id, on_hand)
    SELECT lower(hex(randomblob(16))), NEW.community_id, NEW.lot_id, NEW.to_location_id, 0
    WHERE NEW.to_location_id IS NOT NULL;
    UPDATE aid_stocklevel SET on_hand = on_hand + NEW.quantity
    WHERE NEW.to_location_id IS NOT NULL
      AND lot_id = NEW.lot_id AND location_id = NEW.to_location_id;
END
-- next
-- A level is the sum of its movements: nobody writes it but the trigger above, which only ever
-- changes on_hand. Changing which lot or place a level counts, or deleting one, is refused.
CREATE TRIGGER aid_level_fixed BEFORE UPDATE OF id, community_id, lot_id, location_id ON aid_stocklevel
BEGIN
    SELECT RAISE(ABORT, 'aid_stocklevel rows only change their on_hand, through stock movements');
END
-- next
CREATE TRIGGER aid_level_no_delete BEFORE DELETE ON aid_stocklevel
BEGIN
    SELECT RAISE(ABORT, 'aid_stocklevel rows cannot be deleted');
END
-- next
-- An allocation run keeps its inputs, result and rule version for good, and is decided once.
CREATE TRIGGER aid_run_kept BEFORE UPDATE ON aid_allocationrun
WHEN NEW.inputs IS NOT OLD.inputs OR NEW.result IS NOT OLD.result
  OR NEW.rule_version IS NOT OLD.rule_version OR NEW.pickup IS NOT OLD.pickup
  OR OLD.status <> 'preview'
BEGIN
    SELECT RAISE(ABORT, 'aid_allocationrun keeps its inputs and result, and is decided once');
END
-- next
CREATE TRIGGER aid_run_no_delete BEFORE DELETE ON aid_allocationrun
BEGIN
    SELECT RAISE(ABORT, 'aid_allocationrun rows cannot be deleted');
END
