"""Issue 13 end to end, in the namespace NAT lab (nat_lab.py): peers added by NodeId alone link through any
NAT (endpoint-independent, symmetric, forwarded, miniupnpd), sync their catalogues and play each other's
tracks with identical bytes; the path in use, the reachability status and the addresses held are what the
contract (notes/contract.md) says; the records published on the DHT are readable by libtorrent.

One lab and seven nodes for the whole class (setUpClass):
    pub (public, P2P_RENDEZVOUS=true)   A eim   B symmetric   C forward   D eim   E upnp (+port mapping)   F symmetric
every home seeded with pub as NodeId@198.18.0.10:11204. Every wait is bounded (LINK_TIMEOUT).

Run (as root; ~2 min when everything links):
    python3 tests/integration/run.py --binary build/soundtime --engine sqlite -k test_p2p_nat
    cd tests/integration && SOUNDTIME_BINARY=$PWD/../../build/soundtime python3 -m unittest -v test_p2p_nat"""
import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import nat_lab
from nat_lab import NatLab, PUB_IP, P2P_PORT, LabError

RUN_ONCE = True  # SQLite inside the namespaces: run.py runs this module on the first engine only
LINK_TIMEOUT = 60
HOMES = {"a": "eim", "b": "symmetric", "c": "forward", "d": "eim", "e": "upnp", "f": "symmetric"}


def wait_for(predicate, timeout=LINK_TIMEOUT, what="condition", detail=None):
    """Polls predicate until truthy; on timeout fails saying what was awaited, the last value and detail()."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = predicate()
        except (OSError, LabError, KeyError, ValueError) as e:  # a node restarting, a field not there yet
            last = f"{type(e).__name__}: {e}"
        else:
            if last:
                return last
        time.sleep(0.5)
    extra = ""
    if detail:
        try:
            extra = "\n" + detail()
        except Exception as e:  # the detail is best effort
            extra = f"\n(detail unavailable: {e})"
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r}){extra}")


def make_tracks(d, who, seed):
    """A tagged 3 s MP3 tone and a 20 s FLAC of pink noise (several 1 MiB ranges), unique per node."""
    mp3, flac = os.path.join(d, f"{who}-tone.mp3"), os.path.join(d, f"{who}-noise.flac")
    tags = lambda title: ["-metadata", f"title={title}", "-metadata", f"artist=Lab {who.upper()}",
                          "-metadata", f"album=Lab {who.upper()} Album"]
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency={300 + 40 * seed}:duration=3", "-ac", "2", *tags(f"{who.upper()} Tone"), mp3],
                   check=True, timeout=60)
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"anoisesrc=duration=20:sample_rate=44100:amplitude=0.5:color=pink:seed={1000 + seed}", "-ac", "2",
                    *tags(f"{who.upper()} Noise"), flac], check=True, timeout=60)
    return mp3, flac


ZB32 = "ybndrfg8ejkmcpqxot1uwisza345h769"


def zbase32(data):
    """z-base-32 (pkarr's encoding of a public key: 52 characters for 32 bytes)."""
    bits = int.from_bytes(data, "big")
    n = len(data) * 8
    out = []
    for i in range(0, n, 5):
        shift = n - i - 5
        chunk = (bits >> shift) & 31 if shift >= 0 else (bits << -shift) & 31
        out.append(ZB32[chunk])
    return "".join(out)


def dns_txt_packet(name_labels, texts, ttl=300):
    """A DNS response with one TXT record per string, all at `name_labels` (no compression)."""
    name = b"".join(bytes([len(l)]) + l for l in name_labels) + b"\x00"
    out = bytes.fromhex("0000" "8400" "0000") + len(texts).to_bytes(2, "big") + bytes(4)
    for t in texts:
        t = t.encode()
        rdata = bytes([len(t)]) + t
        out += name + (16).to_bytes(2, "big") + (1).to_bytes(2, "big") + ttl.to_bytes(4, "big") + \
            len(rdata).to_bytes(2, "big") + rdata
    return out


NOT_PUBLIC = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                                                 "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8")]


def private_or_local(addr):
    """True for an address nobody outside its LAN can use (the lab's 198.18/15 "internet" is public here)."""
    host = addr.rsplit(":", 1)[0].strip("[]")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if ip.version == 6:
        return ip.is_loopback or ip.is_link_local or ip.is_private and not ip in ipaddress.ip_network("2001:db8::/32")
    return any(ip in n for n in NOT_PUBLIC)


class P2pAcrossNats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = nat_lab.missing_requirements(upnp=True, turn=True, dht=True, soundtime=True)
        if not nat_lab.tool("ffmpeg"):
            why.append("ffmpeg is not installed")
        if why:
            raise unittest.SkipTest("NAT lab unavailable: " + "; ".join(why))
        cls.tmp = tempfile.mkdtemp(prefix="soundtime-p2pnat-")
        cls.lab = NatLab(prefix="stnat")
        try:
            cls._build()
        except BaseException:
            cls.lab.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def _build(cls):
        lab = cls.lab
        lab.start()
        cls.hosts = {"pub": lab.public("pub")}
        for name, nat in HOMES.items():
            cls.hosts[name] = lab.home(name, nat=nat)
        lab.start_turn()
        lab.start_dht_swarm(6)
        cls.nodes, cls.files = {}, {}
        for i, name in enumerate(["pub", *HOMES]):
            cls.files[name] = make_tracks(cls.tmp, name, i)
        pub = cls.nodes["pub"] = lab.start_soundtime(cls.hosts["pub"])
        seed = f"{pub.node_id}@{PUB_IP}:{P2P_PORT}"
        for name in HOMES:
            env = {"P2P_SEED_PEERS": seed}
            if name == "e":
                env.update(P2P_PORT_MAPPING="true", P2P_LAB_ALLOW_RESERVED="true")
            cls.nodes[name] = lab.start_soundtime(cls.hosts[name], env=env)
        for name, node in cls.nodes.items():
            node.setup_admin()
            for f in cls.files[name]:
                node.upload(f)
        cls.own = {}  # name -> {title: local track id}
        for name, node in cls.nodes.items():
            r = node.get("/api/tracks?per_page=100")
            cls.own[name] = {t["title"]: t["id"] for t in r.json["data"]}
            assert {f"{name.upper()} Tone", f"{name.upper()} Noise"} <= set(cls.own[name]), (name, r)
        cls.digests = {}

    @classmethod
    def tearDownClass(cls):
        bad = []
        for name, node in getattr(cls, "nodes", {}).items():
            code, log = node.stop()
            if code != 0:
                bad.append(f"{name} exited {code} on SIGTERM:\n{log[-2000:]}")
            if "AddressSanitizer" in log or "runtime error:" in log:
                bad.append(f"{name}: sanitizer report:\n{log[-3000:]}")
        cls.lab.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if bad:
            raise AssertionError("\n".join(bad))

    # --- helpers ---
    def n(self, name):
        return self.nodes[name]

    def peer(self, x, y):
        """x's peer object for y (None if x does not hold y)."""
        return self.n(x).peers().get(self.n(y).node_id)

    def describe(self, x, y):
        """What x knows of y, and the tails of both logs: the message of a failed wait."""
        out = []
        for a, b in ((x, y), (y, x)):
            try:
                out.append(f"{a}'s peer object for {b}: {json.dumps(self.peer(a, b))}")
            except Exception as e:
                out.append(f"{a}'s peer list unavailable: {e}")
        for a in (x, y):
            out.append(f"--- last log lines of {a}:\n" + "\n".join(self.n(a).read_log().splitlines()[-15:]))
        return "\n".join(out)

    def online(self, x, y):
        p = self.peer(x, y)
        return p if p and p.get("is_online") else None

    def remote_titles(self, x, y):
        """Titles of y's tracks that x lists as remote copies from y."""
        r = self.n(x).get("/api/admin/remote-tracks")
        if r.status != 200:
            return set()
        return {c["title"]: c for c in r.json if c.get("instance_domain") == "p2p://" + self.n(y).node_id}

    def stream_digest(self, x, track_id):
        r = self.n(x).get(f"/api/tracks/{track_id}/stream", timeout=90)
        self.assertEqual(r.status, 200, f"{x}: stream of {track_id}: {r}")
        return hashlib.sha256(r.body).hexdigest(), len(r.body)

    def own_digest(self, y):
        if y not in self.digests:
            self.digests[y] = self.stream_digest(y, self.own[y][f"{y.upper()} Noise"])
        return self.digests[y]

    def add_by_node_id(self, x, y):
        r = self.n(x).post("/api/admin/p2p/peers", {"node_id": self.n(y).node_id})
        self.assertIn(r.status, (200, 201), f"{x} adding {y} by NodeId alone: {r}")
        peer = r.json.get("peer", r.json)
        self.assertEqual(peer.get("node_id"), self.n(y).node_id, r)
        return peer

    def check_pair(self, x, y, path=None, not_path=None):
        """x adds y by NodeId alone; then both online, catalogues synced both ways, each plays the other's FLAC."""
        self.add_by_node_id(x, y)
        for a, b in ((x, y), (y, x)):
            wait_for(lambda: self.online(a, b), what=f"{a} to see {b} online", detail=lambda: self.describe(x, y))
        for a, b in ((x, y), (y, x)):
            want = {f"{b.upper()} Tone", f"{b.upper()} Noise"}
            copies = wait_for(lambda: (lambda c: c if want <= set(c) else None)(self.remote_titles(a, b)),
                              what=f"{b}'s two tracks listed as remote on {a}", detail=lambda: self.describe(x, y))
            local_id = copies[f"{b.upper()} Noise"]["local_track_id"]
            self.assertTrue(local_id, copies)
            got = self.stream_digest(a, local_id)
            self.assertEqual(got, self.own_digest(b), f"{a} played {b}'s FLAC with different bytes")
        for a, b in ((x, y), (y, x)):
            p = self.online(a, b)
            self.assertIn("path", p, f"{a}'s peer object for {b} has no path: {p}")
            if path:
                self.assertEqual(p["path"], path, f"{a}->{b}: {p}")
            if not_path:
                self.assertNotIn(p["path"], not_path, f"{a}->{b}: {p}")
        return self.peer(x, y)

    def reachability(self, name):
        st = self.n(name).status()
        self.assertIn("reachability", st, f"{name}: /api/p2p/status has no reachability: {st}")
        return st["reachability"]

    # --- tests (named in the order they run: pairs first, then what their links left behind) ---
    def test_00_a_malformed_node_id_is_refused(self):
        for bad in ("xyz", "g" * 64, "ab" * 31, f"{'ab' * 32}@nowhere"):
            r = self.n("a").post("/api/admin/p2p/peers", {"node_id": bad})
            self.assertEqual(r.status, 400, f"{bad!r}: {r}")
            err = r.json.get("error", "")
            self.assertTrue(re.search(r"node ?id|64 hex|host:port", err, re.I), f"{bad!r}: unclear error {err!r}")

    def test_01_every_home_links_to_its_seed_rendezvous(self):
        for name in HOMES:
            wait_for(lambda: self.online(name, "pub"), what=f"{name} online with pub (seed)",
                     detail=lambda: self.describe(name, "pub"))
            wait_for(lambda: self.online("pub", name), what=f"pub to see {name} online",
                     detail=lambda: self.describe("pub", name))

    def test_10_eim_and_symmetric_link_through_turn(self):
        self.check_pair("a", "b", path="turn_relay")

    def test_11_two_eim_homes_link_without_a_relay(self):
        self.check_pair("a", "d", not_path=("turn_relay", None))

    def test_12_two_symmetric_homes_link_through_turn(self):
        self.check_pair("b", "f", path="turn_relay")

    def test_13_symmetric_home_links_to_a_forwarded_home(self):
        self.check_pair("b", "c", not_path=(None,))

    def test_14_public_node_links_to_the_upnp_home_through_its_mapping(self):
        self.check_pair("pub", "e", not_path=(None, "turn_relay"))
        pm = wait_for(lambda: (lambda m: m if m.get("active") else None)(self.reachability("e")["port_mapping"]),
                      what="E's port mapping to be active")
        e = self.hosts["e"]
        self.assertTrue(pm["enabled"], pm)
        self.assertIn(pm["protocol"], ("pcp", "natpmp", "upnp"), pm)
        self.assertTrue((pm["external"] or "").startswith(e.public_ip + ":"), pm)
        self.assertFalse(pm["double_nat"], pm)
        # Mapped, then proven by a dial-back, then published; pub holds it as a candidate for E.
        external = pm["external"]
        wait_for(lambda: external in self.reachability("e")["proven_addresses"], what="E's mapped address proven")
        self.assertIn(external, self.reachability("e")["published_addresses"])
        cands = {c["address"] for c in self.peer("pub", "e").get("candidates", [])}
        self.assertIn(external, cands, f"pub's candidates for E: {cands}")
        # The router really maps it (miniupnpd's rules in the legacy nat table).
        rules = self.lab.run(e.router, ["iptables-legacy", "-t", "nat", "-S", "MINIUPNPD"]).stdout
        self.assertIn(f"--dport {external.rsplit(':', 1)[1]} -j DNAT", rules)

    def test_15_public_node_adds_an_eim_home_by_node_id(self):
        self.check_pair("pub", "a", not_path=(None,))

    def test_20_stored_addresses_never_flap(self):
        watched = [("pub", h) for h in HOMES] + [("a", "pub"), ("a", "b"), ("a", "d"), ("b", "f")]
        seen = {w: [] for w in watched}
        end = time.time() + 15
        while time.time() < end:
            lists = {x: self.n(x).peers() for x in {w[0] for w in watched}}
            for x, y in watched:
                p = lists[x].get(self.n(y).node_id)
                seen[(x, y)].append(p.get("address") if p else None)
            time.sleep(0.5)
        for (x, y), samples in seen.items():
            changes = sum(1 for u, v in zip(samples, samples[1:]) if u != v)
            self.assertEqual(changes, 0, f"{x}'s stored address for {y} changed {changes} times in 15 s: {samples}")

    def test_21_reachability_status(self):
        pub_id = self.n("pub").node_id
        names = ["pub", *HOMES]

        def dht_ok():
            st = {name: self.reachability(name)["dht"] for name in names}
            lacking = {n: d for n, d in st.items() if not (d.get("routing_table_size", 0) > 0 and d.get("last_publish"))}
            return st if not lacking else None
        wait_for(dht_ok, what="every node to have a DHT routing table and a publish",
                 detail=lambda: json.dumps({n: self.reachability(n)["dht"] for n in names}))
        forwarded = 0
        for name in names:
            re_ = self.reachability(name)
            forwarded += re_["signals_forwarded"]
            self.assertTrue(re_["dht"]["enabled"], re_)
            self.assertGreaterEqual(re_["dht"]["last_publish_stored"], 1, re_)
            self.assertIn(f"{PUB_IP}:{self.lab.turn['port']}", re_["turn_servers"], re_)
            for a in re_["published_addresses"] + re_["proven_addresses"]:
                self.assertFalse(private_or_local(a), f"{name} publishes a private address: {re_}")
            if name == "pub":
                self.assertTrue(re_["rendezvous_offered"], re_)
                self.assertIn(f"{PUB_IP}:{P2P_PORT}", re_["published_addresses"], re_)
            else:
                self.assertFalse(re_["rendezvous_offered"], re_)
                self.assertIn(pub_id, re_["rendezvous_peers"], re_)
            if name != "e":
                self.assertFalse(re_["port_mapping"]["active"], re_)
        # Nobody can dial A's router at 11204 (no mapping, no forward): A must not claim it.
        self.assertNotIn(f"{self.hosts['a'].public_ip}:{P2P_PORT}", self.reachability("a")["published_addresses"])
        # Someone (pub, or a common peer) forwarded the signals of the NAT-to-NAT pairs.
        self.assertGreater(forwarded, 0, "no node forwarded a signal, yet NAT-to-NAT pairs linked")

    def test_22_no_node_holds_a_private_address_for_a_peer(self):
        for name in ["pub", *HOMES]:
            own_lan = self.hosts[name].lan
            own_net = ipaddress.ip_network(own_lan) if own_lan else None
            peers = self.n(name).peers()
            for pid, p in peers.items():
                addrs = [p.get("address")] + [c.get("address") for c in p.get("candidates") or []]
                for a in filter(None, addrs):
                    # No two nodes of this lab share a LAN: a private address held for any peer is wrong
                    # (another home's, useless; or our own, which reaches ourselves).
                    self.assertFalse(private_or_local(a), f"{name} holds {a} for peer {pid[:8]}: a private address ({p})")
            records = os.path.join(self.n(name).dir, "p2p", "peer_records.json")
            if os.path.exists(records):
                with open(records) as f:
                    text = f.read()
                for m in re.finditer(r"(?<![\d.])(10\.\d+\.\d+\.\d+|127\.\d+\.\d+\.\d+|169\.254\.\d+\.\d+)", text):
                    ip = ipaddress.ip_address(m.group(1))
                    self.assertTrue(own_net is not None and ip in own_net,
                                    f"{name}'s stored peer records carry {ip} (not its LAN)")

    def test_30_libtorrent_reads_and_verifies_a_nodes_record(self):
        a = self.n("a")
        key = bytes.fromhex(a.node_id)
        got = wait_for(lambda: (lambda g: g if g["found"] else None)(self.lab.dht_get_mutable(key, timeout=10)),
                       what="A's record through libtorrent's dht_get_mutable_item")
        self.assertEqual(got["target"], hashlib.sha1(key).hexdigest())
        v = bytes.fromhex(got["v_hex"] or "")
        self.assertLessEqual(len(v), 1000, "a BEP 44 value is at most 1000 bytes")
        self.assertIn(b"_soundtime", v, v)
        self.assertIn(zbase32(key).encode(), v, "the record names A's z-base-32 key")
        self.assertGreater(got["seq"], 1_600_000_000_000_000, "seq is a timestamp in microseconds (pkarr)")

    def test_31_a_node_resolves_a_record_libtorrent_put(self):
        # A record for a key no node holds, in the format of p2p-reachability.md §6.1, put by libtorrent: the
        # node resolving that NodeId lists the record's address as a candidate learned from the DHT.
        # (libtorrent's Python binding picks seq itself: 1, not a timestamp.)
        seed = os.urandom(32)
        key = self.lab.ed25519_public_key(seed)
        fake = "198.18.0.77:11204"
        packet = dns_txt_packet([b"_soundtime", zbase32(key).encode()], ["v=1", f"addr={fake}"])
        put = self.lab.dht_put_mutable(seed, packet)
        self.assertGreaterEqual(put["stored"], 1, put)
        r = self.n("d").post("/api/admin/p2p/peers", {"node_id": key.hex()})
        self.assertIn(r.status, (200, 201), r)

        def candidate():
            p = self.n("d").peers().get(key.hex()) or {}
            return [c for c in p.get("candidates") or [] if c.get("address") == fake]
        cands = wait_for(candidate, what="D to resolve the libtorrent-put record",
                         detail=lambda: json.dumps(self.n("d").peers().get(key.hex())))
        self.assertIn(cands[0]["source"], ("dht", "record"), cands)
        self.assertFalse(self.n("d").peers()[key.hex()]["is_online"])  # nobody holds that key
        self.assertTrue(self.n("d").peers()[key.hex()].get("unreachable_reason"))


if __name__ == "__main__":
    unittest.main()
