-- Deep pages of a genre's albums by title start from keys sampled among that genre's albums (issue 15: the
-- page at offset 30,000 of a common genre walked 90,000 albums, 200 ms at 100,000 albums). The keys hold
-- while the albums' titles and the genre's members stay the same: 'genre_albums' in catalog_totals (n
-- unused, 0) moves with every album that joins or leaves a genre through its tracks (genre_albums) or its
-- own tag (albums.genre); titles, inserts and deletes of albums move 'albums' (migration 0017).
-- Like the other counters (migration 0017), the P2P log's table lock is taken before the counter row.
INSERT INTO catalog_totals (name, n) VALUES ('genre_albums', 0);

CREATE FUNCTION genre_albums_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE p2p_catalog_log IN SHARE ROW EXCLUSIVE MODE;
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'genre_albums';
  RETURN NULL;
END $$;

CREATE TRIGGER genre_albums_version AFTER INSERT OR DELETE ON genre_albums
  FOR EACH ROW EXECUTE FUNCTION genre_albums_version();
CREATE TRIGGER genre_albums_version_tag AFTER UPDATE OF genre ON albums FOR EACH ROW
  WHEN (OLD.genre IS DISTINCT FROM NEW.genre)
  EXECUTE FUNCTION genre_albums_version();
