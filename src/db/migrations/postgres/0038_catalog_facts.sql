-- What the administrator's storage and metadata status show kept like the counts of migrations 0017 and
-- 0032, as on SQLite (see its 0034): the tracks' bytes, the tracks with a MusicBrainz id and with a bitrate,
-- the albums with a cover. Inserts and deletes move them once a statement (from the statement's transition
-- table), updates once a row; every trigger takes the P2P log's table lock first, as the others do.
INSERT INTO catalog_totals (name, n) VALUES
  ('track_bytes', (SELECT COALESCE(SUM(file_size), 0) FROM tracks)),
  ('tracks_enriched', (SELECT COUNT(*) FROM tracks WHERE musicbrainz_id IS NOT NULL)),
  ('tracks_with_bitrate', (SELECT COUNT(*) FROM tracks WHERE bitrate IS NOT NULL)),
  ('albums_with_cover', (SELECT COUNT(*) FROM albums WHERE cover_url IS NOT NULL));

-- Rows in or out: the insert and the delete triggers name their transition table alike.
CREATE FUNCTION catalog_facts_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sign BIGINT := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changed_rows) THEN
    RETURN NULL;
  END IF;
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  IF TG_TABLE_NAME = 'tracks' THEN
    UPDATE catalog_totals c SET n = c.n + sign * CASE c.name WHEN 'track_bytes' THEN s.bytes
        WHEN 'tracks_enriched' THEN s.enriched ELSE s.rated END
      FROM (SELECT COALESCE(SUM(file_size), 0) AS bytes, COUNT(musicbrainz_id) AS enriched, COUNT(bitrate) AS rated
            FROM changed_rows) s
      WHERE c.name IN ('track_bytes', 'tracks_enriched', 'tracks_with_bitrate');
  ELSE
    UPDATE catalog_totals SET n = n + sign * (SELECT COUNT(cover_url) FROM changed_rows)
      WHERE name = 'albums_with_cover';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER totals_facts_tracks_added AFTER INSERT ON tracks REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_facts_rows_changed();
CREATE TRIGGER totals_facts_tracks_removed AFTER DELETE ON tracks REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_facts_rows_changed();
CREATE TRIGGER totals_facts_albums_added AFTER INSERT ON albums REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_facts_rows_changed();
CREATE TRIGGER totals_facts_albums_removed AFTER DELETE ON albums REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_facts_rows_changed();

-- A row's fields changed (a rescan, the enrichment, a new cover).
CREATE FUNCTION catalog_facts_row_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  IF TG_TABLE_NAME = 'tracks' THEN
    UPDATE catalog_totals SET n = n + CASE name WHEN 'track_bytes' THEN NEW.file_size - OLD.file_size
        WHEN 'tracks_enriched' THEN (NEW.musicbrainz_id IS NOT NULL)::INT - (OLD.musicbrainz_id IS NOT NULL)::INT
        ELSE (NEW.bitrate IS NOT NULL)::INT - (OLD.bitrate IS NOT NULL)::INT END
      WHERE name IN ('track_bytes', 'tracks_enriched', 'tracks_with_bitrate');
  ELSE
    UPDATE catalog_totals SET n = n + CASE WHEN NEW.cover_url IS NULL THEN -1 ELSE 1 END
      WHERE name = 'albums_with_cover';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER totals_facts_track_updated AFTER UPDATE OF file_size, musicbrainz_id, bitrate ON tracks FOR EACH ROW
  WHEN (NEW.file_size IS DISTINCT FROM OLD.file_size
        OR (NEW.musicbrainz_id IS NULL) <> (OLD.musicbrainz_id IS NULL) OR (NEW.bitrate IS NULL) <> (OLD.bitrate IS NULL))
  EXECUTE FUNCTION catalog_facts_row_updated();
CREATE TRIGGER totals_facts_album_updated AFTER UPDATE OF cover_url ON albums FOR EACH ROW
  WHEN ((NEW.cover_url IS NULL) <> (OLD.cover_url IS NULL)) EXECUTE FUNCTION catalog_facts_row_updated();
