-- Albums by title as Subsonic apps list them (getAlbumList2 alphabeticalByName: case-folded title, then the
-- artist's name): read in index order from a sampled key instead of sorting every album per page (issue 15).
CREATE INDEX albums_title_folded ON albums (lower(title));
