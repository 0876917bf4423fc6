-- getArtists (Subsonic) lists every artist that has albums, with how many and whether one has a cover:
-- kept here by triggers instead of grouping every album per request (issue 15). A row per artist with at
-- least one album; foreign-key cascades (an artist's albums) fire these triggers.
CREATE TABLE artist_album_tally (
  artist_id UUID PRIMARY KEY,
  albums BIGINT NOT NULL,
  covered BIGINT NOT NULL
);
INSERT INTO artist_album_tally (artist_id, albums, covered)
  SELECT artist_id, COUNT(*), COUNT(cover_url) FROM albums GROUP BY artist_id;

-- The P2P log's table lock first, like the other catalogue counters (migration 0017): one lock order.
CREATE FUNCTION artist_album_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE artist_album_tally SET albums = albums - 1, covered = covered - (OLD.cover_url IS NOT NULL)::int
      WHERE artist_id = OLD.artist_id;
    DELETE FROM artist_album_tally WHERE artist_id = OLD.artist_id AND albums = 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO artist_album_tally AS t (artist_id, albums, covered)
      VALUES (NEW.artist_id, 1, (NEW.cover_url IS NOT NULL)::int)
      ON CONFLICT (artist_id) DO UPDATE SET albums = t.albums + 1, covered = t.covered + EXCLUDED.covered;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER artist_tally_album_insert AFTER INSERT ON albums FOR EACH ROW EXECUTE FUNCTION artist_album_tally_count();
CREATE TRIGGER artist_tally_album_delete AFTER DELETE ON albums FOR EACH ROW EXECUTE FUNCTION artist_album_tally_count();
CREATE TRIGGER artist_tally_album_update AFTER UPDATE OF artist_id, cover_url ON albums FOR EACH ROW
  WHEN (OLD.artist_id IS DISTINCT FROM NEW.artist_id OR (OLD.cover_url IS NULL) <> (NEW.cover_url IS NULL))
  EXECUTE FUNCTION artist_album_tally_count();
