"""The admin's sharing settings drive the P2P node (issue 17 item 4): p2p_enabled=false closes the links and
refuses every peer until it is turned back on; p2p_sharing_mode=friends closes strangers' links and refuses
them, while friends (P2P_FRIENDS) stay served."""
import os
import unittest

from harness import free_port, Server
from test_p2p import P2pNodes, p2p_env, wait_for


class SharingSettings(P2pNodes):
    def peer_online(self, s, node_id):
        for p in s.get("/api/admin/p2p/peers", token=s.token).json:
            if p["node_id"] == node_id:
                return p["is_online"]
        return None

    def put_setting(self, s, key, value):
        r = s.put(f"/api/admin/settings/{key}", {"value": value}, token=s.token)
        self.assertEqual(r.status, 200, r)

    def test_sharing_off_closes_the_link_and_refuses_until_on_again(self):
        a = self.start_node([("t1.mp3", os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3"))])
        b = self.start_node([])
        self.link(a, b)
        wait_for(lambda: "Tone 1" in self.tracks(b), what="A's catalogue on B")

        self.put_setting(a, "p2p_enabled", False)
        wait_for(lambda: self.peer_online(b, a.node_id) is False, what="A's link closed on B")
        # B cannot link again, nor fetch anything from A.
        r = b.post("/api/admin/p2p/peers", {"node_id": a.node_id, "address": f"127.0.0.1:{a.p2p_port}"}, token=b.token)
        self.assertFalse(r.json["peer"]["is_online"], r)
        tid = self.tracks(b)["Tone 1"]["id"]
        self.assertNotEqual(b.get(f"/api/tracks/{tid}/stream", token=b.token).status, 200)

        self.put_setting(a, "p2p_enabled", True)
        self.link(a, b)
        r = b.get(f"/api/tracks/{tid}/stream", token=b.token)
        self.assertEqual(r.status, 200, r)

    def test_friends_mode_set_by_the_admin_closes_strangers_and_serves_friends(self):
        a = self.start_node([])  # the friend
        b = self.start_node([])  # the stranger
        port = free_port()
        env = p2p_env(port)
        env.update({"P2P_FRIENDS": a.node_id, "P2P_SYNC_INTERVAL_SECONDS": "1"})  # mode open from the env
        c = Server(env=env)
        c.p2p_port = port
        lib = os.path.join(c.dir, "library")
        os.makedirs(lib)
        import shutil
        shutil.copy(os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3"), os.path.join(lib, "t1.mp3"))
        self.assertEqual(c.cli("import", lib).returncode, 0)
        c.start()
        self.servers.append(c)
        c.token = c.setup_admin()["tokens"]["access_token"]
        c.node_id = c.get("/api/p2p/status").json["node_id"]
        # Open: both link.
        self.link(c, b)
        self.link(c, a)

        self.put_setting(c, "p2p_sharing_mode", "friends")
        wait_for(lambda: self.peer_online(b, c.node_id) is False, what="the stranger's link closed")
        r = b.post("/api/admin/p2p/peers", {"node_id": c.node_id, "address": f"127.0.0.1:{c.p2p_port}"}, token=b.token)
        self.assertFalse(r.json["peer"]["is_online"], r)
        # The friend is still served.
        self.link(c, a)
        wait_for(lambda: "Tone 1" in self.tracks(a), what="C's catalogue on the friend")
        tid = self.tracks(a)["Tone 1"]["id"]
        self.assertEqual(a.get(f"/api/tracks/{tid}/stream", token=a.token).status, 200)


if __name__ == "__main__":
    unittest.main()
