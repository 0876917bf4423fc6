-- The catalogue's total duration kept like the counts of migration 0017 (in microseconds, each track's
-- rounded), as on SQLite (see its 0031).
INSERT INTO catalog_totals (name, n)
  SELECT 'duration_us', COALESCE(SUM(round(duration_secs::DOUBLE PRECISION * 1000000)::BIGINT), 0) FROM tracks;
CREATE FUNCTION catalog_totals_duration() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_totals
    SET n = n + (CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE round(NEW.duration_secs::DOUBLE PRECISION * 1000000)::BIGINT END)
              - (CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE round(OLD.duration_secs::DOUBLE PRECISION * 1000000)::BIGINT END)
    WHERE name = 'duration_us';
  RETURN NULL;
END $$;
CREATE TRIGGER totals_duration_change AFTER INSERT OR DELETE ON tracks FOR EACH ROW
  EXECUTE FUNCTION catalog_totals_duration();
CREATE TRIGGER totals_duration_update AFTER UPDATE OF duration_secs ON tracks FOR EACH ROW
  WHEN (OLD.duration_secs IS DISTINCT FROM NEW.duration_secs) EXECUTE FUNCTION catalog_totals_duration();
