-- Bulk inserts of tracks (a catalogue pull applies thousands at once) index their search text in one
-- statement at the end instead of one per row: FTS5 writes its pending terms out at every statement, so
-- row-by-row indexing leaves one tiny segment per track to merge later (about 50 times slower). While
-- a transaction holds the single row of fts_deferral, the insert trigger leaves the row to that
-- transaction, which indexes its rows itself and deletes the row before it commits (so no other
-- connection ever sees it).
CREATE TABLE fts_deferral (one INTEGER PRIMARY KEY CHECK (one = 1));
DROP TRIGGER tracks_fts_insert;
CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks WHEN NOT EXISTS (SELECT 1 FROM fts_deferral) BEGIN
  INSERT INTO tracks_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
