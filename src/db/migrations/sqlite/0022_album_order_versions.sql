-- Subsonic's album lists by artist (and by title, whose ties go by the artist's name) also depend on an
-- album's year and artist: a change of either moves the albums' version too, so that sampled page keys
-- (db/page_keys) are read again.
CREATE TRIGGER totals_album_order_by_artist AFTER UPDATE OF year, artist_id ON albums
  WHEN NEW.year IS NOT OLD.year OR NEW.artist_id IS NOT OLD.artist_id BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'albums';
END;
