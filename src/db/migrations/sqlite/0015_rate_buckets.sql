-- Same table as on PostgreSQL; unused on SQLite (one node: the buckets stay in memory).
CREATE TABLE rate_buckets (
  key TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  updated REAL NOT NULL,
  allowed INTEGER NOT NULL
);
