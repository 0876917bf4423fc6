-- Track health of replicated copies (one remote_tracks row per peer and hash), kept across restarts:
-- healthy, recovered (works again after failing), degraded (failed_attempts consecutive failures),
-- dereferenced (3 failures, or an administrator's decision, which the periodic sweep never undoes).
ALTER TABLE remote_tracks ADD COLUMN health_state TEXT NOT NULL DEFAULT 'healthy';
ALTER TABLE remote_tracks ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE remote_tracks ADD COLUMN admin_dereferenced BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE remote_tracks ADD COLUMN last_failure_at BIGINT;
-- The sweep visits the copies checked longest ago first.
CREATE INDEX remote_tracks_checked ON remote_tracks (last_checked_at);

-- Peers follow renames of an artist and edits of an album (title, album artist, cover) too: the tracks
-- they group are logged again, so the next page carries their new names and cover.
CREATE TRIGGER p2p_log_artist_rename AFTER UPDATE OF name ON artists WHEN NEW.name IS NOT OLD.name
BEGIN
  INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
    SELECT t.id, t.content_hash, unixepoch() * 1000000 FROM tracks t
    WHERE t.content_hash IS NOT NULL AND t.file_path NOT LIKE 'p2p://%'
      AND (t.artist_id = NEW.id OR t.album_id IN (SELECT al.id FROM albums al WHERE al.artist_id = NEW.id));
END;

CREATE TRIGGER p2p_log_album_change AFTER UPDATE OF title, artist_id, cover_url ON albums
  WHEN NEW.title IS NOT OLD.title OR NEW.artist_id IS NOT OLD.artist_id OR NEW.cover_url IS NOT OLD.cover_url
BEGIN
  INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
    SELECT t.id, t.content_hash, unixepoch() * 1000000 FROM tracks t
    WHERE t.album_id = NEW.id AND t.content_hash IS NOT NULL AND t.file_path NOT LIKE 'p2p://%';
END;
