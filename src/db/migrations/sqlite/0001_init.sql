-- SoundTime schema, first version: the original's tables (without pgvector and the ActivityPub
-- leftovers) plus login sessions. Ids are UUID text, timestamps BIGINT microseconds since the epoch.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT,
  avatar_url TEXT,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
  is_banned BOOLEAN NOT NULL DEFAULT FALSE,
  ban_reason TEXT,
  banned_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Names and emails differing only by case would let one user pass for another.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

-- A login session is one refresh-token family.
CREATE TABLE auth_sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  user_agent TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

-- Only digests are stored. A token with used_at set has been rotated away: presenting it again is reuse.
CREATE TABLE refresh_tokens (
  token_digest TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE instance_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE user_settings (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, key)
);

-- match_key makes find-or-create atomic: "mb:<MusicBrainz id>" or "name:<lowercased name>".
CREATE TABLE artists (
  id TEXT PRIMARY KEY,
  match_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  musicbrainz_id TEXT,
  bio TEXT,
  image_url TEXT,
  search_text TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX artists_name ON artists (name, id);

-- match_key: "mb:<MusicBrainz release id>" or "<album artist id>|<lowercased title>".
CREATE TABLE albums (
  id TEXT PRIMARY KEY,
  match_key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  artist_id TEXT NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
  release_date TEXT,
  cover_url TEXT,
  musicbrainz_id TEXT,
  genre TEXT,
  year INTEGER,
  is_compilation BOOLEAN NOT NULL DEFAULT FALSE,
  search_text TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX albums_artist ON albums (artist_id);
CREATE INDEX albums_created ON albums (created_at, id);
CREATE INDEX albums_title ON albums (title, id);

CREATE TABLE tracks (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  artist_id TEXT NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
  album_id TEXT REFERENCES albums(id) ON DELETE SET NULL,
  track_number INTEGER,
  track_total INTEGER,
  disc_number INTEGER DEFAULT 1,
  disc_total INTEGER,
  duration_secs REAL NOT NULL,
  genre TEXT,
  year INTEGER,
  musicbrainz_id TEXT,
  file_path TEXT NOT NULL UNIQUE,
  file_size BIGINT NOT NULL,
  file_mtime BIGINT NOT NULL DEFAULT 0,
  format TEXT NOT NULL,
  bitrate INTEGER,
  sample_rate INTEGER,
  channels INTEGER,
  bit_depth INTEGER,
  replaygain_track_gain REAL,
  replaygain_track_peak REAL,
  replaygain_album_gain REAL,
  replaygain_album_peak REAL,
  lyrics TEXT,
  waveform_data TEXT,
  created_at BIGINT NOT NULL,
  uploaded_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  play_count BIGINT NOT NULL DEFAULT 0,
  content_hash TEXT,
  search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tracks_artist ON tracks (artist_id);
CREATE INDEX tracks_album ON tracks (album_id);
CREATE INDEX tracks_title ON tracks (title, id);
CREATE INDEX tracks_play_count ON tracks (play_count, created_at, id);
CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_created ON tracks (created_at, id);
CREATE INDEX tracks_uploaded_by ON tracks (uploaded_by);
CREATE INDEX tracks_content_hash ON tracks (content_hash) WHERE content_hash IS NOT NULL;

CREATE TABLE libraries (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  is_public BOOLEAN NOT NULL DEFAULT FALSE,
  total_tracks INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX libraries_user ON libraries (user_id);

CREATE TABLE library_tracks (
  library_id TEXT NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  PRIMARY KEY (library_id, track_id)
);

CREATE TABLE playlists (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  is_public BOOLEAN NOT NULL DEFAULT FALSE,
  is_editorial BOOLEAN NOT NULL DEFAULT FALSE,
  cover_url TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX playlists_user ON playlists (user_id);

CREATE TABLE playlist_tracks (
  playlist_id TEXT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  position INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (playlist_id, track_id)
);

CREATE TABLE listen_history (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  listened_at BIGINT NOT NULL,
  duration_listened REAL NOT NULL DEFAULT 0,
  source_context TEXT,
  completed BOOLEAN NOT NULL DEFAULT FALSE,
  skipped BOOLEAN NOT NULL DEFAULT FALSE,
  skip_position REAL
);
CREATE INDEX listen_history_user_listened ON listen_history (user_id, listened_at DESC);
CREATE INDEX listen_history_listened ON listen_history (listened_at);
CREATE INDEX listen_history_track ON listen_history (track_id);

CREATE TABLE favorites (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, track_id)
);
CREATE INDEX favorites_user_created ON favorites (user_id, created_at DESC);

-- Web domains and P2P node ids alike.
CREATE TABLE blocked_domains (
  id TEXT PRIMARY KEY,
  domain TEXT NOT NULL UNIQUE,
  reason TEXT,
  blocked_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE remote_tracks (
  id TEXT PRIMARY KEY,
  local_track_id TEXT REFERENCES tracks(id) ON DELETE SET NULL,
  musicbrainz_id TEXT,
  title TEXT NOT NULL,
  artist_name TEXT NOT NULL,
  album_title TEXT,
  instance_domain TEXT NOT NULL,
  remote_uri TEXT NOT NULL UNIQUE,
  remote_stream_url TEXT NOT NULL,
  bitrate INTEGER,
  sample_rate INTEGER,
  format TEXT,
  is_available BOOLEAN NOT NULL DEFAULT TRUE,
  last_checked_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX remote_tracks_local ON remote_tracks (local_track_id);
CREATE INDEX remote_tracks_instance ON remote_tracks (instance_domain);

-- Reports outlive the tracks they are about (the moderation record stays).
CREATE TABLE track_reports (
  id TEXT PRIMARY KEY,
  track_id TEXT REFERENCES tracks(id) ON DELETE SET NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'resolved', 'dismissed')),
  admin_note TEXT,
  resolved_by TEXT,
  resolved_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX track_reports_status ON track_reports (status);

CREATE TABLE p2p_peers (
  node_id TEXT PRIMARY KEY,
  name TEXT,
  version TEXT,
  track_count BIGINT NOT NULL DEFAULT 0,
  is_online BOOLEAN NOT NULL DEFAULT FALSE,
  last_seen_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Search: search_text holds folded words (lowercase, no diacritics; folded by the application so both
-- engines match alike), indexed by FTS5 tables kept in step by triggers.
CREATE VIRTUAL TABLE tracks_fts USING fts5(search_text, content='tracks', content_rowid='rowid',
  tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks BEGIN
  INSERT INTO tracks_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
  INSERT INTO tracks_fts(tracks_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER tracks_fts_update AFTER UPDATE OF search_text ON tracks BEGIN
  INSERT INTO tracks_fts(tracks_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO tracks_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE albums_fts USING fts5(search_text, content='albums', content_rowid='rowid',
  tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
CREATE TRIGGER albums_fts_insert AFTER INSERT ON albums BEGIN
  INSERT INTO albums_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER albums_fts_delete AFTER DELETE ON albums BEGIN
  INSERT INTO albums_fts(albums_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER albums_fts_update AFTER UPDATE OF search_text ON albums BEGIN
  INSERT INTO albums_fts(albums_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO albums_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE artists_fts USING fts5(search_text, content='artists', content_rowid='rowid',
  tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
CREATE TRIGGER artists_fts_insert AFTER INSERT ON artists BEGIN
  INSERT INTO artists_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER artists_fts_delete AFTER DELETE ON artists BEGIN
  INSERT INTO artists_fts(artists_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER artists_fts_update AFTER UPDATE OF search_text ON artists BEGIN
  INSERT INTO artists_fts(artists_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO artists_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
