-- Random picks without sorting the table (issue 15: getRandomSongs and random albums took seconds at a
-- million tracks with ORDER BY random()): every track and album carries a random key, indexed, so that a
-- random row is the first one at or after a random point of that key, one index probe each.
-- The application gives new rows their key; rows inserted by anything else get one from the trigger.
ALTER TABLE tracks ADD COLUMN shuffle INTEGER;
UPDATE tracks SET shuffle = random();
CREATE INDEX tracks_shuffle ON tracks (shuffle);
CREATE TRIGGER tracks_shuffle_insert AFTER INSERT ON tracks WHEN NEW.shuffle IS NULL BEGIN
  UPDATE tracks SET shuffle = random() WHERE rowid = NEW.rowid;
END;

ALTER TABLE albums ADD COLUMN shuffle INTEGER;
UPDATE albums SET shuffle = random();
CREATE INDEX albums_shuffle ON albums (shuffle);
CREATE TRIGGER albums_shuffle_insert AFTER INSERT ON albums WHEN NEW.shuffle IS NULL BEGIN
  UPDATE albums SET shuffle = random() WHERE rowid = NEW.rowid;
END;
