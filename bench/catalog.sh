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
ENGINE=${ENGINE:-sqlite}  # or postgres: the same catalogue in a throwaway PostgreSQL cluster
bench_setup catalog
[ "$ENGINE" = postgres ] && trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; catalog_postgres_stop "$work"; rm -rf "$work"' EXIT

catalog_prepare "$work" "$TRACKS"
[ "$ENGINE" = postgres ] && catalog_to_postgres "$work"
sport=$(port)
# The synthetic tracks have no audio files: the waveform backfill would try (and fail) every one of them at
# nice 19 all through the run, taking CPU and keeping connections busy (so memory is never released idle).
WAVEFORM_BACKFILL_DELAY_SECONDS=86400 SOUNDTIME_DATA_DIR="$work" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn "$BIN" serve >"$work/st.log" 2>&1 &
pid=$!
pids+=($pid)
wait_http "http://127.0.0.1:$sport/healthz"
wait_search_index "http://127.0.0.1:$sport"
curl -sf "http://127.0.0.1:$sport/api/search?q=love" >/dev/null
sleep 1
busy_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

cat > "$work/search.lua" <<'LUA'
local words = {"love", "night", "dre", "fire", "riv", "blue", "ligh", "heart", "rain", "gold", "summer", "city",
               "gho", "star", "ocean", "echo", "wild", "silv", "storm", "shad", "dance", "road", "sky", "moon"}
request = function()
  local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
  return wrk.format("GET", "/api/search?q=" .. q .. "&per_page=20")
end
LUA
# Every REST list the web app pages through, deep pages included (random page over the whole catalogue:
# an OFFSET costs O(offset), so deep pages show it). Goal for each: p99 < 20 ms at 2 clients (issue 15).
tpages=$(( (TRACKS + 49) / 50 )); apages=$(( (TRACKS / 10 + 49) / 50 )); rpages=$(( (TRACKS / 100 + 49) / 50 ))
album_id=$(curl -sf "http://127.0.0.1:$sport/api/albums?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])' 2>/dev/null || true)
artist_id=$(curl -sf "http://127.0.0.1:$sport/api/artists?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])' 2>/dev/null || true)
lua_pages() {  # name path pages
  printf 'request = function()\n  return wrk.format("GET", "%s" .. math.random(1, %d))\nend\n' "$2" "$3" > "$work/$1.lua"
}
lua_pages list "/api/tracks?per_page=50&page=" 100
lua_pages tracks_deep "/api/tracks?per_page=50&page=" "$tpages"
lua_pages popular_deep "/api/tracks/popular?per_page=50&page=" "$tpages"
lua_pages albums "/api/albums?per_page=50&page=" 100
lua_pages albums_deep "/api/albums?per_page=50&page=" "$apages"
lua_pages artists_deep "/api/artists?per_page=50&page=" "$rpages"
lua_pages genres "/api/genres?page=" 1
lua_pages album_detail "/api/albums/$album_id?x=" 1
lua_pages artist_detail "/api/artists/$artist_id?x=" 1
# Deep pages start from page keys sampled once per catalogue version: read them before measuring (steady
# state; a change of the catalogue has the next deep page sample them again).
for path in "tracks?per_page=50&page=$tpages" "tracks/popular?per_page=50&page=$tpages" \
            "tracks?per_page=50&sort=title&page=$tpages" "albums?per_page=50&page=$apages" "artists?per_page=50&page=$rpages"; do
  curl -sf "http://127.0.0.1:$sport/api/$path" >/dev/null || true
done
p99() { wrk -t1 -c"${CONNECTIONS:-2}" -d"$DURATION" --latency -s "$2" "$1" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}'; }
read -r s_rps s_p99 < <(p99 "http://127.0.0.1:$sport" "$work/search.lua")
declare -A rps lat
names=(list tracks_deep popular_deep albums albums_deep artists_deep genres album_detail artist_detail)
for n in "${names[@]}"; do read -r "rps[$n]" "lat[$n]" < <(p99 "http://127.0.0.1:$sport" "$work/$n.lua"); done
l_rps=${rps[list]}; l_p99=${lat[list]}
# Idle once every list was served (measured last: the quiet spell drops the caches the lists use).
after_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
rss=$(idle_rss_kb "$pid")
t0=$(now)
for w in love night fire river blue light heart rain gold summer; do
  sqlite3 "$work/soundtime.db" "SELECT count(*) FROM tracks_fts WHERE tracks_fts MATCH '\"$w\"* \"s\"*'" >/dev/null
done
t1=$(now)
cli_ms=$(python3 -c "print(round(($t1 - $t0) / 10 * 1000, 2))")
echo "catalogue: $TRACKS tracks ($ENGINE)"
echo "RSS after start and one search: $((busy_rss / 1024)) MB, after every list: $((after_rss / 1024)) MB; idle RSS (16 s quiet after them): $((rss / 1024)) MB (goal < 40 MB at 100,000 tracks, < 100 MB at 1,000,000)"
printf '%-48s %12s %10s %8s\n' "request (2 clients)" "requests/s" "p99" "goal"
printf '%-48s %12s %10s %8s\n' "GET /api/search (2 prefix words)" "$s_rps" "$s_p99" "< 20ms"
declare -A label=([list]="GET /api/tracks?per_page=50 (pages 1-100)" [tracks_deep]="GET /api/tracks (random page of $tpages)"
  [popular_deep]="GET /api/tracks/popular (random page of $tpages)" [albums]="GET /api/albums (pages 1-100)"
  [albums_deep]="GET /api/albums (random page of $apages)" [artists_deep]="GET /api/artists (random page of $rpages)"
  [genres]="GET /api/genres" [album_detail]="GET /api/albums/{id}" [artist_detail]="GET /api/artists/{id}")
for n in "${names[@]}"; do printf '%-48s %12s %10s %8s\n' "${label[$n]}" "${rps[$n]}" "${lat[$n]}" "< 20ms"; done
echo "peer: the sqlite3 CLI counting one FTS match (process start included): ${cli_ms} ms per query"
