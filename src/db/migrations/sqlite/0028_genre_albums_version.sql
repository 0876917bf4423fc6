-- Deep pages of a genre's albums by title start from keys sampled among that genre's albums (issue 15: the
-- page at offset 30,000 of a common genre walked 90,000 albums, 200 ms at 100,000 albums). The keys hold
-- while the albums' titles and the genre's members stay the same: 'genre_albums' in catalog_totals (n
-- unused, 0) moves with every album that joins or leaves a genre through its tracks (genre_albums) or its
-- own tag (albums.genre); titles, inserts and deletes of albums move 'albums' (migration 0017).
INSERT INTO catalog_totals (name, n) VALUES ('genre_albums', 0);

CREATE TRIGGER genre_albums_version_insert AFTER INSERT ON genre_albums BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'genre_albums';
END;
CREATE TRIGGER genre_albums_version_delete AFTER DELETE ON genre_albums BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'genre_albums';
END;
CREATE TRIGGER genre_albums_version_tag AFTER UPDATE OF genre ON albums WHEN NEW.genre IS NOT OLD.genre BEGIN
  UPDATE catalog_totals SET version = version + 1 WHERE name = 'genre_albums';
END;
