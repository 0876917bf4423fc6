-- getArtists (Subsonic) lists every artist that has albums, with how many and whether one has a cover:
-- kept here by triggers instead of grouping every album per request (40 ms at 100,000 albums) (issue 15).
-- A row per artist with at least one album; foreign-key cascades (an artist's albums) fire these triggers.
CREATE TABLE artist_album_tally (
  artist_id TEXT PRIMARY KEY,
  albums BIGINT NOT NULL,
  covered BIGINT NOT NULL
) WITHOUT ROWID;
INSERT INTO artist_album_tally (artist_id, albums, covered)
  SELECT artist_id, COUNT(*), SUM(cover_url IS NOT NULL) FROM albums GROUP BY artist_id;

CREATE TRIGGER artist_tally_album_insert AFTER INSERT ON albums BEGIN
  INSERT INTO artist_album_tally (artist_id, albums, covered) VALUES (NEW.artist_id, 1, NEW.cover_url IS NOT NULL)
    ON CONFLICT (artist_id) DO UPDATE SET albums = albums + 1, covered = covered + excluded.covered;
END;
CREATE TRIGGER artist_tally_album_delete AFTER DELETE ON albums BEGIN
  UPDATE artist_album_tally SET albums = albums - 1, covered = covered - (OLD.cover_url IS NOT NULL)
    WHERE artist_id = OLD.artist_id;
  DELETE FROM artist_album_tally WHERE artist_id = OLD.artist_id AND albums = 0;
END;
CREATE TRIGGER artist_tally_album_update AFTER UPDATE OF artist_id, cover_url ON albums
  WHEN NEW.artist_id IS NOT OLD.artist_id OR (NEW.cover_url IS NULL) <> (OLD.cover_url IS NULL) BEGIN
  UPDATE artist_album_tally SET albums = albums - 1, covered = covered - (OLD.cover_url IS NOT NULL)
    WHERE artist_id = OLD.artist_id;
  DELETE FROM artist_album_tally WHERE artist_id = OLD.artist_id AND albums = 0;
  INSERT INTO artist_album_tally (artist_id, albums, covered) VALUES (NEW.artist_id, 1, NEW.cover_url IS NOT NULL)
    ON CONFLICT (artist_id) DO UPDATE SET albums = albums + 1, covered = covered + excluded.covered;
END;
