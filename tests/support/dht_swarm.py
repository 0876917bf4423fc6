#!/usr/bin/python3
"""An independent Mainline DHT swarm for namespace lab tests: libtorrent 2.0.8 sessions (Debian
python3-libtorrent, importable only by /usr/bin/python3), one per address, that know only each other.

Library use (from any Python 3):
    swarm = start_swarm("stdht123i", ["198.18.0.21", "198.18.0.22", ...])   # runs in that namespace
    swarm.nodes                      # ["198.18.0.21:6881", ...] for --bootstrap
    swarm.get(public_key_hex)        # BEP 44 get through node 0 -> {"found", "seq", "sig", "value", "sig_ok"}
    swarm.put(seed_hex, value_bytes) # BEP 44 put signed by libtorrent (seq = previous + 1) -> {"num_success", ...}
    swarm.stop()

The swarm runs as `ip netns exec <ns> /usr/bin/python3 dht_swarm.py serve --addr A ...`, driven through
JSON lines on stdin/stdout. Nothing here contacts a default bootstrap router: dht_bootstrap_nodes is
empty and LSD/UPnP/NAT-PMP are off."""
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

    def get(self, public_key_hex, node=0, timeout=15):
        return self.call(cmd="get", key=public_key_hex, node=node, timeout_s=timeout, timeout=timeout + 10)

    def put(self, seed_hex, value, node=0, timeout=15):
        return self.call(cmd="put", seed=seed_hex, value=value.hex(), node=node, timeout_s=timeout, timeout=timeout + 10)

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
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1)
    handle = SwarmHandle(proc, addresses, port, log if log_path else None)
    try:
        handle.wait_ready(min_nodes=min(3, len(addresses) - 1))
    except Exception:
        handle.stop()
        raise
    return handle


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


def verify(key, sig, seq, value):
    """Our own check of a BEP 44 signature (no salt); None when python3-cryptography is missing."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(sig, b"3:seqi%de1:v" % seq + bencode_bytes(value))
        return True
    except Exception:
        return False


def serve(addresses, port):
    import libtorrent as lt
    sessions = []
    for a in addresses:
        s = lt.session({
            "listen_interfaces": f"{a}:{port}", "outgoing_interfaces": a,
            "enable_dht": True, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
            "dht_bootstrap_nodes": "", "dht_restrict_routing_ips": False, "dht_restrict_search_ips": False,
            "dht_enforce_node_id": False, "dht_prefer_verified_node_ids": False,
            "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.error_notification
            | lt.alert.category_t.dht_operation_notification,
        })
        sessions.append(s)
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
        key = bytes.fromhex(cmd["key"])
        t0 = time.time()
        s.dht_get_mutable_item(key, b"")
        a = wait_alert(s, lt.dht_mutable_item_alert, lambda a: bytes(a.key) == key and (a.authoritative or a.seq > 0),
                       cmd.get("timeout_s", 15))
        ms = (time.time() - t0) * 1000
        if a is None or a.item is None or a.seq == 0:
            return {"found": False, "ms": ms}
        value = item_value(a.item)
        if value is None:
            return {"found": False, "ms": ms, "error": f"unexpected item {a.item!r:.200}"}
        sig = bytes(a.signature)
        return {"found": True, "seq": a.seq, "sig": sig.hex(), "value": value.hex(), "ms": ms,
                "sig_ok": verify(key, sig, a.seq, value)}

    def put(cmd):
        s = sessions[cmd.get("node", 0)]
        seed = bytes.fromhex(cmd["seed"])
        pk = public_key(seed)
        t0 = time.time()
        s.dht_put_mutable_item(libtorrent_secret_key(seed), pk, bytes.fromhex(cmd["value"]), b"")
        a = wait_alert(s, lt.dht_put_alert, lambda a: bytes(a.public_key) == pk, cmd.get("timeout_s", 15))
        return {"done": a is not None, "num_success": a.num_success if a else 0, "seq": a.seq if a else 0,
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
    else:
        print(__doc__)
