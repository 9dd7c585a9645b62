-- A hand-off is confirmed only by its two parties.
CREATE TRIGGER art_confirm_party BEFORE INSERT ON art_handoffconfirmation
WHEN NEW.member_id NOT IN (
    SELECT released_by_id FROM art_handoff WHERE id = NEW.handoff_id
    UNION SELECT received_by_id FROM art_handoff WHERE id = NEW.handoff_id
)
BEGIN SELECT RAISE(ABORT, 'art_confirm_party: only the two parties confirm a hand-off'); END
-- next
-- An artwork's terms are fixed once it is published: every buyer buys under the terms they saw.
CREATE TRIGGER art_terms_fixed BEFORE UPDATE ON art_artwork
WHEN OLD.published_at IS NOT NULL AND (
    NEW.published_at IS NOT OLD.published_at OR NEW.artist_id IS NOT OLD.artist_id
    OR NEW.trust_id IS NOT OLD.trust_id OR NEW.editions IS NOT OLD.editions
    OR NEW.price IS NOT OLD.price OR NEW.artist_bps IS NOT OLD.artist_bps
    OR NEW.royalty_bps IS NOT OLD.royalty_bps OR NEW.investor_bps IS NOT OLD.investor_bps
    OR NEW.artist_royalty_bps IS NOT OLD.artist_royalty_bps OR NEW.union_bps IS NOT OLD.union_bps
)
BEGIN SELECT RAISE(ABORT, 'art_terms_fixed: a published artwork''s terms cannot change'); END
-- next
-- An edition's original investor, token and splitter, once set, are set for good.
CREATE TRIGGER art_edition_fixed BEFORE UPDATE ON art_edition
WHEN (OLD.original_investor_id IS NOT NULL
      AND NEW.original_investor_id IS NOT OLD.original_investor_id)
  OR (OLD.token_id IS NOT NULL AND NEW.token_id IS NOT OLD.token_id)
  OR (OLD.splitter <> '' AND NEW.splitter IS NOT OLD.splitter)
  OR NEW.artwork_id IS NOT OLD.artwork_id OR NEW.number IS NOT OLD.number
BEGIN SELECT RAISE(ABORT, 'art_edition_fixed: an original investor, token or splitter is for good'); END
