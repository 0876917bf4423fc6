-- Peer-to-peer: dialable address, per-peer catalogue cursor, backoff and strike counters on peers;
-- a log of local catalogue changes that peers pull from (kept by triggers, so every code path that
-- adds, edits or deletes a track is covered).
ALTER TABLE p2p_peers ADD COLUMN address TEXT;
ALTER TABLE p2p_peers ADD COLUMN sync_cursor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE p2p_peers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE p2p_peers ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;

CREATE TABLE p2p_catalog_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  track_id TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  changed_at BIGINT NOT NULL
);

INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
  SELECT id, content_hash, created_at FROM tracks
  WHERE content_hash IS NOT NULL AND file_path NOT LIKE 'p2p://%' ORDER BY created_at, id;

CREATE TRIGGER p2p_log_insert AFTER INSERT ON tracks
  WHEN NEW.content_hash IS NOT NULL AND NEW.file_path NOT LIKE 'p2p://%'
BEGIN
  INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at) VALUES (NEW.id, NEW.content_hash, unixepoch() * 1000000);
END;

-- Only columns that peers see; play counts, waveforms and search text do not log anything.
CREATE TRIGGER p2p_log_update AFTER UPDATE OF title, artist_id, album_id, track_number, disc_number, duration_secs,
  genre, year, file_path, file_size, format, bitrate, sample_rate, content_hash ON tracks
BEGIN
  INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
    SELECT OLD.id, OLD.content_hash, unixepoch() * 1000000
    WHERE OLD.content_hash IS NOT NULL AND OLD.file_path NOT LIKE 'p2p://%'
      AND (NEW.content_hash IS NOT OLD.content_hash OR NEW.file_path LIKE 'p2p://%');
  INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
    SELECT NEW.id, NEW.content_hash, unixepoch() * 1000000
    WHERE NEW.content_hash IS NOT NULL AND NEW.file_path NOT LIKE 'p2p://%';
END;

CREATE TRIGGER p2p_log_delete AFTER DELETE ON tracks
  WHEN OLD.content_hash IS NOT NULL AND OLD.file_path NOT LIKE 'p2p://%'
BEGIN
  INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at) VALUES (OLD.id, OLD.content_hash, unixepoch() * 1000000);
END;

-- Replicated copies are looked up by content hash (remote_uri still holds p2p://<node>/<hash>).
ALTER TABLE remote_tracks ADD COLUMN content_hash TEXT;
CREATE INDEX remote_tracks_hash ON remote_tracks (content_hash);
