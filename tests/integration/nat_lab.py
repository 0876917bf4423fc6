"""A NAT lab in network namespaces (shared/reference/p2p-reachability.md §1 and §7), built and torn down by
the test that uses it. Nothing here touches the machine's own interfaces, routes or firewall: every
namespace, veth and rule is created inside namespaces named <prefix><pid>-<name>, and removed on exit
(also on exceptions, KeyboardInterrupt and SIGTERM).

    internet ("inet"): bridge br0 198.18.0.254/24, blackhole default route (unroutable traffic is
                       dropped silently, as on the internet; coturn closes a whole allocation on ENETUNREACH)
    public hosts:      pub 198.18.0.10 (+ 198.18.0.20 for stund's second address), others 198.18.0.30+
    routers:           WAN 198.18.0.(10+N), LAN 10.0.N.1/24; FORWARD policy DROP except LAN->WAN and
                       established/related (+ DNATed); WAN INPUT drops new connections
                       eim: MASQUERADE (endpoint-independent mapping, port preserved)
                       symmetric: MASQUERADE --random-fully (endpoint-dependent mapping)
                       forward: eim + DNAT of tcp/udp 11204 to the home
                       upnp: eim + miniupnpd 2.3.1 (UPnP IGD, NAT-PMP, PCP)
    homes:             10.0.N.2, default route via 10.0.N.1
    DHT swarm:         python3-libtorrent nodes on 198.18.0.21-26:6881 in the internet namespace
                       (tests/support/dht_swarm.py, shared with test_dht_lab)
    IPv6:              off in every namespace, unless NatLab(ipv6=True): then 2001:db8::/32 (no NAT66, as at home):
                       internet 2001:db8::/64 on br0 (gateway 2001:db8::254, blackhole default route),
                       public hosts 2001:db8::<their IPv4 last octet> (pub 2001:db8::10), routers' WAN
                       2001:db8::1N, home N's LAN 2001:db8:N::/64 (router ::1, home ::2), routed by the
                       internet namespace. home(v6="firewall") (the default): ip6tables FORWARD drops new
                       inbound connections, lets replies (ESTABLISHED,RELATED) in: the usual home router.
                       home(v6="open"): inbound allowed. home(v6=None): no IPv6 in that home.
                       public(ipv4=False): an IPv6-only host.

    with NatLab() as lab:
        pub = lab.public("pub")
        a = lab.home("a", nat="eim")
        lab.start_turn(); lab.start_dht_swarm(6)
        node = lab.start_soundtime(a)          # build/soundtime serve inside home a
        node.get("/api/p2p/status").json
"""
import atexit
import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
sys.path.insert(0, SUPPORT)
import dht_swarm  # noqa: E402  (the libtorrent swarm, shared with test_dht_lab)
sys.path.insert(0, HERE)
from harness import Reply  # noqa: E402  (the same answers as the other integration tests)
SYSTEM_PYTHON = "/usr/bin/python3"  # has python3-libtorrent (the default python3 may be another one)

INET_PREFIX = "198.18.0."
INET_GATEWAY = "198.18.0.254"
PUB_IP, PUB_IP2 = "198.18.0.10", "198.18.0.20"
INET6_PREFIX = "2001:db8::"          # the IPv6 internet (a /64 on br0); homes get 2001:db8:N::/64
INET6_GATEWAY = "2001:db8::254"
PUB_IP6 = "2001:db8::10"
V6_KINDS = (None, "firewall", "open")
P2P_PORT = 11204
HTTP_PORT = 18080
STUND_PORTS = (3478, 3479)  # stund holds both on both of pub's addresses
TURN_PORT = 3480            # so coturn listens beside it
TURN_USER, TURN_PASSWORD, TURN_REALM = "labuser", "labpass", "soundtime.lab"
TURN_SECRET = "lab-turn-secret-0123456789"
DHT_FIRST, DHT_PORT = 21, 6881
NAT_KINDS = ("eim", "symmetric", "forward", "upnp")
JWT_SECRET = "nat-lab-secret-0123456789abcdef0123456789"

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_live_labs = []


def tool(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")


def _sbin_on_path():
    """ip, iptables, sysctl... live in /usr/sbin, which a non-login shell's PATH may lack."""
    parts = os.environ.get("PATH", "").split(":")
    for d in ("/usr/sbin", "/sbin", "/usr/bin", "/bin"):
        if d not in parts:
            parts.append(d)
    os.environ["PATH"] = ":".join(p for p in parts if p)


def ipv6_missing():
    """Why this machine's kernel cannot give namespaces IPv6 (empty when it can)."""
    if not os.path.exists("/proc/sys/net/ipv6"):
        return ["the kernel has IPv6 disabled (ipv6.disable=1)"]
    return []


def missing_requirements(upnp=False, turn=False, dht=False, soundtime=False, ipv6=False):
    """Reasons the lab cannot run here (empty when it can): callers turn them into unittest skips."""
    why = []
    if os.geteuid() != 0:
        why.append("not root (network namespaces need CAP_NET_ADMIN)")
    needed = ["ip", "iptables", "sysctl"]
    if upnp:
        needed += ["miniupnpd", "iptables-legacy", "stund"]
    if turn:
        needed += ["turnserver"]
    if ipv6:
        needed += ["ip6tables"]
        why += ipv6_missing()
    why += [f"{n} is not installed" for n in needed if not tool(n)]
    if dht:
        r = subprocess.run([SYSTEM_PYTHON, "-c", "import libtorrent"], capture_output=True)
        if r.returncode != 0:
            why.append(f"{SYSTEM_PYTHON} cannot import libtorrent (Debian python3-libtorrent)")
    if soundtime:
        b = soundtime_binary()
        if not os.access(b, os.X_OK):
            why.append(f"no soundtime binary at {b}")
    if not why and os.geteuid() == 0:
        _sbin_on_path()
        probe = f"stlabprobe{os.getpid()}"
        r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
        if r.returncode != 0:
            why.append("cannot create network namespaces here: " + r.stderr.strip())
        else:
            if ipv6:  # the kernel has IPv6, but a namespace may still not get it (sysctl policy)
                for argv in (["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0"],
                             ["sysctl", "-qw", "net.ipv6.conf.lo.disable_ipv6=0"], ["ip", "link", "set", "lo", "up"],
                             ["ip", "-6", "addr", "add", "2001:db8::1/128", "dev", "lo", "nodad"]):
                    r = subprocess.run(["ip", "netns", "exec", probe, *argv], capture_output=True, text=True)
                    if r.returncode != 0:
                        why.append("IPv6 cannot be turned on in a namespace: " + (r.stderr.strip() or " ".join(argv)))
                        break
            subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return why


def soundtime_binary():
    return os.path.abspath(os.environ.get("SOUNDTIME_BINARY", "build/soundtime"))


def socket_in(ns, family=socket.AF_INET, kind=socket.SOCK_STREAM):
    """A socket that lives in namespace `ns` (a socket's namespace is fixed when it is created): this
    thread enters the namespace, creates it, and comes back."""
    with open(f"/var/run/netns/{ns}") as target, open("/proc/thread-self/ns/net") as own:
        if _libc.setns(target.fileno(), CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns({ns}): {os.strerror(e)}")
        try:
            return socket.socket(family, kind)
        finally:
            if _libc.setns(own.fileno(), CLONE_NEWNET) != 0:  # never carry on in the wrong namespace
                os._exit(70)


class NsHTTPConnection(http.client.HTTPConnection):
    def __init__(self, ns, host, port, timeout=30):
        super().__init__(host, port, timeout=timeout)
        self.ns = ns

    def connect(self):
        self.sock = socket_in(self.ns)
        self.sock.settimeout(self.timeout)
        self.sock.connect((self.host, self.port))


def multipart(files, fields=()):
    boundary = "----natlab" + uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
    for name, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


class Host:
    """A namespace of the lab. `ip` is its own address; `public_ip` what the internet sees of it."""

    def __init__(self, lab, name, ns, kind, ip, public_ip=None, index=None, nat=None, router=None):
        self.lab, self.name, self.ns, self.kind = lab, name, ns, kind
        self.ip, self.public_ip, self.index, self.nat, self.router = ip, public_ip or ip, index, nat, router
        self.ip6 = None  # its global IPv6 address in an IPv6 lab (2001:db8::/32), or None
        self.v6 = None   # a home's IPv6 kind: None, "firewall" or "open"

    @property
    def lan(self):
        return f"10.0.{self.index}.0/24" if self.index else None

    def __repr__(self):
        return f"<{self.kind} {self.name} {self.ip} ns={self.ns}>"


class LabError(RuntimeError):
    pass


class NatLab:
    def __init__(self, prefix="stlab", workdir=None, keep_workdir=False, ipv6=False):
        self.ipv6 = ipv6
        self.tag = f"{prefix}{os.getpid()}"
        self.prefix = prefix
        self.dir = workdir or tempfile.mkdtemp(prefix=f"soundtime-natlab-{os.getpid()}-")
        os.chmod(self.dir, 0o755)
        self.keep_workdir = keep_workdir
        self.namespaces = []      # created, in order (removed in reverse)
        self.procs = []           # (Popen, name), stopped in reverse
        self.hosts = {}
        self.inet = None
        self.turn = None
        self.stund = None
        self.dht_nodes = []
        self.dht_swarm = None
        self._next_index = 1
        self._next_public = 30
        self._lock = threading.Lock()
        self._closed = False
        self._old_sigterm = None

    # --- lifetime ---
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        _sbin_on_path()
        why = missing_requirements(ipv6=self.ipv6)
        if why:
            raise LabError("; ".join(why))
        self.remove_stale()
        _live_labs.append(self)
        if threading.current_thread() is threading.main_thread():
            # SIGTERM (a runner timing out) unwinds like Ctrl-C, so `with` and finally blocks clean up.
            prev = signal.getsignal(signal.SIGTERM)
            if prev in (signal.SIG_DFL, None):
                self._old_sigterm = prev
                signal.signal(signal.SIGTERM, _raise_interrupt)
        self.inet = self._namespace("inet", "inet", INET_GATEWAY)
        ns = self.inet.ns
        self.sh(ns, ["ip", "link", "add", "br0", "type", "bridge"], ["ip", "addr", "add", f"{INET_GATEWAY}/24", "dev", "br0"],
                ["ip", "link", "set", "br0", "up"], ["ip", "route", "add", "blackhole", "default"])
        if self.ipv6:
            self.sh(ns, ["ip", "-6", "addr", "add", f"{INET6_GATEWAY}/64", "dev", "br0", "nodad"],
                    ["ip", "-6", "route", "add", "blackhole", "default"],
                    ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
        return self

    def close(self):
        """Stops every process started here, then removes every namespace. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.dht_swarm:
            self.dht_swarm.stop()
        for p, name in reversed(self.procs):
            stop_process(p, 10)
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.namespaces = []
        if self in _live_labs:
            _live_labs.remove(self)
        if self._old_sigterm is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._old_sigterm)
        if not self.keep_workdir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def remove_stale(self):
        """Namespaces a killed earlier run (same prefix, dead pid) left behind."""
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(rf"({re.escape(self.prefix)}(\d+)-\S+)", line)
            if m and int(m.group(2)) != os.getpid() and not os.path.exists(f"/proc/{m.group(2)}"):
                subprocess.run(["ip", "netns", "del", m.group(1)], capture_output=True)

    # --- plumbing ---
    def sh(self, ns, *cmds, check=True):
        """Runs each argv inside namespace `ns` (None: on the machine, only for `ip` commands naming -n)."""
        for argv in cmds:
            full = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
            r = subprocess.run(full, capture_output=True, text=True, timeout=30)
            if check and r.returncode != 0:
                raise LabError(f"{' '.join(full)}: {r.stderr.strip() or r.stdout.strip()}")

    def _namespace(self, name, kind, ip, **kw):
        if name in self.hosts:
            raise LabError(f"there is already a host named {name}")
        ns = f"{self.tag}-{name}"
        r = subprocess.run(["ip", "netns", "add", ns], capture_output=True, text=True)
        if r.returncode != 0:
            raise LabError(f"ip netns add {ns}: {r.stderr.strip()}")
        self.namespaces.append(ns)
        if self.ipv6:  # on, without router advertisements or duplicate address detection (no waiting)
            try:
                self.sh(ns, *(["sysctl", "-qw", f"net.ipv6.conf.{c}.{k}={v}"] for c in ("all", "default")
                              for k, v in (("disable_ipv6", 0), ("accept_ra", 0), ("accept_dad", 0), ("dad_transmits", 0))),
                        ["ip", "link", "set", "lo", "up"])
            except LabError as e:
                raise LabError(f"IPv6 cannot be turned on in a namespace here: {e}")
        else:
            self.sh(ns, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
                    ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"], ["ip", "link", "set", "lo", "up"])
        h = Host(self, name, ns, kind, ip, **kw)
        self.hosts[name] = h
        return h

    def _wire_to_inet(self, host, dev, ips, ip6=None):
        """A veth from `host` (named dev there) to the internet bridge; IPv4 addresses `ips` (none: an
        IPv6-only host), IPv6 address `ip6`."""
        port = f"p{len(self.namespaces)}"
        self.sh(None, ["ip", "-n", host.ns, "link", "add", dev, "type", "veth", "peer", "name", port, "netns", self.inet.ns])
        self.sh(self.inet.ns, ["ip", "link", "set", port, "master", "br0"], ["ip", "link", "set", port, "up"])
        for a in ips:
            self.sh(host.ns, ["ip", "addr", "add", f"{a}/24", "dev", dev])
        if ip6:
            self.sh(host.ns, ["ip", "-6", "addr", "add", f"{ip6}/64", "dev", dev, "nodad"])
        self.sh(host.ns, ["ip", "link", "set", dev, "up"])
        if ips:
            self.sh(host.ns, ["ip", "route", "add", "default", "via", INET_GATEWAY])
        if ip6:
            self.sh(host.ns, ["ip", "-6", "route", "add", "default", "via", INET6_GATEWAY])

    def public(self, name="pub", ip=None, extra_ips=None, ipv4=True):
        """A host on the internet with no NAT. The first one is 198.18.0.10 (+ .20, stund's second address).
        In an IPv6 lab it also has 2001:db8::<last octet>; with ipv4=False only that (its `ip` is then the
        IPv6 address)."""
        if ip is None:
            if not any(h.kind == "public" for h in self.hosts.values()):
                ip = PUB_IP
            else:
                ip, self._next_public = f"{INET_PREFIX}{self._next_public}", self._next_public + 1
        if extra_ips is None:
            extra_ips = [PUB_IP2] if ip == PUB_IP else []
        if not ipv4 and not self.ipv6:
            raise LabError("an IPv6-only host needs NatLab(ipv6=True)")
        ip6 = INET6_PREFIX + ip.rsplit(".", 1)[1] if self.ipv6 else None
        h = self._namespace(name, "public", ip if ipv4 else ip6)
        h.ip6 = ip6
        h.extra_ips = list(extra_ips) if ipv4 else []
        self._wire_to_inet(h, "eth0", [ip, *extra_ips] if ipv4 else [], ip6)
        return h

    def home(self, name, nat="eim", index=None, v6="firewall"):
        """A home 10.0.N.2 behind its own router (namespace r<name>) of the given kind; in an IPv6 lab also
        2001:db8:N::2, routed (no NAT66) through a stateful firewall (v6="firewall"), none (v6="open"), or
        no IPv6 at all (v6=None)."""
        if nat not in NAT_KINDS:
            raise LabError(f"unknown NAT kind {nat!r} (one of {NAT_KINDS})")
        if v6 not in V6_KINDS:
            raise LabError(f"unknown IPv6 kind {v6!r} (one of {V6_KINDS})")
        if not self.ipv6:
            v6 = None
        if index is None:
            used = {h.index for h in self.hosts.values() if h.index}
            while self._next_index in used:
                self._next_index += 1
            index = self._next_index
        if not 1 <= index <= 9:
            raise LabError("homes are numbered 1 to 9 (their routers are 198.18.0.11-19)")
        wan = f"{INET_PREFIX}{10 + index}"
        lan_gw, home_ip = f"10.0.{index}.1", f"10.0.{index}.2"
        if nat == "upnp":
            self.start_stund()  # miniupnpd checks its reserved WAN address with STUN before it maps anything
        r = self._namespace("r" + name, "router", wan, index=index, nat=nat)
        self._wire_to_inet(r, "wan0", [wan], f"{INET6_PREFIX}{10 + index}" if v6 else None)
        h = self._namespace(name, "home", home_ip, public_ip=wan, index=index, nat=nat, router=r)
        h.v6 = v6
        self.sh(None, ["ip", "-n", r.ns, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns", h.ns])
        self.sh(r.ns, ["ip", "addr", "add", f"{lan_gw}/24", "dev", "lan0"], ["ip", "link", "set", "lan0", "up"],
                ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        self.sh(h.ns, ["ip", "addr", "add", f"{home_ip}/24", "dev", "eth0"], ["ip", "link", "set", "eth0", "up"],
                ["ip", "route", "add", "default", "via", lan_gw])
        ipt = lambda *a: ["iptables", "-w", *a]
        rules = [ipt("-t", "nat", "-A", "POSTROUTING", "-o", "wan0", "-j", "MASQUERADE",
                     *(["--random-fully"] if nat == "symmetric" else [])),
                 ipt("-P", "FORWARD", "DROP"),
                 ipt("-A", "FORWARD", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"),
                 ipt("-A", "FORWARD", "-i", "lan0", "-o", "wan0", "-j", "ACCEPT")]
        if nat in ("forward", "upnp"):
            rules.append(ipt("-A", "FORWARD", "-i", "wan0", "-o", "lan0", "-m", "conntrack", "--ctstate", "DNAT",
                             "-j", "ACCEPT"))
        if nat == "forward":
            for proto in ("tcp", "udp"):
                rules.append(ipt("-t", "nat", "-A", "PREROUTING", "-i", "wan0", "-p", proto, "--dport", str(P2P_PORT),
                                 "-j", "DNAT", "--to-destination", f"{home_ip}:{P2P_PORT}"))
        rules.append(ipt("-A", "INPUT", "-i", "wan0", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"))
        if nat == "upnp":  # stund answers miniupnpd's CHANGE-REQUEST from its other address and port
            for src in (PUB_IP, PUB_IP2):
                rules.append(ipt("-A", "INPUT", "-i", "wan0", "-p", "udp", "-s", src, "-j", "ACCEPT"))
        rules.append(ipt("-A", "INPUT", "-i", "wan0", "-j", "DROP"))
        self.sh(r.ns, *rules)
        if v6:
            self._route_v6(r, h, index, v6)
        if nat == "upnp":
            self._start_miniupnpd(r, index)
        return h

    def _route_v6(self, r, h, index, v6):
        """Home N's 2001:db8:N::/64 behind its router: routed as is (no NAT66), through ip6tables."""
        lan, wan = f"2001:db8:{index}::", f"{INET6_PREFIX}{10 + index}"
        r.ip6, h.ip6 = wan, f"{lan}2"
        self.sh(r.ns, ["ip", "-6", "addr", "add", f"{lan}1/64", "dev", "lan0", "nodad"],
                ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
        self.sh(h.ns, ["ip", "-6", "addr", "add", f"{h.ip6}/64", "dev", "eth0", "nodad"],
                ["ip", "-6", "route", "add", "default", "via", f"{lan}1"])
        self.sh(self.inet.ns, ["ip", "-6", "route", "add", f"{lan}/64", "via", wan])
        ip6t = lambda *a: ["ip6tables", "-w", *a]
        rules = [ip6t("-P", "FORWARD", "DROP"),
                 ip6t("-A", "FORWARD", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"),
                 ip6t("-A", "FORWARD", "-p", "ipv6-icmp", "-j", "ACCEPT"),  # PMTU, errors (RFC 4890)
                 ip6t("-A", "FORWARD", "-i", "lan0", "-o", "wan0", "-j", "ACCEPT")]
        if v6 == "open":
            rules.append(ip6t("-A", "FORWARD", "-i", "wan0", "-o", "lan0", "-j", "ACCEPT"))
        rules += [ip6t("-A", "INPUT", "-p", "ipv6-icmp", "-j", "ACCEPT"),  # neighbour discovery
                  ip6t("-A", "INPUT", "-i", "wan0", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"),
                  ip6t("-A", "INPUT", "-i", "wan0", "-j", "DROP")]
        self.sh(r.ns, *rules)

    def _start_miniupnpd(self, r, index):
        # miniupnpd-iptables writes through libiptc (legacy xtables): its chains live in the legacy tables,
        # beside the nft ones above (whose FORWARD accepts what was DNATed).
        leg = lambda *a: ["iptables-legacy", "-w", *a]
        self.sh(r.ns, leg("-t", "nat", "-N", "MINIUPNPD"), leg("-t", "nat", "-I", "PREROUTING", "-i", "wan0", "-j", "MINIUPNPD"),
                leg("-t", "mangle", "-N", "MINIUPNPD"), leg("-t", "mangle", "-I", "PREROUTING", "-i", "wan0", "-j", "MINIUPNPD"),
                leg("-t", "filter", "-N", "MINIUPNPD"),
                leg("-t", "filter", "-I", "FORWARD", "-i", "wan0", "!", "-o", "wan0", "-j", "MINIUPNPD"),
                leg("-t", "nat", "-N", "MINIUPNPD-POSTROUTING"),
                leg("-t", "nat", "-I", "POSTROUTING", "-o", "wan0", "-j", "MINIUPNPD-POSTROUTING"))
        d = os.path.join(self.dir, r.name)
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "miniupnpd.conf")
        with open(conf, "w") as f:
            f.write(f"ext_ifname=wan0\nlistening_ip=lan0\nport=0\nenable_natpmp=yes\nenable_upnp=yes\n"
                    f"ext_perform_stun=yes\next_stun_host={PUB_IP}\next_stun_port={STUND_PORTS[0]}\n"
                    f"secure_mode=yes\nsystem_uptime=yes\nnotify_interval=60\nclean_ruleset_interval=600\n"
                    f"min_lifetime=120\nmax_lifetime=86400\nlease_file={d}/upnp.leases\n"
                    f"uuid={uuid.uuid4()}\nfriendly_name=SoundTime lab router {r.name}\n"
                    f"allow 1024-65535 10.0.{index}.0/24 1024-65535\ndeny 0-65535 0.0.0.0/0 0-65535\n")
        log = os.path.join(d, "miniupnpd.log")
        p = self.popen(r, [tool("miniupnpd"), "-d", "-f", conf, "-P", os.path.join(d, "miniupnpd.pid")], log=log,
                       name=f"miniupnpd {r.name}")
        r.miniupnpd_log = log
        wait_until(lambda: "Port forwarding is now enabled" in read_text(log) or p.poll() is not None, 20,
                   f"miniupnpd in {r.name} to pass its STUN check")
        if p.poll() is not None or "Port forwarding is now enabled" not in read_text(log):
            raise LabError(f"miniupnpd in {r.name} did not enable forwarding:\n{read_text(log)[-2000:]}")

    def run(self, host, argv, check=False, timeout=30, input=None, env=None):
        """Runs argv inside host's namespace; returns the CompletedProcess (text)."""
        return subprocess.run(["ip", "netns", "exec", host.ns, *argv], capture_output=True, text=True, timeout=timeout,
                              input=input, check=check, env=env)

    def popen(self, host, argv, env=None, log=None, name=None):
        """Starts argv inside host's namespace in its own process group; stopped by close()."""
        if log is None:
            log = os.path.join(self.dir, f"{host.name}-{os.path.basename(argv[0])}-{len(self.procs)}.log")
        with open(log, "ab") as out:
            p = subprocess.Popen(["ip", "netns", "exec", host.ns, *argv], env=env, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        p.log_path = log
        self.procs.append((p, name or argv[0]))
        return p

    # --- services ---
    def pub(self):
        for h in self.hosts.values():
            if h.kind == "public" and h.ip == PUB_IP:
                return h
        raise LabError("create the public host first: lab.public('pub')")

    def start_stund(self):
        """RFC 3489 STUN (stund) on pub's two addresses, ports 3478/3479: miniupnpd's ext_perform_stun needs it."""
        if self.stund:
            return self.stund
        pub = self.pub()
        p = self.popen(pub, [tool("stund"), "-h", PUB_IP, "-a", PUB_IP2, "-p", str(STUND_PORTS[0]), "-o", str(STUND_PORTS[1])],
                       name="stund")
        wait_until(lambda: self._udp_bound(pub, STUND_PORTS[0]) or p.poll() is not None, 10, "stund to listen")
        if p.poll() is not None:
            raise LabError("stund exited: " + read_text(p.log_path))
        self.stund = p
        return p

    def _udp_bound(self, host, port):
        out = self.run(host, ["ss", "-Hnlu"]).stdout
        return f":{port} " in out

    def start_turn(self, port=TURN_PORT, secret=False):
        """coturn on pub: STUN + TURN over UDP/TCP on 198.18.0.10:port, relays on 198.18.0.10. Long-term
        credentials (TURN_USER/TURN_PASSWORD), or with secret=True the TURN REST API (TURN_SECRET).
        Returns {"server", "log", "env"}: env is what a SoundTime node needs."""
        if self.turn:
            return self.turn
        pub = self.pub()
        d = os.path.join(self.dir, "coturn")
        os.makedirs(d, exist_ok=True)
        log = os.path.join(d, "turn.log")
        argv = [tool("turnserver"), "-n", f"--listening-ip={PUB_IP}", f"--listening-port={port}", f"--relay-ip={PUB_IP}",
                f"--realm={TURN_REALM}", "--no-tls", "--no-dtls", "--no-cli", "--fingerprint", "-v", "--simple-log",
                f"--log-file={log}", f"--pidfile={d}/turn.pid", f"--userdb={d}/turndb", "--min-port=49152",
                "--max-port=65535", "--no-multicast-peers"]
        if secret:
            argv += ["--use-auth-secret", f"--static-auth-secret={TURN_SECRET}"]
            env = {"P2P_TURN_SERVERS": f"{PUB_IP}:{port}", "P2P_TURN_SECRET": TURN_SECRET}
        else:
            argv += ["--lt-cred-mech", f"--user={TURN_USER}:{TURN_PASSWORD}"]
            env = {"P2P_TURN_SERVERS": f"{TURN_USER}:{TURN_PASSWORD}@{PUB_IP}:{port}"}
        env["P2P_STUN_SERVERS"] = f"{PUB_IP}:{port}"
        p = self.popen(pub, argv, log=os.path.join(d, "stdout.log"), name="turnserver")
        wait_until(lambda: self._udp_bound(pub, port) or p.poll() is not None, 15, "coturn to listen")
        if p.poll() is not None:
            raise LabError("coturn exited:\n" + read_text(os.path.join(d, "stdout.log")) + read_text(log))
        self.turn = {"server": f"{PUB_IP}:{port}", "log": log, "env": env, "proc": p, "port": port}
        return self.turn

    def turn_log(self):
        return read_text(self.turn["log"]) if self.turn else ""

    def start_dht_swarm(self, n=6):
        """n libtorrent DHT nodes on 198.18.0.21..:6881 in the internet namespace, all knowing each other
        (tests/support/dht_swarm.py, the same swarm as test_dht_lab's). Returns their "ip:port" list
        (P2P_DHT_BOOTSTRAP)."""
        if self.dht_nodes:
            return self.dht_nodes
        if not 1 <= n <= 8:
            raise LabError("the swarm has 1 to 8 nodes (198.18.0.21-28)")
        ips = [f"{INET_PREFIX}{DHT_FIRST + i}" for i in range(n)]
        for a in ips:
            self.sh(self.inet.ns, ["ip", "addr", "add", f"{a}/24", "dev", "br0"])
        try:
            self.dht_swarm = dht_swarm.start_swarm(self.inet.ns, ips, DHT_PORT, log_path=os.path.join(self.dir, "dht-swarm.log"))
        except RuntimeError as e:
            raise LabError(f"the DHT swarm did not form: {e}\n" + read_text(os.path.join(self.dir, "dht-swarm.log"))[-2000:])
        self.dht_nodes = list(self.dht_swarm.nodes)
        return self.dht_nodes

    def _swarm(self):
        if not self.dht_swarm:
            raise LabError("start the DHT swarm first")
        return self.dht_swarm

    def dht_get_mutable(self, public_key, salt=b"", timeout=30):
        """libtorrent's dht_get_mutable_item through a swarm node (it verifies signatures).
        {"found", "seq", "v_hex", "authoritative", "target", "sig", "sig_ok"}."""
        try:
            return self._swarm().get(public_key.hex(), timeout=timeout, salt=salt)
        except RuntimeError as e:
            raise LabError(str(e))

    def dht_put_mutable(self, seed, value, salt=b"", timeout=60):
        """libtorrent's dht_put_mutable_item of `value` (bytes, stored as a bencoded string) under the
        Ed25519 key of the 32-byte `seed`, from a swarm node. {"public_key", "seq", "stored", "done"}.
        A put normally ends in milliseconds, yet full CI runs of 2026-12-05 saw puts report nothing for 30 s,
        twice, also when split into three 10 s tries from three swarm nodes (not understood; perhaps the
        traversal waiting out nodes of the swarm's tables that the lab's tests stopped). So one long try,
        then one more from another node."""
        swarm = self._swarm()
        try:
            put = swarm.put(seed.hex(), value, node=0, timeout=timeout, salt=salt)
            if not (put["done"] and put["stored"] > 0) and len(swarm.nodes) > 1:
                put = swarm.put(seed.hex(), value, node=1, timeout=timeout // 2, salt=salt)
            return put
        except RuntimeError as e:
            raise LabError(str(e))

    def ed25519_public_key(self, seed):
        """The Ed25519 public key of a 32-byte seed (computed by the system Python, no network)."""
        try:
            return bytes.fromhex(dht_swarm.ed25519_public_key(seed.hex()))
        except RuntimeError as e:
            raise LabError(str(e))

    # --- SoundTime ---
    def lab_env(self, host):
        """What a SoundTime node in `host` needs to use the lab's services (and nothing outside)."""
        env = {}
        if self.dht_nodes:
            env["P2P_DHT_BOOTSTRAP"] = ",".join(self.dht_nodes)
        else:
            env["P2P_DHT_DISCOVERY"] = "false"
        if self.turn:
            env.update(self.turn["env"])
        if host.kind == "public":
            env["P2P_RENDEZVOUS"] = "true"
        return env

    def start_soundtime(self, host, env=None, binary=None, name=None, wait=True):
        node = LabNode(self, host, binary or soundtime_binary(), env or {}, name or host.name)
        if wait:
            node.start()
        return node


class LabNode:
    """`soundtime serve` inside a lab host: HTTP on 127.0.0.1:18080 in the namespace (reached through a socket
    created there), P2P on 0.0.0.0:11204, SQLite in its own data dir, the lab's services in its env."""

    def __init__(self, lab, host, binary, extra_env, name):
        self.lab, self.host, self.binary, self.name = lab, host, binary, name
        self.dir = os.path.join(lab.dir, f"node-{name}")
        os.makedirs(self.dir, exist_ok=True)
        self.port = HTTP_PORT
        self.log_path = os.path.join(self.dir, "server.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("P2P_")}
        env.pop("DATABASE_URL", None)  # SQLite: a PostgreSQL on the machine's loopback is out of reach here
        env.update({
            "PORT": str(self.port), "HOST": "127.0.0.1", "SOUNDTIME_DATA_DIR": self.dir, "JWT_SECRET": JWT_SECRET,
            "LOG_LEVEL": "info", "AUTH_RATE_LIMIT_BURST": "1000", "SOUNDTIME_WEB_ROOT": os.path.join(self.dir, "no-web"),
            # No Avahi daemon of the machine may be reached (it would publish on the real network).
            "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=" + os.path.join(self.dir, "no-bus"),
            "P2P_ENABLED": "true", "P2P_BIND_HOST": "0.0.0.0", "P2P_BIND_PORT": str(P2P_PORT),
            "P2P_SYNC_INTERVAL_SECONDS": "2", "P2P_PEX_INTERVAL_SECONDS": "5",
            "P2P_PORT_MAPPING": "false",
        })
        env.update(lab.lab_env(host))
        env.update(extra_env)
        self.env = env
        self.proc = None
        self.token = None
        self.node_id = None

    def start(self, timeout=30):
        self.proc = self.lab.popen(self.host, [self.binary, "serve"], env=self.env, log=self.log_path,
                                   name=f"soundtime {self.name}")
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise LabError(f"soundtime in {self.name} exited at start:\n" + self.read_log()[-3000:])
            try:
                if self.get("/healthz", timeout=2).status == 200:
                    self.node_id = self.get("/api/p2p/status").json.get("node_id")
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise LabError(f"soundtime in {self.name} did not answer /healthz:\n" + self.read_log()[-3000:])

    def stop(self, timeout=15):
        """SIGTERM; returns (exit code or "timeout", log)."""
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    code = self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    code = "timeout"
            else:
                code = self.proc.returncode
        return code, self.read_log()

    def read_log(self):
        return read_text(self.log_path)

    # --- HTTP ---
    def request(self, method, path, body=None, headers=None, token=None, raw=None, timeout=30):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        tok = token if token is not None else self.token
        if tok:
            h["Authorization"] = "Bearer " + tok
        c = NsHTTPConnection(self.host.ns, "127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Reply(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def setup_admin(self, username="admin", password="admin-password-1"):
        r = self.post("/api/setup/admin", {"username": username, "email": f"{username}@example.org", "password": password})
        if r.status != 201:
            raise LabError(f"{self.name}: admin setup: {r}")
        self.token = r.json["tokens"]["access_token"]
        for path, body in (("/api/setup/instance", {"instance_name": f"Lab {self.name}", "instance_description": "NAT lab"}),
                           ("/api/setup/complete", {"p2p_enabled": True, "open_registrations": False,
                                                    "max_upload_size_mb": 100})):
            r = self.post(path, body)
            if r.status != 200:
                raise LabError(f"{self.name}: {path}: {r}")
        return self.token

    def upload(self, path, filename=None):
        with open(path, "rb") as f:
            data = f.read()
        body, headers = multipart([("file", filename or os.path.basename(path), data)])
        r = self.request("POST", "/api/upload", raw=body, headers=headers, timeout=60)
        if r.status not in (200, 201):
            raise LabError(f"{self.name}: upload {path}: {r}")
        return r.json

    def status(self):
        return self.get("/api/p2p/status").json

    def peers(self):
        r = self.get("/api/admin/p2p/peers")
        if r.status != 200:
            raise LabError(f"{self.name}: peer list: {r}")
        return {p["node_id"]: p for p in r.json}


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@atexit.register
def _close_all():
    for lab in list(_live_labs):
        lab.close()


def stop_process(p, timeout):
    """SIGTERM to the process group, then SIGKILL if it does not end within `timeout` seconds."""
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def wait_until(predicate, timeout, what):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.1)
    raise LabError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


# --- probes used by the self-check (each runs as `python3 -c` inside a namespace) ---
REFLECTOR = r"""
import socket, sys, select
socks = []
for port in sys.argv[2:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(port))); socks.append(s)
print("ready", flush=True)
while True:
    for s in select.select(socks, [], [])[0]:
        data, addr = s.recvfrom(2048)
        s.sendto(f"{addr[0]}:{addr[1]}".encode(), addr)
"""

UDP_PROBE = r"""
import socket, sys, json
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", int(sys.argv[1]))); s.settimeout(3)
seen = []
for target in sys.argv[2:]:
    host, port = target.rsplit(":", 1)
    s.sendto(b"probe", (host, int(port)))
    try:
        seen.append(s.recvfrom(2048)[0].decode())
    except socket.timeout:
        seen.append(None)
print(json.dumps(seen))
"""

TCP_LISTEN = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen()
print("ready", flush=True)
while True:
    c, addr = s.accept(); c.sendall(f"{addr[0]}:{addr[1]}".encode()); c.close()
"""

TCP_LISTEN6 = r"""
import socket, sys
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1]))); s.listen()
print("ready", flush=True)
while True:
    c, addr = s.accept(); c.sendall(f"{addr[0]}:{addr[1]}".encode()); c.close()
"""

TCP_CONNECT = r"""
import socket, sys, json
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
    print(json.dumps({"ok": True, "peer_saw": c.recv(100).decode()}))
except socket.timeout:
    print(json.dumps({"ok": False, "error": "timeout"}))
except OSError as e:
    print(json.dumps({"ok": False, "error": e.strerror or str(e)}))
"""


class LabCase(unittest.TestCase):
    """One lab for all the tests of a class. A subclass sets NEEDS (missing_requirements' arguments) and
    PREFIX, and builds its hosts and nodes in build(lab), keeping the nodes in cls.nodes: they are stopped
    at the end (each must exit 0 on SIGTERM), and the lab is always taken down."""
    NEEDS = {"soundtime": True}
    PREFIX = "stcase"
    LAB = {}  # NatLab's keyword arguments (ipv6=True)

    @classmethod
    def build(cls, lab):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        why = missing_requirements(**cls.NEEDS)
        if why:
            raise unittest.SkipTest("NAT lab unavailable: " + "; ".join(why))
        cls.lab = NatLab(prefix=cls.PREFIX, **cls.LAB)
        cls.nodes = {}
        try:
            cls.lab.start()
            cls.build(cls.lab)
        except BaseException:
            for n in cls.nodes.values():
                n.stop()
            cls.lab.close()
            raise

    @classmethod
    def tearDownClass(cls):
        codes = {name: n.stop()[0] for name, n in cls.nodes.items()}
        cls.lab.close()
        assert all(c == 0 for c in codes.values()), f"exit codes on SIGTERM: {codes}"
