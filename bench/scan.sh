#!/usr/bin/env bash
# Imports the same generated library (TRACKS files, default 10000) with `soundtime import` and with MPD's
# database update, in the same run; prints tracks/s of both and the ratio, then times an unchanged rescan.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=${BIN:-build/soundtime}
TRACKS=${TRACKS:-10000}
command -v mpd >/dev/null && command -v mpc >/dev/null || { echo "needs mpd and mpc (apt-get install mpd mpc)"; exit 1; }
work=$(mktemp -d /tmp/soundtime-bench-scan.XXXXXX)
chmod 755 "$work"
mpd_pid=""
cleanup() { [ -n "$mpd_pid" ] && kill "$mpd_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "generating $TRACKS tracks (100 distinct 3 s files, copied into album folders)..."
mkdir -p "$work/src" "$work/music"
for i in $(seq 0 99); do
  ext=mp3; codec="-c:a libmp3lame -b:a 128k"
  if [ $((i % 4)) -eq 1 ]; then ext=flac; codec="-c:a flac"; fi
  if [ $((i % 4)) -eq 2 ]; then ext=ogg; codec="-c:a libvorbis"; fi
  ffmpeg -nostdin -loglevel error -y -f lavfi -i "sine=frequency=$((200 + i * 7)):duration=3" $codec \
    -metadata title="Song $i" -metadata artist="Artist $((i % 10))" -metadata album="Album $((i % 20))" \
    -metadata track=$((i % 12 + 1)) "$work/src/$i.$ext"
done
python3 - "$work" "$TRACKS" <<'PY'
import os, shutil, sys
work, n = sys.argv[1], int(sys.argv[2])
src = sorted(os.listdir(os.path.join(work, "src")))
for i in range(n):
    f = src[i % len(src)]
    d = os.path.join(work, "music", f"Artist {i % 97}", f"Album {i // 12}")
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(os.path.join(work, "src", f), os.path.join(d, f"{i:05d} {f}"))
PY
sync

# --- MPD ---
mport=$(port)
mkdir -p "$work/mpd"
cat > "$work/mpd/mpd.conf" <<CONF
music_directory "$work/music"
db_file "$work/mpd/db"
state_file "$work/mpd/state"
pid_file "$work/mpd/pid"
log_file "$work/mpd/log"
bind_to_address "127.0.0.1"
port "$mport"
zeroconf_enabled "no"
auto_update "no"
audio_output {
  type "null"
  name "null"
}
CONF
touch "$work/mpd/db"
mpd --no-daemon "$work/mpd/mpd.conf" >/dev/null 2>&1 &
mpd_pid=$!
for _ in $(seq 100); do mpc -h 127.0.0.1 -p "$mport" status >/dev/null 2>&1 && break; sleep 0.05; done
t0=$(now)
mpc -q -h 127.0.0.1 -p "$mport" update --wait
t1=$(now)
mpd_songs=$(mpc -h 127.0.0.1 -p "$mport" stats | awk '/Songs:/ {print $2}')
kill "$mpd_pid"; wait "$mpd_pid" 2>/dev/null || true; mpd_pid=""
mpd_secs=$(python3 -c "print($t1 - $t0)")

# --- SoundTime ---
t0=$(now)
SOUNDTIME_DATA_DIR="$work/st" LOG_LEVEL=warn "$BIN" import "$work/music" > "$work/st-import.log" 2>/dev/null
t1=$(now)
st_secs=$(python3 -c "print($t1 - $t0)")
st_tracks=$(sqlite3 "$work/st/soundtime.db" "select count(*) from tracks")
t0=$(now)
SOUNDTIME_DATA_DIR="$work/st" LOG_LEVEL=warn "$BIN" import "$work/music" > "$work/st-rescan.log" 2>/dev/null
t1=$(now)
rescan_secs=$(python3 -c "print($t1 - $t0)")

mpd_rate=$(python3 -c "print($mpd_songs / $mpd_secs)")
st_rate=$(python3 -c "print($st_tracks / $st_secs)")
echo
printf '%-34s %8s %8s %10s\n' "importer" "tracks" "seconds" "tracks/s"
printf '%-34s %8s %8.2f %10.0f\n' "MPD database update" "$mpd_songs" "$mpd_secs" "$mpd_rate"
printf '%-34s %8s %8.2f %10.0f\n' "soundtime import (hash+tags+covers)" "$st_tracks" "$st_secs" "$st_rate"
echo "ratio soundtime/MPD: $(ratio "$st_rate" "$mpd_rate")x (goal >= 2x)"
echo "unchanged rescan of $st_tracks tracks: ${rescan_secs} s (goal < 2 s)"
tail -1 "$work/st-rescan.log"
