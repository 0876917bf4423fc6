#!/usr/bin/env bash
# Builds the web app into web/build: `npm ci` only when package-lock.json changed or node_modules is
# missing, `npm run build` only when a source is newer than the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"
command -v npm >/dev/null || { echo "build-web: npm is missing (run make setup)"; exit 1; }

stamp=node_modules/.soundtime-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "build-web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

if [ ! -f build/index.html ] || [ -n "$(find src static package.json package-lock.json svelte.config.js vite.config.ts tsconfig.json scripts \
     -newer build/index.html -print -quit 2>/dev/null)" ]; then
  echo "build-web: npm run build"
  npm run build --silent > node_modules/.soundtime-build.log 2>&1 || { cat node_modules/.soundtime-build.log; exit 1; }
  tail -1 node_modules/.soundtime-build.log
  # gzip twins of the text files, which the server sends to clients that accept gzip.
  find build -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \
       -o -name '*.webmanifest' \) -size +1k -exec gzip -9 -k -f {} +
fi
