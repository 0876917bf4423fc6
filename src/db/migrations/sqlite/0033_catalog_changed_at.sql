-- When the tracks last changed (added, removed, retitled, moved): getIndexes' lastModified, which apps send
-- back as ifModifiedSince to skip an unchanged folder index. The newest file time it used before missed an
-- old file copied in and every removal. Microseconds since the epoch, stamped by the database's clock when a
-- row's version moves; the rows of the other counters are left at 0 (their versions move with every album or
-- artist, and nothing reads their time).
ALTER TABLE catalog_totals ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE catalog_totals SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
  WHERE name IN ('tracks', 'track_paths');
CREATE TRIGGER catalog_totals_stamp AFTER UPDATE OF version ON catalog_totals
  WHEN NEW.name IN ('tracks', 'track_paths') AND NEW.version <> OLD.version BEGIN
  UPDATE catalog_totals SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
    WHERE name = NEW.name;
END;
