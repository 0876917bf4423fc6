# Shared helpers for the bench scripts (sourced).
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # url
  for _ in $(seq 200); do curl -sf "$1" >/dev/null && return 0; sleep 0.05; done
  echo "not answering: $1" >&2
  return 1
}
now() { date +%s.%N; }
# Waits (at most 5 minutes) until the server at URL answers searches from its in-memory index (SQLite builds
# it in the background at start-up: a few seconds at a million tracks), as the admin "bench"; prints the
# index's line of /api/admin/stats.
wait_search_index() {  # base-url
  local token
  token=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password"}' \
    "$1/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])') || return 1
  for _ in $(seq 3000); do
    local si
    si=$(curl -sf -H "Authorization: Bearer $token" "$1/api/admin/stats" |
      python3 -c 'import json,sys; si=json.load(sys.stdin)["search_index"]; print("none" if si is None else ("%d documents, %.1f MiB" % (si["documents"], si["memory_bytes"] / 1048576) if si["ready"] else "building"))')
    if [ "$si" != building ]; then echo "search index: $si"; return 0; fi
    sleep 0.1
  done
  echo "search index not ready: $1" >&2
  return 1
}
# CPU time (user + system, in clock ticks) used so far by the processes PID... and their children: a
# measure of work done that, unlike throughput, hardly moves when other jobs share the machine.
cpu_ticks() {
  local total=0 p
  for p in "$@" $(for q in "$@"; do pgrep -P "$q" || true; done); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
# Microseconds of CPU per request: ticks used, requests served.
cpu_us_per_request() { python3 -c "import os,sys; t,n=float(sys.argv[1]),float(sys.argv[2]); print(f'{t*1e6/os.sysconf(\"SC_CLK_TCK\")/n:.1f}' if n else 'n/a')" "$1" "$2"; }
# RSS (kB) of a server left quiet for 16 s: after 5-10 s without a request it gives back its connections'
# page caches and the heap's free pages (db/idle_memory.hpp), which is the footprint it keeps between uses.
idle_rss_kb() {  # pid
  sleep 16
  awk '/VmRSS/ {print $2}' "/proc/$1/status"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }

# A scratch directory removed on exit, and the background processes to stop then.
bench_setup() {  # name -> sets $work
  work=$(mktemp -d "/tmp/soundtime-bench-$1.XXXXXX")
  chmod 755 "$work"
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
}

# A wrk script asking for 256 KiB ranges at pseudo-random offsets of the first 11 MB, as a seeking player
# does; with TOKEN, each request carries it as a bearer token.
range_lua() {  # file [token]
  local auth=""
  [ -n "${2:-}" ] && auth=", [\"Authorization\"] = \"Bearer $2\""
  cat > "$1" <<LUA
local size = 11000000
request = function()
  local start = math.random(0, size - 262144)
  return wrk.format("GET", nil, {["Range"] = "bytes=" .. start .. "-" .. (start + 262143)$auth})
end
LUA
}

# Starts nginx serving ROOT on 127.0.0.1:PORT with sendfile, logging off; adds it to $pids.
start_nginx() {  # root port
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  default_type application/json;
  types { audio/mpeg mp3; }
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$2; root $1; }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  pids+=($!)
}

# Network hygiene (issue 13): a P2P node started by a benchmark runs on the machine's own network, so it must
# never publish on the public Mainline DHT or ask the router for a port mapping. Every P2P node is started
# through p2p_node, which refuses unless both are off in its environment:
#   P2P_ENABLED=true P2P_DHT_DISCOVERY=false P2P_PORT_MAPPING=false ... p2p_node "$BIN" serve
# Nothing P2P is inherited from the caller's environment: each script says what it runs.
for _v in ${!P2P_@}; do unset "$_v"; done
unset _v
p2p_node() {
  if [ "${P2P_DHT_DISCOVERY:-}" != false ] || [ "${P2P_PORT_MAPPING:-}" != false ]; then
    echo "refusing to start a P2P node with P2P_DHT_DISCOVERY='${P2P_DHT_DISCOVERY:-}' P2P_PORT_MAPPING='${P2P_PORT_MAPPING:-}' (both must be false outside a lab namespace)" >&2
    return 1
  fi
  # Started in the background (`p2p_node ... &`), the subshell becomes the server, so `$!` is the server's pid
  # and killing it stops the node (without exec the server outlived the kill and kept the port and the log).
  exec "$@"
}

# A migrated data directory in DIR holding the synthetic catalogue of N tracks (bench/make_catalog.py) and
# the admin "bench". With CATALOG_CACHE=DIR2, the catalogue is built once into DIR2 and copied from there
# on later runs (a million tracks take minutes to generate).
# ENGINE=postgres: a throwaway PostgreSQL cluster in DIR/pg (scripts/pg.sh: 127.0.0.1, fsync off), migrated,
# holding the user bench and the synthetic catalogue copied from DIR/soundtime.db (catalog_prepare first);
# PostgreSQL's triggers keep the totals as the rows arrive. Sets DATABASE_URL; the bench's EXIT trap must
# call catalog_postgres_stop DIR.
catalog_to_postgres() {  # dir
  local url
  # Shared buffers a deployment of a million tracks would give PostgreSQL (the database is ~1 GB; the default
  # 128 MB had every few requests read pages through the OS, a system call each).
  url=$(PG_OPTIONS="${PG_OPTIONS:--c shared_buffers=512MB}" bash scripts/pg.sh start "$1/pg" | tail -1)
  export DATABASE_URL=$url
  LOG_LEVEL=warn SOUNDTIME_DATA_DIR="$1" "$BIN" user create bench --email b@example.org --password bench-password --role admin >/dev/null
  local t0; t0=$(now)
  sqlite3 -csv "$1/soundtime.db" "SELECT id, match_key, name, search_text, created_at FROM artists" |
    psql -q "$url" -c "\copy artists (id, match_key, name, search_text, created_at) FROM STDIN CSV"
  sqlite3 -csv "$1/soundtime.db" "SELECT id, match_key, title, artist_id, search_text, year, created_at FROM albums" |
    psql -q "$url" -c "\copy albums (id, match_key, title, artist_id, search_text, year, created_at) FROM STDIN CSV"
  sqlite3 -csv "$1/soundtime.db" "SELECT id, title, artist_id, album_id, duration_secs, file_path, file_size, format, \
genre, search_text, year, created_at FROM tracks" |
    psql -q "$url" -c "\copy tracks (id, title, artist_id, album_id, duration_secs, file_path, file_size, format, \
genre, search_text, year, created_at) FROM STDIN CSV"
  psql -q "$url" -c "VACUUM ANALYZE" >/dev/null
  echo "catalogue copied into PostgreSQL in $(python3 -c "print(round($(now) - $t0, 1))") s" >&2
}

catalog_postgres_stop() {  # dir
  [ -d "$1/pg" ] && bash scripts/pg.sh stop "$1/pg" >/dev/null 2>&1 || true
}

catalog_prepare() {  # dir tracks
  local cache=${CATALOG_CACHE:-}
  # The cached file is named after the generator's digest too: a changed generator builds a new one.
  local cached="$cache/soundtime-$2-$(sha1sum bench/make_catalog.py | cut -c1-8).db"
  if [ -n "$cache" ] && [ -f "$cached" ]; then
    cp "$cached" "$1/soundtime.db"
    SOUNDTIME_DATA_DIR="$1" "$BIN" user role bench admin >/dev/null  # applies newer migrations, if any
    return
  fi
  SOUNDTIME_DATA_DIR="$1" "$BIN" user create bench --email b@example.org --password bench-password --role admin >/dev/null
  python3 bench/make_catalog.py "$1/soundtime.db" "$2"
  if [ -n "$cache" ]; then
    mkdir -p "$cache"
    sqlite3 "$1/soundtime.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    cp "$1/soundtime.db" "$cached"
  fi
}
