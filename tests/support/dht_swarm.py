#!/usr/bin/python3
"""An independent Mainline DHT swarm for namespace lab tests: libtorrent 2.0.8 sessions (Debian
python3-libtorrent, importable only by /usr/bin/python3), one per address, that know only each other. The one
swarm of the labs: tests/integration/test_dht_lab.py and nat_lab.py (test_nat_lab, test_p2p_nat, bench/p2p_nat.py).

Library use (from any Python 3):
    swarm = start_swarm("stdht123i", ["198.18.0.21", "198.18.0.22", ...])   # runs in that namespace
    swarm.nodes                      # ["198.18.0.21:6881", ...] for --bootstrap
    swarm.get(public_key_hex)        # BEP 44 get through node 0 -> {"found", "seq", "sig", "value", "sig_ok",
                                     #   "v_hex" (= value), "authoritative", "target" (SHA-1 of key + salt)}
    swarm.put(seed_hex, value_bytes) # BEP 44 put signed by libtorrent (seq = previous + 1)
                                     #   -> {"done", "num_success", "stored" (= num_success), "seq", "public_key"}
    swarm.stop()
    ed25519_public_key(seed_hex)     # the public key of a 32-byte seed (through /usr/bin/python3)

libtorrent verifies the signature of every mutable item it receives and drops the ones that fail, so "found"
means "found and verified"; sig_ok is our own check with python3-cryptography as well.

The swarm runs as `ip netns exec <ns> /usr/bin/python3 dht_swarm.py serve --addr A ...`, driven through
JSON lines on stdin/stdout (it ends when its stdin closes). Nothing here contacts a default bootstrap router:
dht_bootstrap_nodes is empty and LSD/UPnP/NAT-PMP are off; only ever run it inside a lab namespace."""
import hashlib
import json
import os
import subprocess
import sys
import threading
import time

PYTHON = "/usr/bin/python3"
HERE = os.path.abspath(__file__)


class SwarmHandle:
    def __init__(self, proc, addresses, port, log=None):
        self.proc = proc
        self.log = log
        self.nodes = [f"{a}:{port}" for a in addresses]
        self.lock = threading.Lock()

    def call(self, timeout=30, **cmd):
        with self.lock:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
            deadline = time.time() + timeout
            line = ""
            while time.time() < deadline:
                line = self.proc.stdout.readline()
                if line.startswith("{"):
                    return json.loads(line)
                if not line and self.proc.poll() is not None:
                    break
            raise RuntimeError(f"dht swarm did not answer {cmd.get('cmd')}: {line!r}")

    def wait_ready(self, min_nodes=3, timeout=30):
        """Until every session's routing table holds at least min_nodes others."""
        deadline = time.time() + timeout
        sizes = []
        tries = 0
        while time.time() < deadline:
            sizes = self.call(cmd="status")["routing_table"]
            if sizes and min(sizes) >= min_nodes:
                return sizes
            tries += 1
            if tries % 4 == 0:
                self.call(cmd="kick")
            time.sleep(0.5)
        raise RuntimeError(f"dht swarm routing tables stayed at {sizes}")

    def get(self, public_key_hex, node=0, timeout=15, salt=b""):
        return self.call(cmd="get", key=public_key_hex, salt=salt.hex(), node=node, timeout_s=timeout, timeout=timeout + 10)

    def put(self, seed_hex, value, node=0, timeout=15, salt=b""):
        return self.call(cmd="put", seed=seed_hex, value=value.hex(), salt=salt.hex(), node=node, timeout_s=timeout,
                         timeout=timeout + 10)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.log):
            if f is not None and f is not subprocess.DEVNULL:
                f.close()


def start_swarm(netns, addresses, port=6881, log_path=None):
    """Starts one libtorrent session per address inside netns (None: this namespace) and waits until
    their routing tables have filled. Returns a SwarmHandle; call stop() when done."""
    argv = [PYTHON, HERE, "serve", "--port", str(port)]
    for a in addresses:
        argv += ["--addr", a]
    if netns:
        argv = ["ip", "netns", "exec", netns] + argv
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    # Its own session: a Ctrl-C meant for the test does not kill it before stop() (it also ends on stdin EOF).
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1,
                            start_new_session=True)
    handle = SwarmHandle(proc, addresses, port, log if log_path else None)
    try:
        handle.wait_ready(min_nodes=min(3, len(addresses) - 1))
    except Exception:
        handle.stop()
        raise
    return handle


def ed25519_public_key(seed_hex, timeout=30):
    """The Ed25519 public key (hex) of a 32-byte seed, computed by /usr/bin/python3 (no network)."""
    r = subprocess.run([PYTHON, HERE, "key", seed_hex], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("dht_swarm key: " + r.stderr[-1000:])
    return r.stdout.strip()


# ---- the serving side (runs under /usr/bin/python3 with libtorrent) ------------------------------------

def libtorrent_secret_key(seed):
    """libtorrent's 64-byte Ed25519 secret key for a 32-byte seed (clamped SHA-512 of the seed)."""
    h = bytearray(hashlib.sha512(seed).digest())
    h[0] &= 248
    h[31] &= 63
    h[31] |= 64
    return bytes(h)


def public_key(seed):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def bencode_bytes(b):
    return str(len(b)).encode() + b":" + b


def item_value(item):
    """The v of a mutable item alert as bytes: the binding hands a dict (key, value, seq, ...) or the entry."""
    if isinstance(item, dict):
        for k in ("value", b"value", "v", b"v"):
            if k in item:
                return item_value(item[k])
        return None
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("latin-1")
    return None


def verify(key, sig, seq, value, salt=b""):
    """Our own check of a BEP 44 signature; None when python3-cryptography is missing."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    try:
        signed = (b"4:salt" + bencode_bytes(salt) if salt else b"") + b"3:seqi%de1:v" % seq + bencode_bytes(value)
        Ed25519PublicKey.from_public_bytes(key).verify(sig, signed)
        return True
    except Exception:
        return False


def settings(lt, address, port):
    # The lab facts (p2p-reachability.md §7.2): a concrete listen address (0.0.0.0:0 opened no DHT socket), no
    # bootstrap, no BEP 42 node-id enforcement, no "one node per /24" (the lab is one /24), and 198.18.0.0/15
    # (a reserved range) not ignored as dark internet, or nodes there never enter the routing tables.
    # dht_block_ratelimit: libtorrent ignores, for dht_block_timeout (5 min), an address that sent it 10 times
    # the limit within 10 s (5/s: 50 packets). In the lab every node and every probe behind a home's one NAT
    # address talk to the same six nodes, and a slow start repeats the introductions: one CI run saw a put whose
    # every query went unanswered for 31 s. 100/s still blocks a runaway client (1,000 packets in 10 s).
    return {
        "dht_block_ratelimit": 100,
        "listen_interfaces": f"{address}:{port}", "outgoing_interfaces": address,
        "enable_dht": True, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_incoming_utp": False, "enable_outgoing_utp": False,
        "dht_bootstrap_nodes": "", "dht_restrict_routing_ips": False, "dht_restrict_search_ips": False,
        "dht_enforce_node_id": False, "dht_prefer_verified_node_ids": False, "dht_ignore_dark_internet": False,
        "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.error_notification
        | lt.alert.category_t.dht_operation_notification,
    }


def serve(addresses, port):
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    import libtorrent as lt
    sessions = [lt.session(settings(lt, a, port)) for a in addresses]
    def introduce():
        # add_dht_node pings once; a ping to a session whose socket was not open yet is lost, so the
        # introductions are repeated until every table has filled (wait_ready's "kick").
        for i, s in enumerate(sessions):
            for j, b in enumerate(addresses):
                if i != j:
                    s.add_dht_node((b, port))

    time.sleep(0.5)
    introduce()

    def wait_alert(s, kind, match, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s.wait_for_alert(200)
            for a in s.pop_alerts():
                if isinstance(a, kind) and match(a):
                    return a
        return None

    def status():
        sizes = []
        for s in sessions:
            s.post_dht_stats()
            a = wait_alert(s, lt.dht_stats_alert, lambda a: True, 5)
            sizes.append(sum(b["num_nodes"] for b in a.routing_table) if a else 0)
        return {"routing_table": sizes}

    def get(cmd):
        s = sessions[cmd.get("node", 0)]
        key, salt = bytes.fromhex(cmd["key"]), bytes.fromhex(cmd.get("salt", ""))
        missing = {"found": False, "seq": None, "sig": None, "value": None, "v_hex": None, "authoritative": False,
                   "target": hashlib.sha1(key + salt).hexdigest()}
        t0 = time.time()
        s.dht_get_mutable_item(key, salt)
        a = wait_alert(s, lt.dht_mutable_item_alert, lambda a: bytes(a.key) == key and (a.authoritative or a.seq > 0),
                       cmd.get("timeout_s", 15))
        ms = (time.time() - t0) * 1000
        try:  # nothing found: an empty entry the binding may fail to convert
            item = a.item if a is not None else None
        except RuntimeError:
            item = None
        if item is None or a.seq == 0:
            return {**missing, "ms": ms, "authoritative": bool(a and a.authoritative)}
        value = item_value(item)
        if value is None:
            return {**missing, "ms": ms, "error": f"unexpected item {item!r:.200}"}
        sig = bytes(a.signature)
        return {**missing, "found": True, "seq": a.seq, "sig": sig.hex(), "value": value.hex(), "v_hex": value.hex(),
                "authoritative": bool(a.authoritative), "ms": ms, "sig_ok": verify(key, sig, a.seq, value, salt)}

    def put(cmd):
        s = sessions[cmd.get("node", 0)]
        seed, salt = bytes.fromhex(cmd["seed"]), bytes.fromhex(cmd.get("salt", ""))
        pk = public_key(seed)
        t0 = time.time()
        s.dht_put_mutable_item(libtorrent_secret_key(seed), pk, bytes.fromhex(cmd["value"]), salt)
        a = wait_alert(s, lt.dht_put_alert, lambda a: bytes(a.public_key) == pk, cmd.get("timeout_s", 15))
        n = a.num_success if a else 0
        return {"done": a is not None, "num_success": n, "stored": n, "seq": a.seq if a else 0,
                "public_key": pk.hex(), "ms": (time.time() - t0) * 1000}

    for line in sys.stdin:
        try:
            cmd = json.loads(line)
        except ValueError:
            continue
        c = cmd.get("cmd")
        if c == "quit":
            break
        try:
            out = {"status": status, "get": lambda: get(cmd), "put": lambda: put(cmd),
                   "kick": lambda: introduce() or {"ok": True}}[c]()
        except Exception as e:  # a failed command is an answer, not a dead swarm
            out = {"error": repr(e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    del sessions


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        args = sys.argv[2:]
        addrs = [args[i + 1] for i in range(len(args) - 1) if args[i] == "--addr"]
        p = int(next((args[i + 1] for i in range(len(args) - 1) if args[i] == "--port"), "6881"))
        serve(addrs, p)
    elif len(sys.argv) == 3 and sys.argv[1] == "key":
        print(public_key(bytes.fromhex(sys.argv[2])).hex())
    else:
        print(__doc__)
