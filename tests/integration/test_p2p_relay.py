"""Issue 13: where UDP (so the DHT) is not available, a node's record travels through pkarr relays over HTTP.
In the NAT lab with no DHT at all: C (a home with a forwarded port) proves its address through pub and
publishes its record on a relay running on pub; A (another home, knowing nobody) adds C by NodeId alone and
links through the address in that record. A record the relay tampers with is refused.

    python3 tests/integration/run.py --binary build/soundtime --engine sqlite -k test_p2p_relay"""
import os
import unittest

import nat_lab
from nat_lab import PUB_IP, P2P_PORT
from test_p2p_nat import dns_txt_packet, wait_for, zbase32

RUN_ONCE = True
RELAY_PORT = 8081
HERE = os.path.dirname(os.path.abspath(__file__))


class PkarrRelay(nat_lab.LabCase):
    PREFIX = "strel"

    @classmethod
    def build(cls, lab):
        cls.pub_host = lab.public("pub")
        cls.a_host = lab.home("a", nat="eim")
        cls.c_host = lab.home("c", nat="forward")
        lab.popen(cls.pub_host, ["/usr/bin/python3", os.path.join(HERE, "..", "support", "pkarr_relay.py"),
                                 PUB_IP, str(RELAY_PORT)], name="pkarr relay")
        relay = {"P2P_PKARR_RELAYS": f"http://{PUB_IP}:{RELAY_PORT}", "P2P_DHT_DISCOVERY": "false"}
        cls.pub = cls.nodes["pub"] = lab.start_soundtime(cls.pub_host, env=relay)
        seed = f"{cls.pub.node_id}@{PUB_IP}:{P2P_PORT}"
        cls.c = cls.nodes["c"] = lab.start_soundtime(cls.c_host, env=dict(relay, P2P_SEED_PEERS=seed))
        cls.a = cls.nodes["a"] = lab.start_soundtime(cls.a_host, env=relay)  # knows nobody
        for n in cls.nodes.values():
            n.setup_admin()

    def test_a_record_from_a_relay_links_a_node_added_by_id_alone(self):
        external = f"{self.c_host.public_ip}:{P2P_PORT}"
        wait_for(lambda: external in self.c.status()["reachability"]["proven_addresses"], what="C's address proven")
        wait_for(lambda: self.c.status()["reachability"]["relay_publishes"] >= 1, what="C's record on the relay")
        r = self.a.post("/api/admin/p2p/peers", {"node_id": self.c.node_id})
        self.assertEqual(r.status, 200, r)
        wait_for(lambda: (self.a.peers().get(self.c.node_id) or {}).get("is_online"), what="A to link with C")
        peer = self.a.peers()[self.c.node_id]
        self.assertEqual(peer["path"], "direct_tcp", peer)
        self.assertIn(external, {c["address"] for c in peer["candidates"] if c["source"] == "dht"}, peer)

    def test_a_record_that_does_not_verify_is_refused(self):
        # A relay serving a record whose signature does not match its key (forged, or altered on the way).
        key = os.urandom(32)
        labels = [b"_soundtime", zbase32(key).encode()]
        packet = dns_txt_packet(labels, ["v=1", f"addr={self.c_host.public_ip}:{P2P_PORT}"])
        body = os.urandom(64) + (1700000000000000).to_bytes(8, "big") + packet
        put = self.lab.run(self.pub_host, ["/usr/bin/python3", "-c",
                                           "import sys,urllib.request;r=urllib.request.Request(sys.argv[1],"
                                           "data=bytes.fromhex(sys.argv[2]),method='PUT');print(urllib.request.urlopen(r).status)",
                                           f"http://{PUB_IP}:{RELAY_PORT}/{zbase32(key)}", body.hex()])
        self.assertEqual(put.stdout.strip(), "204", put.stderr)
        before = self.a.status()["reachability"]["dht"]["records_rejected"]
        r = self.a.post("/api/admin/p2p/peers", {"node_id": key.hex()})
        self.assertEqual(r.status, 200, r)
        wait_for(lambda: self.a.status()["reachability"]["dht"]["records_rejected"] > before, what="the record refused")
        peer = self.a.peers()[key.hex()]
        self.assertFalse(peer["is_online"], peer)
        self.assertNotIn(f"{self.c_host.public_ip}:{P2P_PORT}", {c["address"] for c in peer["candidates"]}, peer)
        wait_for(lambda: self.a.peers()[key.hex()].get("unreachable_reason"), what="a reason in words")


if __name__ == "__main__":
    unittest.main()
