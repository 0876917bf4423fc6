-- getAlbumList2 byYear: albums of a span of years in (year, folded title) order, read from this index
-- instead of testing and sorting every album (issue 15).
CREATE INDEX albums_year_title ON albums (year, lower(title), id);
