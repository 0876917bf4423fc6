-- Content hashes (64 hex digits, random) are indexed by their first 16 digits (issue 15: at a million
-- tracks the whole-hash index held 75 MB of random keys, and nearly every replicated or imported track's
-- insert landed on a page of it that had left the page cache: a third of a catalogue pull's time). The
-- prefix index is a quarter the size. A lookup names the prefix for the index and the rest of the hash for
-- the match (db/hash_lookup.hpp); it never writes `content_hash = ?`, which SQLite would substitute into
-- the prefix expression, which then no longer matches the index. Not partial: a condition on the prefix
-- does not tell SQLite that the hash is not null.
CREATE INDEX tracks_hash_prefix ON tracks (substr(content_hash, 1, 16));
DROP INDEX tracks_content_hash;
CREATE INDEX remote_tracks_hash_prefix ON remote_tracks (substr(content_hash, 1, 16));
DROP INDEX remote_tracks_hash;
