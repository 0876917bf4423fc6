#!/usr/bin/env bash
# The web app: gzipped size of what the browser loads at start, and first-load times in Chromium:
# the home page with its data from SoundTime (goal < 1 s), and the app shell (index.html + bundle until
# the load event) served by SoundTime against the same files served by nginx, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
RUNS=${RUNS:-5}
[ -f web/build/index.html ] || { echo "web/build missing: run make build"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "chromium missing: run make setup"; exit 1; }

bench_setup web

python3 - web/build <<'PY'
import gzip, os, re, sys
root = sys.argv[1]
html = open(os.path.join(root, "index.html")).read()
start = [m for m in re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', html)]
def gz(path):
    with open(path, "rb") as f:
        return len(gzip.compress(f.read(), 9))
initial = sum(gz(os.path.join(root, p.lstrip("/"))) for p in start)
total = 0
for d, _, files in os.walk(root):
    total += sum(gz(os.path.join(d, f)) for f in files if f.endswith((".js", ".css")))
print(f"bundle loaded at start: {len(start)} files, {initial / 1024:.1f} KiB gzipped")
print(f"all scripts and styles: {total / 1024:.1f} KiB gzipped")
PY

sport=$(port)
SOUNDTIME_DATA_DIR="$work/data" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn AUTH_RATE_LIMIT_BURST=100 \
  SOUNDTIME_WEB_ROOT="$PWD/web/build" "$BIN" serve >"$work/soundtime.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$sport/healthz"
nport=$(port)
start_nginx "$PWD/web/build" "$nport"
wait_http "http://127.0.0.1:$nport/index.html"

python3 tests/support/make_library.py "$work/lib" >/dev/null
RUNS=$RUNS node bench/web-load.mjs "http://127.0.0.1:$sport" "http://127.0.0.1:$nport" "$work/lib/library/Test Artist/Sine Album"
