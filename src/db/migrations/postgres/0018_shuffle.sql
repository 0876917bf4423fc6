-- Random picks without sorting the table (issue 15: getRandomSongs and random albums took seconds at a
-- million tracks with ORDER BY random()): every track and album carries a random key, indexed, so that a
-- random row is the first one at or after a random point of that key, one index probe each.
-- The volatile default gives every existing row its own key (the table is rewritten once) and every new
-- row one, whoever inserts it.
ALTER TABLE tracks ADD COLUMN shuffle BIGINT NOT NULL
  DEFAULT (floor((random() * 2 - 1) * 9223372036854775807::float8))::bigint;
CREATE INDEX tracks_shuffle ON tracks (shuffle);
ALTER TABLE albums ADD COLUMN shuffle BIGINT NOT NULL
  DEFAULT (floor((random() * 2 - 1) * 9223372036854775807::float8))::bigint;
CREATE INDEX albums_shuffle ON albums (shuffle);
