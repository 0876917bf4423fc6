-- Devices: a user's own other instances (by P2P NodeId and their account name there). When both sides
-- registered each other, the user's playlists and favorites are kept the same on both.
CREATE TABLE devices (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  node_id TEXT NOT NULL,
  remote_username TEXT NOT NULL,
  name TEXT,
  created_at BIGINT NOT NULL,
  last_synced_at BIGINT,
  last_error TEXT,
  UNIQUE (user_id, node_id)
);
CREATE INDEX devices_node ON devices (node_id);

-- What was removed, so that a removal travels to the other devices instead of coming back from them.
-- Written by triggers (every code path that removes a favorite or a playlist is covered); no foreign
-- key, so that deleting a user, which removes their playlists, never trips over it.
CREATE TABLE favorite_tombstones (
  user_id UUID NOT NULL,
  content_hash TEXT NOT NULL,
  removed_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, content_hash)
);
CREATE TABLE playlist_tombstones (
  playlist_id UUID PRIMARY KEY,
  user_id UUID NOT NULL,
  deleted_at BIGINT NOT NULL
);

CREATE FUNCTION favorite_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO favorite_tombstones (user_id, content_hash, removed_at)
    SELECT OLD.user_id, t.content_hash, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT
    FROM tracks t WHERE t.id = OLD.track_id AND t.content_hash IS NOT NULL
    ON CONFLICT (user_id, content_hash) DO UPDATE SET removed_at = excluded.removed_at;
  RETURN NULL;
END $$;
CREATE TRIGGER favorite_tombstone AFTER DELETE ON favorites FOR EACH ROW EXECUTE FUNCTION favorite_tombstone();

CREATE FUNCTION playlist_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO playlist_tombstones (playlist_id, user_id, deleted_at)
    VALUES (OLD.id, OLD.user_id, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT)
    ON CONFLICT (playlist_id) DO UPDATE SET deleted_at = excluded.deleted_at;
  RETURN NULL;
END $$;
CREATE TRIGGER playlist_tombstone AFTER DELETE ON playlists FOR EACH ROW EXECUTE FUNCTION playlist_tombstone();
