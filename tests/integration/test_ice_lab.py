#!/usr/bin/env python3
"""ICE through NATs in a namespace lab built here (reference: shared/reference/p2p-reachability.md §1, §5.2).

    inet: bridge 198.18.0.254/24 with a blackhole default route (unroutable 10.x traffic dies silently;
          without it coturn's relay socket gets ENETUNREACH for 10.x peer candidates and closes the whole
          allocation)
    pub 198.18.0.10: coturn (STUN + TURN over UDP, long-term credentials)
    rA .11 MASQUERADE (endpoint-independent)  -> hA 10.0.1.2
    rB .12 MASQUERADE --random-fully (symmetric) -> hB 10.0.2.2
    rD .14 MASQUERADE (endpoint-independent)  -> hD 10.0.4.2
    rE .15 MASQUERADE --random-fully (symmetric) -> hE 10.0.5.2   (B', a second symmetric home)

Routers: FORWARD policy DROP but LAN->WAN and established/related; new connections to the WAN side dropped.
IPv6 off everywhere. Nothing leaves the namespaces. Each pair runs tools/ice_probe on both sides (descriptions
exchanged through files), checks the selected pair and that every byte arrived; throughput is printed (never
asserted), with plain kernel TCP through the same NAT (hA -> pub) measured in the same run for comparison.
Standalone: python3 tests/integration/test_ice_lab.py (ICE_PROBE=path, ICE_LAB_BYTES=N to override)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

RUN_ONCE = True  # no database involved: run.py runs this module on the first engine only

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
MIB = 1 << 20
BYTES = int(os.environ.get("ICE_LAB_BYTES", str(64 * MIB)))
TCP_BYTES = int(os.environ.get("ICE_LAB_TCP_BYTES", str(512 * MIB)))
HOMES = {"a": (11, 1, False), "b": (12, 2, True), "d": (14, 4, False), "e": (15, 5, True)}  # wan .N, lan 10.0.M, symmetric
STUN = "198.18.0.10:3478"
TURN = "u:p@198.18.0.10:3478"


def probe_binary():
    if os.environ.get("ICE_PROBE"):
        return os.path.abspath(os.environ["ICE_PROBE"])
    server = os.environ.get("SOUNDTIME_BINARY")
    if server:
        return os.path.join(os.path.dirname(os.path.abspath(server)), "ice_probe")
    return os.path.join(REPO, "build", "ice_probe")


def read(path):
    with open(path) as f:
        return f.read()


def run(*cmd, check=True):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r


TCP_SERVER = r"""
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.10", 5201)); s.listen(1)
print("ready", flush=True)
c, _ = s.accept(); n = int(sys.argv[1]); got = 0
while got < n:
    b = c.recv(1 << 20)
    if not b: break
    got += len(b)
c.sendall(b"OK\n" if got == n else b"NO\n"); c.close()
"""
TCP_CLIENT = r"""
import json, socket, sys, time
n = int(sys.argv[1]); buf = bytes(range(256)) * 4096
c = socket.create_connection(("198.18.0.10", 5201), timeout=60)
t0 = time.monotonic(); left = n
while left:
    k = min(left, len(buf)); c.sendall(buf[:k]); left -= k
ack = c.recv(3); dt = time.monotonic() - t0
print("RESULT " + json.dumps({"ok": ack == b"OK\n", "bytes": n, "transfer_ms": dt * 1000, "mb_per_s": n / 1e6 / dt}))
"""


class IceLab(unittest.TestCase):
    figures = {}

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("the NAT lab needs root (network namespaces, iptables)")
        cls.tag = f"sti{os.getpid() % 100000}"
        cls.namespaces = []
        cls.procs = []
        cls.tmp = tempfile.mkdtemp(prefix="soundtime-ice-lab-")
        r = run("ip", "netns", "add", cls.ns("inet"), check=False)
        if r.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest(f"cannot create network namespaces here ({r.stderr.strip()})")
        cls.namespaces.append(cls.ns("inet"))
        try:
            cls.probe = probe_binary()
            if not os.access(cls.probe, os.X_OK):
                raise RuntimeError(f"ice_probe not built at {cls.probe}")
            if not shutil.which("turnserver"):
                raise RuntimeError("coturn (turnserver) is not installed")
            cls.build_lab()
            cls.start_coturn()
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()
        if cls.figures:
            print("\nICE lab figures (MB/s):", file=sys.stderr)
            for k, v in cls.figures.items():
                print(f"  {k}: {v}", file=sys.stderr)

    @classmethod
    def ns(cls, name):
        return f"{cls.tag}-{name}"

    @classmethod
    def cleanup(cls):
        for p in cls.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        cls.procs = []
        for n in reversed(cls.namespaces):
            run("ip", "netns", "del", n, check=False)
        cls.namespaces = []
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def add_ns(cls, name):
        n = cls.ns(name)
        run("ip", "netns", "add", n)
        cls.namespaces.append(n)
        cls.sh(name, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
        run("ip", "-n", n, "link", "set", "lo", "up")
        return n

    @classmethod
    def sh(cls, name, command):
        return run("ip", "netns", "exec", cls.ns(name), "sh", "-c", command)

    @classmethod
    def plug_wan(cls, name, addr):
        """A veth from the inet bridge to `name`'s interface `wan`, default route to the blackholing inet."""
        inet, n = cls.ns("inet"), cls.ns(name)
        run("ip", "-n", inet, "link", "add", f"p-{name}", "type", "veth", "peer", "name", "wan", "netns", n)
        run("ip", "-n", inet, "link", "set", f"p-{name}", "master", "br0", "up")
        run("ip", "-n", n, "addr", "add", f"{addr}/24", "dev", "wan")
        run("ip", "-n", n, "link", "set", "wan", "up")
        run("ip", "-n", n, "route", "add", "default", "via", "198.18.0.254")

    @classmethod
    def build_lab(cls):
        inet = cls.ns("inet")
        cls.sh("inet", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
        run("ip", "-n", inet, "link", "set", "lo", "up")
        run("ip", "-n", inet, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", inet, "addr", "add", "198.18.0.254/24", "dev", "br0")
        run("ip", "-n", inet, "link", "set", "br0", "up")
        run("ip", "-n", inet, "route", "add", "blackhole", "default")
        cls.add_ns("pub")
        cls.plug_wan("pub", "198.18.0.10")
        for h, (wan, lan, symmetric) in HOMES.items():
            r, home = cls.add_ns(f"r{h}"), cls.add_ns(f"h{h}")
            cls.plug_wan(f"r{h}", f"198.18.0.{wan}")
            run("ip", "-n", r, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", home)
            run("ip", "-n", r, "addr", "add", f"10.0.{lan}.1/24", "dev", "lan")
            run("ip", "-n", r, "link", "set", "lan", "up")
            run("ip", "-n", home, "addr", "add", f"10.0.{lan}.2/24", "dev", "eth0")
            run("ip", "-n", home, "link", "set", "eth0", "up")
            run("ip", "-n", home, "route", "add", "default", "via", f"10.0.{lan}.1")
            masq = "-j MASQUERADE --random-fully" if symmetric else "-j MASQUERADE"
            cls.sh(f"r{h}", " && ".join([
                "sysctl -qw net.ipv4.ip_forward=1",
                f"iptables -t nat -A POSTROUTING -o wan {masq}",
                "iptables -P FORWARD DROP",
                "iptables -A FORWARD -i lan -o wan -j ACCEPT",
                "iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                "iptables -A INPUT -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                "iptables -A INPUT -i wan -j DROP",
            ]))

    @classmethod
    def spawn(cls, name, argv, log):
        with open(os.path.join(cls.tmp, log), "w") as f:
            p = subprocess.Popen(["ip", "netns", "exec", cls.ns(name), *argv], stdout=f, stderr=subprocess.STDOUT, text=True)
        cls.procs.append(p)
        return p

    @classmethod
    def start_coturn(cls):
        log = os.path.join(cls.tmp, "turn.log")
        cls.spawn("pub", ["turnserver", "-n", "--listening-ip=198.18.0.10", "--relay-ip=198.18.0.10", "--lt-cred-mech",
                          "--user=u:p", "--realm=lab", "--no-tls", "--no-dtls", "--no-cli", "--log-file=stdout", "-v",
                          f"--pidfile={cls.tmp}/turn.pid", f"--userdb={cls.tmp}/turndb"], "turn.log")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if "UDP listener opened on" in read(log):
                return
            time.sleep(0.1)
        raise RuntimeError("coturn did not start:\n" + read(log)[-2000:])

    def run_pair(self, x, y, nbytes, extra=()):
        """x controls, y is controlled; returns both RESULT dicts (x first)."""
        sig = tempfile.mkdtemp(dir=self.tmp, prefix=f"sig-{x}{y}-")
        common = ["--stun", STUN, "--turn", TURN, "--signal-dir", sig, "--bytes", str(nbytes), "--connect-ms", "20000",
                  *extra]
        py = self.spawn(f"h{y}" if y != "pub" else "pub", [self.probe, "--role", "controlled", *common], f"probe-{x}{y}-y.log")
        px = self.spawn(f"h{x}" if x != "pub" else "pub", [self.probe, "--role", "controlling", *common], f"probe-{x}{y}-x.log")
        out = []
        for p, side in ((px, "x"), (py, "y")):
            try:
                p.wait(180)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            text = read(os.path.join(self.tmp, f"probe-{x}{y}-{side}.log"))
            lines = [ln for ln in text.splitlines() if ln.startswith("RESULT ")]
            self.assertTrue(lines, f"no result from the {side} side of {x}<->{y}:\n{text[-3000:]}")
            out.append(json.loads(lines[-1][len("RESULT "):]))
        for r in out:
            self.assertTrue(r.get("ok"), f"{x}<->{y}: {r}")
        print(f"\n{x}<->{y}: {out[0]['local_type']} {out[0]['local']} -> {out[0]['remote_type']} {out[0]['remote']} "
              f"({out[0]['kind']}, {out[0]['transport']}), connected in {out[0]['connect_ms']:.0f} ms, "
              f"{nbytes / MIB:.0f} MiB at {out[0]['mb_per_s']:.1f} MB/s", file=sys.stderr)
        return out

    def test_eim_to_eim_is_direct(self):
        x, y = self.run_pair("a", "d", BYTES)
        for r, peer in ((x, "198.18.0.14:"), (y, "198.18.0.11:")):
            self.assertEqual(r["kind"], "direct", r)
            self.assertIn(r["remote_type"], ("srflx", "prflx"), r)
            self.assertTrue(r["remote"].startswith(peer), r)
        self.figures["ICE direct A<->D (PseudoTCP)"] = round(x["mb_per_s"], 1)

    def test_eim_to_symmetric_is_relayed(self):
        x, y = self.run_pair("a", "b", BYTES)
        for r in (x, y):
            self.assertEqual(r["kind"], "relayed", r)
        self.assertTrue(x["remote"].startswith("198.18.0.10:") or x["local"].startswith("198.18.0.10:"), x)
        self.figures["ICE relayed A<->B via TURN (PseudoTCP)"] = round(x["mb_per_s"], 1)

    def test_symmetric_to_symmetric_is_relayed(self):
        x, y = self.run_pair("b", "e", BYTES // 4)
        for r in (x, y):
            self.assertEqual(r["kind"], "relayed", r)
        self.figures["ICE relayed B<->B' via TURN (PseudoTCP)"] = round(x["mb_per_s"], 1)

    def test_kernel_tcp_through_the_same_nat(self):
        server = self.spawn("pub", [PY, "-c", TCP_SERVER, str(TCP_BYTES)], "tcp-server.log")
        deadline = time.monotonic() + 10
        while "ready" not in read(os.path.join(self.tmp, "tcp-server.log")):
            self.assertLess(time.monotonic(), deadline, "TCP server did not start")
            time.sleep(0.05)
        client = self.spawn("ha", [PY, "-c", TCP_CLIENT, str(TCP_BYTES)], "tcp-client.log")
        client.wait(120)
        server.wait(30)
        text = read(os.path.join(self.tmp, "tcp-client.log"))
        lines = [ln for ln in text.splitlines() if ln.startswith("RESULT ")]
        self.assertTrue(lines, text)
        r = json.loads(lines[-1][len("RESULT "):])
        self.assertTrue(r["ok"], r)
        print(f"\nkernel TCP hA -> pub through rA: {TCP_BYTES / MIB:.0f} MiB at {r['mb_per_s']:.1f} MB/s", file=sys.stderr)
        self.figures["kernel TCP A->pub through NAT"] = round(r["mb_per_s"], 1)

    def test_ice_tcp_where_it_works(self):
        # RFC 6544 ICE-TCP: only a NATed home dialling out to a public host can pass (the home's active
        # candidate connects to pub's passive one); UDP is off so this pair must use TCP.
        x, y = self.run_pair("a", "pub", BYTES, extra=["--tcp-only"])
        self.assertEqual(x["transport"], "tcp", x)
        self.figures["ICE-TCP A<->pub (kernel TCP, no PseudoTCP)"] = round(x["mb_per_s"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
