#!/usr/bin/env bash
# The Subsonic API on a synthetic catalogue (TRACKS, default 100k; SQLite, or ENGINE=postgres): requests/s and p99 of every list
# apps page through (each getAlbumList2 type, getArtists, getIndexes and getMusicDirectory of the catalogue's
# ARTIST/ALBUM folders, search3 with an empty query as
# syncing apps use it, getRandomSongs, getSongsByGenre, getStarred2) and of search3 (two prefix words),
# with token auth as apps send it, under wrk (CONNECTIONS concurrent clients, default 2); and the idle RSS.
# The same search through the REST API is measured in the same run as the in-process reference.
# CATALOG_CACHE=DIR keeps the generated catalogue for later runs (bench/common.sh: catalog_prepare).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
TRACKS=${TRACKS:-100000}
DURATION=${DURATION:-5s}
ENGINE=${ENGINE:-sqlite}  # or postgres: the same catalogue in a throwaway PostgreSQL cluster
bench_setup subsonic
[ "$ENGINE" = postgres ] && trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; catalog_postgres_stop "$work"; rm -rf "$work"' EXIT

catalog_prepare "$work" "$TRACKS"
[ "$ENGINE" = postgres ] && catalog_to_postgres "$work"
sport=$(port)
# The synthetic tracks have no audio files: the waveform backfill would try (and fail) every one of them at
# nice 19 all through the run, taking CPU and keeping connections busy (so memory is never released idle).
# The catalogue's files lie under an empty folder (folder browsing: getIndexes, getMusicDirectory); scans are
# off (one would find no file where a million tracks are, and remove nothing: library/importer.cpp).
mkdir -p /tmp/soundtime-bench-music
MUSIC_FOLDERS=/tmp/soundtime-bench-music SCAN_INTERVAL_MINUTES=0 WATCH_MUSIC_FOLDERS=false \
WAVEFORM_BACKFILL_DELAY_SECONDS=86400 SOUNDTIME_DATA_DIR="$work" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn "$BIN" serve >"$work/st.log" 2>&1 &
pid=$!
pids+=($pid)
base="http://127.0.0.1:$sport"
wait_http "$base/healthz"
wait_search_index "$base"
token=$(curl -sf -X POST "$base/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')
secret=$(curl -sf -X POST "$base/api/auth/app-passwords" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
salt=b3nch5
t=$(printf '%s%s' "$secret" "$salt" | md5sum | cut -d' ' -f1)
auth="u=bench&t=$t&s=$salt&v=1.16.1&c=bench&f=json"
curl -sf "$base/rest/search3?$auth&query=love" >/dev/null
sleep 1
busy_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

words='{"love", "night", "dre", "fire", "riv", "blue", "ligh", "heart", "rain", "gold", "summer", "city", "gho", "star", "ocean", "echo", "wild", "silv", "storm", "shad", "dance", "road", "sky", "moon"}'
cat > "$work/search3.lua" <<LUA
local words = $words
request = function()
  local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
  return wrk.format("GET", "/rest/search3?$auth&artistCount=20&albumCount=20&songCount=20&query=" .. q)
end
LUA
cat > "$work/rest.lua" <<LUA
local words = $words
request = function()
  local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
  return wrk.format("GET", "/api/search?per_page=20&q=" .. q)
end
LUA
# Every list an app pages through (issue 15: p99 < 20 ms each at 2 clients), with random pages over the
# whole catalogue where the list is paged: every getAlbumList2 type, the artist index, search3 with an
# empty query as syncing apps page the whole library, random songs, songs of a genre, starred items.
albums=$((TRACKS / 10)); apage=$(( (albums + 49) / 50 )); spage=$(( (TRACKS + 499) / 500 ))
lua_get() {  # name path-with-%d-for-a-random-page pages
  printf 'request = function()\n  return wrk.format("GET", string.format("%s", math.random(0, %d)))\nend\n' "$2" "$(( $3 - 1 ))" > "$work/$1.lua"
}
sub="/rest"
types=(random newest highest frequent recent alphabeticalByName alphabeticalByArtist starred)
for ty in "${types[@]}"; do lua_get "al_$ty" "$sub/getAlbumList2?$auth&type=$ty&size=50&offset=%d" 1; done
# Paged types: 50 albums from a random offset of the whole list (any offset: not only multiples of the page
# keys' stride).
lua_get al_alphabeticalByName "$sub/getAlbumList2?$auth&type=alphabeticalByName&size=50&offset=%d" "$albums"
lua_get al_newest "$sub/getAlbumList2?$auth&type=newest&size=50&offset=%d" "$albums"
lua_get al_alphabeticalByArtist "$sub/getAlbumList2?$auth&type=alphabeticalByArtist&size=50&offset=%d" "$albums"
lua_get al_byYear "$sub/getAlbumList2?$auth&type=byYear&fromYear=1970&toYear=2030&size=50&offset=%d" 1
lua_get al_byGenre "$sub/getAlbumList2?$auth&type=byGenre&genre=Love&size=50&offset=%d00" 20
lua_get artists "$sub/getArtists?$auth&x=%d" 1
lua_get indexes "$sub/getIndexes?$auth&x=%d" 1
# getMusicDirectory of a random artist folder (its album folders), read by a prepared list of folder ids.
folders_line=$(python3 - "$base/rest/getIndexes?$auth" "$work/dirs.lua" "$sub/getMusicDirectory?$auth" <<'PY'
import json, sys, time, urllib.request
start = time.monotonic()
idx = json.load(urllib.request.urlopen(sys.argv[1]))["subsonic-response"]["indexes"]
first_ms = (time.monotonic() - start) * 1000
ids = [a["id"] for i in idx.get("index", []) for a in i["artist"]]
assert ids, "getIndexes listed no folder"
with open(sys.argv[2], "w") as f:
    f.write("local ids = {" + ",".join('"%s"' % i for i in ids) + "}\n")
    f.write('request = function()\n  return wrk.format("GET", "%s&id=" .. ids[math.random(#ids)])\nend\n' % sys.argv[3])
print("folder browsing: %d artist folders; the first getIndexes (folders read from the path index) %.0f ms"
      % (len(ids), first_ms))
PY
)
lua_get sync "$sub/search3?$auth&query=&artistCount=0&albumCount=0&songCount=500&songOffset=%d500" "$spage"
lua_get randoms "$sub/getRandomSongs?$auth&size=50&x=%d" 1
lua_get genre_songs "$sub/getSongsByGenre?$auth&genre=Love&count=50&offset=%d00" 20
lua_get starred "$sub/getStarred2?$auth&x=%d" 1
# Deep pages start from page keys sampled once per catalogue version (a genre's: once per version of the
# genre's albums): read them before measuring (steady state; a scan that changes the catalogue has the next
# deep page sample them again). getArtists' list and its rendering are likewise made once per version of the
# artist index (the first request after a change: 90-150 ms at 10,000 artists).
for path in "getAlbumList2?$auth&type=newest&size=1&offset=$((albums - 1))" "getAlbumList2?$auth&type=alphabeticalByName&size=1&offset=$((albums - 1))" "getAlbumList2?$auth&type=alphabeticalByArtist&size=1&offset=$((albums - 1))" \
            "search3?$auth&query=&artistCount=0&albumCount=0&songCount=1&songOffset=$((TRACKS - 1))" \
            "getAlbumList2?$auth&type=byGenre&genre=Love&size=1&offset=1900" "getArtists?$auth"; do
  curl -sf "$base/rest/$path" >/dev/null
done
measure() { wrk -t1 -c"${CONNECTIONS:-2}" -d"$DURATION" --latency -s "$2" "$1" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}'; }
read -r s_rps s_p99 < <(measure "$base" "$work/search3.lua")
read -r r_rps r_p99 < <(measure "$base" "$work/rest.lua")
names=(al_random al_newest al_highest al_frequent al_recent al_alphabeticalByName al_alphabeticalByArtist al_starred
       al_byYear al_byGenre artists indexes dirs sync randoms genre_songs starred)
declare -A rps lat
for n in "${names[@]}"; do read -r "rps[$n]" "lat[$n]" < <(measure "$base" "$work/$n.lua"); done
# Idle once every list was served (measured last: the quiet spell drops the caches the lists use).
after_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
rss=$(idle_rss_kb "$pid")
# SMAPS_OUT=FILE keeps the idle server's memory map (/proc/PID/smaps) to see what the RSS is made of.
[ -n "${SMAPS_OUT:-}" ] && cp "/proc/$pid/smaps" "$SMAPS_OUT"
echo "catalogue: $TRACKS tracks"
echo "$folders_line"
echo "RSS after start and one search: $((busy_rss / 1024)) MB, after every list: $((after_rss / 1024)) MB; idle RSS (16 s quiet after them): $((rss / 1024)) MB (goal < 100 MB)"
printf '%-52s %12s %10s %8s\n' "request (${CONNECTIONS:-2} clients)" "requests/s" "p99" "goal"
printf '%-52s %12s %10s %8s\n' "search3 (2 prefix words, 20 of each kind)" "$s_rps" "$s_p99" "< 20ms"
declare -A label=([al_byYear]="getAlbumList2 byYear" [al_byGenre]="getAlbumList2 byGenre (pages 1-20)"
  [artists]="getArtists" [indexes]="getIndexes (every artist folder)" [dirs]="getMusicDirectory (random artist folder)" [sync]="search3 query='' songCount=500 (random page of $spage)"
  [randoms]="getRandomSongs size=50" [genre_songs]="getSongsByGenre count=50 (pages 1-20)" [starred]="getStarred2")
for ty in "${types[@]}"; do label[al_$ty]="getAlbumList2 $ty size=50"; done
for ty in alphabeticalByName newest alphabeticalByArtist; do label[al_$ty]="getAlbumList2 $ty (random offset, all $albums)"; done
for n in "${names[@]}"; do printf '%-52s %12s %10s %8s\n' "${label[$n]}" "${rps[$n]}" "${lat[$n]}" "< 20ms"; done
printf '%-52s %12s %10s\n' "reference: GET /api/search (same words)" "$r_rps" "$r_p99"
echo "search3 / REST search: $(ratio "$s_rps" "$r_rps")x"
