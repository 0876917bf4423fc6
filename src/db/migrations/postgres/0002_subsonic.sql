-- What Subsonic apps need beyond the web app's model: app passwords, stars on albums and artists,
-- ratings, bookmarks, play queues, public shares and internet radio stations. Track stars are the
-- web app's favorites, so both see the same thing.

-- A per-user secret for Subsonic apps. Token auth (t = md5(password + salt)) needs the plain secret,
-- so it is kept encrypted with the server's key (secret_box, base64); lookup_digest finds an apiKey.
CREATE TABLE app_passwords (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  secret_box TEXT NOT NULL,
  lookup_digest TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX app_passwords_user ON app_passwords (user_id);

CREATE TABLE stars (
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  item_kind TEXT NOT NULL CHECK (item_kind IN ('album', 'artist')),
  item_id UUID NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, item_kind, item_id)
);

CREATE TABLE ratings (
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  item_kind TEXT NOT NULL CHECK (item_kind IN ('track', 'album', 'artist')),
  item_id UUID NOT NULL,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, item_kind, item_id)
);

CREATE TABLE bookmarks (
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  track_id UUID NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  position_ms BIGINT NOT NULL,
  comment TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, track_id)
);

CREATE TABLE play_queues (
  user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  current_index INTEGER,
  position_ms BIGINT NOT NULL DEFAULT 0,
  changed_by TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL
);
CREATE TABLE play_queue_tracks (
  user_id UUID NOT NULL REFERENCES play_queues(user_id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  track_id UUID NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, position)
);

-- A public link to some tracks (an album, a playlist, a song): plays without an account.
CREATE TABLE shares (
  id UUID PRIMARY KEY,
  secret TEXT NOT NULL UNIQUE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  description TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  last_visited_at BIGINT,
  visit_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX shares_user ON shares (user_id);
CREATE TABLE share_tracks (
  share_id UUID NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  track_id UUID NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  PRIMARY KEY (share_id, position)
);

CREATE TABLE radio_stations (
  id UUID PRIMARY KEY,
  name TEXT NOT NULL,
  stream_url TEXT NOT NULL,
  homepage_url TEXT,
  created_at BIGINT NOT NULL
);

-- Subsonic apps list albums and artists alphabetically without regard to case, page by page.
CREATE INDEX albums_title_lower ON albums (lower(title), id);
CREATE INDEX artists_name_lower ON artists (lower(name), id);
