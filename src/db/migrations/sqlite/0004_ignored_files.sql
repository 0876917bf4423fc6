-- Scanned files an administrator removed from the catalogue: scans leave them out while they are
-- unchanged (same size and modification time), so a removed track does not come back by itself.
CREATE TABLE ignored_files (
  file_path TEXT PRIMARY KEY,
  file_size BIGINT NOT NULL,
  file_mtime BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
