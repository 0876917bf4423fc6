#!/usr/bin/env bash
# Range requests on GET /api/tracks/{id}/stream against nginx serving the same file, with wrk, in the
# same run; prints requests/s, throughput and the ratio. Bounded: DURATION per run.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-32}
bench_setup stream

mkdir -p "$work/music/www"
# A 5-minute 320 kbps MP3 (about 12 MB), as players fetch them.
ffmpeg -nostdin -loglevel error -y -f lavfi -i "sine=frequency=440:duration=300" -c:a libmp3lame -b:a 320k \
  -metadata title="Bench" "$work/music/www/track.mp3"
SOUNDTIME_DATA_DIR="$work/st" LOG_LEVEL=warn "$BIN" import "$work/music" >/dev/null 2>&1
sport=$(port)
SOUNDTIME_DATA_DIR="$work/st" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn "$BIN" serve >"$work/st.log" 2>&1 &
server_pid=$!
pids+=($!)
wait_http "http://127.0.0.1:$sport/healthz"
id=$(curl -sf "http://127.0.0.1:$sport/api/tracks" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')

nport=$(port)
start_nginx "$work/music/www" "$nport"
nginx_pid=${pids[-1]}
wait_http "http://127.0.0.1:$nport/track.mp3"

# Each request asks for a 256 KiB range at a pseudo-random offset, as a seeking player does.
range_lua "$work/range.lua"
run() {  # url server-pid -> requests/s, transfer/s, p99, server CPU per request (µs)
  local out before after
  before=$(cpu_ticks "$2")
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/range.lua" "$1")
  after=$(cpu_ticks "$2")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '/Transfer\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}') $(cpu_us_per_request $((after - before)) "$(echo "$out" | awk '/requests in/ {print $1}')")"
}
# Best of RUNS, the two alternating, so that a load that comes and goes on this shared machine weighs on both.
n_rps=0; s_rps=0
for _ in $(seq "${RUNS:-2}"); do
  read -r rps bw p99 cpu < <(run "http://127.0.0.1:$nport/track.mp3" "$nginx_pid")
  if python3 -c "import sys; sys.exit(0 if float('$rps') > float('$n_rps') else 1)"; then n_rps=$rps; n_bw=$bw; n_p99=$p99; n_cpu=$cpu; fi
  read -r rps bw p99 cpu < <(run "http://127.0.0.1:$sport/api/tracks/$id/stream" "$server_pid")
  if python3 -c "import sys; sys.exit(0 if float('$rps') > float('$s_rps') else 1)"; then s_rps=$rps; s_bw=$bw; s_p99=$p99; s_cpu=$cpu; fi
done
printf '%-26s %12s %12s %10s %14s\n' "target" "requests/s" "transfer/s" "p99" "CPU/request"
printf '%-26s %12s %12s %10s %12s µs\n' "nginx (sendfile)" "$n_rps" "$n_bw" "$n_p99" "$n_cpu"
printf '%-26s %12s %12s %10s %12s µs\n' "soundtime stream" "$s_rps" "$s_bw" "$s_p99" "$s_cpu"
echo "ratio soundtime/nginx: $(ratio "$s_rps" "$n_rps")x (goal >= 0.8x)"
echo "CPU per request, nginx/soundtime: $(ratio "$n_cpu" "$s_cpu")x (the same comparison, robust to other load)"
