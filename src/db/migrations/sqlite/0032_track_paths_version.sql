-- The version of the tracks' paths: a folder's track count (db/folder_counts: /api/libraries, a library's
-- tracks) is kept until a track is added or removed ('tracks') or a path changes (a moved file, a storage
-- migration). Its own row, so that a moved file does not make every deep page's keys be sampled again.
INSERT INTO catalog_totals (name, n) VALUES ('track_paths', 0);
CREATE TRIGGER totals_track_paths AFTER UPDATE OF file_path ON tracks WHEN NEW.file_path IS NOT OLD.file_path BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'track_paths';
END;
