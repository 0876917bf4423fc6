#!/usr/bin/env bash
# The Subsonic API on a 100k-track catalogue (synthetic rows, SQLite): requests/s and p99 of getAlbumList2
# (random pages of the alphabetical list) and search3 (two prefix words), with token auth as apps send it,
# under wrk (CONNECTIONS concurrent clients, default 2); and the idle RSS. The same search through the
# REST API is measured in the same run as the in-process reference (same query, no Subsonic layer).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
TRACKS=${TRACKS:-100000}
DURATION=${DURATION:-5s}
bench_setup subsonic

SOUNDTIME_DATA_DIR="$work" "$BIN" user create bench --email b@example.org --password bench-password --role admin >/dev/null
python3 bench/make_catalog.py "$work/soundtime.db" "$TRACKS"
sport=$(port)
SOUNDTIME_DATA_DIR="$work" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn "$BIN" serve >"$work/st.log" 2>&1 &
pid=$!
pids+=($pid)
base="http://127.0.0.1:$sport"
wait_http "$base/healthz"
token=$(curl -sf -X POST "$base/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')
secret=$(curl -sf -X POST "$base/api/auth/app-passwords" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
salt=b3nch5
t=$(printf '%s%s' "$secret" "$salt" | md5sum | cut -d' ' -f1)
auth="u=bench&t=$t&s=$salt&v=1.16.1&c=bench&f=json"
curl -sf "$base/rest/search3?$auth&query=love" >/dev/null
sleep 1
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

cat > "$work/albums.lua" <<LUA
request = function()
  return wrk.format("GET", "/rest/getAlbumList2?$auth&type=alphabeticalByName&size=50&offset=" .. (50 * math.random(0, 199)))
end
LUA
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
measure() { wrk -t1 -c"${CONNECTIONS:-2}" -d"$DURATION" --latency -s "$2" "$1" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}'; }
read -r a_rps a_p99 < <(measure "$base" "$work/albums.lua")
read -r s_rps s_p99 < <(measure "$base" "$work/search3.lua")
read -r r_rps r_p99 < <(measure "$base" "$work/rest.lua")
echo "catalogue: $TRACKS tracks"
echo "idle RSS: $((rss / 1024)) MB"
printf '%-48s %12s %10s\n' "request" "requests/s" "p99"
printf '%-48s %12s %10s\n' "getAlbumList2 alphabeticalByName size=50" "$a_rps" "$a_p99"
printf '%-48s %12s %10s\n' "search3 (2 prefix words, 20 of each kind)" "$s_rps" "$s_p99"
printf '%-48s %12s %10s\n' "reference: GET /api/search (same words)" "$r_rps" "$r_p99"
echo "search3 / REST search: $(ratio "$s_rps" "$r_rps")x"
