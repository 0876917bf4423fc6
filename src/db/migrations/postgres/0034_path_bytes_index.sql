-- Rows under a folder as a range of their paths in byte order (db/path_under.cpp): the paths' index sorts by
-- the database's collation, which need not be byte order (en_US.UTF-8 is not), so PostgreSQL matched a
-- folder's tracks by reading every path (getIndexes on 1,000,000 tracks: 0.4-1.2 s). This index sorts them
-- as bytes ("C"), the order a prefix's range needs.
CREATE INDEX tracks_file_path_bytes ON tracks (file_path COLLATE "C");
