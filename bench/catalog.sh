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
python3 bench/make_catalog.py "$work/soundtime.db" "$TRACKS"
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
