-- Subsonic's album lists by artist (and by title, whose ties go by the artist's name) also depend on an
-- album's year and artist: a change of either moves the albums' version too, so that sampled page keys
-- (db/page_keys) are read again.
CREATE TRIGGER totals_album_order_by_artist AFTER UPDATE OF year, artist_id ON albums FOR EACH ROW
  WHEN (OLD.year IS DISTINCT FROM NEW.year OR OLD.artist_id IS DISTINCT FROM NEW.artist_id)
  EXECUTE FUNCTION catalog_totals_count();
