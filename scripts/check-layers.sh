#!/usr/bin/env bash
# Fails when the dependency direction of DESIGN.md §3 is broken at the source level:
# Beast only in src/http/, the database layer only from src/app/ (and tests), the P2P rules below.
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
# scrobble: model interfaces, crypto, util; the network is injected (no lib/curl), no routes.
scrobad=$(grep -rlE '#include\s*"(db|lib|http|api|subsonic|app|p2p|library|auth)/' src/scrobble 2>/dev/null || true)
if [ -n "$scrobad" ]; then echo "src/scrobble includes db, lib, http, api, subsonic, app, p2p, library or auth: $scrobad"; bad=1; fi
# p2p: model, library interfaces, crypto, lib/ssl; never http/api/subsonic/db; Asio only in .cpp files.
p2pbad=$(grep -rlE '#include\s*"(db|http|api|subsonic|app)/' src/p2p || true)
if [ -n "$p2pbad" ]; then echo "src/p2p includes http, api, subsonic, db or app: $p2pbad"; bad=1; fi
p2pasio=$(grep -rlE '#include\s*<boost/(asio|beast)' src/p2p --include='*.hpp' || true)
if [ -n "$p2pasio" ]; then echo "Asio in a src/p2p header (keep it in .cpp files): $p2pasio"; bad=1; fi
ssl=$(grep -rlE '#include\s*<openssl/' src --include='*.hpp' --include='*.cpp' | grep -v '^src/lib/ssl/' || true)
if [ -n "$ssl" ]; then echo "OpenSSL included outside src/lib/ssl/: $ssl"; bad=1; fi
# Routes reach the node through library::P2pService only.
apip2p=$(grep -rlE '#include\s*"p2p/' src/api src/library src/model || true)
if [ -n "$apip2p" ]; then echo "src/p2p included by an inner layer or the API: $apip2p"; bad=1; fi
# themes: model and util only (git, archives and DNS are injected by app/).
themesbad=$(grep -rlE '#include\s*"(db|http|api|lib|subsonic|p2p|auth|library|app)/' src/themes 2>/dev/null || true)
if [ -n "$themesbad" ]; then echo "src/themes includes an outer layer: $themesbad"; bad=1; fi
# editorial: a service over model interfaces; HTTP and settings are injected by app/.
edbad=$(grep -rlE '#include\s*"(db|lib|http|api|subsonic|p2p|auth|app)/' src/editorial 2>/dev/null || true)
if [ -n "$edbad" ]; then echo "src/editorial includes an outer layer: $edbad"; bad=1; fi
# search: the in-memory word index, a data structure over util (the database feeds it from src/db/).
searchbad=$(grep -rlE '#include\s*"(db|lib|http|api|subsonic|p2p|auth|library|app|model|audio)/' src/search 2>/dev/null || true)
if [ -n "$searchbad" ]; then echo "src/search includes an outer layer: $searchbad"; bad=1; fi
if [ $bad -eq 0 ]; then echo "layering: ok"; fi
exit $bad
