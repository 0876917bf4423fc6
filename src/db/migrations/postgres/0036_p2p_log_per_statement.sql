-- Inserted tracks are logged for peers once a statement, from the statement's new rows, instead of once a row
-- (migration 0003): a row trigger cost a PL/pgSQL call and a lock request for every row, replicated ones
-- included, which are never logged (a million tracks pulled from a peer paid a million). As every counter
-- trigger does (migration 0017), it takes the log's lock first. Updates and deletes keep their row triggers
-- (they change one track a statement).
DROP TRIGGER p2p_log_insert ON tracks;
CREATE FUNCTION p2p_log_tracks_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows) THEN
    LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
    INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at)
      SELECT id, content_hash, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT FROM new_rows
      WHERE content_hash IS NOT NULL AND file_path NOT LIKE 'p2p://%'
      ORDER BY created_at, id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER p2p_log_tracks_added AFTER INSERT ON tracks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION p2p_log_tracks_added();
