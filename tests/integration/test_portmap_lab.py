"""Port mapping against a real router daemon: miniupnpd 2.3.1 (UPnP IGD, NAT-PMP, PCP) in a router
namespace, a home host behind it, and a public host on the lab's "internet" (198.18.0.0/24, blackhole
default route). From the home host, tools/portmap_probe maps TCP 11204 with PCP, NAT-PMP and UPnP, the
public host then reaches a listener on the home host at the mapped external address, and after the
mapping is removed the router's DNAT rule is gone and the public host cannot get in any more.

All traffic stays inside namespaces created here (SSDP multicast included); everything is removed
afterwards, also on failure. Standalone: `python3 tests/integration/test_portmap_lab.py`.
Lab quirks (see shared/reference/p2p-reachability.md §5.3, §7.3): miniupnpd refuses forwarding on a
reserved WAN address unless its STUN check passes, so stund runs on the public host with a second
address; it writes legacy-xtables rules, so its MINIUPNPD chains are created with iptables-legacy; the
router's (nft) FORWARD chain accepts DNATed connections; miniupnpc calls an IGD with a reserved external
address "not connected", so the probe runs with --allow-reserved (like `upnpc -i`)."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import uuid

RUN_ONCE = True  # no database involved: run.py runs this module on the first engine only
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WAN, LAN_GW, HOST, PUB, PUB2 = "198.18.0.15", "10.0.5.1", "10.0.5.2", "198.18.0.10", "198.18.0.20"
PORT = 11204

LISTENER = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(16)
print("listening", flush=True)
while True:
    c, a = s.accept()
    c.sendall(("hello from the home host to %s\n" % a[0]).encode()); c.close()
"""

DIALER = r"""
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    c.settimeout(3)
    print("OK " + c.recv(200).decode().strip())
except Exception as e:
    print("FAIL %s" % e)
"""


def probe_binary():
    binary = os.environ.get("SOUNDTIME_BINARY")
    build = os.path.dirname(os.path.abspath(binary)) if binary else os.path.join(ROOT, "build")
    return os.environ.get("PORTMAP_PROBE", os.path.join(build, "tools", "portmap_probe"))


def run(*cmd, check=True, timeout=20):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def stop(p, timeout=10):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class PortMapLab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("the port-mapping lab needs root (network namespaces, iptables)")
        cls.tag = f"stpm{os.getpid() % 100000}"
        cls.ns = {n: f"{cls.tag}-{n}" for n in ("inet", "pub", "rE", "hE")}
        cls.tmp = tempfile.mkdtemp(prefix="soundtime-portmap-lab-")
        cls.procs = []
        first = run("ip", "netns", "add", cls.ns["inet"], check=False)
        if first.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest(f"cannot create network namespaces here ({first.stderr.strip()})")
        cls.addClassCleanup(cls.teardown_lab)
        for tool in ("miniupnpd", "stund", "iptables", "iptables-legacy"):
            if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
                raise AssertionError(f"{tool} is not installed (make setup installs the NAT lab's packages)")
        if not os.access(probe_binary(), os.X_OK):
            raise AssertionError(f"{probe_binary()} is not built (ninja -C build portmap_probe)")
        cls.build_lab()

    @classmethod
    def teardown_lab(cls):
        for p in cls.procs:
            stop(p)
        for n in ("hE", "rE", "pub", "inet"):
            subprocess.run(["ip", "netns", "del", cls.ns[n]], capture_output=True)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def ip(cls, ns, *args):
        return run("ip", "-n", cls.ns[ns], *args)

    @classmethod
    def ex(cls, ns, *cmd, check=True, timeout=20):
        return run("ip", "netns", "exec", cls.ns[ns], *cmd, check=check, timeout=timeout)

    @classmethod
    def build_lab(cls):
        for n in ("pub", "rE", "hE"):
            run("ip", "netns", "add", cls.ns[n])
        for n in cls.ns:
            cls.ip(n, "link", "set", "lo", "up")
        # The internet: a bridge, and a blackhole default route so nothing unroutable goes anywhere.
        cls.ip("inet", "link", "add", "br0", "type", "bridge")
        cls.ip("inet", "addr", "add", "198.18.0.254/24", "dev", "br0")
        cls.ip("inet", "link", "set", "br0", "up")
        cls.ip("inet", "route", "add", "blackhole", "default")
        cls.ip("inet", "link", "add", "pub0", "type", "veth", "peer", "name", "eth0", "netns", cls.ns["pub"])
        cls.ip("inet", "link", "add", "rE0", "type", "veth", "peer", "name", "wan", "netns", cls.ns["rE"])
        for dev in ("pub0", "rE0"):
            cls.ip("inet", "link", "set", dev, "master", "br0")
            cls.ip("inet", "link", "set", dev, "up")
        cls.ip("pub", "addr", "add", f"{PUB}/24", "dev", "eth0")
        cls.ip("pub", "addr", "add", f"{PUB2}/24", "dev", "eth0")  # stund needs two addresses
        cls.ip("pub", "link", "set", "eth0", "up")
        cls.ip("pub", "route", "add", "default", "via", "198.18.0.254")
        cls.ip("rE", "addr", "add", f"{WAN}/24", "dev", "wan")
        cls.ip("rE", "link", "set", "wan", "up")
        cls.ip("rE", "route", "add", "default", "via", "198.18.0.254")
        cls.ip("rE", "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", cls.ns["hE"])
        cls.ip("rE", "addr", "add", f"{LAN_GW}/24", "dev", "lan")
        cls.ip("rE", "link", "set", "lan", "up")
        cls.ip("hE", "addr", "add", f"{HOST}/24", "dev", "eth0")
        cls.ip("hE", "link", "set", "eth0", "up")
        cls.ip("hE", "route", "add", "default", "via", LAN_GW)
        cls.ex("rE", "sysctl", "-qw", "net.ipv4.ip_forward=1")
        rules = [
            # The home router (nft): masquerade out, forward only replies, LAN->WAN and DNATed connections;
            # the WAN side of the router itself takes nothing new but the STUN server's answers.
            ["iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"],
            ["iptables", "-P", "FORWARD", "DROP"],
            ["iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
            ["iptables", "-A", "FORWARD", "-i", "lan", "-o", "wan", "-j", "ACCEPT"],
            ["iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "DNAT", "-j", "ACCEPT"],
            ["iptables", "-A", "INPUT", "-i", "wan", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
            ["iptables", "-A", "INPUT", "-i", "wan", "-p", "udp", "-s", PUB, "-j", "ACCEPT"],
            ["iptables", "-A", "INPUT", "-i", "wan", "-p", "udp", "-s", PUB2, "-j", "ACCEPT"],
            ["iptables", "-A", "INPUT", "-i", "wan", "-j", "DROP"],
            # miniupnpd's own chains, in the legacy xtables it writes to.
            ["iptables-legacy", "-t", "nat", "-N", "MINIUPNPD"],
            ["iptables-legacy", "-t", "nat", "-A", "PREROUTING", "-i", "wan", "-j", "MINIUPNPD"],
            ["iptables-legacy", "-t", "nat", "-N", "MINIUPNPD-POSTROUTING"],
            ["iptables-legacy", "-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MINIUPNPD-POSTROUTING"],
            ["iptables-legacy", "-t", "mangle", "-N", "MINIUPNPD"],
            ["iptables-legacy", "-t", "mangle", "-A", "PREROUTING", "-i", "wan", "-j", "MINIUPNPD"],
            ["iptables-legacy", "-t", "filter", "-N", "MINIUPNPD"],
            ["iptables-legacy", "-t", "filter", "-A", "FORWARD", "-i", "wan", "!", "-o", "wan", "-j", "MINIUPNPD"],
        ]
        for r in rules:
            cls.ex("rE", *r)
        cls.stund = cls.spawn("pub", ["stund", "-h", PUB, "-a", PUB2], "stund.log")
        cls.listener = cls.spawn("hE", ["python3", "-c", LISTENER, str(PORT)], "listener.log")
        cls.wait_log("listener.log", "listening", cls.listener)

    @classmethod
    def spawn(cls, ns, cmd, log_name):
        with open(os.path.join(cls.tmp, log_name), "wb") as log:  # the child keeps its own descriptor
            p = subprocess.Popen(["ip", "netns", "exec", cls.ns[ns], *cmd], stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        cls.procs.append(p)
        return p

    @classmethod
    def read_log(cls, name):
        with open(os.path.join(cls.tmp, name), errors="replace") as f:
            return f.read()

    @classmethod
    def wait_log(cls, name, text, proc, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in cls.read_log(name):
                return
            if proc.poll() is not None:
                raise AssertionError(f"{name}: the process exited:\n{cls.read_log(name)[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"{name}: no '{text}' within {timeout} s:\n{cls.read_log(name)[-3000:]}")

    # --- per test: a miniupnpd with the protocols the test wants

    def start_miniupnpd(self, upnp=True, natpmp=True):
        d = tempfile.mkdtemp(dir=self.tmp)
        conf = os.path.join(d, "miniupnpd.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                "ext_ifname=wan", "listening_ip=lan", "http_port=0",
                f"enable_upnp={'yes' if upnp else 'no'}", f"enable_natpmp={'yes' if natpmp else 'no'}",
                "secure_mode=yes", "system_uptime=yes", f"lease_file={d}/leases", f"uuid={uuid.uuid4()}",
                "ext_perform_stun=yes", f"ext_stun_host={PUB}", "ext_stun_port=3478",
                "allow 1024-65535 10.0.5.0/24 1024-65535", "deny 0-65535 0.0.0.0/0 0-65535", ""]))
        log = os.path.basename(d) + "-miniupnpd.log"
        p = self.spawn("rE", ["miniupnpd", "-f", conf, "-d", "-P", os.path.join(d, "pid")], log)
        self.addCleanup(stop, p)
        self.wait_log(log, "Port forwarding is now enabled", p)
        self.wait_log(log, "Listening for NAT-PMP/PCP" if natpmp else "HTTP listening on port", p)
        self.miniupnpd_log = log
        return p

    def probe(self, *args, stdin_text="", timeout=60):
        r = subprocess.run(["ip", "netns", "exec", self.ns["hE"], probe_binary(), *args], input=stdin_text,
                           capture_output=True, text=True, timeout=timeout)
        return r, [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]

    def start_probe(self, *args):
        p = subprocess.Popen(["ip", "netns", "exec", self.ns["hE"], probe_binary(), *args], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.close_pipes, p)
        self.addCleanup(stop, p)
        return p

    @staticmethod
    def close_pipes(p):
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except OSError:
                pass

    def next_event(self, p, want, timeout=30):
        """Reads the probe's JSON lines until one satisfies `want` (the deadline is a safety net)."""
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        deadline = time.time() + timeout
        seen = []
        while time.time() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.time())):
                break
            line = p.stdout.readline()
            if not line:
                break
            if line.startswith("{"):
                ev = json.loads(line)
                seen.append(ev)
                if want(ev):
                    return ev
        raise AssertionError(f"no wanted event from the probe; saw {seen}")

    def dial_from_pub(self, ip, port):
        return self.ex("pub", "python3", "-c", DIALER, ip, str(port), timeout=30).stdout.strip()

    def dnat_rules(self):
        out = self.ex("rE", "iptables-legacy", "-t", "nat", "-S", "MINIUPNPD").stdout
        return [line for line in out.splitlines() if line.startswith("-A MINIUPNPD") and "DNAT" in line]

    def assert_reachable_then_gone(self, protocol, extra=()):
        """Maps with one protocol and holds it; pub reaches the home listener; after the unmap it cannot."""
        p = self.start_probe("--protocol", protocol, "--lifetime", "600", "--hold", *extra, "map")
        ev = self.next_event(p, lambda e: e["event"] in ("mapped", "failed"))
        self.assertEqual(ev["event"], "mapped", ev)
        self.assertEqual(ev["protocol"], protocol)
        self.assertEqual(ev["external_ip"], WAN)
        self.assertEqual(ev["internal"], f"{HOST}:{PORT}")
        self.assertFalse(ev["double_nat"])
        external_port = ev["external_port"]
        self.assertEqual(len(self.dnat_rules()), 1, self.dnat_rules())
        got = self.dial_from_pub(ev["external_ip"], external_port)
        self.assertEqual(got, f"OK hello from the home host to {PUB}", got)
        p.stdin.write("\n")
        p.stdin.flush()
        ev = self.next_event(p, lambda e: e["event"] == "unmapped")
        self.assertTrue(ev["ok"], ev)
        self.assertEqual(p.wait(timeout=20), 0, p.stderr.read())
        self.assertEqual(self.dnat_rules(), [])
        self.assertTrue(self.dial_from_pub(WAN, external_port).startswith("FAIL"))

    # --- the tests

    def test_01_nothing_reaches_the_home_without_a_mapping(self):
        self.start_miniupnpd()
        self.assertEqual(self.dnat_rules(), [])
        self.assertTrue(self.dial_from_pub(WAN, PORT).startswith("FAIL"))

    def test_02_pcp_natpmp_and_upnp_each_map_a_reachable_port(self):
        self.start_miniupnpd()
        for protocol in ("pcp", "natpmp", "upnp"):
            with self.subTest(protocol=protocol):
                self.assert_reachable_then_gone(protocol, ("--allow-reserved",) if protocol == "upnp" else ())
        log = self.read_log(self.miniupnpd_log)  # the router itself saw each protocol
        for text in ("PCP MAP:", "NAT-PMP", "AddPortMapping", "DeletePortMapping"):
            self.assertIn(text, log)

    def test_03_upnp_refuses_a_reserved_external_address_unless_allowed(self):
        self.start_miniupnpd()
        r, events = self.probe("--protocol", "upnp", "map")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(events[0]["event"], "failed")
        self.assertIn("not connected to the internet", events[0]["why"])
        self.assertEqual(self.dnat_rules(), [])

    def test_04_mapper_uses_pcp_and_removes_on_stop(self):
        self.start_miniupnpd()
        p = self.start_probe("--allow-reserved", "mapper")
        ev = self.next_event(p, lambda e: e["event"] in ("mapped", "status"))
        self.assertEqual(ev["event"], "mapped", ev)
        self.assertEqual(ev["protocol"], "pcp")  # the first in the ladder that the router speaks
        self.assertEqual(self.dial_from_pub(WAN, ev["external_port"]), f"OK hello from the home host to {PUB}")
        p.stdin.write("\n")
        p.stdin.flush()
        self.next_event(p, lambda e: e["event"] == "lost")
        self.assertEqual(p.wait(timeout=20), 0)
        self.assertEqual(self.dnat_rules(), [])
        self.assertTrue(self.dial_from_pub(WAN, ev["external_port"]).startswith("FAIL"))

    def test_05_natpmp_renewal_keeps_the_mapping(self):
        self.start_miniupnpd(upnp=False)
        p = self.start_probe("--protocol", "natpmp", "--lifetime", "4", "mapper")
        ev = self.next_event(p, lambda e: e["event"] == "status" and e["renewals"] >= 2)
        self.assertTrue(ev["active"], ev)
        self.assertEqual(ev["external"], f"{WAN}:{PORT}")
        self.assertEqual(self.dial_from_pub(WAN, PORT), f"OK hello from the home host to {PUB}")
        p.stdin.write("\n")
        p.stdin.flush()
        self.next_event(p, lambda e: e["event"] == "stopped")
        self.assertEqual(self.dnat_rules(), [])

    def test_06_only_upnp_on_the_router_falls_through_to_it(self):
        self.start_miniupnpd(natpmp=False)
        p = self.start_probe("--allow-reserved", "--timeout-ms", "1500", "mapper")
        ev = self.next_event(p, lambda e: e["event"] in ("mapped", "status"))
        self.assertEqual(ev["event"], "mapped", ev)
        self.assertEqual(ev["protocol"], "upnp")
        self.assertEqual(self.dial_from_pub(WAN, ev["external_port"]), f"OK hello from the home host to {PUB}")
        p.stdin.write("\n")
        p.stdin.flush()
        self.next_event(p, lambda e: e["event"] == "lost")
        self.assertEqual(self.dnat_rules(), [])

    def test_07_a_router_without_upnp_is_said_in_words(self):
        self.start_miniupnpd(upnp=False)
        r, events = self.probe("--protocol", "upnp", "--allow-reserved", "--timeout-ms", "1000", "map")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(events[0]["event"], "failed", events)
        self.assertIn("no UPnP IGD", events[0]["why"])

if __name__ == "__main__":
    unittest.main(verbosity=2)
