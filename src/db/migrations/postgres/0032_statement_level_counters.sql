-- The counters that inserts and deletes of tracks, albums and artists keep (migrations 0017, 0024, 0026,
-- 0028, 0031) move once a statement instead of once a row (issue 15). Updating the same row again and again inside one transaction is
-- quadratic in PostgreSQL: every update adds a version to that row's chain, which none can prune while the
-- transaction is open, and the next update walks it. A pull of 20,000 replicas or an import batch, one
-- transaction each, updated 'tracks', 'duration_us', each genre's counts and the 'genre_albums' version
-- 20,000 times (8,000 rows in one transaction: 2.5 s of triggers, 4,000: 0.67 s). Now each statement
-- adds its rows' sum from its transition table, and the bulk insert sends many rows a statement (a COPY
-- is one statement too). Updates keep their row triggers (a row changes one genre, album or artist at a
-- time). The locks are
-- taken as before: the P2P log's table lock first, then counter rows (see 0017), genres in name order.

DROP TRIGGER IF EXISTS totals_track_insert ON tracks;
DROP TRIGGER IF EXISTS totals_track_delete ON tracks;
DROP TRIGGER IF EXISTS totals_duration_change ON tracks;
DROP TRIGGER IF EXISTS genre_albums_version ON genre_albums;
DROP TRIGGER IF EXISTS totals_artist_insert ON artists;
DROP TRIGGER IF EXISTS totals_artist_delete ON artists;
DROP TRIGGER IF EXISTS totals_album_insert ON albums;
DROP TRIGGER IF EXISTS totals_album_delete ON albums;
DROP TRIGGER IF EXISTS artist_tally_album_insert ON albums;
DROP TRIGGER IF EXISTS artist_tally_album_delete ON albums;
DROP TRIGGER IF EXISTS artist_index_tally ON artist_album_tally;

CREATE FUNCTION catalog_totals_tracks_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added BIGINT;
BEGIN
  SELECT COUNT(*) INTO added FROM new_rows;
  IF added = 0 THEN
    RETURN NULL;
  END IF;
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  UPDATE catalog_totals SET n = n + added, version = version + 1 WHERE name = 'tracks';
  UPDATE catalog_totals
    SET n = n + (SELECT COALESCE(SUM(round(duration_secs::DOUBLE PRECISION * 1000000)::BIGINT), 0) FROM new_rows)
    WHERE name = 'duration_us';
  -- Each (genre, album) pair's tracks; a pair new to genre_albums is an album new to its genre.
  WITH pairs AS (
    SELECT genre, album_id, COUNT(*) AS k FROM new_rows
    WHERE genre IS NOT NULL AND genre <> '' AND album_id IS NOT NULL
    GROUP BY genre, album_id ORDER BY genre, album_id
  ), kept AS (
    INSERT INTO genre_albums AS ga (genre, album_id, tracks) SELECT genre, album_id, k FROM pairs
    ON CONFLICT (genre, album_id) DO UPDATE SET tracks = ga.tracks + EXCLUDED.tracks
    RETURNING ga.genre, ga.album_id, ga.tracks
  ), fresh AS (
    SELECT kept.genre, COUNT(*) AS albums FROM kept JOIN pairs USING (genre, album_id)
    WHERE kept.tracks = pairs.k GROUP BY kept.genre
  ), per_genre AS (
    SELECT genre, COUNT(*) AS tracks FROM new_rows WHERE genre IS NOT NULL AND genre <> '' GROUP BY genre
  )
  INSERT INTO genre_counts AS g (genre, tracks, albums)
    SELECT p.genre, p.tracks, COALESCE(f.albums, 0) FROM per_genre p LEFT JOIN fresh f USING (genre)
    ORDER BY p.genre
  ON CONFLICT (genre) DO UPDATE SET tracks = g.tracks + EXCLUDED.tracks, albums = g.albums + EXCLUDED.albums;
  RETURN NULL;
END $$;

CREATE FUNCTION catalog_totals_tracks_removed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed BIGINT;
BEGIN
  SELECT COUNT(*) INTO removed FROM old_rows;
  IF removed = 0 THEN
    RETURN NULL;
  END IF;
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  UPDATE catalog_totals SET n = n - removed, version = version + 1 WHERE name = 'tracks';
  UPDATE catalog_totals
    SET n = n - (SELECT COALESCE(SUM(round(duration_secs::DOUBLE PRECISION * 1000000)::BIGINT), 0) FROM old_rows)
    WHERE name = 'duration_us';
  -- A pair left with no track is an album that left its genre.
  WITH pairs AS (
    SELECT genre, album_id, COUNT(*) AS k FROM old_rows
    WHERE genre IS NOT NULL AND genre <> '' AND album_id IS NOT NULL
    GROUP BY genre, album_id
  ), kept AS (
    UPDATE genre_albums ga SET tracks = ga.tracks - pairs.k FROM pairs
    WHERE ga.genre = pairs.genre AND ga.album_id = pairs.album_id
    RETURNING ga.genre, ga.tracks
  ), gone AS (
    SELECT genre, COUNT(*) AS albums FROM kept WHERE tracks = 0 GROUP BY genre
  ), per_genre AS (
    SELECT genre, COUNT(*) AS tracks FROM old_rows WHERE genre IS NOT NULL AND genre <> '' GROUP BY genre
  )
  UPDATE genre_counts g SET tracks = g.tracks - p.tracks, albums = g.albums - COALESCE(gone.albums, 0)
    FROM per_genre p LEFT JOIN gone USING (genre) WHERE g.genre = p.genre;
  DELETE FROM genre_albums ga USING (SELECT DISTINCT genre, album_id FROM old_rows) o
    WHERE ga.genre = o.genre AND ga.album_id = o.album_id AND ga.tracks <= 0;
  DELETE FROM genre_counts g WHERE g.genre IN (SELECT DISTINCT genre FROM old_rows) AND g.tracks <= 0;
  RETURN NULL;
END $$;

CREATE TRIGGER totals_tracks_added AFTER INSERT ON tracks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_tracks_added();
CREATE TRIGGER totals_tracks_removed AFTER DELETE ON tracks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_tracks_removed();

-- Albums and artists: their totals (a statement's rows in, a statement's rows out). The insert and the delete
-- triggers name their transition table alike, so that one function serves both.
CREATE FUNCTION catalog_totals_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed BIGINT;
BEGIN
  SELECT COUNT(*) INTO changed FROM changed_rows;
  IF changed > 0 THEN
    LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
    UPDATE catalog_totals SET n = n + CASE TG_OP WHEN 'INSERT' THEN changed ELSE -changed END,
      version = version + 1 WHERE name = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER totals_artists_added AFTER INSERT ON artists REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_rows_changed();
CREATE TRIGGER totals_artists_removed AFTER DELETE ON artists REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_rows_changed();
CREATE TRIGGER totals_albums_added AFTER INSERT ON albums REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_rows_changed();
CREATE TRIGGER totals_albums_removed AFTER DELETE ON albums REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_rows_changed();

-- Each artist's albums and covered albums (migration 0024), artists in id order.
CREATE FUNCTION artist_album_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows) THEN
    LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
    INSERT INTO artist_album_tally AS t (artist_id, albums, covered)
      SELECT artist_id, COUNT(*), COUNT(cover_url) FROM new_rows WHERE artist_id IS NOT NULL
      GROUP BY artist_id ORDER BY artist_id
      ON CONFLICT (artist_id) DO UPDATE SET albums = t.albums + EXCLUDED.albums, covered = t.covered + EXCLUDED.covered;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION artist_album_tally_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows) THEN
    LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
    UPDATE artist_album_tally t SET albums = t.albums - o.k, covered = t.covered - o.c
      FROM (SELECT artist_id, COUNT(*) AS k, COUNT(cover_url) AS c FROM old_rows GROUP BY artist_id) o
      WHERE t.artist_id = o.artist_id;
    DELETE FROM artist_album_tally WHERE artist_id IN (SELECT artist_id FROM old_rows) AND albums <= 0;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER artist_tally_albums_added AFTER INSERT ON albums REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION artist_album_tally_added();
CREATE TRIGGER artist_tally_albums_removed AFTER DELETE ON albums REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION artist_album_tally_removed();

-- Versions that move once a statement that changed rows: TG_ARGV[0] names the catalog_totals row; every
-- trigger calls its transition table changed_rows.
CREATE FUNCTION catalog_version_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed_rows) THEN
    LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
    UPDATE catalog_totals SET version = version + 1 WHERE name = TG_ARGV[0];
  END IF;
  RETURN NULL;
END $$;
-- Albums join and leave genres through genre_albums (migration 0028).
CREATE TRIGGER genre_albums_version_added AFTER INSERT ON genre_albums REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_changed('genre_albums');
CREATE TRIGGER genre_albums_version_removed AFTER DELETE ON genre_albums REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_changed('genre_albums');
-- The artist index shows artist_album_tally (migration 0026).
CREATE TRIGGER artist_index_tally_added AFTER INSERT ON artist_album_tally REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_changed('artist_index');
CREATE TRIGGER artist_index_tally_changed AFTER UPDATE ON artist_album_tally REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_changed('artist_index');
CREATE TRIGGER artist_index_tally_removed AFTER DELETE ON artist_album_tally REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_changed('artist_index');
