"""The P2P mesh between real instances on 127.0.0.1: Bloom filters exchanged between peers and a distributed
search that asks only the peers whose filter matches (checked on the responders' side), peer exchange with
signed address records, and LAN discovery between network namespaces the test creates (our signed
multicast, and mDNS through Avahi daemons started inside those namespaces)."""
import json
import os
import re
import subprocess
import tempfile
import shutil
import time
import unittest

from harness import P2P_HYGIENE, Server, free_port
from test_p2p import p2p_env, wait_for


def make_track(path, title, artist, album):
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                    "-metadata", f"title={title}", "-metadata", f"artist={artist}", "-metadata", f"album={album}",
                    path], check=True)


class MeshTest(unittest.TestCase):
    def setUp(self):
        self.servers = []
        self.tmp = tempfile.mkdtemp(prefix="soundtime-mesh-")

    def tearDown(self):
        for s in self.servers:
            code, log = s.stop()
            self.assertEqual(code, 0, "server did not exit cleanly on SIGTERM:\n" + log[-3000:])
            self.assertNotIn("AddressSanitizer", log)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_node(self, tracks, extra_env=None):
        port = free_port()
        env = p2p_env(port)
        env.update(extra_env or {})
        s = Server(env=env)
        s.p2p_port = port
        if tracks:
            lib = os.path.join(s.dir, "library")
            os.makedirs(lib)
            for i, (title, artist, album) in enumerate(tracks):
                make_track(os.path.join(lib, f"{i:02}.flac"), title, artist, album)
            r = s.cli("import", lib)
            self.assertEqual(r.returncode, 0, r.stderr)
        s.start()
        s.token = s.setup_admin()["tokens"]["access_token"]
        s.node_id = s.get("/api/p2p/status").json["node_id"]
        self.servers.append(s)
        return s

    def link(self, a, b):
        """b adds a as a peer through the admin API."""
        r = b.post("/api/admin/p2p/peers", {"node_id": a.node_id, "address": f"127.0.0.1:{a.p2p_port}"}, token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["peer"]["is_online"], r)

    def status(self, s):
        return s.get("/api/p2p/status").json

    def peers(self, s):
        return {p["node_id"]: p for p in s.get("/api/admin/p2p/peers", token=s.token).json}


class BloomSearch(MeshTest):
    def test_search_reaches_only_the_peers_whose_filter_matches(self):
        a = self.start_node([("Crazy in Love", "Beyoncé", "Dangerously in Love"),
                             ("Halo", "Beyoncé", "I Am... Sasha Fierce")])
        b = self.start_node([("Rock, Paper", "The Stones", "Gravel"), ("Été Indien", "Joe Dassin", "L'Album")])
        c = self.start_node([("Quiet Song", "Nobody", "Nothing")])
        self.link(a, c)
        self.link(b, c)
        # C holds both filters once the links are up; A and B hold C's.
        wait_for(lambda: self.status(c)["peer_bloom_filters"] == 2, what="C to hold A's and B's filters")
        wait_for(lambda: self.status(a)["peer_bloom_filters"] >= 1, what="A to hold C's filter (and B's once peer exchange links them)")
        self.assertGreater(self.status(a)["bloom_terms"], 10)

        def answered():
            return self.status(a)["searches_answered"], self.status(b)["searches_answered"]

        base = answered()
        # Folded: "beyonce" matches "Beyoncé"; only A is asked.
        r = c.get("/api/p2p/search?q=beyonce")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(x["title"] for x in r.json["results"]), ["Crazy in Love", "Halo"])
        self.assertEqual({x["source_node"] for x in r.json["results"]}, {a.node_id})
        self.assertEqual(answered(), (base[0] + 1, base[1]))
        # Punctuation and diacritics: "rock" matches "Rock,", "ETE" matches "Été"; only B is asked.
        r = c.get("/api/p2p/search?q=rock")
        self.assertEqual([x["title"] for x in r.json["results"]], ["Rock, Paper"])
        r = c.get("/api/p2p/search?q=ETE%20indien")
        self.assertEqual([(x["title"], x["source_node"]) for x in r.json["results"]], [("Été Indien", b.node_id)])
        self.assertEqual(answered(), (base[0] + 1, base[1] + 2))
        # A prefix, as the local search matches it.
        r = c.get("/api/p2p/search?q=dassi")
        self.assertEqual([x["title"] for x in r.json["results"]], ["Été Indien"])
        self.assertEqual(answered(), (base[0] + 1, base[1] + 3))
        # No filter matches: nobody is asked. Every word must match: "halo stones" is on no single peer.
        self.assertEqual(c.get("/api/p2p/search?q=metallica").json["results"], [])
        self.assertEqual(c.get("/api/p2p/search?q=halo%20stones").json["results"], [])
        self.assertEqual(answered(), (base[0] + 1, base[1] + 3))
        st = self.status(c)
        self.assertGreaterEqual(st["search_peers_skipped"], 4)

        # /api/search?include_p2p=true carries the peers' hits beside the local ones.
        r = c.get("/api/search?q=halo&include_p2p=true")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([t["title"] for t in r.json["tracks"]], ["Halo"])  # C's replica of A's track
        self.assertEqual([(x["title"], x["source_node"]) for x in r.json["p2p_results"]], [("Halo", a.node_id)])
        self.assertNotIn("p2p_results", c.get("/api/search?q=halo").json)
        self.assertNotIn("p2p_results", c.get("/api/search?q=metallica&include_p2p=true").json)
        self.assertEqual(answered(), (base[0] + 2, base[1] + 3))

        # A catalogue change is in the filter soon (debounced) and reaches the peers: B's new track is found.
        lib = os.path.join(b.dir, "newlib")
        os.makedirs(lib)
        make_track(os.path.join(lib, "new.flac"), "Zebra Crossing", "Zed", "Zoo")
        # The CLI import writes to the same database while the server runs.
        r = b.cli("import", lib)
        self.assertEqual(r.returncode, 0, r.stderr)

        def found():
            res = c.get("/api/p2p/search?q=zebra").json["results"]
            return res if res else None
        res = wait_for(found, timeout=30, what="B's new track through its new filter")
        self.assertEqual([(x["title"], x["source_node"]) for x in res], [("Zebra Crossing", b.node_id)])
        self.assertEqual(self.status(a)["searches_answered"], base[0] + 2)


PEX = {"P2P_PEX_INTERVAL_SECONDS": "1"}


class PeerExchangeTest(MeshTest):
    def online(self, s):
        return {n: p for n, p in self.peers(s).items() if p["is_online"]}

    def test_peers_learn_each_other_through_signed_records(self):
        a = self.start_node([], PEX)
        b = self.start_node([("B Song", "B Artist", "B Album")], PEX)
        c = self.start_node([("C Song", "C Artist", "C Album")], PEX)
        self.link(a, b)
        self.link(a, c)
        # B and C only know A; A's records tell each where the other is, signed by the other.
        on_b = wait_for(lambda: (lambda p: p if c.node_id in p else None)(self.online(b)), what="B to learn C")
        self.assertEqual(on_b[c.node_id]["address"], f"127.0.0.1:{c.p2p_port}")
        on_c = wait_for(lambda: (lambda p: p if b.node_id in p else None)(self.online(c)), what="C to learn B")
        self.assertEqual(on_c[b.node_id]["address"], f"127.0.0.1:{b.p2p_port}")
        # Learned peers are full peers: their catalogues sync.
        wait_for(lambda: "C Song" in {t["title"] for t in b.get("/api/tracks?per_page=50", token=b.token).json["data"]},
                 what="C's track on B")
        # What was learned is kept: the peer table, and the signed records in the data directory.
        def saved():
            try:
                with open(os.path.join(b.dir, "p2p", "peer_records.json")) as f:
                    text = f.read()
            except FileNotFoundError:
                return None
            return text if c.node_id in text else None
        records = wait_for(saved, what="C's record saved on B")
        self.assertIn(f"127.0.0.1:{c.p2p_port}", records)
        self.assertIn("signature", records)

        # Without the hub, a restarted B still finds C: what it learned was persisted.
        self.servers.remove(a)
        code, _ = a.stop()
        self.assertEqual(code, 0)
        b.proc.send_signal(15)
        self.assertEqual(b.proc.wait(timeout=15), 0)
        b.log.close()
        b.start()
        wait_for(lambda: c.node_id in self.online(b), what="B, restarted, back online with C alone")
        self.assertNotIn(a.node_id, self.online(b))

    def test_blocked_and_non_friend_peers_are_never_accepted(self):
        a = self.start_node([], PEX)
        d = self.start_node([], PEX)
        c = self.start_node([], PEX)
        r = c.post("/api/admin/blocked-domains", {"domain": d.node_id, "reason": "test"}, token=c.token)
        self.assertEqual(r.status, 201, r)
        b = self.start_node([], dict(PEX, P2P_SHARING_MODE="friends", P2P_FRIENDS=f"{a.node_id},{d.node_id}"))
        for x in (b, c, d):
            self.link(a, x)
        # The friend is learned both ways (the positive control)...
        wait_for(lambda: d.node_id in self.online(b), what="B (friends mode) to learn its friend D")
        wait_for(lambda: b.node_id in self.online(d), what="D to learn B")
        # ...and C, which tried to verify B (B refuses non-friends), had its chance.
        wait_for(lambda: "did not answer" in c.read_log(), what="C to try B")
        time.sleep(2)
        self.assertNotIn(c.node_id, self.peers(b), "a non-friend was accepted in friends mode")
        self.assertNotIn(b.node_id, self.peers(c), "a peer that refused the verification was added")
        self.assertNotIn(d.node_id, self.peers(c), "a blocked peer was accepted")
        self.assertNotIn(c.node_id, self.peers(d), "a peer that blocks us was added")


def stop_process(p, timeout):
    """SIGTERM, then SIGKILL if it does not end within `timeout` seconds."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class NamespacePair(unittest.TestCase):
    """Two nodes in network namespaces created here, joined by a veth pair with a multicast route on it:
    nothing is sent on the machine's own interfaces. HTTP goes to each namespace's own loopback."""
    SUBNET = "10.213.7."
    TAG = "stm"

    def ip(self, *args):
        return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)

    def setUp(self):
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="soundtime-lan-")
        tag = f"{self.TAG}{os.getpid() % 100000}"
        self.ns = [f"{tag}a", f"{tag}b"]
        self.dev = ["v" + tag, "w" + tag]
        r = self.ip("netns", "add", self.ns[0])
        if r.returncode != 0:
            raise unittest.SkipTest(f"cannot create network namespaces here ({r.stderr.strip()})")
        self.addCleanup(self.ip, "netns", "del", self.ns[0])
        r = self.ip("netns", "add", self.ns[1])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(self.ip, "netns", "del", self.ns[1])
        # The veth pair is created inside the first namespace, its peer end moved straight into the second.
        steps = [["-n", self.ns[0], "link", "add", self.dev[0], "type", "veth", "peer", "name", self.dev[1],
                  "netns", self.ns[1]]]
        for i, (ns, dev) in enumerate(zip(self.ns, self.dev)):
            steps += [["-n", ns, "addr", "add", f"{self.SUBNET}{i + 1}/24", "dev", dev],
                      ["-n", ns, "link", "set", dev, "up"], ["-n", ns, "link", "set", "lo", "up"],
                      ["-n", ns, "route", "add", "224.0.0.0/4", "dev", dev]]
        for st in steps:
            r = self.ip(*st)
            self.assertEqual(r.returncode, 0, f"ip {' '.join(st)}: {r.stderr}")

    def tearDown(self):
        for p, log in self.procs:
            stop_process(p, 15)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def curl(self, ns, port, path):
        r = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "-m", "5", f"http://127.0.0.1:{port}{path}"],
                           capture_output=True, text=True, timeout=20)
        return json.loads(r.stdout) if r.returncode == 0 and r.stdout else None

    def start(self, i, extra=None):
        ns, port = self.ns[i], 18080
        data = os.path.join(self.tmp, f"node{i}")
        os.makedirs(data)
        env = dict(os.environ)
        # No Avahi daemon on the machine's own bus may be reached from here (it would publish on the real
        # network): the system bus is a socket that does not exist unless a test starts its own.
        env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + os.path.join(self.tmp, "no-bus")
        env.update({"PORT": str(port), "HOST": "127.0.0.1", "SOUNDTIME_DATA_DIR": data, "LOG_LEVEL": "info",
                    "JWT_SECRET": "lan-test-secret-0123456789abcdef0123", "SOUNDTIME_WEB_ROOT": os.path.join(data, "web"),
                    "P2P_ENABLED": "true", "P2P_BIND_HOST": f"{self.SUBNET}{i + 1}", "P2P_BIND_PORT": "11204",
                    "P2P_LAN_DISCOVERY": "true", "P2P_LAN_INTERFACE": f"{self.SUBNET}{i + 1}",
                    "P2P_LAN_INTERVAL_SECONDS": "1", "P2P_SYNC_INTERVAL_SECONDS": "1",
                    # Isolated namespaces (no route out), but these tests are about the LAN: no DHT, no mapping.
                    **P2P_HYGIENE})
        env.pop("DATABASE_URL", None)  # SQLite in the namespace: a PostgreSQL on the host's loopback is out of reach
        env.update(extra or {})
        with open(os.path.join(data, "server.log"), "wb") as log:
            p = subprocess.Popen(["ip", "netns", "exec", ns, os.environ.get("SOUNDTIME_BINARY", "build/soundtime"),
                                  "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append((p, os.path.join(data, "server.log")))
        st = wait_for(lambda: self.curl(ns, port, "/api/p2p/status"), what=f"node {i} to start")
        return st

    def graph_peers(self, i):
        g = self.curl(self.ns[i], 18080, "/api/p2p/network-graph") or {"nodes": []}
        return {n["id"]: n["online"] for n in g["nodes"] if n["node_type"] == "peer"}

    def log(self, i):
        return read_text(self.procs[i][1])


class LanDiscoveryTest(NamespacePair):

    def test_nodes_find_each_other_by_signed_multicast(self):
        a = self.start(0)
        b = self.start(1)
        self.assertTrue(a["lan_discovery_enabled"])
        wait_for(lambda: self.graph_peers(0).get(b["node_id"]), what="A to find B on the LAN")
        wait_for(lambda: self.graph_peers(1).get(a["node_id"]), what="B to find A on the LAN")
        st = self.curl(self.ns[0], 18080, "/api/p2p/status")
        self.assertGreaterEqual(st["lan_announcements_heard"], 1)
        self.assertGreaterEqual(st["lan_announcements_sent"], 1)
        log = self.log(0)
        self.assertIn(f"heard {b['node_id'][:8]} on the LAN at {self.SUBNET}2:11204 (multicast announcement)", log)
        # No Avahi daemon on the bus it is given: mDNS is skipped, saying why.
        self.assertFalse(st["mdns_enabled"])
        self.assertEqual(st["mdns_services_heard"], 0)
        self.assertIn("Avahi not available", log)
        for p, _ in self.procs:
            p.terminate()
            self.assertEqual(p.wait(timeout=15), 0)

    def test_a_blocked_node_heard_on_the_lan_is_not_added(self):
        b = self.start(1)
        a = self.start(0, {"P2P_SHARING_MODE": "friends", "P2P_FRIENDS": "f" * 64})
        # A hears B (its announcements arrive) but B is not a friend: never added. B adds A and pings it;
        # A refuses the link, so B does not count A as online either.
        wait_for(lambda: self.curl(self.ns[0], 18080, "/api/p2p/status")["lan_announcements_heard"] >= 2,
                 what="A to hear B")
        time.sleep(2)
        self.assertEqual(self.graph_peers(0), {})
        self.assertFalse(self.graph_peers(1).get(a["node_id"]))


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


def find_tool(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")


def private_bus_config(listen):
    """Debian's system bus configuration (its policies, including Avahi's) with our own socket, no user
    change, no pid file, no syslog and no service activation (nothing is started on demand)."""
    with open("/usr/share/dbus-1/system.conf") as f:
        conf = f.read()
    conf = re.sub(r"<user>.*?</user>|<fork/>|<pidfile>.*?</pidfile>|<syslog/>|<standard_system_servicedirs/>"
                  r"|<servicehelper>.*?</servicehelper>|<include if_selinux_enabled[^>]*>.*?</include>", "", conf)
    conf = re.sub(r"<listen>.*?</listen>", f"<listen>unix:path={listen}</listen>", conf)
    return conf.replace("<includedir>system.d</includedir>", "<includedir>/usr/share/dbus-1/system.d</includedir>")


class AvahiDiscoveryTest(NamespacePair):
    """mDNS through Avahi, with the real avahi-daemon and avahi-utils. Inside each namespace created here:
    a private system D-Bus (its socket in the test's temp dir) and an avahi-daemon on that bus, allowed
    only the namespace's veth end, in its own mount namespace with a tmpfs on /run (so each has its own
    /run/avahi-daemon and the machine's /run is untouched). Each node is given its namespace's bus and
    P2P_LAN_MULTICAST=false: our own announcements are off, so only Avahi can make them meet."""
    SUBNET = "10.213.8."
    TAG = "sta"

    def setUp(self):
        self.tools = {n: find_tool(n) for n in ("avahi-daemon", "avahi-publish", "avahi-browse", "dbus-daemon",
                                                 "unshare", "mount")}
        missing = [n for n, p in self.tools.items() if not p]
        if missing:
            raise unittest.SkipTest("not installed: " + ", ".join(missing) + " (scripts/setup.sh installs them)")
        if not os.path.exists("/usr/share/dbus-1/system.conf"):
            raise unittest.SkipTest("no /usr/share/dbus-1/system.conf to base a private system bus on")
        super().setUp()  # the namespaces (or SkipTest), removed by cleanups registered before ours
        self.run_dir = tempfile.mkdtemp(prefix="soundtime-avahi-")
        os.chmod(self.run_dir, 0o755)
        self.addCleanup(shutil.rmtree, self.run_dir, True)  # runs after the daemons below have stopped
        self.bus, self.avahi = [], []
        for i, ns in enumerate(self.ns):
            sock = os.path.join(self.run_dir, f"bus{i}")
            conf = os.path.join(self.run_dir, f"bus{i}.conf")
            with open(conf, "w") as f:
                f.write(private_bus_config(sock))
            self.daemon(i, "dbus", ["ip", "netns", "exec", ns, self.tools["dbus-daemon"], f"--config-file={conf}",
                                    "--nofork", "--nopidfile"], None)
            wait_for(lambda: os.path.exists(sock), what=f"the D-Bus of namespace {i}")
            self.bus.append("unix:path=" + sock)
        for i, ns in enumerate(self.ns):
            conf = os.path.join(self.run_dir, f"avahi{i}.conf")
            with open(conf, "w") as f:
                f.write(f"[server]\nhost-name={ns}\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces={self.dev[i]}\n"
                        "enable-dbus=yes\nratelimit-interval-usec=1000000\nratelimit-burst=1000\n"
                        "[wide-area]\nenable-wide-area=no\n"
                        # Without publish-aaaa-on-ipv4=no (Avahi's default is yes) a daemon also gives its
                        # veth's IPv6 link-local address over IPv4, and a resolved service may carry that
                        # address instead of the veth's IPv4 one (seen once in a full test run).
                        "[publish]\npublish-hinfo=no\npublish-workstation=no\npublish-aaaa-on-ipv4=no\n")
            script = (f"mount -t tmpfs -o mode=0755,size=1m soundtime-test-run /run && exec {self.tools['avahi-daemon']}"
                      f" --no-drop-root --no-chroot --no-rlimits --no-proc-title -f {conf}")
            p, log = self.daemon(i, "avahi", ["ip", "netns", "exec", ns, self.tools["unshare"], "--mount",
                                              "--propagation", "private", "sh", "-c", script], self.bus[i])
            self.avahi.append(p)
            wait_for(lambda: "Server startup complete" in read_text(log), what=f"avahi-daemon in namespace {i}",
                     timeout=30)

    def daemon(self, i, name, argv, bus):
        env = dict(os.environ)
        if bus:
            env["DBUS_SYSTEM_BUS_ADDRESS"] = bus
        log = os.path.join(self.run_dir, f"{name}{i}.log")
        with open(log, "wb") as out:
            p = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.addCleanup(self.end, p, log)
        return p, log

    def end(self, p, log):
        stop_process(p, 10)

    def browse(self, i):
        """What the namespace's own Avahi daemon sees of the service (avahi-browse on its bus)."""
        r = subprocess.run(["ip", "netns", "exec", self.ns[i], self.tools["avahi-browse"], "-prtk", "_soundtime-p2p._tcp"],
                           env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": self.bus[i]}, capture_output=True, text=True,
                           timeout=20)
        return [l for l in r.stdout.splitlines() if l.startswith("=;")]

    def status(self, i):
        return self.curl(self.ns[i], 18080, "/api/p2p/status") or {}

    def children(self, pid, name):
        """The processes named `name` whose parent is `pid`."""
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            if ppid == pid and comm == name[:15]:
                out.append(int(d))
        return out

    def test_nodes_find_each_other_through_avahi_only(self):
        env = lambda i: {"DBUS_SYSTEM_BUS_ADDRESS": self.bus[i], "P2P_LAN_MULTICAST": "false"}
        a = self.start(0, env(0))
        b = self.start(1, env(1))
        ids = [a["node_id"], b["node_id"]]
        for i in (0, 1):
            wait_for(lambda: self.status(i).get("mdns_enabled"), what=f"node {i} to publish through Avahi")
        wait_for(lambda: self.graph_peers(0).get(ids[1]), what="A to find B through Avahi")
        wait_for(lambda: self.graph_peers(1).get(ids[0]), what="B to find A through Avahi")
        for i in (0, 1):
            st = self.status(i)
            self.assertTrue(st["lan_discovery_enabled"])
            # Our multicast was off: nothing sent, nothing heard. Each resolved the other's mDNS service.
            self.assertEqual(st["lan_announcements_sent"], 0)
            self.assertEqual(st["lan_announcements_heard"], 0)
            self.assertGreaterEqual(st["mdns_services_heard"], 1)
            log = self.log(i)
            self.assertIn("LAN discovery by mDNS only", log)
            self.assertIn(f"mDNS service 'SoundTime {ids[i][:8]}' published through Avahi", log)
        # Whichever node found the other first logged how (the other may have been pinged by it first).
        heard = [f"heard {ids[1 - i][:8]} on the LAN at {self.SUBNET}{2 - i}:11204 (mDNS, through Avahi)" in self.log(i)
                 for i in (0, 1)]
        self.assertTrue(any(heard), self.log(0)[-2000:] + self.log(1)[-2000:])
        # The daemons themselves: each sees both services, at the veth addresses, with the NodeIds in TXT.
        seen = self.browse(1)
        for i in (0, 1):
            self.assertTrue(any(f";{self.SUBNET}{i + 1};11204;\"node_id={ids[i]}\"" in l for l in seen), seen)

        # Stopping a node ends its avahi-publish (withdrawing the service) and leaves no child behind.
        pid = self.procs[0][0].pid  # `ip netns exec` execs the server: same process
        publishers = self.children(pid, "avahi-publish")
        self.assertEqual(len(publishers), 1, publishers)
        self.procs[0][0].terminate()
        self.assertEqual(self.procs[0][0].wait(timeout=15), 0, self.log(0)[-3000:])
        self.assertFalse(os.path.exists(f"/proc/{publishers[0]}"), "avahi-publish outlived the server")
        wait_for(lambda: not any(f"node_id={ids[0]}" in l for l in self.browse(1)),
                 what="A's service to be withdrawn from B's Avahi cache")
        # B's daemon goes away: its avahi-publish exits and B says mDNS is off (retried later).
        self.avahi[1].terminate()
        self.assertEqual(self.avahi[1].wait(timeout=10), 0)
        wait_for(lambda: self.status(1).get("mdns_enabled") is False, what="B to notice that Avahi is gone")
        self.assertIn("p2p: mDNS stopped (avahi-publish: ", self.log(1))
        self.assertEqual(self.children(self.procs[1][0].pid, "avahi-publish"), [], "a dead avahi-publish left behind")
        self.procs[1][0].terminate()
        self.assertEqual(self.procs[1][0].wait(timeout=15), 0, self.log(1)[-3000:])


if __name__ == "__main__":
    unittest.main()
