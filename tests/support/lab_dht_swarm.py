#!/usr/bin/python3
"""A private Mainline DHT for the NAT lab, made of libtorrent 2.0.8 sessions (Debian python3-libtorrent, so run
it with /usr/bin/python3), and a libtorrent client for BEP 44 mutable items: the independent implementation our
records are checked against. Only ever run inside a lab namespace: the sessions start with no bootstrap
nodes, LSD/UPnP/NAT-PMP off, and learn only the addresses given on the command line.

  lab_dht_swarm.py serve IP:PORT...                       n nodes that know each other; "swarm ready" once up
  lab_dht_swarm.py get PUBKEY_HEX [--salt HEX] --bind IP:PORT --bootstrap IP:PORT,... [--timeout S]
  lab_dht_swarm.py key SEED_HEX                            the Ed25519 public key of a seed
  lab_dht_swarm.py put SEED_HEX VALUE_HEX [--salt HEX] --bind ... --bootstrap ... [--timeout S]
get/put print one JSON line. libtorrent verifies the signature of every mutable item it receives and drops
the ones that fail, so "found" means "found and verified".
"""
import argparse
import warnings
import hashlib
import json
import signal
import sys
import time

import libtorrent as lt

warnings.simplefilter("ignore", DeprecationWarning)


def settings(listen):
    # The lab facts (p2p-reachability.md §7.2): a concrete listen address (0.0.0.0:0 opened no DHT socket),
    # no bootstrap, no BEP 42 node-id enforcement and no "one node per /24" (the lab is one /24).
    return {
        "listen_interfaces": listen,
        "enable_dht": True,
        "dht_bootstrap_nodes": "",
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_enforce_node_id": False,
        "dht_prefer_verified_node_ids": False,
        "dht_ignore_dark_internet": False,
        "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.error_notification
                      | lt.alert.category_t.status_notification,
    }


def endpoint(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def routing_nodes(ses):
    try:
        return ses.status().dht_nodes
    except Exception:  # the deprecated status() may be compiled out
        return -1


def serve(addrs):
    sessions = [lt.session(settings(a)) for a in addrs]
    for i, ses in enumerate(sessions):
        for j, other in enumerate(addrs):
            if i != j:
                ses.add_dht_node(endpoint(other))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    want = len(addrs) - 1
    deadline = time.time() + 10
    ready = False
    while not stop:
        for ses in sessions:
            ses.pop_alerts()
        if not ready:
            counts = [routing_nodes(ses) for ses in sessions]
            if all(c >= want for c in counts) or (time.time() > deadline and min(counts) > 0) or -1 in counts:
                print(f"swarm ready: {len(addrs)} nodes, routing tables {counts}", flush=True)
                ready = True
        time.sleep(0.2)
    for ses in sessions:
        ses.pause()
    print("swarm stopped", flush=True)


def client(bind, bootstrap):
    ses = lt.session(settings(bind))
    for b in bootstrap.split(","):
        ses.add_dht_node(endpoint(b))
    # Let the routing table fill before a traversal (it starts from what is in the table).
    deadline = time.time() + 10
    while time.time() < deadline and routing_nodes(ses) < min(3, len(bootstrap.split(","))):
        ses.pop_alerts()
        time.sleep(0.1)
    return ses


def ed25519_keys(seed):
    """libtorrent's ed25519 (orlp) takes the 64-byte expanded secret: SHA-512(seed) clamped."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    pk = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    h = bytearray(hashlib.sha512(seed).digest())
    h[0] &= 248
    h[31] &= 63
    h[31] |= 64
    return bytes(h), pk


def get(args):
    ses = client(args.bind, args.bootstrap)
    key, salt = bytes.fromhex(args.key), bytes.fromhex(args.salt)
    deadline = time.time() + args.timeout
    result = {"found": False, "seq": None, "v_hex": None, "authoritative": False,
              "target": hashlib.sha1(key + salt).hexdigest()}
    while time.time() < deadline and not result["found"]:
        ses.dht_get_mutable_item(key, salt)
        done = False
        while time.time() < deadline and not done:
            ses.wait_for_alert(500)
            for a in ses.pop_alerts():
                if isinstance(a, lt.dht_mutable_item_alert) and bytes(a.key) == key:
                    try:  # the binding gives {"key", "value", "signature", "seq", "salt", ...}
                        item = a.item
                    except RuntimeError:  # nothing found: an empty entry the binding cannot convert
                        item = None
                    value = item.get("value") if isinstance(item, dict) else item
                    if isinstance(value, str):
                        value = value.encode("latin-1")
                    if a.seq > 0 and value not in (None, b""):
                        result.update(found=True, seq=a.seq, authoritative=bool(a.authoritative),
                                      signature_hex=bytes(a.signature).hex(),
                                      v_hex=value.hex() if isinstance(value, (bytes, bytearray)) else None,
                                      v_repr=None if isinstance(value, (bytes, bytearray)) else repr(value))
                    if a.authoritative or result["found"]:
                        done = True
        if not result["found"]:
            time.sleep(0.5)
    print(json.dumps(result))


def put(args):
    ses = client(args.bind, args.bootstrap)
    sk, pk = ed25519_keys(bytes.fromhex(args.seed))
    value, salt = bytes.fromhex(args.value), bytes.fromhex(args.salt)
    ses.dht_put_mutable_item(sk, pk, value, salt)
    deadline = time.time() + args.timeout
    result = {"public_key": pk.hex(), "stored": 0, "seq": None}
    while time.time() < deadline:
        ses.wait_for_alert(500)
        for a in ses.pop_alerts():
            if isinstance(a, lt.dht_put_alert):
                result.update(stored=a.num_success, seq=a.seq)
                print(json.dumps(result))
                return
    print(json.dumps(result))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("key")
    k.add_argument("seed")
    s = sub.add_parser("serve")
    s.add_argument("addrs", nargs="+")
    for name in ("get", "put"):
        p = sub.add_parser(name)
        if name == "get":
            p.add_argument("key")
        else:
            p.add_argument("seed")
            p.add_argument("value")
        p.add_argument("--salt", default="")
        p.add_argument("--bind", required=True)
        p.add_argument("--bootstrap", required=True)
        p.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args()
    if args.cmd == "key":
        print(ed25519_keys(bytes.fromhex(args.seed))[1].hex())
    elif args.cmd == "serve":
        serve(args.addrs)
    elif args.cmd == "get":
        get(args)
    else:
        put(args)


if __name__ == "__main__":
    sys.exit(main())
