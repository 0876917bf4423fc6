#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 5).
# Prints "fuzz: N passed, N failed". Corpora persist in build/fuzz/corpus-<target>.
set -u
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-5}
out=build/fuzz
mkdir -p "$out"
CXX="clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc"
CXX="$CXX -DBOOST_ASIO_SEPARATE_COMPILATION -DBOOST_BEAST_SEPARATE_COMPILATION"
util="src/util/strings.cpp src/util/base64.cpp src/util/time.cpp src/util/random.cpp src/util/uuid.cpp src/util/host_port.cpp"
declare -A sources=(
  [range_fuzz]="fuzz/range_fuzz.cpp src/http/range.cpp src/http/response.cpp src/http/headers.cpp src/http/request.cpp $util"
  [target_fuzz]="fuzz/target_fuzz.cpp src/http/request.cpp src/http/headers.cpp $util"
  [jwt_fuzz]="fuzz/jwt_fuzz.cpp src/crypto/jwt.cpp src/lib/sodium/sodium.cpp $util"
  [multipart_fuzz]="fuzz/multipart_fuzz.cpp src/http/multipart.cpp $util"
  [p2p_fuzz]="fuzz/p2p_fuzz.cpp src/p2p/protocol/frame.cpp src/p2p/protocol/codec.cpp src/p2p/device_sync.cpp src/crypto/blake3.cpp src/crypto/blake3_range.cpp src/crypto/blake3_backend.cpp src/crypto/blake3_sse41.cpp src/crypto/blake3_avx2.cpp src/crypto/blake3_avx512.cpp $util"
  [lan_fuzz]="fuzz/lan_fuzz.cpp src/p2p/lan_discovery.cpp src/p2p/peer_exchange.cpp src/p2p/reach/address_scope.cpp src/p2p/transport/peer_address.cpp src/p2p/protocol/codec.cpp src/crypto/identity.cpp src/lib/sodium/sodium.cpp src/util/fold.cpp $util"
  [dht_fuzz]="fuzz/dht_fuzz.cpp src/p2p/dht/bencode.cpp src/p2p/dht/krpc.cpp src/p2p/dht/pkarr.cpp src/p2p/dht/z_base32.cpp src/crypto/identity.cpp src/lib/sodium/sodium.cpp $util"
  [pkarr_fuzz]="fuzz/pkarr_fuzz.cpp src/p2p/dht/bencode.cpp src/p2p/dht/pkarr.cpp src/p2p/dht/z_base32.cpp src/crypto/identity.cpp src/lib/sodium/sodium.cpp $util"
  [ice_fuzz]="fuzz/ice_fuzz.cpp src/p2p/transport/ice/description.cpp"
  [host_port_fuzz]="fuzz/host_port_fuzz.cpp src/p2p/reach/address_scope.cpp $util"
  [portmap_fuzz]="fuzz/portmap_fuzz.cpp src/p2p/portmap/pcp_codec.cpp src/p2p/portmap/natpmp_codec.cpp"
  [image_fuzz]="fuzz/image_fuzz.cpp src/audio/image_header.cpp"
  [theme_manifest_fuzz]="fuzz/theme_manifest_fuzz.cpp src/themes/manifest.cpp src/themes/path_rules.cpp src/util/strings.cpp"
  [editorial_answer_fuzz]="fuzz/editorial_answer_fuzz.cpp src/editorial/answer_parser.cpp"
  [s3_xml_fuzz]="fuzz/s3_xml_fuzz.cpp src/lib/s3/xml.cpp src/lib/s3/responses.cpp src/util/strings.cpp"
  [json_body_fuzz]="fuzz/json_body_fuzz.cpp src/api/json.cpp src/model/errors.cpp src/http/request.cpp src/http/response.cpp src/http/headers.cpp $util"
)
declare -A libs=([editorial_answer_fuzz]="-lboost_json -lfmt" [jwt_fuzz]="-lsodium -lboost_json -lfmt" [json_body_fuzz]="-lboost_json -lfmt" [range_fuzz]="-lfmt" [target_fuzz]="-lfmt" [multipart_fuzz]="-lfmt" [p2p_fuzz]="-lboost_json -lfmt -lspdlog" [lan_fuzz]="-lsodium -lboost_json -lspdlog -lfmt" [dht_fuzz]="-lsodium -lfmt" [pkarr_fuzz]="-lsodium -lfmt" [ice_fuzz]="" [portmap_fuzz]="-lfmt" [image_fuzz]="-lfmt" [host_port_fuzz]="-lfmt" [theme_manifest_fuzz]="-lfmt" [s3_xml_fuzz]="")
passed=0
failed=0
for t in range_fuzz target_fuzz jwt_fuzz json_body_fuzz multipart_fuzz p2p_fuzz lan_fuzz dht_fuzz pkarr_fuzz ice_fuzz portmap_fuzz image_fuzz host_port_fuzz theme_manifest_fuzz editorial_answer_fuzz s3_xml_fuzz; do
  if ! $CXX ${sources[$t]} -o "$out/$t" ${libs[$t]} 2>"$out/$t.build.log"; then
    echo "fuzz: $t does not build"; cat "$out/$t.build.log" | head -20; failed=$((failed + 1)); continue
  fi
  mkdir -p "$out/corpus-$t"
  seeds=""
  [ -d "fuzz/seeds/$t" ] && seeds="fuzz/seeds/$t"
  if "$out/$t" -max_total_time="$SECONDS_EACH" -max_len=4096 "$out/corpus-$t" $seeds >"$out/$t.log" 2>&1; then
    echo "fuzz: $t ok ($(grep -oE 'Done [0-9]+ runs' "$out/$t.log" | head -1))"
    passed=$((passed + 1))
  else
    echo "fuzz: $t FOUND A CRASH"; tail -30 "$out/$t.log"; failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
