#!/usr/bin/env bash
# Our in-process Opus 128k transcode (through the stream endpoint, cache bypassed by a fresh data dir)
# against the ffmpeg CLI on the same 5-minute FLAC, in the same run; and time to first byte.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
RUNS=${RUNS:-3}
bench_setup transcode
mkdir -p "$work/music"
ffmpeg -nostdin -loglevel error -y -f lavfi -i "sine=frequency=440:duration=300" -ac 2 -c:a flac \
  -metadata title="Five minutes" "$work/music/long.flac"

# The two alternate, run after run, so that a load that comes and goes on this shared machine weighs on both.
best_cli=999
best_st=999
best_ttfb=999
for r in $(seq "$RUNS"); do
  t0=$(now)
  ffmpeg -nostdin -loglevel error -y -i "$work/music/long.flac" -vn -c:a libopus -b:a 128k "$work/cli.opus"
  t1=$(now)
  best_cli=$(python3 -c "print(min($best_cli, $t1 - $t0))")
  rm -rf "$work/st"
  SOUNDTIME_DATA_DIR="$work/st" LOG_LEVEL=warn "$BIN" import "$work/music" >/dev/null 2>&1
  sport=$(port)
  SOUNDTIME_DATA_DIR="$work/st" PORT=$sport HOST=127.0.0.1 LOG_LEVEL=warn "$BIN" serve >"$work/st.log" 2>&1 &
  pid=$!
  wait_http "http://127.0.0.1:$sport/healthz"
  id=$(curl -sf "http://127.0.0.1:$sport/api/tracks" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
  read -r total ttfb < <(curl -sf -o "$work/st.opus" -w '%{time_total} %{time_starttransfer}\n' \
    "http://127.0.0.1:$sport/api/tracks/$id/stream?format=opus&bitrate=128")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  best_st=$(python3 -c "print(min($best_st, $total))")
  best_ttfb=$(python3 -c "print(min($best_ttfb, $ttfb))")
done
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/st.opus")
printf '%-32s %10s\n' "5-minute FLAC -> Opus 128k" "seconds"
printf '%-32s %10.3f\n' "ffmpeg CLI" "$best_cli"
printf '%-32s %10.3f\n' "soundtime stream (whole file)" "$best_st"
echo "ratio soundtime/ffmpeg time: $(ratio "$best_st" "$best_cli")x (goal <= 1x)"
echo "time to first byte: $(python3 -c "print(round($best_ttfb * 1000))") ms (goal < 200 ms); output duration ${dur} s"
