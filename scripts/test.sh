#!/usr/bin/env bash
# Runs every suite (even after a failure), then prints one closing line: `N passed, N failed`.
# Starts a throwaway PostgreSQL cluster for the PostgreSQL paths and removes it afterwards.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
passed=0
failed=0
work=$(mktemp -d /tmp/soundtime-test.XXXXXX)
chmod 755 "$work"

cleanup() {
  bash scripts/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

count() {  # suite name, passed, failed
  echo "== $1: $2 passed, $3 failed"
  passed=$((passed + $2))
  failed=$((failed + $3))
}

echo "== layering check"
if bash scripts/check-layers.sh; then count layering 1 0; else count layering 0 1; fi

export SOUNDTIME_REQUIRE_PG=1
if url=$(bash scripts/pg.sh start "$work/pg"); then
  export SOUNDTIME_TEST_PG_URL="$url"
  count postgresql-start 1 0
else
  echo "could not start PostgreSQL: the PostgreSQL suites will fail"
  count postgresql-start 0 1
fi

echo "== unit and repository tests (ctest)"
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 300 >"$work/ctest.log" 2>&1
grep -vE '^ *([0-9]+/[0-9]+ Test +#[0-9]+: .* Passed|Start +[0-9]+:)' "$work/ctest.log" || true
line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$work/ctest.log" | tail -1)
if [ -n "$line" ]; then
  total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
  nfail=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/')
  count ctest $((total - nfail)) "$nfail"
else
  echo "ctest did not report a summary"
  count ctest 0 1
fi

echo "== integration tests (real binary, SQLite and PostgreSQL)"
python3 tests/integration/run.py --binary "$BUILD/soundtime" --summary "$work/integration.summary"
if [ -f "$work/integration.summary" ]; then
  read -r ip if_ < "$work/integration.summary"
  count integration "$ip" "$if_"
else
  count integration 0 1
fi

echo "== chaos, short form (2 trials per experiment and engine; make chaos runs 20)"
python3 tests/chaos/run.py --binary "$BUILD/soundtime" --trials 2 | tee "$work/chaos.log"
line=$(grep -E '^chaos: [0-9]+ passed, [0-9]+ failed' "$work/chaos.log" | tail -1)
if [ -n "$line" ]; then
  count chaos "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $4}')"
else
  count chaos 0 1
fi

echo "== fuzzing the parsers of untrusted input (${FUZZ_SECONDS:-5} s each)"
bash fuzz/run.sh "${FUZZ_SECONDS:-5}" | tee "$work/fuzz.log"
line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' "$work/fuzz.log" | tail -1)
if [ -n "$line" ]; then
  count fuzz "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $4}')"
else
  count fuzz 0 1
fi

echo "== web unit tests (vitest)"
(cd web && npx vitest run --reporter=dot --reporter=json --outputFile.json="$work/vitest.json") >"$work/vitest.log" 2>&1
if [ -f "$work/vitest.json" ]; then
  read -r vp vf < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["numPassedTests"], r["numFailedTests"] + (0 if r["success"] or r["numFailedTests"] else 1))' "$work/vitest.json")
  [ "$vf" -eq 0 ] || cat "$work/vitest.log"
  count vitest "$vp" "$vf"
else
  cat "$work/vitest.log"
  count vitest 0 1
fi

echo "== web type check (svelte-check)"
if (cd web && npm run --silent check) >"$work/svelte-check.log" 2>&1; then count typecheck 1 0
else cat "$work/svelte-check.log"; count typecheck 0 1; fi

echo "== browser end-to-end test (Chromium, real server)"
node tests/e2e/run.mjs --binary "$BUILD/soundtime" --summary "$work/e2e.summary"
if [ -f "$work/e2e.summary" ]; then
  read -r ep ef < "$work/e2e.summary"
  count e2e "$ep" "$ef"
else
  count e2e 0 1
fi

echo "== deployment: deploy/nginx.conf in front of the server"
python3 tests/deploy/test_nginx.py --binary "$BUILD/soundtime" --summary "$work/nginx.summary"
if [ -f "$work/nginx.summary" ]; then
  read -r np nf < "$work/nginx.summary"
  count nginx "$np" "$nf"
else
  count nginx 0 1
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
