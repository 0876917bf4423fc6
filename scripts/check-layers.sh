#!/usr/bin/env bash
# Fails when the dependency direction of DESIGN.md §3 is broken at the source level:
# Beast only in src/http/, the database layer only from src/app/ (and tests).
set -u
cd "$(dirname "$0")/.."
bad=0
beast=$(grep -rlE '#include\s*<boost/beast' src --include='*.hpp' --include='*.cpp' | grep -v '^src/http/' || true)
if [ -n "$beast" ]; then echo "Beast included outside src/http/: $beast"; bad=1; fi
dbinc=$(grep -rlE '#include\s*"(\.\./)*db/' src --include='*.hpp' --include='*.cpp' | grep -vE '^src/(app|db)/' || true)
if [ -n "$dbinc" ]; then echo "src/db included outside src/app/: $dbinc"; bad=1; fi
# http is generic: it must not know about music, accounts or storage.
httpdom=$(grep -rlE '#include\s*"(model|db|auth|api|library|p2p|subsonic|audio)/' src/http || true)
if [ -n "$httpdom" ]; then echo "src/http includes domain code: $httpdom"; bad=1; fi
modelbad=$(grep -rlE '#include\s*"(db|http|api|lib|auth|crypto)/' src/model || true)
if [ -n "$modelbad" ]; then echo "src/model includes an outer layer: $modelbad"; bad=1; fi
apibad=$(grep -rlE '#include\s*"(db|lib|subsonic)/' src/api || true)
if [ -n "$apibad" ]; then echo "src/api includes db, lib or subsonic: $apibad"; bad=1; fi
subbad=$(grep -rlE '#include\s*"(db|lib|api)/' src/subsonic 2>/dev/null || true)
if [ -n "$subbad" ]; then echo "src/subsonic includes db, lib or api: $subbad"; bad=1; fi
authbad=$(grep -rlE '#include\s*"(db|lib|http|api|subsonic)/' src/auth src/library || true)
if [ -n "$authbad" ]; then echo "src/auth or src/library includes db, lib, http, api or subsonic: $authbad"; bad=1; fi
if [ $bad -eq 0 ]; then echo "layering: ok"; fi
exit $bad
