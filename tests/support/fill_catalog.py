#!/usr/bin/env python3
"""Fills a migrated SoundTime SQLite database with a large synthetic catalogue in one SQL statement per
table (no files): TRACKS tracks titled "Track 0000001"... (newest first), TRACKS/10 albums "Album 000001"...,
TRACKS/100 artists. Enough rows for the web app's windowed lists in the browser test, in a couple of
seconds. Usage: fill_catalog.py DB TRACKS"""
import sqlite3
import sys

db, n = sys.argv[1], int(sys.argv[2])
albums, artists = max(1, n // 10), max(1, n // 100)
now = 1_700_000_000_000_000  # µs
c = sqlite3.connect(db)
c.executescript(f"""
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO artists (id, match_key, name, search_text, created_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {artists})
  SELECT printf('fill-ar-%07d', i), printf('name:artist %06d', i), printf('Artist %06d', i),
         printf('artist %06d', i), {now} FROM n;
INSERT INTO albums (id, match_key, title, artist_id, search_text, created_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {albums})
  SELECT printf('fill-al-%07d', i), printf('fill-ar-%07d|album %06d', (i - 1) % {artists} + 1, i),
         printf('Album %06d', i), printf('fill-ar-%07d', (i - 1) % {artists} + 1),
         printf('album %06d artist %06d', i, (i - 1) % {artists} + 1), {now} FROM n;
INSERT INTO tracks (id, title, artist_id, album_id, duration_secs, file_path, file_size, format, search_text, created_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
  SELECT printf('fill-tr-%07d', i), printf('Track %07d', i), printf('fill-ar-%07d', (i - 1) % {artists} + 1),
         printf('fill-al-%07d', (i - 1) % {albums} + 1), 180, printf('/fill/%07d.mp3', i), 1000000, 'mp3',
         printf('track %07d', i), {now} - i FROM n;
COMMIT;
""")
c.close()
