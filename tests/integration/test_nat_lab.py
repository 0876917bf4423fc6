"""The NAT lab itself (nat_lab.py) behaves as designed, before anything is tested on top of it: endpoint-
independent routers keep one mapping and the symmetric one makes one per destination, unsolicited
connections to a home are dropped unless forwarded or mapped by miniupnpd, nothing is routed to the
machine's network, coturn grants allocations, and the libtorrent swarm stores and serves BEP 44 items."""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

import nat_lab
from nat_lab import NatLab, PUB_IP, P2P_PORT

RUN_ONCE = True  # no database involved: run.py runs this module on the first engine only


class NatLabSelfCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = nat_lab.missing_requirements(upnp=True, turn=True, dht=True)
        if why:
            raise unittest.SkipTest("NAT lab unavailable: " + "; ".join(why))
        cls.lab = NatLab(prefix="stlabck")
        try:
            cls.lab.start()
            cls.pub = cls.lab.public("pub")
            cls.a = cls.lab.home("a", nat="eim")
            cls.b = cls.lab.home("b", nat="symmetric")
            cls.c = cls.lab.home("c", nat="forward")
            cls.d = cls.lab.home("d", nat="eim")
            cls.e = cls.lab.home("e", nat="upnp")
            cls.lab.start_turn()
            cls.lab.start_dht_swarm(6)
            cls.lab.popen(cls.pub, [sys.executable, "-c", nat_lab.REFLECTOR, PUB_IP, "40001", "40002"])
            for h in (cls.a, cls.c, cls.e):
                cls.lab.popen(h, [sys.executable, "-c", nat_lab.TCP_LISTEN, str(P2P_PORT)])
            time.sleep(0.5)
        except BaseException:
            cls.lab.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.lab.close()

    def py(self, host, script, *args, timeout=30):
        r = self.lab.run(host, [sys.executable, "-c", script, *map(str, args)], timeout=timeout)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout.strip().splitlines()[-1])

    def mappings(self, host, local_port):
        return self.py(host, nat_lab.UDP_PROBE, local_port, f"{PUB_IP}:40001", f"{PUB_IP}:40002")

    def connect(self, src, ip, port=P2P_PORT, timeout=3):
        return self.py(src, nat_lab.TCP_CONNECT, ip, port, timeout)

    def test_eim_routers_keep_one_mapping_and_the_symmetric_one_makes_two(self):
        for h in (self.a, self.c, self.d):
            seen = self.mappings(h, 40000)
            self.assertEqual(seen, [f"{h.public_ip}:40000"] * 2, f"{h.name}: endpoint-independent, port preserved")
        seen = self.mappings(self.b, 40000)
        self.assertTrue(all(s and s.startswith(self.b.public_ip + ":") for s in seen), seen)
        self.assertNotEqual(seen[0], seen[1], "the symmetric router gave one mapping to two destinations")

    def test_unsolicited_connections_reach_a_home_only_when_forwarded(self):
        # The SYN to a home's WAN is dropped (a timeout, not a refusal): nothing answers for the router.
        self.assertEqual(self.connect(self.pub, self.a.public_ip), {"ok": False, "error": "timeout"})
        # Private addresses go nowhere from the internet (blackholed, silently).
        self.assertEqual(self.connect(self.pub, self.a.ip, timeout=2)["ok"], False)
        # Another home cannot dial A either, but A dials out to the internet (and to C's forwarded port).
        self.assertFalse(self.connect(self.d, self.a.public_ip)["ok"])
        # The forwarded home answers, and sees the dialler's real address (DNAT only, no SNAT).
        r = self.connect(self.pub, self.c.public_ip)
        self.assertTrue(r["ok"], r)
        self.assertTrue(r["peer_saw"].startswith(PUB_IP + ":"), r)
        r = self.connect(self.a, self.c.public_ip)
        self.assertTrue(r["ok"], r)
        self.assertTrue(r["peer_saw"].startswith(self.a.public_ip + ":"), r)

    def test_nothing_is_routed_outside_the_lab(self):
        inet = self.lab.inet
        r = self.lab.run(inet, ["ip", "route", "get", "192.0.2.1"])
        self.assertNotEqual(r.returncode, 0, "the internet namespace routes to an outside address: " + r.stdout)
        r = self.lab.run(self.pub, ["ip", "route", "get", "10.0.1.2"])
        self.assertIn("via 198.18.0.254", r.stdout)  # a route exists (coturn needs one), to the blackhole
        links = self.lab.run(inet, ["ip", "-o", "link", "show"]).stdout
        for line in links.splitlines():
            name = line.split(":")[1].strip().split("@")[0]
            self.assertTrue(name == "lo" or name == "br0" or name.startswith("p"), line)
        for h in (self.pub, self.a, self.a.router):
            self.assertEqual(self.lab.run(h, ["sysctl", "-n", "net.ipv6.conf.all.disable_ipv6"]).stdout.strip(), "1")

    def test_miniupnpd_maps_ports_for_its_home(self):
        e = self.e
        r = self.lab.run(e, ["upnpc", "-i", "-a", e.ip, str(P2P_PORT), str(P2P_PORT), "TCP"])
        self.assertIn(f"external {e.public_ip}:{P2P_PORT} TCP is redirected to internal {e.ip}:{P2P_PORT}", r.stdout,
                      r.stdout + r.stderr)
        r = self.connect(self.pub, e.public_ip)
        self.assertTrue(r["ok"], f"the UPnP mapping does not let pub in: {r}")
        r = self.lab.run(e, ["natpmpc", "-a", "11206", "11206", "tcp", "120"])
        self.assertIn("Mapped public port 11206 protocol TCP to local port 11206", r.stdout, r.stdout + r.stderr)
        rules = self.lab.run(e.router, ["iptables-legacy", "-t", "nat", "-S", "MINIUPNPD"]).stdout
        # (iptables-legacy 1.8.9 cannot print miniupnpd's DNAT revision: match on the port.)
        self.assertIn(f"--dport {P2P_PORT} -j DNAT", rules)
        self.assertIn("--dport 11206 -j DNAT", rules)
        r = self.lab.run(e, ["upnpc", "-i", "-d", str(P2P_PORT), "TCP"])
        rules = self.lab.run(e.router, ["iptables-legacy", "-t", "nat", "-S", "MINIUPNPD"]).stdout
        self.assertNotIn(f"--dport {P2P_PORT} -j DNAT", rules, r.stdout)
        self.assertEqual(self.connect(self.pub, e.public_ip), {"ok": False, "error": "timeout"},
                         "the mapping outlived its deletion")

    def test_coturn_grants_allocations(self):
        uclient = nat_lab.tool("turnutils_uclient")
        if not uclient:
            self.skipTest("turnutils_uclient is not installed (coturn-utils)")
        before = self.lab.turn_log().count("ALLOCATE processed, success")
        # Two clients relaying to each other through their allocations (-y), from behind the symmetric NAT.
        r = self.lab.run(self.b, [uclient, "-p", str(self.lab.turn["port"]), "-u", nat_lab.TURN_USER, "-w",
                                  nat_lab.TURN_PASSWORD, "-y", "-n", "3", "-m", "1", "-l", "100", PUB_IP], timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-1000:])
        self.assertIn("Total lost packets 0", r.stdout + r.stderr)
        log = self.lab.turn_log()
        self.assertGreater(log.count("ALLOCATE processed, success"), before, log[-2000:])
        r = self.lab.run(self.b, [uclient, "-p", str(self.lab.turn["port"]), "-u", nat_lab.TURN_USER, "-w", "wrong",
                                  "-y", "-n", "1", "-m", "1", PUB_IP], timeout=60)
        self.assertNotIn("Total lost packets 0", r.stdout + r.stderr, "coturn relayed for a wrong password")

    def test_the_dht_swarm_stores_and_serves_mutable_items(self):
        seed = os.urandom(32)
        put = self.lab.dht_put_mutable(seed, b"lab value 1")
        self.assertGreaterEqual(put["stored"], 3, put)
        got = self.lab.dht_get_mutable(bytes.fromhex(put["public_key"]))
        self.assertTrue(got["found"], got)
        self.assertEqual(bytes.fromhex(got["v_hex"] or ""), b"lab value 1", got)
        self.assertEqual(got["seq"], put["seq"])
        # An item nobody stored is not found (so "found" above means something).
        missing = self.lab.dht_get_mutable(os.urandom(32), timeout=8)
        self.assertFalse(missing["found"], missing)


if __name__ == "__main__":
    unittest.main()


class NatLabIpv6SelfCheck(unittest.TestCase):
    """NatLab(ipv6=True): homes' 2001:db8:N::/64 routed without NAT66, a stateful firewall in front of
    "firewall" homes, none in front of "open" ones, IPv6-only public hosts, nothing routed out."""

    @classmethod
    def setUpClass(cls):
        why = nat_lab.missing_requirements(ipv6=True)
        if why:
            raise unittest.SkipTest("IPv6 NAT lab unavailable: " + "; ".join(why))
        cls.lab = NatLab(prefix="stlab6ck", ipv6=True)
        try:
            cls.lab.start()
            cls.pub = cls.lab.public("pub")
            cls.o = cls.lab.home("o", nat="eim", v6="open")
            cls.f = cls.lab.home("f", nat="symmetric", v6="firewall")
            cls.n = cls.lab.home("n", nat="eim", v6=None)
            cls.s = cls.lab.public("s", ipv4=False)
            for h in (cls.pub, cls.o, cls.f, cls.s):
                cls.lab.popen(h, [sys.executable, "-c", nat_lab.TCP_LISTEN6, str(P2P_PORT)])
            time.sleep(0.5)
        except BaseException:
            cls.lab.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.lab.close()

    def connect(self, src, ip, timeout=3):
        r = self.lab.run(src, [sys.executable, "-c", nat_lab.TCP_CONNECT, ip, str(P2P_PORT), str(timeout)])
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout.strip().splitlines()[-1])

    def test_addresses(self):
        self.assertEqual((self.pub.ip6, self.o.ip6, self.f.ip6, self.s.ip6, self.n.ip6),
                         ("2001:db8::10", "2001:db8:1::2", "2001:db8:2::2", "2001:db8::30", None))
        self.assertEqual(self.s.ip, self.s.ip6)
        self.assertEqual(self.lab.run(self.s, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"]).stdout.strip(), "")

    def test_an_open_home_is_dialled_and_sees_the_real_address(self):
        r = self.connect(self.pub, self.o.ip6)
        self.assertTrue(r["ok"], r)
        self.assertTrue(r["peer_saw"].startswith(self.pub.ip6 + ":"), r)  # no NAT66
        r = self.connect(self.s, self.o.ip6)
        self.assertTrue(r["ok"], r)

    def test_a_firewalled_home_dials_out_but_is_not_dialled(self):
        self.assertEqual(self.connect(self.pub, self.f.ip6), {"ok": False, "error": "timeout"})
        self.assertEqual(self.connect(self.o, self.f.ip6), {"ok": False, "error": "timeout"})
        r = self.connect(self.f, self.pub.ip6)
        self.assertTrue(r["ok"], r)
        self.assertTrue(r["peer_saw"].startswith(self.f.ip6 + ":"), r)
        r = self.connect(self.f, self.o.ip6)
        self.assertTrue(r["ok"], r)
        # IPv4 is unchanged: the home is behind its NAT there.
        self.assertEqual(self.connect(self.pub, self.f.public_ip), {"ok": False, "error": "timeout"})

    def test_nothing_is_routed_outside_the_lab(self):
        r = self.lab.run(self.lab.inet, ["ip", "-6", "route", "get", "2a00:1450::1"])
        self.assertNotEqual(r.returncode, 0, "the internet namespace routes IPv6 outside the lab: " + r.stdout)
        r = self.lab.run(self.o, ["ip", "-6", "route", "get", "2a00:1450::1"])
        self.assertIn("via 2001:db8:1::1", r.stdout)  # to its router, then to the blackhole
        self.assertNotEqual(self.lab.run(self.n, ["ip", "-6", "route", "get", "2001:db8::10"]).returncode, 0,
                            "a home without IPv6 has no IPv6 route")
