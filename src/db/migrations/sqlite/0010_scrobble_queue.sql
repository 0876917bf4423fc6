-- Deliveries to Last.fm and ListenBrainz waiting for their service (kept across restarts, retried with
-- backoff while the service is down). Credentials stay in user_settings, sealed.
CREATE TABLE scrobble_queue (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  service TEXT NOT NULL,
  kind TEXT NOT NULL,
  artist TEXT NOT NULL,
  track TEXT NOT NULL,
  album TEXT,
  duration_secs DOUBLE PRECISION NOT NULL,
  listened_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX scrobble_queue_due ON scrobble_queue (next_attempt_at);
CREATE INDEX scrobble_queue_user ON scrobble_queue (user_id, service, created_at);
