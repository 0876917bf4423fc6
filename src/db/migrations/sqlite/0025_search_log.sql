-- Search is answered from in-memory word indexes (src/search/, issue 15: FTS5 needs 25-40 ms to walk two
-- common words' position lists at 1,000,000 tracks). They are built from the tables once and kept current
-- from this log: every insert, change of search text and delete of a track, album or artist appends the
-- rowids it touched (tbl: 0 tracks, 1 albums, 2 artists), in commit order (AUTOINCREMENT: a number is never
-- given twice, even after the log is pruned). A bulk insert of tracks (fts_deferral, 0008) logs its whole
-- rowid range in one row at its end.
CREATE TABLE search_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl INTEGER NOT NULL,
  first_doc INTEGER NOT NULL,
  last_doc INTEGER NOT NULL
);

CREATE TRIGGER tracks_search_log_insert AFTER INSERT ON tracks WHEN NOT EXISTS (SELECT 1 FROM fts_deferral) BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (0, NEW.rowid, NEW.rowid);
END;
CREATE TRIGGER tracks_search_log_update AFTER UPDATE OF search_text ON tracks BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (0, NEW.rowid, NEW.rowid);
END;
CREATE TRIGGER tracks_search_log_delete AFTER DELETE ON tracks BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (0, OLD.rowid, OLD.rowid);
END;

CREATE TRIGGER albums_search_log_insert AFTER INSERT ON albums BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (1, NEW.rowid, NEW.rowid);
END;
CREATE TRIGGER albums_search_log_update AFTER UPDATE OF search_text ON albums BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (1, NEW.rowid, NEW.rowid);
END;
CREATE TRIGGER albums_search_log_delete AFTER DELETE ON albums BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (1, OLD.rowid, OLD.rowid);
END;

CREATE TRIGGER artists_search_log_insert AFTER INSERT ON artists BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (2, NEW.rowid, NEW.rowid);
END;
CREATE TRIGGER artists_search_log_update AFTER UPDATE OF search_text ON artists BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (2, NEW.rowid, NEW.rowid);
END;
CREATE TRIGGER artists_search_log_delete AFTER DELETE ON artists BEGIN
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (2, OLD.rowid, OLD.rowid);
END;
