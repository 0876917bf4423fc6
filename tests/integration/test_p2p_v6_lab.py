"""Issue 13, IPv6: in the namespace lab with 2001:db8::/32 (nat_lab.py, NatLab(ipv6=True)), homes have a
global IPv6 address routed by their router (no NAT66) through a stateful firewall, as most home IPv6 is.

    pub   public, 198.18.0.10 + 2001:db8::10, P2P_RENDEZVOUS, coturn as a STUN server only (no node has
          TURN credentials: nothing can be relayed)
    pub2  public, 198.18.0.30 + 2001:db8::30, linked to nobody: finds homes through the DHT alone
    o     home 1, IPv4 endpoint-independent NAT, IPv6 open (no firewall)        2001:db8:1::2
    f1    home 2, IPv4 symmetric NAT, IPv6 behind a stateful firewall           2001:db8:2::2
    f2    home 3, IPv4 symmetric NAT, IPv6 behind a stateful firewall           2001:db8:3::2
    s1,s2 IPv6-only public hosts (no IPv4 at all)                               2001:db8::31, ::32
    a libtorrent DHT swarm on the IPv4 internet (the nodes reach it over IPv4)

Homes are seeded with pub over IPv6 (NodeId@[2001:db8::10]:11204). Checked: o's IPv6 address is proven by
pub's dial-back and published in its DHT record (f1's and f2's are not: their firewalls drop the dial-back);
pub2 adds o by NodeId alone and dials it over IPv6; f1 and f2 (symmetric IPv4 NATs: no direct IPv4 path,
and no TURN) link by NodeId alone over ICE between their IPv6 host candidates through both firewalls, and
play each other's track with identical bytes; s1 and s2 link and play over IPv6 alone.

Skips without root, network namespaces, ip6tables, ffmpeg, libtorrent or a kernel with IPv6.
    cd tests/integration && SOUNDTIME_BINARY=$PWD/../../build/soundtime python3 -m unittest -v test_p2p_v6_lab"""
import hashlib
import json
import os
import shutil
import tempfile
import time
import unittest

import nat_lab
from nat_lab import LabCase, P2P_PORT
from test_p2p_nat import make_tracks, wait_for

RUN_ONCE = True  # SQLite inside the namespaces: run.py runs this module on the first engine only


def v6_address(host):
    return f"[{host.ip6}]:{P2P_PORT}"


class P2pOverIpv6(LabCase):
    NEEDS = {"soundtime": True, "dht": True, "turn": True, "ipv6": True}
    PREFIX = "stv6"
    LAB = {"ipv6": True}

    @classmethod
    def setUpClass(cls):
        if not nat_lab.tool("ffmpeg"):
            raise unittest.SkipTest("ffmpeg is not installed")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    @classmethod
    def build(cls, lab):
        cls.tmp = tempfile.mkdtemp(prefix="soundtime-p2pv6-")
        h = cls.hosts = {"pub": lab.public("pub"), "pub2": lab.public("pub2")}
        h["o"] = lab.home("o", nat="eim", v6="open")
        h["f1"] = lab.home("f1", nat="symmetric", v6="firewall")
        h["f2"] = lab.home("f2", nat="symmetric", v6="firewall")
        h["s1"] = lab.public("s1", ipv4=False)
        h["s2"] = lab.public("s2", ipv4=False)
        turn = lab.start_turn()
        stun = {"P2P_STUN_SERVERS": turn["env"]["P2P_STUN_SERVERS"]}
        turn["env"] = {}  # STUN only (ICE needs one to run at all): no node gets TURN credentials
        lab.start_dht_swarm(4)
        lab_only = {"P2P_LAB_ALLOW_RESERVED": "true"}  # 2001:db8::/32 is this lab's internet
        pub = cls.nodes["pub"] = lab.start_soundtime(h["pub"], env={**lab_only, **stun})
        cls.nodes["pub2"] = lab.start_soundtime(h["pub2"], env=lab_only)
        seed = f"{pub.node_id}@[{h['pub'].ip6}]:{P2P_PORT}"
        for name in ("o", "f1", "f2"):
            cls.nodes[name] = lab.start_soundtime(h[name], env={**lab_only, **stun, "P2P_SEED_PEERS": seed})
        for name in ("s1", "s2"):  # nothing on IPv4 reaches them: no DHT, no STUN
            cls.nodes[name] = lab.start_soundtime(h[name], env={**lab_only, "P2P_DHT_DISCOVERY": "false"})
        cls.own = {}
        for i, name in enumerate(("f1", "f2", "s1", "s2")):
            node = cls.nodes[name]
            node.setup_admin()
            for f in make_tracks(cls.tmp, name, 20 + i):
                node.upload(f)
            r = node.get("/api/tracks?per_page=100")
            cls.own[name] = {t["title"]: t["id"] for t in r.json["data"]}
        for name in ("pub", "pub2", "o"):
            cls.nodes[name].setup_admin()

    # --- helpers ---
    def n(self, name):
        return self.nodes[name]

    def peer(self, x, y):
        return self.n(x).peers().get(self.n(y).node_id)

    def online(self, x, y):
        p = self.peer(x, y)
        return p if p and p.get("is_online") else None

    def reach(self, name):
        return self.n(name).status()["reachability"]

    def describe(self, *names):
        out = []
        for a in names:
            for b in names:
                if a != b:
                    try:
                        out.append(f"{a}'s peer object for {b}: {json.dumps(self.peer(a, b))}")
                    except Exception as e:
                        out.append(f"{a}: {e}")
            out.append(f"--- {a}'s reachability: {json.dumps(self.reach(a))}")
            out.append(f"--- last log lines of {a}:\n" + "\n".join(self.n(a).read_log().splitlines()[-20:]))
        return "\n".join(out)

    def add(self, x, y, address=None):
        body = {"node_id": self.n(y).node_id}
        if address:
            body["address"] = address
        r = self.n(x).post("/api/admin/p2p/peers", body)
        self.assertIn(r.status, (200, 201), f"{x} adding {y}: {r}")

    def plays(self, x, y):
        """x lists y's tracks as remote copies and plays y's FLAC with y's own bytes."""
        def copies():
            r = self.n(x).get("/api/admin/remote-tracks")
            c = {t["title"]: t for t in r.json if t.get("instance_domain") == "p2p://" + self.n(y).node_id} \
                if r.status == 200 else {}
            return c if f"{y.upper()} Noise" in c else None
        got = wait_for(copies, what=f"{y}'s tracks listed on {x}", detail=lambda: self.describe(x, y))
        local = got[f"{y.upper()} Noise"]["local_track_id"]
        mine = self.n(x).get(f"/api/tracks/{local}/stream", timeout=90)
        theirs = self.n(y).get(f"/api/tracks/{self.own[y][f'{y.upper()} Noise']}/stream", timeout=90)
        self.assertEqual((mine.status, theirs.status), (200, 200))
        self.assertGreater(len(theirs.body), 1_000_000)
        self.assertEqual(hashlib.sha256(mine.body).hexdigest(), hashlib.sha256(theirs.body).hexdigest(),
                         f"{x} played {y}'s FLAC with different bytes")

    # --- tests ---
    def test_00_homes_link_to_pub_over_ipv6(self):
        for name in ("o", "f1", "f2"):
            wait_for(lambda: self.online(name, "pub"), what=f"{name} online with pub",
                     detail=lambda: self.describe(name, "pub"))
            # pub sees the home at its IPv6 address: the link runs over IPv6 (no NAT66: the home's own address).
            wait_for(lambda: (lambda p: p and p.get("address") == v6_address(self.hosts[name]))(self.peer("pub", name)),
                     what=f"pub to hold {name} at {v6_address(self.hosts[name])}", detail=lambda: self.describe("pub", name))

    def test_01_an_open_homes_ipv6_address_is_proven_and_published(self):
        o = v6_address(self.hosts["o"])
        wait_for(lambda: o in self.reach("o")["proven_addresses"], what="o's IPv6 address proven by a dial-back",
                 detail=lambda: self.describe("o", "pub"))
        self.assertIn(o, self.reach("o")["published_addresses"])
        # ... and it is in the record on the DHT, as libtorrent reads it.
        key = bytes.fromhex(self.n("o").node_id)
        wait_for(lambda: (lambda g: g["found"] and f"addr={o}".encode() in bytes.fromhex(g["v_hex"] or ""))(
            self.lab.dht_get_mutable(key, timeout=10)), what=f"o's DHT record to hold addr={o}")

    def test_02_a_firewalled_homes_ipv6_address_is_not_published(self):
        for name in ("f1", "f2"):
            a = v6_address(self.hosts[name])
            # Its dial-back fails (the firewall drops pub's SYN): tried, not proven, never published.
            wait_for(lambda: any("could not dial back" in l and a in l for l in self.n(name).read_log().splitlines()),
                     what=f"{name}'s dial-back of {a} to fail", detail=lambda: self.describe(name, "pub"))
            self.assertNotIn(a, self.reach(name)["proven_addresses"])
            self.assertNotIn(a, self.reach(name)["published_addresses"])

    def test_10_a_public_node_dials_an_open_home_over_ipv6_by_node_id(self):
        self.test_01_an_open_homes_ipv6_address_is_proven_and_published()
        self.add("pub2", "o")
        o = v6_address(self.hosts["o"])
        p = wait_for(lambda: self.online("pub2", "o"), what="pub2 online with o", detail=lambda: self.describe("pub2", "o"))
        self.assertEqual(p.get("path"), "direct_tcp", p)
        self.assertEqual(p.get("address"), o, p)
        wait_for(lambda: self.online("o", "pub2"), what="o to see pub2 online", detail=lambda: self.describe("pub2", "o"))

    def test_20_two_firewalled_ipv6_homes_link_over_ice(self):
        self.add("f1", "f2")
        for a, b in (("f1", "f2"), ("f2", "f1")):
            wait_for(lambda: self.online(a, b), what=f"{a} to see {b} online", detail=lambda: self.describe("f1", "f2"))
        for a, b in (("f1", "f2"), ("f2", "f1")):
            self.assertEqual(self.online(a, b).get("path"), "ice_direct", self.describe("f1", "f2"))
        # Their IPv4 NATs are symmetric and there is no TURN: the path is between IPv6 host candidates.
        line = [l for l in self.n("f1").read_log().splitlines() if "over ICE (ice_direct" in l]
        self.assertTrue(line, self.describe("f1", "f2"))
        self.assertIn(f"[{self.hosts['f1'].ip6}]:", line[-1])
        self.assertIn(f"[{self.hosts['f2'].ip6}]:", line[-1])
        self.plays("f1", "f2")
        self.plays("f2", "f1")

    def test_30_an_ipv6_only_pair_links(self):
        self.add("s2", "s1", address=v6_address(self.hosts["s1"]))
        for a, b in (("s1", "s2"), ("s2", "s1")):
            wait_for(lambda: self.online(a, b), what=f"{a} to see {b} online", detail=lambda: self.describe("s1", "s2"))
        p = self.online("s1", "s2")
        self.assertEqual(p.get("address"), v6_address(self.hosts["s2"]), p)
        self.plays("s1", "s2")
        self.plays("s2", "s1")


if __name__ == "__main__":
    unittest.main()
