-- Rate limits shared by the nodes on one database (login, registration, refresh): one token bucket per
-- client. `updated` is seconds since the epoch (server clock); `allowed` is what the last take decided.
CREATE TABLE rate_buckets (
  key TEXT PRIMARY KEY,
  tokens DOUBLE PRECISION NOT NULL,
  updated DOUBLE PRECISION NOT NULL,
  allowed BOOLEAN NOT NULL
);
