-- The version of the tracks' paths: a folder's track count (db/folder_counts: /api/libraries, a library's
-- tracks) is kept until a track is added or removed ('tracks') or a path changes (a moved file, a storage
-- migration). Its own row, so that a moved file does not make every deep page's keys be sampled again.
-- A row trigger on path changes only (rare, and one track a statement), taking the counters' lock first as
-- the others do (migration 0017).
INSERT INTO catalog_totals (name, n) VALUES ('track_paths', 0);
CREATE FUNCTION catalog_track_path_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'track_paths';
  RETURN NULL;
END $$;
CREATE TRIGGER totals_track_paths AFTER UPDATE OF file_path ON tracks FOR EACH ROW
  WHEN (OLD.file_path IS DISTINCT FROM NEW.file_path) EXECUTE FUNCTION catalog_track_path_changed();
