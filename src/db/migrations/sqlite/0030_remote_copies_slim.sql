-- Peer copies (remote_tracks) without the two columns derived from the hash and the peer, remote_uri
-- (p2p://<node>/<hash>, UNIQUE) and remote_stream_url (issue 15). The unique index on remote_uri held ~140
-- random bytes a copy: at a million copies, 140 MB of index that every page of a catalogue pull rewrote
-- nearly whole (20,000 upserts into a 1M-copy table: 0.6 s of rows + 0.9 s of commit with it; 0.22 s + 0.23 s
-- without). A copy is now identified by (content_hash, instance_domain): the repository writes copies only
-- through P2pRepository::upsert_remote_tracks, which looks each one up by its hash (the prefix index) inside
-- its write transaction (SQLite has one writer; PostgreSQL locks the table for it), so no unique index is
-- needed to keep one row per peer and hash. SQLite cannot drop a UNIQUE column: the table is rebuilt
-- (about 30 s at a million copies; a fresh node has none).
CREATE TABLE remote_tracks_slim (
  id TEXT PRIMARY KEY,
  local_track_id TEXT REFERENCES tracks(id) ON DELETE SET NULL,
  musicbrainz_id TEXT,
  title TEXT NOT NULL,
  artist_name TEXT NOT NULL,
  album_title TEXT,
  instance_domain TEXT NOT NULL,
  bitrate INTEGER,
  sample_rate INTEGER,
  format TEXT,
  is_available BOOLEAN NOT NULL DEFAULT TRUE,
  last_checked_at BIGINT,
  created_at BIGINT NOT NULL,
  content_hash TEXT NOT NULL,
  health_state TEXT NOT NULL DEFAULT 'healthy',
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  admin_dereferenced BOOLEAN NOT NULL DEFAULT FALSE,
  last_failure_at BIGINT
);
-- Rows written before content_hash existed carry the hash only at the end of remote_uri. Of two rows for
-- the same peer and hash (only possible for such old rows), the one created first stays.
INSERT INTO remote_tracks_slim (id, local_track_id, musicbrainz_id, title, artist_name, album_title, instance_domain,
  bitrate, sample_rate, format, is_available, last_checked_at, created_at, content_hash, health_state,
  failed_attempts, admin_dereferenced, last_failure_at)
SELECT id, local_track_id, musicbrainz_id, title, artist_name, album_title, instance_domain, bitrate, sample_rate,
  format, is_available, last_checked_at, created_at, hash, health_state, failed_attempts, admin_dereferenced,
  last_failure_at
FROM (SELECT r.*, COALESCE(r.content_hash, replace(r.remote_uri, r.instance_domain || '/', '')) AS hash,
        row_number() OVER (PARTITION BY COALESCE(r.content_hash, replace(r.remote_uri, r.instance_domain || '/', '')),
                           r.instance_domain ORDER BY r.created_at, r.id) AS nth
      FROM remote_tracks r)
WHERE nth = 1;
DROP TABLE remote_tracks;
ALTER TABLE remote_tracks_slim RENAME TO remote_tracks;
CREATE INDEX remote_tracks_local ON remote_tracks (local_track_id);
CREATE INDEX remote_tracks_instance ON remote_tracks (instance_domain);
CREATE INDEX remote_tracks_checked ON remote_tracks (last_checked_at);
CREATE INDEX remote_tracks_hash_prefix ON remote_tracks (substr(content_hash, 1, 16));
