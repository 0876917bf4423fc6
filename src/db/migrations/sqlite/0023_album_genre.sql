-- getAlbumList2 byGenre: the albums tagged with a genre themselves (enrichment sets an album's genre), found
-- from this index; those whose tracks carry it come from genre_albums (migration 0017) (issue 15).
CREATE INDEX albums_genre ON albums (genre);
