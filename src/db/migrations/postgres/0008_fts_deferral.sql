-- The SQLite migration 0008 lets bulk inserts of tracks index their search text in one statement.
-- PostgreSQL indexes search text through an expression index, whose cost does not depend on how the
-- rows are grouped into statements: the table exists only so both engines have the same tables.
CREATE TABLE fts_deferral (one INTEGER PRIMARY KEY CHECK (one = 1));
