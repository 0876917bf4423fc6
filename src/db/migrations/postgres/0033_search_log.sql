-- Search answered from in-memory word indexes on PostgreSQL too (db/search_index.hpp; issue 15: matching two
-- common prefixes through the GIN index and scoring every match took 0.9 s at 1,000,000 tracks). As on SQLite
-- (its migration 0025), each node builds its indexes from the tables and keeps them current from search_log.
--
-- doc: a row's number in its table's index (SQLite has rowids), given once, never reused.
-- search_log: every insert, change of search text and delete appends the docs it touched (tbl: 0 tracks,
-- 1 albums, 2 artists; a statement's inserted rows as one range). Its writers take the P2P log's table
-- lock first (as every writer of the catalogue already does, migration 0017) until they commit, so
-- sequence numbers become visible in order and a node's position in the log never skips a late commit.
-- Several nodes read one log: an entry is pruned only once an hour old and applied by the node that prunes;
-- 'search_log_pruned' in catalog_totals holds the last sequence number pruned, and a node that had not
-- applied that far rebuilds.
ALTER TABLE tracks ADD COLUMN doc BIGINT GENERATED ALWAYS AS IDENTITY;
ALTER TABLE albums ADD COLUMN doc BIGINT GENERATED ALWAYS AS IDENTITY;
ALTER TABLE artists ADD COLUMN doc BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX tracks_doc ON tracks (doc);
CREATE UNIQUE INDEX albums_doc ON albums (doc);
CREATE UNIQUE INDEX artists_doc ON artists (doc);

CREATE TABLE search_log (
  seq BIGSERIAL PRIMARY KEY,
  tbl INTEGER NOT NULL,
  first_doc BIGINT NOT NULL,
  last_doc BIGINT NOT NULL,
  logged_at BIGINT NOT NULL DEFAULT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT
);
INSERT INTO catalog_totals (name, n) VALUES ('search_log_pruned', 0);

-- TG_ARGV[0]: the table's number in the log.
CREATE FUNCTION search_log_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows) THEN
    LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
    INSERT INTO search_log (tbl, first_doc, last_doc)
      SELECT TG_ARGV[0]::INTEGER, MIN(doc), MAX(doc) FROM new_rows;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION search_log_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows) THEN
    LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
    INSERT INTO search_log (tbl, first_doc, last_doc) SELECT TG_ARGV[0]::INTEGER, doc, doc FROM old_rows ORDER BY doc;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION search_log_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (TG_ARGV[0]::INTEGER, NEW.doc, NEW.doc);
  RETURN NULL;
END $$;

CREATE TRIGGER tracks_search_log_insert AFTER INSERT ON tracks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_added('0');
CREATE TRIGGER tracks_search_log_delete AFTER DELETE ON tracks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_removed('0');
CREATE TRIGGER tracks_search_log_update AFTER UPDATE OF search_text ON tracks FOR EACH ROW
  WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION search_log_changed('0');
CREATE TRIGGER albums_search_log_insert AFTER INSERT ON albums REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_added('1');
CREATE TRIGGER albums_search_log_delete AFTER DELETE ON albums REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_removed('1');
CREATE TRIGGER albums_search_log_update AFTER UPDATE OF search_text ON albums FOR EACH ROW
  WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION search_log_changed('1');
CREATE TRIGGER artists_search_log_insert AFTER INSERT ON artists REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_added('2');
CREATE TRIGGER artists_search_log_delete AFTER DELETE ON artists REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_removed('2');
CREATE TRIGGER artists_search_log_update AFTER UPDATE OF search_text ON artists FOR EACH ROW
  WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION search_log_changed('2');
