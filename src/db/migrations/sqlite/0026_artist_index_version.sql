-- getArtists (Subsonic) answers from a copy of the artist index kept in memory (issue 15: reading 10,000
-- artists with their album tallies took 15 ms of every request). 'artist_index' in catalog_totals (n unused,
-- 0) has the version of everything that list shows: its version moves with every change of what the list
-- shows of an artist (name, MusicBrainz id, image) and of artist_album_tally (an album added, removed, moved
-- to another artist, or its cover's presence changed), so a node reads the list again when the version
-- differs from the one its copy was read at.
INSERT INTO catalog_totals (name, n) VALUES ('artist_index', 0);

CREATE TRIGGER artist_index_tally_insert AFTER INSERT ON artist_album_tally BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'artist_index';
END;
CREATE TRIGGER artist_index_tally_update AFTER UPDATE ON artist_album_tally BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'artist_index';
END;
CREATE TRIGGER artist_index_tally_delete AFTER DELETE ON artist_album_tally BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'artist_index';
END;
CREATE TRIGGER artist_index_artist_update AFTER UPDATE OF name, musicbrainz_id, image_url ON artists
  WHEN NEW.name IS NOT OLD.name OR NEW.musicbrainz_id IS NOT OLD.musicbrainz_id OR NEW.image_url IS NOT OLD.image_url
BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'artist_index';
END;
