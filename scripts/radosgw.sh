#!/usr/bin/env bash
# A throwaway one-node Ceph with radosgw (an S3 server) for tests, on loopback only.
#   scripts/radosgw.sh start DIR   -> prints S3_ENDPOINT=, S3_ACCESS_KEY=, S3_SECRET_KEY= (shell-evaluable)
#   scripts/radosgw.sh stop DIR    -> stops the daemons started in DIR and leaves DIR for inspection
# One monitor and one memstore OSD, pool size 1, auth none (nothing leaves 127.0.0.1), fresh fsid per run.
set -euo pipefail
cmd=${1:-}; dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then echo "usage: $0 start|stop DIR" >&2; exit 2; fi

stop() {
  local d=$1
  for f in "$d"/run/*.pid; do
    [ -e "$f" ] || continue
    local pid; pid=$(cat "$f" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  for f in "$d"/run/*.pid; do
    [ -e "$f" ] || continue
    local pid; pid=$(cat "$f" 2>/dev/null || true)
    for _ in $(seq 50); do { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || break; sleep 0.1; done
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
}

if [ "$cmd" = stop ]; then stop "$dir"; exit 0; fi
if [ "$cmd" != start ]; then echo "unknown command: $cmd" >&2; exit 2; fi

for b in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
  command -v "$b" >/dev/null || { echo "radosgw.sh: $b missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
rm -rf "$dir"/{mon,osd,run,log,monmap,ceph.conf}; mkdir -p "$dir"/{mon,osd,run,log}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
mon_port=$(free_port); rgw_port=$(free_port)
fsid=$(python3 -c 'import uuid;print(uuid.uuid4())')
conf=$dir/ceph.conf
cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
# Without it radosgw loops on "get_initial_auth_request returned -13" under auth none.
ms mon client mode = crc secure
ms bind ipv6 = false
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = /dev/null
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
osd objectstore = memstore
memstore device bytes = 1073741824
mgr initial modules =
[mon]
mon data = $dir/mon/\$name
[osd]
osd data = $dir/osd/\$name
osd journal size = 16
[client]
# Tests abort and delete objects: let the garbage collector act within seconds.
rgw gc obj min wait = 2
rgw gc processor period = 2
rgw gc processor max time = 2
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw dns name = 127.0.0.1
rgw enable usage log = false
EOF

C=(-c "$conf")
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
ceph-mon "${C[@]}" --mkfs -i a --monmap "$dir/monmap" >>"$dir/log/setup.log" 2>&1
ceph-mon "${C[@]}" -i a 2>>"$dir/log/setup.log"
ceph "${C[@]}" --connect-timeout 20 -s >/dev/null
osd_id=$(ceph "${C[@]}" osd create)
mkdir -p "$dir/osd/osd.$osd_id"
ceph-osd "${C[@]}" -i "$osd_id" --mkfs >>"$dir/log/setup.log" 2>&1
ceph-osd "${C[@]}" -i "$osd_id" 2>>"$dir/log/setup.log"
radosgw "${C[@]}" -n client.rgw 2>>"$dir/log/setup.log"
for _ in $(seq 600); do
  if curl -s -o /dev/null "http://127.0.0.1:$rgw_port/"; then break; fi
  sleep 0.1
done
curl -s -o /dev/null "http://127.0.0.1:$rgw_port/" || { echo "radosgw.sh: radosgw did not answer" >&2; stop "$dir"; exit 1; }
access=$(python3 -c 'import secrets;print("AK"+secrets.token_hex(9).upper())')
secret=$(python3 -c 'import secrets;print(secrets.token_hex(20))')
radosgw-admin "${C[@]}" user create --uid=soundtime --display-name=soundtime \
  --access-key="$access" --secret-key="$secret" >>"$dir/log/setup.log" 2>&1
echo "S3_ENDPOINT=http://127.0.0.1:$rgw_port"
echo "S3_ACCESS_KEY=$access"
echo "S3_SECRET_KEY=$secret"
echo "S3_REGION=us-east-1"
