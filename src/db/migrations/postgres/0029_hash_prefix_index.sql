-- Content hashes are indexed by their first 16 hex digits, as on SQLite (see its 0029): the same lookups
-- (db/hash_lookup.hpp) serve both engines, and the indexes are a quarter the size.
CREATE INDEX tracks_hash_prefix ON tracks (substr(content_hash, 1, 16));
DROP INDEX tracks_content_hash;
CREATE INDEX remote_tracks_hash_prefix ON remote_tracks (substr(content_hash, 1, 16));
DROP INDEX remote_tracks_hash;
