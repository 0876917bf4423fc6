-- Web themes installed by an administrator (from a git URL or an uploaded archive). At most one is
-- enabled; the unique partial index makes a second one impossible even if two requests race.
CREATE TABLE themes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  version TEXT NOT NULL,
  description TEXT,
  author TEXT,
  license TEXT,
  homepage TEXT,
  git_url TEXT NOT NULL,
  css_path TEXT NOT NULL,
  assets_path TEXT,
  status TEXT NOT NULL DEFAULT 'disabled',
  installed_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  installed_by TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX themes_one_enabled ON themes (status) WHERE status = 'enabled';
