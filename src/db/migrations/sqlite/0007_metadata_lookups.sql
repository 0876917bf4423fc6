-- MusicBrainz lookups already made, one row per track (the latest outcome): enrichment skips tracks
-- it asked about recently, so tracks MusicBrainz does not know are not asked about forever.
CREATE TABLE metadata_lookups (
  track_id TEXT PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  looked_up_at BIGINT NOT NULL
);
