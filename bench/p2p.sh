#!/usr/bin/env bash
# P2P on loopback, in the same run as its peers:
#  1. a 100 MB blob played on node B from node A (TLS 1.3 link, BLAKE3-verified 1 MiB ranges), against
#     curl downloading the same file from nginx over HTTPS (to a file, as the node caches it; and to /dev/null);
#  2. catalogue sync of N tracks (default 100,000) from A to a fresh node B (ENGINE=postgres: B on PostgreSQL):
#     the time until B has them all;
#  3. (PARTS=nat, root only) issue 13 in the namespace NAT lab: NodeId-only add -> online per NAT pair, 100 MB over
#     ICE direct and TURN against kernel TCP through the same NAT, first byte of a play through TURN
#     (bench/p2p_nat.py; needs root and ~3 min to build a namespace lab of 7 nodes, so not in the default PARTS).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
TRACKS=${TRACKS:-100000}
PARTS=${PARTS:-"blob catalog"}  # which to run: blob catalog nat
bench_setup p2p

node_id() { curl -sf "http://127.0.0.1:$1/api/p2p/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["node_id"])'; }
track_count() { curl -sf "http://127.0.0.1:$1/api/tracks?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
serve() {  # name http_port p2p_port [seed] [database_url]
  # (A subshell for the database's variable; p2p_node execs the server in it, so $! is still the server.)
  ( if [ -n "${5:-}" ]; then export DATABASE_URL=$5; fi
    SOUNDTIME_DATA_DIR="$work/$1" PORT=$2 HOST=127.0.0.1 LOG_LEVEL=info P2P_ENABLED=true P2P_BIND_HOST=127.0.0.1 \
    P2P_BIND_PORT=$3 P2P_SYNC_INTERVAL_SECONDS=1 P2P_SEED_PEERS=${4:-} P2P_DHT_DISCOVERY=false P2P_PORT_MAPPING=false \
    P2P_MAX_TRACKS_PER_PEER=$(( TRACKS > 200000 ? TRACKS : 200000 )) \
    p2p_node "$BIN" serve ) >"$work/$1.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$2/healthz"
}
wait_tracks() {  # http_port count timeout_s
  local deadline=$(( $(date +%s) + $3 ))
  while [ "$(track_count "$1")" -lt "$2" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out waiting for $2 tracks" >&2; return 1; }
    sleep 0.5  # polling costs CPU the nodes share
  done
}

# --- 1. 100 MB blob ---
if [[ " $PARTS " == *" blob "* ]]; then
mkdir -p "$work/music/www"
ffmpeg -nostdin -loglevel error -y -f lavfi -i "anoisesrc=duration=600:sample_rate=44100:amplitude=0.5" -ac 2 \
  -metadata title="Big" "$work/music/www/big.wav"
size=$(stat -c %s "$work/music/www/big.wav")
SOUNDTIME_DATA_DIR="$work/a" LOG_LEVEL=warn "$BIN" import "$work/music" >/dev/null 2>&1
ha=$(port); pa=$(port)
serve a "$ha" "$pa"
seed="$(node_id "$ha")@127.0.0.1:$pa"
# Best of 3, as for curl below: each round a fresh node B (empty cache) plays the track from A.
fetch_ms=""; p2p_s=""; ttfb=""
for round in 1 2 3; do
  hb=$(port); pb=$(port)
  serve "b$round" "$hb" "$pb" "$seed"
  wait_tracks "$hb" 1 30
  id=$(curl -sf "http://127.0.0.1:$hb/api/tracks" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
  t0=$(now)
  tt=$(curl -sf "http://127.0.0.1:$hb/api/tracks/$id/stream" -o "$work/got.wav" -w '%{time_starttransfer}')
  t1=$(now)
  cmp "$work/got.wav" "$work/music/www/big.wav" || { echo "P2P bytes differ" >&2; exit 1; }
  rm -f "$work/got.wav"
  # The node logs the fetch once the whole blob is verified and committed to its cache.
  for _ in $(seq 100); do grep -qE 'fetched and verified .* in [0-9]+ ms' "$work/b$round.log" && break; sleep 0.1; done
  ms=$(grep -oE 'fetched and verified .* in [0-9]+ ms' "$work/b$round.log" | grep -oE '[0-9]+ ms' | tail -1 | cut -d' ' -f1)
  fetch_ms=$(python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" $ms $fetch_ms)
  p2p_s=$(python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$(python3 -c "print($t1 - $t0)")" $p2p_s)
  ttfb=$(python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" $tt $ttfb)
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
  rm -rf "$work/b$round"
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
  -days 1 -subj /CN=localhost >/dev/null 2>&1
nport=$(port)
start_nginx "$work/music/www" "$nport"
sed -i "s|listen 127.0.0.1:$nport;|listen 127.0.0.1:$nport ssl; ssl_certificate $work/tls.crt; ssl_certificate_key $work/tls.key; ssl_protocols TLSv1.3;|" "$work/nginx/nginx.conf"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 100); do curl -skf "https://127.0.0.1:$nport/big.wav" -r 0-0 -o /dev/null && break; sleep 0.05; done
# curl saves the download to a file on the same disk, as the node stores the blob in its cache (the goal's
# comparison); into /dev/null as well, for reference.
best=""; best_null=""
for _ in 1 2 3; do
  t=$(curl -sk "https://127.0.0.1:$nport/big.wav" -o "$work/curl.wav" -w '%{time_total}')
  rm -f "$work/curl.wav"
  best=$(python3 -c "import sys; v=[float(x) for x in sys.argv[1:] if x]; print(min(v))" $t $best)
  t=$(curl -sk "https://127.0.0.1:$nport/big.wav" -o /dev/null -w '%{time_total}')
  best_null=$(python3 -c "import sys; v=[float(x) for x in sys.argv[1:] if x]; print(min(v))" $t $best_null)
done
mb=$(python3 -c "print(f'{$size/1048576:.0f}')")
echo "blob: $mb MiB, verified identical; best of 3 each"
printf '%-44s %8s %10s\n' "transfer" "seconds" "MiB/s"
printf '%-44s %8.2f %10.0f\n' "nginx HTTPS (TLS 1.3) -> curl -o file" "$best" "$(python3 -c "print($size/1048576/$best)")"
printf '%-44s %8.2f %10.0f\n' "nginx HTTPS (TLS 1.3) -> curl -o /dev/null" "$best_null" "$(python3 -c "print($size/1048576/$best_null)")"
printf '%-44s %8.2f %10.0f\n' "P2P fetch + verify + cache (node log)" "$(python3 -c "print($fetch_ms/1000)")" "$(python3 -c "print($size/1048576/($fetch_ms/1000))")"
printf '%-44s %8.2f %10.0f\n' "first play on B (fetch, verify, serve)" "$p2p_s" "$(python3 -c "print($size/1048576/$p2p_s)")"
echo "first play: first byte after $(python3 -c "print(f'{$ttfb*1000:.0f}')") ms (it streams while the rest is fetched and verified)"
echo "ratio P2P fetch throughput / nginx HTTPS to a file: $(ratio "$best" "$(python3 -c "print($fetch_ms/1000)")")x (goal >= 0.7x)"
echo "ratio P2P fetch throughput / nginx HTTPS to /dev/null: $(ratio "$best_null" "$(python3 -c "print($fetch_ms/1000)")")x"
kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()
fi

# --- 3. the NAT lab (every node inside namespaces the lab creates; it refuses to start one elsewhere) ---
if [[ " $PARTS " == *" nat "* ]]; then
  python3 bench/p2p_nat.py --binary "$BIN" ${KEEP_LOGS:+--keep-logs "$KEEP_LOGS/nat"}
fi

# --- 2. catalogue of $TRACKS tracks ---
[[ " $PARTS " == *" catalog "* ]] || exit 0
hc=$(port); pc=$(port); hd=$(port); pd=$(port)
serve c "$hc" "$pc"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'   # migrated; now fill it offline
# CATALOG_CACHE=DIR keeps the filled source database between runs (a million tracks take minutes to generate);
# the source node migrates it on start like any database.
cached=${CATALOG_CACHE:+$CATALOG_CACHE/p2p-source-$TRACKS.db}
if [ -n "$cached" ] && [ -f "$cached" ]; then
  cp "$cached" "$work/c/soundtime.db"; rm -f "$work/c/soundtime.db-wal" "$work/c/soundtime.db-shm"
else
python3 - "$work/c/soundtime.db" "$TRACKS" <<'PY'
import sqlite3, sys, uuid, hashlib
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
now = 1_700_000_000_000_000
artists = [(str(uuid.uuid4()), f"name:artist {i}", f"Artist {i}", f"artist {i}", now) for i in range(n // 100)]
c.executemany("INSERT INTO artists (id, match_key, name, search_text, created_at) VALUES (?,?,?,?,?)", artists)
albums = [(str(uuid.uuid4()), f"{artists[i // 10][0]}|album {i}", f"Album {i}", artists[i // 10][0], f"album {i}", now)
          for i in range(n // 10)]
c.executemany("INSERT INTO albums (id, match_key, title, artist_id, search_text, created_at) VALUES (?,?,?,?,?,?)", albums)
rows = []
for i in range(n):
    al = albums[i // 10]
    rows.append((str(uuid.uuid4()), f"Track {i}", al[3], al[0], i % 10 + 1, 180.0, "Rock", 2000 + i % 20,
                 f"/music/{i}.flac", 30_000_000 + i, "flac", 1000, 44100, hashlib.blake2b(str(i).encode(), digest_size=32).hexdigest(),
                 f"track {i}", now + i))
c.executemany("INSERT INTO tracks (id, title, artist_id, album_id, track_number, duration_secs, genre, year, file_path, "
              "file_size, format, bitrate, sample_rate, content_hash, search_text, created_at) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
c.commit()
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
PY
  if [ -n "$cached" ]; then mkdir -p "$CATALOG_CACHE"; cp "$work/c/soundtime.db" "$cached"; fi
fi
serve c "$hc" "$pc"
# The source is a node that has been running: its start-up work (the in-memory search index, the search filter
# it announces to peers) is done before the fresh node starts.
for _ in $(seq 1200); do
  grep -q "indexed in memory" "$work/c.log" && grep -q "p2p: search filter rebuilt" "$work/c.log" && break
  sleep 0.1
done
grep -hE "indexed in memory|search filter rebuilt" "$work/c.log" | sed 's/^[^ ]* [^ ]*  /source node: /'
# ENGINE=postgres: the fresh node keeps its catalogue in a throwaway PostgreSQL cluster (the source stays on
# SQLite), with the shared buffers a deployment of that size would have.
dburl=""
if [ "${ENGINE:-sqlite}" = postgres ]; then
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; catalog_postgres_stop "$work"; rm -rf "$work"' EXIT
  dburl=$(PG_OPTIONS="${PG_OPTIONS:--c shared_buffers=512MB}" bash scripts/pg.sh start "$work/pg" | tail -1)
fi
src_cpu0=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/${pids[-1]}/stat")
t0=$(now)
serve d "$hd" "$pd" "$(node_id "$hc")@127.0.0.1:$pc" "$dburl"
wait_tracks "$hd" "$TRACKS" 900
t1=$(now)
# The fresh node's CPU time (user + system): what the sync costs whatever else loads the machine.
cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/${pids[-1]}/stat")
# The source node's, and (ENGINE=postgres) the cluster's: the server and its backends, live ones and those
# that exited (cutime/cstime of the server), to see where a slow sync spends the machine's two cores.
src_cpu_s=$(awk -v hz="$(getconf CLK_TCK)" -v c0="$src_cpu0" '{printf "%.1f", ($14 + $15) / hz - c0}' "/proc/${pids[-2]}/stat")
pg_cpu=""
if [ -n "$dburl" ]; then
  pm=$(head -1 "$work/pg/data/postmaster.pid")
  pg_cpu=$(python3 - "$pm" <<'PY'
import os, sys
pm, hz, total = sys.argv[1], os.sysconf("SC_CLK_TCK"), 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if pid == pm:
        total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])  # its own and its exited children's
    elif f[1] == pm:
        total += int(f[11]) + int(f[12])
print(f"{total / hz:.1f}")
PY
)
  pg_cpu="; PostgreSQL used $pg_cpu s"
fi
# The tracks are listed before their peer copies (what playing them needs) are recorded, and only then is
# the batch logged: wait for that line too.
for _ in $(seq 600); do grep -q "p2p: applied .*(cursor $TRACKS;" "$work/d.log" && break; sleep 0.1; done
# From the fresh node's log: its start to the last page applied (no polling delay in it).
logged=$(python3 - "$work/d.log" <<'PY'
import sys, datetime
start = end = None
for line in open(sys.argv[1], errors="replace"):
    ts = line[:23]
    if "p2p: node" in line and start is None:
        start = ts
    if "p2p: applied" in line:
        end = ts
f = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f")
print(f"{(f(end) - f(start)).total_seconds():.1f}" if start and end else "n/a")
PY
)
goal=$(( TRACKS > 100000 ? 120 : 30 ))  # issue 15: 1,000,000 tracks in < 120 s; 100,000 in < 30 s
echo "catalogue sync of $TRACKS tracks to a fresh node: $logged s from its start to the last page applied with its peer copies (goal < $goal s); $(python3 -c "print(f'{$t1 - $t0:.1f}')") s until the API counted them all; the fresh node used ${cpu_s} s of CPU, the source node ${src_cpu_s} s while it ran (${src_cpu0} s before, starting)${pg_cpu}"
if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS"; cp "$work"/*.log "$KEEP_LOGS"/; fi
