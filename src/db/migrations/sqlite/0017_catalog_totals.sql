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
  album_id TEXT NOT NULL,
  tracks BIGINT NOT NULL,
  PRIMARY KEY (genre, album_id)
) WITHOUT ROWID;
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

CREATE TRIGGER totals_artist_insert AFTER INSERT ON artists BEGIN
  UPDATE catalog_totals SET n = n + 1, version = version + 1 WHERE name = 'artists';
END;
CREATE TRIGGER totals_artist_delete AFTER DELETE ON artists BEGIN
  UPDATE catalog_totals SET n = n - 1, version = version + 1 WHERE name = 'artists';
END;
CREATE TRIGGER totals_album_insert AFTER INSERT ON albums BEGIN
  UPDATE catalog_totals SET n = n + 1, version = version + 1 WHERE name = 'albums';
END;
CREATE TRIGGER totals_album_delete AFTER DELETE ON albums BEGIN
  UPDATE catalog_totals SET n = n - 1, version = version + 1 WHERE name = 'albums';
END;
CREATE TRIGGER totals_track_insert AFTER INSERT ON tracks BEGIN
  UPDATE catalog_totals SET n = n + 1, version = version + 1 WHERE name = 'tracks';
END;
CREATE TRIGGER totals_track_delete AFTER DELETE ON tracks BEGIN
  UPDATE catalog_totals SET n = n - 1, version = version + 1 WHERE name = 'tracks';
END;

CREATE TRIGGER totals_track_order AFTER UPDATE OF title, created_at ON tracks
  WHEN NEW.title IS NOT OLD.title OR NEW.created_at IS NOT OLD.created_at BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'tracks';
END;
CREATE TRIGGER totals_track_plays AFTER UPDATE OF play_count ON tracks WHEN NEW.play_count IS NOT OLD.play_count BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'track_plays';
END;
CREATE TRIGGER totals_album_order AFTER UPDATE OF title, created_at ON albums
  WHEN NEW.title IS NOT OLD.title OR NEW.created_at IS NOT OLD.created_at BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'albums';
END;
CREATE TRIGGER totals_artist_order AFTER UPDATE OF name ON artists WHEN NEW.name IS NOT OLD.name BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'artists';
END;

-- A genre's tracks by title (/api/genres/{genre}/tracks) read in index order, not sorted per request;
-- the index also answers what tracks_genre did.
CREATE INDEX tracks_genre_title ON tracks (genre, title, id);
DROP INDEX tracks_genre;

-- A track enters a genre: its genre's tracks, and its album's count in that genre (the genre's albums
-- grow when that count becomes 1).
CREATE TRIGGER genre_track_insert AFTER INSERT ON tracks WHEN NEW.genre IS NOT NULL AND NEW.genre <> '' BEGIN
  INSERT INTO genre_counts (genre, tracks, albums) VALUES (NEW.genre, 1, 0)
    ON CONFLICT (genre) DO UPDATE SET tracks = tracks + 1;
  INSERT INTO genre_albums (genre, album_id, tracks) SELECT NEW.genre, NEW.album_id, 1 WHERE NEW.album_id IS NOT NULL
    ON CONFLICT (genre, album_id) DO UPDATE SET tracks = tracks + 1;
  UPDATE genre_counts SET albums = albums + 1 WHERE genre = NEW.genre AND NEW.album_id IS NOT NULL
    AND (SELECT tracks FROM genre_albums WHERE genre = NEW.genre AND album_id = NEW.album_id) = 1;
END;

-- A track leaves a genre: the reverse; rows that reach zero go.
CREATE TRIGGER genre_track_delete AFTER DELETE ON tracks WHEN OLD.genre IS NOT NULL AND OLD.genre <> '' BEGIN
  UPDATE genre_albums SET tracks = tracks - 1 WHERE genre = OLD.genre AND album_id = OLD.album_id;
  UPDATE genre_counts SET tracks = tracks - 1,
    albums = albums - (SELECT COUNT(*) FROM genre_albums WHERE genre = OLD.genre AND album_id = OLD.album_id AND tracks = 0)
    WHERE genre = OLD.genre;
  DELETE FROM genre_albums WHERE genre = OLD.genre AND album_id = OLD.album_id AND tracks = 0;
  DELETE FROM genre_counts WHERE genre = OLD.genre AND tracks = 0;
END;

-- A change of genre or album is the old pair leaving and the new one entering.
CREATE TRIGGER genre_track_update AFTER UPDATE OF genre, album_id ON tracks
  WHEN NEW.genre IS NOT OLD.genre OR NEW.album_id IS NOT OLD.album_id BEGIN
  UPDATE genre_albums SET tracks = tracks - 1 WHERE genre = OLD.genre AND album_id = OLD.album_id AND OLD.genre <> '';
  UPDATE genre_counts SET tracks = tracks - 1,
    albums = albums - (SELECT COUNT(*) FROM genre_albums WHERE genre = OLD.genre AND album_id = OLD.album_id AND tracks = 0)
    WHERE genre = OLD.genre AND OLD.genre <> '';
  DELETE FROM genre_albums WHERE genre = OLD.genre AND album_id = OLD.album_id AND tracks = 0;
  DELETE FROM genre_counts WHERE genre = OLD.genre AND tracks = 0;
  INSERT INTO genre_counts (genre, tracks, albums) SELECT NEW.genre, 1, 0 WHERE NEW.genre IS NOT NULL AND NEW.genre <> ''
    ON CONFLICT (genre) DO UPDATE SET tracks = tracks + 1;
  INSERT INTO genre_albums (genre, album_id, tracks) SELECT NEW.genre, NEW.album_id, 1
    WHERE NEW.genre IS NOT NULL AND NEW.genre <> '' AND NEW.album_id IS NOT NULL
    ON CONFLICT (genre, album_id) DO UPDATE SET tracks = tracks + 1;
  UPDATE genre_counts SET albums = albums + 1 WHERE genre = NEW.genre AND NEW.album_id IS NOT NULL
    AND (SELECT tracks FROM genre_albums WHERE genre = NEW.genre AND album_id = NEW.album_id) = 1;
END;
