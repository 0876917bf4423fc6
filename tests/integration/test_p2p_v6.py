"""IPv6 addresses on loopback (no namespaces, no root): "[v6]:port" is accepted wherever an address is
(seed peers, the admin API), an unbracketed IPv6 address is refused with a reason, and a node listening on
the default 0.0.0.0 takes peers over IPv6 (::1) and IPv4 on one port. The IPv6 parts skip on a machine
without IPv6 (some CI hosts); the NAT lab covers the internet cases (test_p2p_v6_lab.py)."""
import socket
import unittest

from harness import P2P_HYGIENE, Server, free_port
from test_p2p import wait_for


def has_ipv6():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def env(port, bind="0.0.0.0", **more):
    return {"P2P_ENABLED": "true", "P2P_BIND_HOST": bind, "P2P_BIND_PORT": str(port),
            "P2P_SYNC_INTERVAL_SECONDS": "1", **P2P_HYGIENE, **more}


class Ipv6Addresses(unittest.TestCase):
    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            code, log = s.stop()
            self.assertEqual(code, 0, "server did not exit cleanly on SIGTERM:\n" + log[-3000:])

    def start(self, port, **kw):
        s = Server(env=env(port, **kw))
        s.p2p_port = port
        s.start()
        self.servers.append(s)
        s.token = s.setup_admin()["tokens"]["access_token"]
        s.node_id = s.get("/api/p2p/status").json["node_id"]
        return s

    def refused(self, e):
        s = Server(env=e, engine="sqlite")
        try:
            s.start()
        except RuntimeError as err:
            return str(err)
        finally:
            s.stop()
        return None

    def test_an_unbracketed_ipv6_seed_stops_the_server_with_a_reason(self):
        node = "ab" * 32
        why = self.refused(env(free_port(), P2P_SEED_PEERS=f"{node}@2001:db8::7:11204"))
        self.assertIn("P2P_SEED_PEERS", why or "")
        self.assertIn("brackets", why or "")
        self.assertIsNone(self.refused(env(free_port(), P2P_SEED_PEERS=f"{node}@[2001:db8::7]:11204")))

    def test_the_admin_api_takes_bracketed_ipv6_and_explains_a_bare_one(self):
        a = self.start(free_port())
        r = a.post("/api/admin/p2p/peers", {"node_id": "cd" * 32, "address": "2001:db8::7:11204"},
                   token=a.token)
        self.assertEqual(r.status, 400, r)
        self.assertIn("brackets", r.json.get("error", ""), r)
        r = a.post("/api/admin/p2p/peers", {"node_id": "cd" * 32 + "@2001:db8::7:11204"}, token=a.token)
        self.assertEqual(r.status, 400, r)

    def test_two_nodes_link_over_ipv6_loopback(self):
        if not has_ipv6():
            self.skipTest("this machine has no IPv6")
        a, b = self.start(free_port()), self.start(free_port())
        r = a.post("/api/admin/p2p/peers", {"node_id": b.node_id, "address": f"[::1]:{b.p2p_port}"}, token=a.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["peer"]["is_online"], r)
        self.assertEqual(r.json["peer"]["address"], f"[::1]:{b.p2p_port}")

        def b_sees_a():
            p = {x["node_id"]: x for x in b.get("/api/admin/p2p/peers", token=b.token).json}.get(a.node_id)
            return p if p and p.get("is_online") else None
        p = wait_for(b_sees_a, what="B to see A online")
        # B saw A come from ::1 (not ::ffff:..., not 127.0.0.1): the address B holds for A is A's IPv6 one.
        self.assertEqual(p.get("address"), f"[::1]:{a.p2p_port}", p)
        # The same port takes IPv4 too.
        c = self.start(free_port(), bind="127.0.0.1")
        r = c.post("/api/admin/p2p/peers", {"node_id": b.node_id, "address": f"127.0.0.1:{b.p2p_port}"}, token=c.token)
        self.assertTrue(r.json["peer"]["is_online"], r)


if __name__ == "__main__":
    unittest.main()
