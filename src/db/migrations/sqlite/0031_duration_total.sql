-- The catalogue's total duration kept like the counts of migration 0017 (in microseconds, each track's
-- rounded), so that /api/stats/overview and getScanStatus (which some apps poll) no longer sum every track's
-- duration: 60 ms a request at a million tracks (issue 15).
INSERT INTO catalog_totals (name, n)
  SELECT 'duration_us', COALESCE(SUM(CAST(round(duration_secs * 1000000) AS INTEGER)), 0) FROM tracks;
CREATE TRIGGER totals_duration_insert AFTER INSERT ON tracks BEGIN
  UPDATE catalog_totals SET n = n + CAST(round(NEW.duration_secs * 1000000) AS INTEGER) WHERE name = 'duration_us';
END;
CREATE TRIGGER totals_duration_delete AFTER DELETE ON tracks BEGIN
  UPDATE catalog_totals SET n = n - CAST(round(OLD.duration_secs * 1000000) AS INTEGER) WHERE name = 'duration_us';
END;
CREATE TRIGGER totals_duration_update AFTER UPDATE OF duration_secs ON tracks
  WHEN NEW.duration_secs IS NOT OLD.duration_secs BEGIN
  UPDATE catalog_totals SET n = n - CAST(round(OLD.duration_secs * 1000000) AS INTEGER)
    + CAST(round(NEW.duration_secs * 1000000) AS INTEGER) WHERE name = 'duration_us';
END;
