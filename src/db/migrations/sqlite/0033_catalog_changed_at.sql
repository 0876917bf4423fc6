-- When the tracks last changed (added, removed, retitled, moved): getIndexes' lastModified, which apps send
-- back as ifModifiedSince to skip an unchanged folder index. The newest file time it used before missed an
-- old file copied in and every removal. Microseconds since the epoch by the database's clock, stamped by the
-- triggers that move the 'tracks' and 'track_paths' versions (migrations 0017, 0032), in the same UPDATE: a
-- trigger of its own on catalog_totals cost a second UPDATE per imported track (0.8 us, against 0.07 us).
-- The rows of the other counters stay at 0.
ALTER TABLE catalog_totals ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE catalog_totals SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
  WHERE name IN ('tracks', 'track_paths');
DROP TRIGGER totals_track_insert;
DROP TRIGGER totals_track_delete;
DROP TRIGGER totals_track_order;
DROP TRIGGER totals_track_paths;
CREATE TRIGGER totals_track_insert AFTER INSERT ON tracks BEGIN
  UPDATE catalog_totals SET n = n + 1, version = version + 1,
    changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER) WHERE name = 'tracks';
END;
CREATE TRIGGER totals_track_delete AFTER DELETE ON tracks BEGIN
  UPDATE catalog_totals SET n = n - 1, version = version + 1,
    changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER) WHERE name = 'tracks';
END;
CREATE TRIGGER totals_track_order AFTER UPDATE OF title, created_at ON tracks
  WHEN NEW.title IS NOT OLD.title OR NEW.created_at IS NOT OLD.created_at BEGIN
  UPDATE catalog_totals SET version = version + 1,
    changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER) WHERE name = 'tracks';
END;
CREATE TRIGGER totals_track_paths AFTER UPDATE OF file_path ON tracks WHEN NEW.file_path IS NOT OLD.file_path BEGIN
  UPDATE catalog_totals SET version = version + 1,
    changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER) WHERE name = 'track_paths';
END;
