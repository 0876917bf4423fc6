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
CREATE FUNCTION p2p_log_group_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  now_us BIGINT := (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT;
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  IF TG_TABLE_NAME = 'artists' THEN
    INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
      SELECT t.id, t.content_hash, now_us FROM tracks t
      WHERE t.content_hash IS NOT NULL AND t.file_path NOT LIKE 'p2p://%'
        AND (t.artist_id = NEW.id OR t.album_id IN (SELECT al.id FROM albums al WHERE al.artist_id = NEW.id));
  ELSE
    INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
      SELECT t.id, t.content_hash, now_us FROM tracks t
      WHERE t.album_id = NEW.id AND t.content_hash IS NOT NULL AND t.file_path NOT LIKE 'p2p://%';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER p2p_log_artist_rename AFTER UPDATE OF name ON artists FOR EACH ROW
  WHEN (NEW.name IS DISTINCT FROM OLD.name) EXECUTE FUNCTION p2p_log_group_change();
CREATE TRIGGER p2p_log_album_change AFTER UPDATE OF title, artist_id, cover_url ON albums FOR EACH ROW
  WHEN (NEW.title IS DISTINCT FROM OLD.title OR NEW.artist_id IS DISTINCT FROM OLD.artist_id
        OR NEW.cover_url IS DISTINCT FROM OLD.cover_url)
  EXECUTE FUNCTION p2p_log_group_change();
