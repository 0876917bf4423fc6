-- When the tracks last changed (added, removed, retitled, moved): getIndexes' lastModified, which apps send
-- back as ifModifiedSince to skip an unchanged folder index. The newest file time it used before missed an
-- old file copied in and every removal. Microseconds since the epoch, stamped by the database's clock when a
-- row's version moves (once a statement: the counters are statement-level, migration 0032); the rows of the
-- other counters are left at 0.
ALTER TABLE catalog_totals ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE catalog_totals SET changed_at = (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT
  WHERE name IN ('tracks', 'track_paths');
CREATE FUNCTION catalog_totals_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.changed_at := (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT;
  RETURN NEW;
END $$;
CREATE TRIGGER catalog_totals_stamp BEFORE UPDATE OF version ON catalog_totals FOR EACH ROW
  WHEN (NEW.name IN ('tracks', 'track_paths') AND NEW.version IS DISTINCT FROM OLD.version)
  EXECUTE FUNCTION catalog_totals_stamp();
