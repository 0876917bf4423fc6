#!/usr/bin/env bash
# Several nodes on one PostgreSQL behind nginx (issue 16). With 1, 2 and 3 nodes behind nginx's round-robin
# upstream (keep-alive connections to the nodes): requests/s of catalogue reads (random pages of albums and
# tracks, an album) and of 256 KiB range streams of a 12 MB track, with the nodes' CPU per request — on
# this 2-core machine more nodes add no cores, so the scaling ratio says little and the CPU per request is
# the figure to watch. Then range streams from S3 (a radosgw started here) through a node that keeps no
# local copy, against wrk reading the same ranges of the object straight from radosgw: the ratio, same run.
# TRACKS (default 10000) synthetic catalogue rows; DURATION per run; S3=false skips the S3 part.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
TRACKS=${TRACKS:-10000}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-8}
bench_setup cluster
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true;
      catalog_postgres_stop "$work/n1"; [ -d "$work/rgw" ] && scripts/radosgw.sh stop "$work/rgw" >/dev/null 2>&1;
      rm -rf "$work"' EXIT

mkdir -p "$work/n1"
catalog_prepare "$work/n1" "$TRACKS"
catalog_to_postgres "$work/n1"  # exports DATABASE_URL
mkdir -p "$work/music/www"
ffmpeg -nostdin -loglevel error -y -f lavfi -i "sine=frequency=440:duration=300" -c:a libmp3lame -b:a 320k \
  -metadata title="Bench Stream" "$work/music/www/track.mp3"
SOUNDTIME_DATA_DIR="$work/n1" LOG_LEVEL=warn "$BIN" import "$work/music" >/dev/null 2>&1
export JWT_SECRET=bench-cluster-secret-0123456789abcdef

node_pids=()
node_ports=()
for n in 1 2 3; do
  mkdir -p "$work/n$n"
  [ "$n" = 1 ] || cp "$work/n1/app-passwords.key" "$work/n$n/"  # one sealing key for the cluster
  p=$(port)
  WAVEFORM_BACKFILL_DELAY_SECONDS=86400 SCAN_INTERVAL_MINUTES=0 WATCH_MUSIC_FOLDERS=false CLUSTER_NODE_NAME="n$n" \
    SOUNDTIME_DATA_DIR="$work/n$n" PORT=$p HOST=127.0.0.1 LOG_LEVEL=warn "$BIN" serve >"$work/n$n.log" 2>&1 &
  pids+=($!); node_pids+=($!); node_ports+=("$p")
  wait_http "http://127.0.0.1:$p/healthz"
done
id=$(psql -Atq "$DATABASE_URL" -c "SELECT id FROM tracks WHERE title = 'Bench Stream'")
album=$(curl -sf "http://127.0.0.1:${node_ports[0]}/api/albums?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')

# One nginx, one listening port per cluster size: port k proxies to the first k nodes.
mkdir -p "$work/nginx"
lb_ports=()
{
  echo "worker_processes 1; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;"
  echo "events { worker_connections 1024; }"
  echo "http { access_log off; client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;"
  echo "  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;"
  for k in 1 2 3; do
    lb=$(port); lb_ports+=("$lb")
    echo "  upstream nodes$k {"
    for i in $(seq 0 $((k - 1))); do echo "    server 127.0.0.1:${node_ports[$i]};"; done
    echo "    keepalive 32; }"
    echo "  server { listen 127.0.0.1:$lb; location / { proxy_pass http://nodes$k; proxy_http_version 1.1;"
    echo "    proxy_set_header Connection \"\"; proxy_buffering off; } }"
  done
  echo "}"
} > "$work/nginx/nginx.conf"
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for lb in "${lb_ports[@]}"; do wait_http "http://127.0.0.1:$lb/healthz"; done

pages=$(( (TRACKS + 49) / 50 )); apages=$(( (TRACKS / 10 + 49) / 50 ))
cat > "$work/catalogue.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  if n % 3 == 0 then return wrk.format("GET", "/api/albums/$album") end
  if n % 3 == 1 then return wrk.format("GET", "/api/albums?per_page=50&page=" .. math.random(1, $apages)) end
  return wrk.format("GET", "/api/tracks?per_page=50&page=" .. math.random(1, $pages))
end
LUA
range_lua "$work/range.lua"
run() {  # url lua pids... -> requests/s p99 cpu-µs-per-request
  local url=$1 lua=$2; shift 2
  local before after out
  before=$(cpu_ticks "$@")
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$lua" "$url")
  after=$(cpu_ticks "$@")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}') $(cpu_us_per_request $((after - before)) "$(echo "$out" | awk '/requests in/ {print $1}')")"
}
# Deep pages read their keys once per catalogue version: before measuring, on every node.
for p in "${node_ports[@]}"; do
  curl -sf "http://127.0.0.1:$p/api/tracks?per_page=50&page=$pages" >/dev/null
  curl -sf "http://127.0.0.1:$p/api/albums?per_page=50&page=$apages" >/dev/null
done
printf '%-34s %12s %10s %22s\n' "through nginx" "requests/s" "p99" "nodes' CPU/request"
declare -A rps
for k in 1 2 3; do
  lb=${lb_ports[$((k - 1))]}
  read -r r p c < <(run "http://127.0.0.1:$lb/" "$work/catalogue.lua" "${node_pids[@]:0:$k}")
  rps[cat$k]=$r
  printf '%-34s %12s %10s %19s µs\n' "catalogue reads, $k node(s)" "$r" "$p" "$c"
  read -r r p c < <(run "http://127.0.0.1:$lb/api/tracks/$id/stream" "$work/range.lua" "${node_pids[@]:0:$k}")
  rps[str$k]=$r
  printf '%-34s %12s %10s %19s µs\n' "256 KiB ranges, $k node(s)" "$r" "$p" "$c"
done
echo "scaling, catalogue reads: 2 nodes $(ratio "${rps[cat2]}" "${rps[cat1]}")x, 3 nodes $(ratio "${rps[cat3]}" "${rps[cat1]}")x of one node"
echo "scaling, range streams:   2 nodes $(ratio "${rps[str2]}" "${rps[str1]}")x, 3 nodes $(ratio "${rps[str3]}" "${rps[str1]}")x of one node"
echo "(2 cores: the nodes, nginx, PostgreSQL and wrk share them; compare the CPU per request)"

[ "${S3:-true}" = true ] || exit 0
command -v radosgw >/dev/null || { echo "no radosgw: the S3 part is skipped"; exit 0; }
eval "$(scripts/radosgw.sh start "$work/rgw" | grep '^S3_')"
# A node on SQLite keeping no local copy (a 1-byte media cache): every range is a ranged read of the object.
# First with S3_PRESIGNED_REDIRECT, whose redirect gives the URL of the same object straight from radosgw;
# then restarted without, proxying every range from the store.
mkdir -p "$work/s3node"
s3p=$(port)
s3_node() {  # extra VAR=value settings -> starts it, sets s3pid
  env STORAGE_BACKEND=s3 S3_ENDPOINT="$S3_ENDPOINT" S3_ACCESS_KEY="$S3_ACCESS_KEY" S3_SECRET_KEY="$S3_SECRET_KEY" \
    S3_BUCKET=bench S3_CREATE_BUCKET=true S3_CACHE_MAX_SIZE=1 DATABASE_URL="sqlite://$work/s3node/soundtime.db" \
    SOUNDTIME_DATA_DIR="$work/s3node" PORT=$s3p HOST=127.0.0.1 LOG_LEVEL=warn "$@" "$BIN" serve >>"$work/s3node.log" 2>&1 &
  s3pid=$!
  pids+=($s3pid)
  wait_http "http://127.0.0.1:$s3p/healthz"
}
s3_node S3_PRESIGNED_REDIRECT=true S3_PRESIGNED_EXPIRY_SECONDS=3600
token=$(curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$s3p/api/setup/admin" \
  -d '{"username":"bench","email":"b@example.org","password":"bench-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')
sid=$(curl -sf -H "Authorization: Bearer $token" -F "file=@$work/music/www/track.mp3" "http://127.0.0.1:$s3p/api/upload" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
direct=$(curl -s -o /dev/null -w '%{redirect_url}' -H "Authorization: Bearer $token" "http://127.0.0.1:$s3p/api/tracks/$sid/stream")
kill "$s3pid"; wait "$s3pid" 2>/dev/null || true
s3_node
rgw_pid=
for f in "$work"/rgw/run/*.pid; do
  p=$(cat "$f"); [ "$(cat /proc/"$p"/comm 2>/dev/null)" = radosgw ] && rgw_pid=$p
done
[ -n "$direct" ] || { echo "no presigned URL: the S3 part is skipped"; exit 0; }
range_lua "$work/range_auth.lua" "$token"
best_s=0; best_d=0
for _ in $(seq "${RUNS:-2}"); do
  read -r r p c < <(run "$direct" "$work/range.lua" ${rgw_pid:+"$rgw_pid"})
  if python3 -c "import sys; sys.exit(0 if float('$r') > float('$best_d') else 1)"; then best_d=$r; d_p99=$p; d_cpu=$c; fi
  read -r r p c < <(run "http://127.0.0.1:$s3p/api/tracks/$sid/stream" "$work/range_auth.lua" "$s3pid")
  if python3 -c "import sys; sys.exit(0 if float('$r') > float('$best_s') else 1)"; then best_s=$r; s_p99=$p; s_cpu=$c; fi
done
printf '%-34s %12s %10s %22s\n' "256 KiB ranges of the object" "requests/s" "p99" "CPU/request"
printf '%-34s %12s %10s %19s µs\n' "radosgw directly (presigned)" "$best_d" "$d_p99" "$d_cpu"
printf '%-34s %12s %10s %19s µs\n' "through soundtime (no copy)" "$best_s" "$s_p99" "$s_cpu"
echo "ratio soundtime/radosgw: $(ratio "$best_s" "$best_d")x (CPU: radosgw's own, soundtime's own)"
