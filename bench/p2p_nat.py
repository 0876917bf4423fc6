#!/usr/bin/env python3
"""Issue 13's figures, measured in the namespace NAT lab (tests/integration/nat_lab.py), ratios in the same run:

  1. time from a NodeId-only add to online, per pair (goal < 10 s each), with the path the link took:
       A->D  eim/eim              (ICE direct)      A->B  eim/symmetric   (TURN)
       B->F  symmetric/symmetric  (TURN)            pub->E  public -> miniupnpd home, E NOT seeded with pub
       B->C  symmetric -> forwarded home
  2. a 100 MB WAV (BLAKE3-verified ranges, sha256 compared here) held by A and played once, uncached, by D over
     ICE direct and by B over TURN, against kernel TCP through the same NAT: curl in A's home fetching the same
     file from nginx on pub (plain HTTP); goal >= 25 MB/s on either P2P path; ratio to kernel TCP. For reference,
     the node's own pipeline over a kernel TCP link through NATs: B plays another 100 MB track of C (direct_tcp).
  3. first byte of a remote play through TURN: A plays small tracks of B (not cached) over the turn_relay link;
     median of several (goal < 300 ms).

Every process runs inside a namespace the lab creates (198.18.0.0/24 "internet" with a blackhole default route,
10.0.N.0/24 homes), with the lab's own DHT swarm and coturn: nothing reaches the machine's network. A node is only
ever started in a lab host (start_node refuses anything else). Needs root, the lab's tools (see nat_lab.py),
ffmpeg, curl and nginx.

    sudo python3 bench/p2p_nat.py --binary build/soundtime        (or PARTS=nat bench/p2p.sh)
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import nat_lab  # noqa: E402
from nat_lab import NatLab, LabError, PUB_IP, P2P_PORT, HTTP_PORT, INET_PREFIX  # noqa: E402

HOMES = {"a": "eim", "b": "symmetric", "c": "forward", "d": "eim", "e": "upnp", "f": "symmetric"}
PAIRS = [("a", "d", "eim/eim"), ("a", "b", "eim/symmetric"), ("b", "f", "symmetric/symmetric"),
         ("pub", "e", "public -> upnp (E not seeded)"), ("b", "c", "symmetric -> forwarded")]
ONLINE_TIMEOUT = 60      # an add not online by then is reported as such
SETTLE_TIMEOUT = 120     # nodes linked to their seed and published on the DHT
TRANSFER_TIMEOUT = 600   # one 100 MB play
NGINX_PORT = 8088
MB = 1_000_000
MIB = 1 << 20


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except (OSError, LabError, KeyError, ValueError) as e:  # a field not there yet, a node busy
            last = f"{type(e).__name__}: {e}"
        else:
            if last:
                return last
        time.sleep(0.2)
    raise LabError(f"timed out after {timeout} s waiting for {what} (last: {str(last)[:500]})")


class Bench:
    def __init__(self, lab, binary, tmp):
        self.lab, self.binary, self.tmp = lab, binary, tmp
        self.hosts, self.nodes = {}, {}
        self.rows = []

    # --- refusal: a node only in a lab namespace, with lab-only services ---
    def start_node(self, name, env):
        # Peer exchange once an hour: a home must not learn another one through pub before it is added (the
        # lab's 5 s would have B linked to C, a dialable home, before B->C is timed).
        env = {"P2P_PEX_INTERVAL_SECONDS": "3600", **env}
        host = self.hosts[name]
        if host.ns not in self.lab.namespaces or not host.ns.startswith(self.lab.tag + "-"):
            raise LabError(f"refusing to start a node outside the lab: {host!r}")
        node = nat_lab.LabNode(self.lab, host, self.binary, env, name)
        boot = node.env.get("P2P_DHT_BOOTSTRAP", "")
        lab_only = boot and all(b.startswith(INET_PREFIX) for b in boot.split(","))
        if not lab_only and node.env.get("P2P_DHT_DISCOVERY") != "false":
            raise LabError(f"refusing to start {name}: DHT bootstrap {boot!r} is not the lab's swarm")
        for k in ("P2P_STUN_SERVERS", "P2P_TURN_SERVERS"):
            for s in filter(None, node.env.get(k, "").split(",")):
                if not s.rsplit("@", 1)[-1].startswith(INET_PREFIX):
                    raise LabError(f"refusing to start {name}: {k}={s} is outside the lab")
        if node.env.get("P2P_PORT_MAPPING") == "true" and host.kind != "home":
            raise LabError(f"refusing to start {name}: port mapping outside a lab home")
        self.nodes[name] = node.start()
        return node

    def curl(self, name, url, out, token=None, timeout=TRANSFER_TIMEOUT):
        """curl inside `name`'s namespace; returns (time to first byte, total time) in seconds."""
        argv = ["curl", "-sS", "-f", "--max-time", str(timeout), "-o", out, "-w", "%{time_starttransfer} %{time_total}"]
        if token:
            argv += ["-H", f"Authorization: Bearer {token}"]
        r = self.lab.run(self.hosts[name], argv + [url], timeout=timeout + 10)
        if r.returncode != 0:
            raise LabError(f"curl in {name} {url}: exit {r.returncode} {r.stderr.strip()}")
        first, total = (float(x) for x in r.stdout.split())
        return first, total

    def play(self, name, track_id, out):
        n = self.nodes[name]
        return self.curl(name, f"http://127.0.0.1:{HTTP_PORT}/api/tracks/{track_id}/stream", out, token=n.token)

    def report(self, name, value, unit, goal, ratio=""):
        line = f"{name:<58} {value:>10} {unit:<5} goal {goal:<10} {ratio}"
        self.rows.append(line)
        print(line, flush=True)

    # --- lab ---
    def build(self, small_tracks):
        lab = self.lab
        self.hosts["pub"] = lab.public("pub")
        for name, nat in HOMES.items():
            self.hosts[name] = lab.home(name, nat=nat)
        lab.start_turn()
        lab.start_dht_swarm(6)
        pub = self.start_node("pub", {})
        seed = f"{pub.node_id}@{PUB_IP}:{P2P_PORT}"
        for name in HOMES:
            # E is not seeded: pub reaches it by NodeId alone (its record on the DHT, its UPnP mapping).
            env = {"P2P_PORT_MAPPING": "true", "P2P_LAB_ALLOW_RESERVED": "true"} if name == "e" else \
                {"P2P_SEED_PEERS": seed}
            self.start_node(name, env)
        for name, node in self.nodes.items():
            setup_admin(node)
        # The 100 MB track on A; small tracks on B for the first-byte figure.
        self.big = os.path.join(self.tmp, "big.wav")
        ffmpeg("anoisesrc=duration=600:sample_rate=44100:amplitude=0.5", self.big, "Big Noise", "Lab A")
        self.big_sha = sha256_file(self.big)
        self.big_size = os.path.getsize(self.big)
        self.nodes["a"].upload(self.big)
        titles = [t["title"] for t in self.nodes["a"].get("/api/tracks?per_page=100").json["data"]]
        self.big_title = next(t for t in titles if t.lower().startswith("big"))
        # Another 100 MB on C (other bytes, so nothing is served from a cache): the node's own pipeline over
        # kernel TCP through NATs (B -> C, a direct_tcp link), to tell the ICE transport from the rest.
        self.big2 = os.path.join(self.tmp, "big2.wav")
        ffmpeg("anoisesrc=duration=600:sample_rate=44100:amplitude=0.5:seed=7", self.big2, "Big Noise Two", "Lab C")
        self.big2_sha = sha256_file(self.big2)
        self.nodes["c"].upload(self.big2)
        titles = [t["title"] for t in self.nodes["c"].get("/api/tracks?per_page=100").json["data"]]
        self.big2_title = next(t for t in titles if t.lower().startswith("big"))
        self.small = []
        for i in range(small_tracks):
            f = os.path.join(self.tmp, f"b-small-{i}.flac")
            ffmpeg(f"anoisesrc=duration=8:sample_rate=44100:amplitude=0.5:color=pink:seed={70 + i}", f, f"B Small {i}", "Lab B")
            self.nodes["b"].upload(f)
            self.small.append(f"B Small {i}")

    def settle(self):
        """Before any add: every home seeded with pub is online with it, every node has published its record,
        C's forwarded address is proven and E's mapping is active (so what is timed is the add, not a start)."""
        t0 = time.monotonic()
        for name in HOMES:
            if name != "e":
                wait_for(lambda: self.online(name, "pub"), SETTLE_TIMEOUT, f"{name} online with pub")
        for name in self.nodes:
            wait_for(lambda: self.reach(name)["dht"].get("last_publish_stored", 0) >= 1, SETTLE_TIMEOUT,
                     f"{name}'s record stored on the DHT")
        c_pub = f"{self.hosts['c'].public_ip}:{P2P_PORT}"
        wait_for(lambda: c_pub in self.reach("c")["published_addresses"], SETTLE_TIMEOUT, "C's forwarded address published")
        wait_for(lambda: self.reach("e")["port_mapping"].get("active"), SETTLE_TIMEOUT, "E's port mapping active")
        log(f"lab settled in {time.monotonic() - t0:.1f} s; E publishes {self.reach('e')['published_addresses']}")

    def reach(self, name):
        return self.nodes[name].status()["reachability"]

    def peer(self, x, y):
        return self.nodes[x].peers().get(self.nodes[y].node_id)

    def online(self, x, y):
        p = self.peer(x, y)
        return p if p and p.get("is_online") else None

    # --- 1. NodeId-only add -> online ---
    def time_to_online(self):
        for x, y, kind in PAIRS:
            before = self.peer(x, y)
            if before:
                log(f"note: {x} already held {y} before the add (path {before.get('path')}, online {before.get('is_online')})")
            t0 = time.monotonic()
            r = self.nodes[x].post("/api/admin/p2p/peers", {"node_id": self.nodes[y].node_id})
            if r.status not in (200, 201):
                raise LabError(f"{x} adding {y} by NodeId: {r}")
            try:
                p = wait_for(lambda: self.online(x, y), ONLINE_TIMEOUT, f"{x} to see {y} online")
                t1 = time.monotonic() - t0
                wait_for(lambda: self.online(y, x), ONLINE_TIMEOUT, f"{y} to see {x} online")
                t2 = time.monotonic() - t0
                self.report(f"add by NodeId -> online {x.upper()}->{y.upper()} {kind}", f"{t1:.2f}", "s", "< 10 s",
                            f"path {p.get('path')}; both sides online after {t2:.2f} s"
                            + (" (already held before the add)" if before else ""))
            except LabError:
                p = self.peer(x, y) or {}
                self.report(f"add by NodeId -> online {x.upper()}->{y.upper()} {kind}", f">{ONLINE_TIMEOUT}", "s", "< 10 s",
                            f"NOT online: {p.get('unreachable_reason') or p.get('last_error') or p}")

    # --- 2. 100 MB ---
    def remote_id(self, x, y, title):
        def find():
            r = self.nodes[x].get("/api/admin/remote-tracks")
            if r.status != 200:
                return None
            for c in r.json:
                if c.get("instance_domain") == "p2p://" + self.nodes[y].node_id and c["title"] == title and c.get("local_track_id"):
                    return c["local_track_id"]
            return None
        return wait_for(find, 120, f"{y}'s '{title}' listed on {x}")

    def transfer(self):
        out = os.path.join(self.tmp, "got.wav")
        results = {}
        plays = (("d", "a", "ICE direct", self.big_title, self.big_sha), ("b", "a", "TURN relay", self.big_title, self.big_sha),
                 ("b", "c", "kernel TCP link", self.big2_title, self.big2_sha))
        for player, holder, path_name, title, sha in plays:
            p = self.online(player, holder)
            if not p:
                self.report(f"100 MB play {holder.upper()}->{player.upper()} ({path_name})", "n/a", "MB/s", ">= 25", "not linked")
                continue
            tid = self.remote_id(player, holder, title)
            first, total = self.play(player, tid, out)
            ok = sha256_file(out) == sha
            os.remove(out)
            if not ok:
                raise LabError(f"{player} played {holder}'s 100 MB track with different bytes")
            fetch = fetched_ms(self.nodes[player].read_log())
            results[path_name] = (total, p.get("path"), fetch, player, holder)
        # Kernel TCP through A's NAT: nginx on pub, curl in A's home (to a file, as the node caches it). Best of 3.
        www = os.path.join(self.tmp, "www")
        os.makedirs(www, exist_ok=True)
        os.link(self.big, os.path.join(www, "big.wav"))
        start_nginx(self.lab, self.hosts["pub"], www, os.path.join(self.tmp, "nginx"))
        url = f"http://{PUB_IP}:{NGINX_PORT}/big.wav"
        wait_for(lambda: self.lab.run(self.hosts["a"], ["curl", "-sf", "-r", "0-0", "-o", "/dev/null", url]).returncode == 0,
                 20, "nginx on pub")
        kernel = []
        for _ in range(3):
            kernel.append(self.curl("a", url, out)[1])
            ok = sha256_file(out) == self.big_sha
            os.remove(out)
            if not ok:
                raise LabError("curl got different bytes from nginx")
        k = min(kernel)
        k_rate = self.big_size / MB / k
        mib = self.big_size / MIB
        self.report(f"kernel TCP: curl in A's home <- nginx on pub ({mib:.0f} MiB, best of 3)", f"{k_rate:.1f}", "MB/s",
                    "reference", f"{k:.2f} s")
        tcp_link = results.get("kernel TCP link")
        for path_name in ("kernel TCP link", "ICE direct", "TURN relay"):
            if path_name not in results:
                continue
            total, path, fetch, player, holder = results[path_name]
            rate = self.big_size / MB / total
            vs_link = f"; {tcp_link[0] / total:.2f}x the node over its kernel TCP link" \
                if tcp_link and path_name != "kernel TCP link" else ""
            self.report(f"100 MB play {holder.upper()}->{player.upper()} uncached ({path_name}, path {path})", f"{rate:.1f}",
                        "MB/s", ">= 25", f"ratio to kernel TCP {rate / k_rate:.2f}x{vs_link}; {total:.2f} s to the last "
                        f"byte, sha256 identical" + (f"; node log: fetched+verified in {fetch / 1000:.2f} s" if fetch else ""))

    # --- 3. first byte through TURN ---
    def first_byte(self):
        p = self.online("a", "b")
        if not p or p.get("path") != "turn_relay":
            log(f"note: A->B path is {p and p.get('path')}, not turn_relay")
        out = os.path.join(self.tmp, "small.out")
        times = []
        for title in self.small:
            tid = self.remote_id("a", "b", title)
            first, _ = self.play("a", tid, out)
            os.remove(out)
            times.append(first * 1000)
        med = statistics.median(times)
        self.report(f"first byte of a remote play A<-B (path {p and p.get('path')}, median of {len(times)})", f"{med:.0f}",
                    "ms", "< 300 ms", "each: " + ", ".join(f"{t:.0f}" for t in times))


def setup_admin(node):
    """As LabNode.setup_admin, with an upload limit that lets the 100 MB track in."""
    r = node.post("/api/setup/admin", {"username": "admin", "email": "admin@example.org", "password": "admin-password-1"})
    if r.status != 201:
        raise LabError(f"{node.name}: admin setup: {r}")
    node.token = r.json["tokens"]["access_token"]
    for path, body in (("/api/setup/instance", {"instance_name": f"Bench {node.name}", "instance_description": "NAT bench"}),
                       ("/api/setup/complete", {"p2p_enabled": True, "open_registrations": False,
                                                "max_upload_size_mb": 200})):
        r = node.post(path, body)
        if r.status != 200:
            raise LabError(f"{node.name}: {path}: {r}")


def ffmpeg(source, out, title, artist):
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-ac", "2",
                    "-metadata", f"title={title}", "-metadata", f"artist={artist}", "-metadata", f"album={artist} Album", out],
                   check=True, timeout=300)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetched_ms(text):
    import re
    m = re.findall(r"fetched and verified .* in (\d+) ms", text)
    return int(m[-1]) if m else None


def start_nginx(lab, host, root, d):
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  sendfile on;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  server {{ listen {PUB_IP}:{NGINX_PORT}; root {root}; }}
}}
""")
    lab.popen(host, [nat_lab.tool("nginx"), "-c", conf, "-g", "daemon off;"], log=os.path.join(d, "stdout.log"), name="nginx")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "soundtime"))
    ap.add_argument("--small-tracks", type=int, default=7, help="tracks played for the first-byte median")
    ap.add_argument("--keep-logs", help="copy the lab's logs here")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    why = nat_lab.missing_requirements(upnp=True, turn=True, dht=True)
    why += [f"{t} is not installed" for t in ("ffmpeg", "curl", "nginx") if not nat_lab.tool(t)]
    if not os.access(binary, os.X_OK):
        why.append(f"no soundtime binary at {binary}")
    if why:
        print("p2p_nat: cannot run: " + "; ".join(why), file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="soundtime-bench-nat-")
    os.chmod(tmp, 0o755)
    lab = NatLab(prefix="stbench", keep_workdir=bool(args.keep_logs))
    b = None
    try:
        lab.start()
        b = Bench(lab, binary, tmp)
        t0 = time.monotonic()
        b.build(args.small_tracks)
        b.settle()
        print(f"NAT lab: pub (public, rendezvous) + homes {', '.join(f'{k.upper()} {v}' for k, v in HOMES.items())}; "
              f"coturn on pub; 6-node libtorrent DHT swarm; binary {binary}", flush=True)
        b.time_to_online()
        b.transfer()
        b.first_byte()
        log(f"bench took {time.monotonic() - t0:.0f} s")
    finally:
        for n in (b.nodes.values() if b else ()):
            n.stop()
        lab.close()
        if args.keep_logs:  # the logs only (the lab dir also holds the nodes' databases and 100 MB caches)
            shutil.copytree(lab.dir, args.keep_logs, dirs_exist_ok=True,
                            ignore=lambda d, names: [n for n in names if not n.endswith(".log")
                                                     and not os.path.isdir(os.path.join(d, n))])
            shutil.rmtree(lab.dir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
