-- A hand-off is confirmed only by its two parties.
CREATE OR REPLACE FUNCTION art_confirm_party() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM art_handoff WHERE id = NEW.handoff_id
        AND NEW.member_id IN (released_by_id, received_by_id)
    ) THEN
        RAISE EXCEPTION 'art_confirm_party: only the two parties confirm a hand-off'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
-- next
CREATE TRIGGER art_confirm_party BEFORE INSERT ON art_handoffconfirmation
FOR EACH ROW EXECUTE FUNCTION art_confirm_party()
-- next
-- An artwork's terms are fixed once it is published: every buyer buys under the terms they saw.
CREATE OR REPLACE FUNCTION art_terms_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.published_at IS NOT NULL AND (
        NEW.published_at IS DISTINCT FROM OLD.published_at
        OR NEW.artist_id IS DISTINCT FROM OLD.artist_id
        OR NEW.trust_id IS DISTINCT FROM OLD.trust_id
        OR NEW.editions IS DISTINCT FROM OLD.editions
        OR NEW.price IS DISTINCT FROM OLD.price
        OR NEW.artist_bps IS DISTINCT FROM OLD.artist_bps
        OR NEW.royalty_bps IS DISTINCT FROM OLD.royalty_bps
        OR NEW.investor_bps IS DISTINCT FROM OLD.investor_bps
        OR NEW.artist_royalty_bps IS DISTINCT FROM OLD.artist_royalty_bps
        OR NEW.union_bps IS DISTINCT FROM OLD.union_bps
    ) THEN
        RAISE EXCEPTION 'art_terms_fixed: a published artwork''s terms cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
-- next
CREATE TRIGGER art_terms_fixed BEFORE UPDATE ON art_artwork
FOR EACH ROW EXECUTE FUNCTION art_terms_fixed()
-- next
-- An edition's original investor, token and splitter, once set, are set for good.
CREATE OR REPLACE FUNCTION art_edition_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.original_investor_id IS NOT NULL
            AND NEW.original_investor_id IS DISTINCT FROM OLD.original_investor_id)
        OR (OLD.token_id IS NOT NULL AND NEW.token_id IS DISTINCT FROM OLD.token_id)
        OR (OLD.splitter <> '' AND NEW.splitter IS DISTINCT FROM OLD.splitter)
        OR NEW.artwork_id IS DISTINCT FROM OLD.artwork_id
        OR NEW.number IS DISTINCT FROM OLD.number
    THEN
        RAISE EXCEPTION 'art_edition_fixed: an original investor, token or splitter is for good'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
-- next
CREATE TRIGGER art_edition_fixed BEFORE UPDATE ON art_edition
FOR EACH ROW EXECUTE FUNCTION art_edition_fixed()
