-- Peer-to-peer: dialable address, per-peer catalogue cursor, backoff and strike counters on peers;
-- a log of local catalogue changes that peers pull from (kept by a trigger, so every code path that
-- adds, edits or deletes a track is covered).
ALTER TABLE p2p_peers ADD COLUMN address TEXT;
ALTER TABLE p2p_peers ADD COLUMN sync_cursor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE p2p_peers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE p2p_peers ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;

CREATE TABLE p2p_catalog_log (
  seq BIGSERIAL PRIMARY KEY,
  track_id UUID NOT NULL,
  content_hash TEXT NOT NULL,
  changed_at BIGINT NOT NULL
);

INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
  SELECT id, content_hash, created_at FROM tracks
  WHERE content_hash IS NOT NULL AND file_path NOT LIKE 'p2p://%' ORDER BY created_at, id;

CREATE FUNCTION p2p_log_track_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  now_us BIGINT := (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT;
BEGIN
  -- Writers of the log take turns, so sequence numbers become visible in order and a reader's cursor
  -- never skips an entry committed late.
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.content_hash IS NOT NULL AND OLD.file_path NOT LIKE 'p2p://%'
     AND (TG_OP = 'DELETE' OR NEW.content_hash IS DISTINCT FROM OLD.content_hash OR NEW.file_path LIKE 'p2p://%') THEN
    INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at) VALUES (OLD.id, OLD.content_hash, now_us);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.content_hash IS NOT NULL AND NEW.file_path NOT LIKE 'p2p://%' THEN
    INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at) VALUES (NEW.id, NEW.content_hash, now_us);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER p2p_log_insert AFTER INSERT ON tracks FOR EACH ROW EXECUTE FUNCTION p2p_log_track_change();
-- Only columns that peers see; play counts, waveforms and search text do not log anything.
CREATE TRIGGER p2p_log_update AFTER UPDATE OF title, artist_id, album_id, track_number, disc_number, duration_secs,
  genre, year, file_path, file_size, format, bitrate, sample_rate, content_hash ON tracks
  FOR EACH ROW EXECUTE FUNCTION p2p_log_track_change();
CREATE TRIGGER p2p_log_delete AFTER DELETE ON tracks FOR EACH ROW EXECUTE FUNCTION p2p_log_track_change();

-- Replicated copies are looked up by content hash (remote_uri still holds p2p://<node>/<hash>).
ALTER TABLE remote_tracks ADD COLUMN content_hash TEXT;
CREATE INDEX remote_tracks_hash ON remote_tracks (content_hash);
