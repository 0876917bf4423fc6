-- getArtists (Subsonic) answers from a copy of the artist index kept in memory (issue 15: reading 10,000
-- artists with their album tallies took 15 ms of every request). 'artist_index' in catalog_totals (n unused,
-- 0) has the version of everything that list shows: its version moves with every change of what the list
-- shows of an artist (name, MusicBrainz id, image) and of artist_album_tally (an album added, removed, moved
-- to another artist, or its cover's presence changed), so a node reads the list again when the version
-- differs from the one its copy was read at.
-- Like the other counters (migration 0017), the P2P log's table lock is taken before the counter row.
INSERT INTO catalog_totals (name, n) VALUES ('artist_index', 0);

CREATE FUNCTION artist_index_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'artist_index';
  RETURN NULL;
END $$;

CREATE TRIGGER artist_index_tally AFTER INSERT OR UPDATE OR DELETE ON artist_album_tally
  FOR EACH ROW EXECUTE FUNCTION artist_index_version();
CREATE TRIGGER artist_index_artist_update AFTER UPDATE OF name, musicbrainz_id, image_url ON artists FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.musicbrainz_id IS DISTINCT FROM NEW.musicbrainz_id
        OR OLD.image_url IS DISTINCT FROM NEW.image_url)
  EXECUTE FUNCTION artist_index_version();
