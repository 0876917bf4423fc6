#!/usr/bin/env bash
# The long form of tests/chaos (20 trials per experiment and engine), with its own throwaway PostgreSQL.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
work=$(mktemp -d /tmp/soundtime-chaos.XXXXXX)
chmod 755 "$work"
trap 'bash scripts/pg.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
if url=$(bash scripts/pg.sh start "$work/pg"); then export SOUNDTIME_TEST_PG_URL="$url"; fi
python3 tests/chaos/run.py --binary "$BUILD/soundtime" --trials "${TRIALS:-20}"
