#!/usr/bin/env bash
# Requests/s and p99 latency of GET /healthz and GET /api/auth/me (wrk, loopback), against nginx serving
# a static file of the same size in the same run. Prints the ratios. Bounded: a few seconds per run.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk missing: run make setup"; exit 1; }
command -v nginx >/dev/null || { echo "nginx missing: run make setup"; exit 1; }

bench_setup http

# --- SoundTime ---
sport=$(port)
SOUNDTIME_DATA_DIR="$work/data" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn AUTH_RATE_LIMIT_BURST=100 \
  "$BIN" serve >"$work/soundtime.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$sport/healthz"
token=$(curl -sf -X POST "http://127.0.0.1:$sport/api/setup/admin" -H 'Content-Type: application/json' \
  -d '{"username":"bench","email":"bench@example.org","password":"bench-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')
health_body=$(curl -sf "http://127.0.0.1:$sport/healthz")
me_body=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$sport/api/auth/me")

# --- nginx with files of the same sizes ---
nport=$(port)
mkdir -p "$work/www"
printf '%s' "$health_body" > "$work/www/healthz"
printf '%s' "$me_body" > "$work/www/me"
start_nginx "$work/www" "$nport"
wait_http "http://127.0.0.1:$nport/healthz"

run() {  # url [header] -> "rps p99ms"
  local out
  if [ -n "${2:-}" ]; then out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$2" "$1")
  else out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1"); fi
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -n "$errors" ] && echo "warning: $errors non-2xx responses for $1" >&2
  echo "$rps $p99"
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per run, $(nproc) cores shared by all"
read -r n_h n_h99 < <(run "http://127.0.0.1:$nport/healthz")
read -r s_h s_h99 < <(run "http://127.0.0.1:$sport/healthz")
read -r n_m n_m99 < <(run "http://127.0.0.1:$nport/me")
read -r s_m s_m99 < <(run "http://127.0.0.1:$sport/api/auth/me" "Authorization: Bearer $token")

printf '%-28s %12s %10s\n' "target" "requests/s" "p99 ms"
printf '%-28s %12s %10s\n' "nginx static (healthz size)" "$n_h" "$n_h99"
printf '%-28s %12s %10s\n' "soundtime /healthz" "$s_h" "$s_h99"
printf '%-28s %12s %10s\n' "nginx static (me size)" "$n_m" "$n_m99"
printf '%-28s %12s %10s\n' "soundtime /api/auth/me" "$s_m" "$s_m99"
python3 - "$s_h" "$n_h" "$s_m" "$n_m" <<'PY'
import sys
sh, nh, sm, nm = map(float, sys.argv[1:])
print(f"ratio /healthz vs nginx:      {sh / nh:.2f}x (goal >= 0.80x)")
print(f"ratio /api/auth/me vs nginx:  {sm / nm:.2f}x (authenticated: JWT check + session and user lookup)")
PY
