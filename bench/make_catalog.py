#!/usr/bin/env python3
"""Fills a migrated SoundTime SQLite database with a synthetic catalogue: N tracks, N/10 albums, N/100 artists,
titles drawn from a small vocabulary (so that searches hit), albums of years 1960-2024 (their tracks too), files
laid out as /tmp/soundtime-bench-music/ARTIST/ALBUM/NNNNNNN.mp3 (what folder browsing reads; no file exists:
bench/subsonic.sh makes the folder, empty, and turns scans off). An album's ten tracks are added one after the
other, as a scan or an upload adds them (until 2026-12-07 tracks were dealt to the albums in turn, so that any
500 songs in the order added belonged to 500 albums).
Usage: make_catalog.py DB N"""
import random, sqlite3, sys, time, uuid
db, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
words = ["love", "night", "dream", "fire", "river", "blue", "light", "heart", "rain", "gold", "summer", "city",
         "ghost", "star", "ocean", "echo", "wild", "silver", "storm", "shadow", "dance", "road", "sky", "moon"]
c = sqlite3.connect(db)
now = int(time.time() * 1e6)
artists = [(str(uuid.uuid4()), f"Artist {i} {random.choice(words).title()}") for i in range(max(1, n // 100))]
c.executemany("INSERT INTO artists (id, match_key, name, search_text, created_at) VALUES (?, ?, ?, lower(?), ?)",
              [(a, "name:" + name.lower(), name, name, now) for a, name in artists])
albums = []
for i in range(max(1, n // 10)):
    a = artists[i % len(artists)]
    title = " ".join(random.choice(words).title() for _ in range(2)) + f" {i}"
    albums.append((str(uuid.uuid4()), a[0], a[1], title, random.randint(1960, 2024)))
c.executemany("INSERT INTO albums (id, match_key, title, artist_id, search_text, year, created_at) "
              "VALUES (?, ?, ?, ?, lower(?), ?, ?)",
              [(al, f"{ar}|{t.lower()}", t, ar, t + " " + arn, y, now) for al, ar, arn, t, y in albums])
rows = []
for i in range(n):
    al, ar, arn, at, year = albums[min(i // 10, len(albums) - 1)]
    title = " ".join(random.choice(words).title() for _ in range(3))
    rows.append((str(uuid.uuid4()), title, ar, al, 200.0, f"/tmp/soundtime-bench-music/{arn}/{at}/{i:07d}.mp3", 5000000, "mp3", random.choice(words).title(),
                 (title + " " + arn + " " + at).lower(), year, now - i))
c.executemany("INSERT INTO tracks (id, title, artist_id, album_id, duration_secs, file_path, file_size, format, genre, "
              "search_text, year, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
c.commit()
