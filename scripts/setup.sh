#!/usr/bin/env bash
# Installs what building, running and testing SoundTime needs on Debian 12.
# Idempotent and quick when everything is present. Uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and runtime libraries (Debian 12 package names), and the tools tests drive.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libsqlite3-dev libpq-dev libsodium-dev libssl-dev openssl libcurl4-openssl-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev clang libclang-rt-14-dev
  libtag1-dev libavformat-dev libavcodec-dev libswresample-dev libswscale-dev libavutil-dev libmagic-dev libebur128-dev libjemalloc-dev
  b3sum ffmpeg sox espeak-ng
  postgresql postgresql-client
  python3 curl wrk nginx-light openssl
  nodejs chromium
  dbus-daemon avahi-daemon avahi-utils
  libnice-dev libminiupnpc-dev libnatpmp-dev libgit2-dev libarchive-dev
  iptables conntrack coturn miniupnpd-iptables miniupnpc natpmpc stun-server python3-libtorrent
  ceph-mon ceph-osd radosgw
)
# Packages whose service must not start when installed: the LAN discovery tests run their own Avahi
# daemons inside network namespaces they create; one on the machine would announce on its real network.
# The same holds for the NAT lab's TURN server, router daemon and STUN server (tests/integration/nat_lab.py),
# and for Ceph: the S3 tests start a throwaway one-node cluster on loopback (scripts/radosgw.sh).
NO_START=(dbus-daemon avahi-daemon avahi-utils coturn miniupnpd-iptables stun-server ceph-mon ceph-osd radosgw)

# `setup.sh bench` adds the peers the benchmarks measure against (MPD for bench/scan.sh).
if [ "${1:-}" = "bench" ]; then PACKAGES+=(mpd mpc); fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  stamp=/var/lib/apt/lists/partial
  # Refresh package lists when they are older than a day (or absent).
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -1)" ]; then
    $SUDO apt-get update -q
  fi
  # libboost1.74-dev (pulled in by some packages) conflicts with the 1.81 headers: let apt remove it.
  plain=() quiet=()
  for p in "${missing[@]}"; do
    if [[ " ${NO_START[*]} " == *" $p "* ]]; then quiet+=("$p"); else plain+=("$p"); fi
  done
  if [ ${#plain[@]} -gt 0 ]; then $SUDO apt-get install -y -q --no-install-recommends "${plain[@]}"; fi
  if [ ${#quiet[@]} -gt 0 ]; then
    # policy-rc.d answering 101 forbids every service start during the install (ours only if there was none).
    made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod +x /usr/sbin/policy-rc.d
      made_policy=1
      trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    $SUDO apt-get install -y -q --no-install-recommends "${quiet[@]}"
    if [ -n "$made_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
    # Had one started anyway, stop it (its pid file is the machine's own, not a test's).
    if [ -e /run/avahi-daemon/pid ]; then $SUDO avahi-daemon -k >/dev/null 2>&1 || true; fi
    # Nor at the next boot, nor on demand through D-Bus activation (systemd hosts).
    if command -v systemctl >/dev/null 2>&1 && [[ " ${quiet[*]} " == *" avahi-daemon "* ]]; then
      $SUDO systemctl disable --now avahi-daemon.service avahi-daemon.socket >/dev/null 2>&1 || true
    fi
    if command -v systemctl >/dev/null 2>&1 && [[ " ${quiet[*]} " == *" ceph-mon "* ]]; then
      # Disable first (works on an offline systemd too), then stop whatever may have started.
      units=(ceph.target ceph-mon.target ceph-osd.target ceph-radosgw.target ceph-crash.service)
      $SUDO systemctl disable "${units[@]}" >/dev/null 2>&1 || true
      $SUDO systemctl stop "${units[@]}" >/dev/null 2>&1 || true
    fi
  fi
  : "$stamp"
fi

# The web app needs Node.js 20.19+ (Vite 7) and npm; Debian 12's own nodejs is 18, so a newer one
# (NodeSource's nodejs package, which ships npm) must already be there.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "setup: Node.js 20.19 or newer is needed for the web app (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing npm"
  $SUDO apt-get install -y -q --no-install-recommends npm
fi

# Debian's nginx and mpd packages start system services; tests and benchmarks run their own instances.
if command -v systemctl >/dev/null 2>&1; then
  for unit in nginx mpd mpd.socket coturn miniupnpd stun-server; do
    if systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit" 2>/dev/null; then
      $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
  done
fi
