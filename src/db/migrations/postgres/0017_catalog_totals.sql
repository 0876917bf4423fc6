-- Catalogue totals kept by triggers (issue 15): an unfiltered list reads its total from one row instead
-- of counting a million rows per request, and the genre list reads one row per genre.
-- catalog_totals: one row per table ('tracks', 'albums', 'artists'), exact after every statement, with a
-- version bumped by every change of the table's rows or of the columns its lists are ordered by (title,
-- created_at, name); 'track_plays' (n unused, 0) has the version of the tracks' play counts. Deep pages
-- start from sampled keys of each ordering (db/page_keys), read again when these versions move.
-- genre_counts: per non-empty genre, its tracks and its distinct albums; genre_albums holds how many
-- tracks of each album carry each genre, so an album is counted once however many of its tracks have it.
-- Foreign-key actions (an artist's tracks cascading, an album's tracks set to no album) fire these
-- triggers like any other statement.
--
-- Concurrency: writers of tracks already take turns on the P2P log's table lock (migration 0003, taken
-- by every insert, delete and catalogue-visible update of a track, until commit). The track counters
-- take that same lock first, so the counter rows of tracks and genres are only ever updated under it:
-- they add no waiting of their own and no lock-order cycle (two imports locking genres in different
-- orders would otherwise deadlock); so do the album and artist counters. A listen's transaction
-- updates one track's play count and then the 'track_plays' row, which nothing else locks.
CREATE TABLE catalog_totals (
  name TEXT PRIMARY KEY,
  n BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO catalog_totals (name, n) VALUES
  ('tracks', (SELECT COUNT(*) FROM tracks)),
  ('albums', (SELECT COUNT(*) FROM albums)),
  ('artists', (SELECT COUNT(*) FROM artists)),
  ('track_plays', 0);

CREATE TABLE genre_albums (
  genre TEXT NOT NULL,
  album_id UUID NOT NULL,
  tracks BIGINT NOT NULL,
  PRIMARY KEY (genre, album_id)
);
INSERT INTO genre_albums (genre, album_id, tracks)
  SELECT genre, album_id, COUNT(*) FROM tracks
  WHERE genre IS NOT NULL AND genre <> '' AND album_id IS NOT NULL GROUP BY genre, album_id;

CREATE TABLE genre_counts (
  genre TEXT PRIMARY KEY,
  tracks BIGINT NOT NULL,
  albums BIGINT NOT NULL
);
INSERT INTO genre_counts (genre, tracks, albums)
  SELECT genre, COUNT(*), COUNT(DISTINCT album_id) FROM tracks
  WHERE genre IS NOT NULL AND genre <> '' GROUP BY genre;

-- Albums and artists take the same table lock before their counter row, so every transaction meets the
-- locks in one order (the table, then counter rows): an import batch that inserts a track and then a new
-- album cannot deadlock with an upload that inserted its album and is about to insert its track.
CREATE FUNCTION catalog_totals_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  UPDATE catalog_totals SET n = n + CASE TG_OP WHEN 'INSERT' THEN 1 WHEN 'DELETE' THEN -1 ELSE 0 END,
    version = version + 1 WHERE name = TG_TABLE_NAME;
  RETURN NULL;
END $$;

CREATE TRIGGER totals_artist_insert AFTER INSERT ON artists FOR EACH ROW EXECUTE FUNCTION catalog_totals_count();
CREATE TRIGGER totals_artist_delete AFTER DELETE ON artists FOR EACH ROW EXECUTE FUNCTION catalog_totals_count();
CREATE TRIGGER totals_album_insert AFTER INSERT ON albums FOR EACH ROW EXECUTE FUNCTION catalog_totals_count();
CREATE TRIGGER totals_album_delete AFTER DELETE ON albums FOR EACH ROW EXECUTE FUNCTION catalog_totals_count();
CREATE TRIGGER totals_album_order AFTER UPDATE OF title, created_at ON albums FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION catalog_totals_count();
CREATE TRIGGER totals_artist_order AFTER UPDATE OF name ON artists FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION catalog_totals_count();

CREATE FUNCTION catalog_totals_plays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'track_plays';
  RETURN NULL;
END $$;
CREATE TRIGGER totals_track_plays AFTER UPDATE OF play_count ON tracks FOR EACH ROW
  WHEN (OLD.play_count IS DISTINCT FROM NEW.play_count) EXECUTE FUNCTION catalog_totals_plays();

-- A genre's tracks by title (/api/genres/{genre}/tracks) read in index order, not sorted per request;
-- the index also answers what tracks_genre did.
CREATE INDEX tracks_genre_title ON tracks (genre, title, id);
DROP INDEX tracks_genre;

-- One function for a track's insert, delete and change of genre or album: the old pair leaves, the new
-- one enters; rows that reach zero go.
CREATE FUNCTION catalog_totals_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  left_album BIGINT;
  now_in BIGINT;
  regrouped BOOLEAN := TG_OP <> 'UPDATE' OR OLD.genre IS DISTINCT FROM NEW.genre
                       OR OLD.album_id IS DISTINCT FROM NEW.album_id;
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  IF TG_OP = 'INSERT' THEN
    UPDATE catalog_totals SET n = n + 1, version = version + 1 WHERE name = 'tracks';
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE catalog_totals SET n = n - 1, version = version + 1 WHERE name = 'tracks';
  ELSIF OLD.title IS DISTINCT FROM NEW.title OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
    UPDATE catalog_totals SET version = version + 1 WHERE name = 'tracks';
  END IF;
  IF regrouped AND TG_OP IN ('UPDATE', 'DELETE') AND OLD.genre IS NOT NULL AND OLD.genre <> '' THEN
    left_album := 0;
    IF OLD.album_id IS NOT NULL THEN
      UPDATE genre_albums SET tracks = tracks - 1 WHERE genre = OLD.genre AND album_id = OLD.album_id
        RETURNING tracks INTO now_in;
      IF now_in = 0 THEN
        DELETE FROM genre_albums WHERE genre = OLD.genre AND album_id = OLD.album_id;
        left_album := 1;
      END IF;
    END IF;
    UPDATE genre_counts SET tracks = tracks - 1, albums = albums - left_album WHERE genre = OLD.genre;
    DELETE FROM genre_counts WHERE genre = OLD.genre AND tracks = 0;
  END IF;
  IF regrouped AND TG_OP IN ('INSERT', 'UPDATE') AND NEW.genre IS NOT NULL AND NEW.genre <> '' THEN
    INSERT INTO genre_counts AS g (genre, tracks, albums) VALUES (NEW.genre, 1, 0)
      ON CONFLICT (genre) DO UPDATE SET tracks = g.tracks + 1;
    IF NEW.album_id IS NOT NULL THEN
      INSERT INTO genre_albums AS ga (genre, album_id, tracks) VALUES (NEW.genre, NEW.album_id, 1)
        ON CONFLICT (genre, album_id) DO UPDATE SET tracks = ga.tracks + 1
        RETURNING tracks INTO now_in;
      IF now_in = 1 THEN
        UPDATE genre_counts SET albums = albums + 1 WHERE genre = NEW.genre;
      END IF;
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER totals_track_insert AFTER INSERT ON tracks FOR EACH ROW EXECUTE FUNCTION catalog_totals_track();
CREATE TRIGGER totals_track_delete AFTER DELETE ON tracks FOR EACH ROW EXECUTE FUNCTION catalog_totals_track();
CREATE TRIGGER totals_track_update AFTER UPDATE OF genre, album_id, title, created_at ON tracks FOR EACH ROW
  WHEN (OLD.genre IS DISTINCT FROM NEW.genre OR OLD.album_id IS DISTINCT FROM NEW.album_id
        OR OLD.title IS DISTINCT FROM NEW.title OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION catalog_totals_track();
