"""Issue 13: a link relayed through TURN moves to a direct path when one appears. In the NAT lab, homes A and D
(both endpoint-independent NATs) first cannot exchange UDP at all (their routers drop it), so A, adding D by
NodeId alone, links through coturn on pub; once the routers let UDP through, the relayed link is replaced by
a direct ICE path (P2P_PATH_UPGRADE_SECONDS=5 here) and the two still sync.

    python3 tests/integration/run.py --binary build/soundtime --engine sqlite -k test_p2p_upgrade"""
import unittest

import nat_lab
from nat_lab import PUB_IP, P2P_PORT
from test_p2p_nat import wait_for

RUN_ONCE = True


class RelayedToDirect(nat_lab.LabCase):
    NEEDS = {"turn": True, "soundtime": True}
    PREFIX = "stupg"

    @classmethod
    def build(cls, lab):
        cls.pub_host = lab.public("pub")
        cls.a_host = lab.home("a", nat="eim")
        cls.d_host = lab.home("d", nat="eim")
        lab.start_turn()
        # No UDP between the two homes' routers: only the relay on pub can carry it.
        cls.blocks = [(cls.a_host, cls.d_host.public_ip), (cls.d_host, cls.a_host.public_ip)]
        for home, other in cls.blocks:
            lab.run(home.router, ["iptables", "-I", "FORWARD", "-p", "udp", "-d", other, "-j", "DROP"], check=True)
        cls.nodes["pub"] = lab.start_soundtime(cls.pub_host)
        seed = f"{cls.nodes['pub'].node_id}@{PUB_IP}:{P2P_PORT}"
        for name, host in (("a", cls.a_host), ("d", cls.d_host)):
            cls.nodes[name] = lab.start_soundtime(host, env={"P2P_SEED_PEERS": seed, "P2P_PATH_UPGRADE_SECONDS": "5"})
        for n in cls.nodes.values():
            n.setup_admin()

    def path(self, x, y):
        p = self.nodes[x].peers().get(self.nodes[y].node_id) or {}
        return p.get("path") if p.get("is_online") else None

    def test_a_relayed_link_moves_to_a_direct_path_when_one_appears(self):
        a, d = self.nodes["a"], self.nodes["d"]
        for name in ("a", "d"):
            wait_for(lambda: (self.nodes[name].peers().get(self.nodes["pub"].node_id) or {}).get("is_online"),
                     what=f"{name} online with pub")
        r = a.post("/api/admin/p2p/peers", {"node_id": d.node_id})
        self.assertEqual(r.status, 200, r)
        wait_for(lambda: self.path("a", "d") == "turn_relay" and self.path("d", "a") == "turn_relay",
                 what="A and D linked through the relay")
        for home, other in self.blocks:
            self.lab.run(home.router, ["iptables", "-D", "FORWARD", "-p", "udp", "-d", other, "-j", "DROP"], check=True)
        wait_for(lambda: self.path("a", "d") == "ice_direct" and self.path("d", "a") == "ice_direct",
                 what="the link to move to a direct path",
                 detail=lambda: f"A: {self.path('a', 'd')}, D: {self.path('d', 'a')}\n" +
                 "\n".join(l for l in (a.read_log() + d.read_log()).splitlines() if "relayed link" in l or "ICE" in l)[-3000:])
        # The new link carries requests: a ping answers.
        r = a.post(f"/api/admin/p2p/peers/{d.node_id}/ping")
        self.assertTrue(r.json["ok"], r)


if __name__ == "__main__":
    unittest.main()
