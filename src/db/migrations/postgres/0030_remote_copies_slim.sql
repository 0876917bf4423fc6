-- Peer copies without remote_uri (p2p://<node>/<hash>, UNIQUE) and remote_stream_url, both derived from the
-- hash and the peer, as on SQLite (see its 0030). A copy is identified by (content_hash, instance_domain);
-- P2pRepository::upsert_remote_tracks keeps one row per peer and hash under a table lock.
UPDATE remote_tracks SET content_hash = replace(remote_uri, instance_domain || '/', '') WHERE content_hash IS NULL;
DELETE FROM remote_tracks r USING remote_tracks o
  WHERE o.content_hash = r.content_hash AND o.instance_domain = r.instance_domain
    AND (o.created_at, o.id) < (r.created_at, r.id);
ALTER TABLE remote_tracks DROP COLUMN remote_uri, DROP COLUMN remote_stream_url,
  ALTER COLUMN content_hash SET NOT NULL;
