#!/usr/bin/env bash
# A 100k-track catalogue (synthetic rows, SQLite): idle RSS of the server, and p99 latency of search and
# of track listing under wrk (CONNECTIONS concurrent clients, default 2: latency, not saturation). The peer for search is SQLite itself: the same FTS query in the sqlite3
# CLI, timed in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
TRACKS=${TRACKS:-100000}
DURATION=${DURATION:-5s}
bench_setup catalog

SOUNDTIME_DATA_DIR="$work" "$BIN" user create bench --email b@example.org --password bench-password --role admin >/dev/null
python3 - "$work/soundtime.db" "$TRACKS" <<'PY'
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
    albums.append((str(uuid.uuid4()), a[0], a[1], title))
c.executemany("INSERT INTO albums (id, match_key, title, artist_id, search_text, created_at) VALUES (?, ?, ?, ?, lower(?), ?)",
              [(al, f"{ar}|{t.lower()}", t, ar, t + " " + arn, now) for al, ar, arn, t in albums])
rows = []
for i in range(n):
    al, ar, arn, at = albums[i % len(albums)]
    title = " ".join(random.choice(words).title() for _ in range(3))
    rows.append((str(uuid.uuid4()), title, ar, al, 200.0, f"/music/{i}.mp3", 5000000, "mp3", random.choice(words).title(),
                 (title + " " + arn + " " + at).lower(), now - i))
c.executemany("INSERT INTO tracks (id, title, artist_id, album_id, duration_secs, file_path, file_size, format, genre, "
              "search_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
c.commit()
PY
sport=$(port)
SOUNDTIME_DATA_DIR="$work" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn "$BIN" serve >"$work/st.log" 2>&1 &
pid=$!
pids+=($pid)
wait_http "http://127.0.0.1:$sport/healthz"
curl -sf "http://127.0.0.1:$sport/api/search?q=love" >/dev/null
sleep 1
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

cat > "$work/search.lua" <<'LUA'
local words = {"love", "night", "dre", "fire", "riv", "blue", "ligh", "heart", "rain", "gold", "summer", "city",
               "gho", "star", "ocean", "echo", "wild", "silv", "storm", "shad", "dance", "road", "sky", "moon"}
request = function()
  local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
  return wrk.format("GET", "/api/search?q=" .. q .. "&per_page=20")
end
LUA
cat > "$work/list.lua" <<'LUA'
request = function()
  return wrk.format("GET", "/api/tracks?per_page=50&page=" .. math.random(1, 100))
end
LUA
p99() { wrk -t1 -c"${CONNECTIONS:-2}" -d"$DURATION" --latency -s "$2" "$1" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}'; }
read -r s_rps s_p99 < <(p99 "http://127.0.0.1:$sport" "$work/search.lua")
read -r l_rps l_p99 < <(p99 "http://127.0.0.1:$sport" "$work/list.lua")
t0=$(now)
for w in love night fire river blue light heart rain gold summer; do
  sqlite3 "$work/soundtime.db" "SELECT count(*) FROM tracks_fts WHERE tracks_fts MATCH '\"$w\"* \"s\"*'" >/dev/null
done
t1=$(now)
cli_ms=$(python3 -c "print(round(($t1 - $t0) / 10 * 1000, 2))")
echo "catalogue: $TRACKS tracks"
echo "idle RSS: $((rss / 1024)) MB (goal < 40 MB)"
printf '%-40s %12s %10s\n' "request" "requests/s" "p99"
printf '%-40s %12s %10s\n' "GET /api/search (2 prefix words)" "$s_rps" "$s_p99"
printf '%-40s %12s %10s\n' "GET /api/tracks?per_page=50 (paging)" "$l_rps" "$l_p99"
echo "peer: the sqlite3 CLI counting one FTS match (process start included): ${cli_ms} ms per query"
