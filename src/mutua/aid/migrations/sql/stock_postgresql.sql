-- Stock levels move only with stock movements. A movement that takes from a (lot, location) that
-- holds none is refused here; one that takes more than the level holds is refused by the level's
-- CHECK (on_hand >= 0). A movement that puts into a new (lot, location) opens its level. Both
-- levels are touched in a fixed order (taking side first, each by its unique key), and the taking
-- UPDATE locks its row, so two concurrent distributions of the last units cannot both succeed.

CREATE OR REPLACE FUNCTION aid_movement_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.from_location_id IS NOT NULL THEN
        UPDATE aid_stocklevel SET on_hand = on_hand - NEW.quantity
        WHERE lot_id = NEW.lot_id AND location_id = NEW.from_location_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'aid_not_in_stock: the lot has no stock in that location'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.to_location_id IS NOT NULL THEN
        INSERT INTO aid_stocklevel (id, community_id, lot_id, location_id, on_hand)
        VALUES (gen_random_uuid(), NEW.community_id, NEW.lot_id, NEW.to_location_id, NEW.quantity)
        ON CONFLICT (lot_id, location_id)
        DO UPDATE SET on_hand = aid_stocklevel.on_hand + EXCLUDED.on_hand;
    END IF;
    RETURN NULL;
END $$
-- next
CREATE TRIGGER aid_movement_apply AFTER INSERT ON aid_stockmovement
FOR EACH ROW EXECUTE FUNCTION aid_movement_apply()
-- next
CREATE OR REPLACE FUNCTION aid_level_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.community_id <> OLD.community_id
       OR NEW.lot_id <> OLD.lot_id OR NEW.location_id <> OLD.location_id THEN
        RAISE EXCEPTION 'aid_stocklevel rows only change their on_hand, through stock movements'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
-- next
CREATE TRIGGER aid_level_fixed BEFORE UPDATE OR DELETE ON aid_stocklevel
FOR EACH ROW EXECUTE FUNCTION aid_level_fixed()
-- next
CREATE OR REPLACE FUNCTION aid_run_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.inputs::text <> OLD.inputs::text
       OR NEW.result::text <> OLD.result::text OR NEW.rule_version <> OLD.rule_version
       OR NEW.pickup <> OLD.pickup OR OLD.status <> 'preview' THEN
        RAISE EXCEPTION 'aid_allocationrun keeps its inputs and result, and is decided once'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
-- next
CREATE TRIGGER aid_run_kept BEFORE UPDATE OR DELETE ON aid_allocationrun
FOR EACH ROW EXECUTE FUNCTION aid_run_kept()
