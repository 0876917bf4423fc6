-- Album summaries (each album's song count, duration and plays, shown with every album of a list:
-- getAlbumList2, search3, the album pages) read every track of the page's albums. With duration and play
-- count in the index they are answered from it alone instead of one table row per track (20 albums of a
-- search at 1,000,000 tracks: ~200 rows at random places, a fifth of a search3) (issue 15). It replaces
-- tracks_album, its prefix, which served the same lookups and the albums' foreign key.
CREATE INDEX tracks_album_summary ON tracks (album_id, duration_secs, play_count);
DROP INDEX tracks_album;
