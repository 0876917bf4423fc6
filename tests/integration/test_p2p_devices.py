"""Devices: a user's own instances keep their playlists and favorites the same once both registered each
other (over the P2P link), with removals and renames following; nobody else can pull them."""
import os
import time

import test_p2p
from test_p2p import wait_for


class Devices(test_p2p.P2pNodes):
    def setUp(self):
        super().setUp()
        self.a = self.start_node([("noise.flac", self.noise)], interval=1)
        self.b = self.start_node([("tone.mp3", os.path.join(self.lib, "Test Artist/Sine Album/02 Tone 2.mp3"))],
                                 interval=1)
        self.link(self.a, self.b)
        # Catalogue sync both ways: each side holds both tracks (the same content hashes).
        wait_for(lambda: {"Noise Blob", "Tone 2"} <= set(self.tracks(self.a)), what="B's track on A")
        wait_for(lambda: {"Noise Blob", "Tone 2"} <= set(self.tracks(self.b)), what="A's track on B")

    def register(self, s, other, remote="admin", token=None, address=False):
        node = f"{other.node_id}@127.0.0.1:{other.p2p_port}" if address else other.node_id
        return s.post("/api/devices", {"node_id": node, "remote_username": remote, "name": "my other box"},
                      token=token or s.token)

    def favorites(self, s):
        return sorted(t["title"] for t in s.get("/api/favorites?per_page=100", token=s.token).json["data"])

    def playlists(self, s):
        out = {}
        for p in s.get("/api/playlists/mine", token=s.token).json["data"]:
            d = s.get(f"/api/playlists/{p['id']}", token=s.token).json
            out[p["id"]] = (d["name"], [t["title"] for t in d["tracks"]])
        return out

    def test_playlists_and_favorites_follow_both_ways(self):
        a, b = self.a, self.b
        on_a = self.tracks(a)
        self.assertEqual(a.post(f"/api/favorites/{on_a['Noise Blob']['id']}", token=a.token).status, 204)
        r = a.post("/api/playlists", {"name": "Road", "description": "for the car"}, token=a.token)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        for title in ["Tone 2", "Noise Blob"]:
            r = a.post(f"/api/playlists/{pid}/tracks", {"track_id": on_a[title]["id"]}, token=a.token)
            self.assertEqual(r.status, 201, r)

        r = self.register(a, b)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["node_id"], r.json["remote_username"], r.json["name"]),
                         (b.node_id, "admin", "my other box"))
        # B has not registered A yet: B refuses, and A says why.
        res = a.post("/api/devices/sync", token=a.token).json["results"]
        self.assertEqual(len(res), 1)
        self.assertFalse(res[0]["ok"])
        self.assertIn("forbidden", res[0]["error"])
        self.assertEqual(self.playlists(b), {})
        self.assertIn("forbidden", a.get("/api/devices", token=a.token).json["devices"][0]["last_error"])

        r = self.register(b, a, address=True)
        self.assertEqual(r.status, 201, r)
        res = a.post("/api/devices/sync", token=a.token).json["results"]
        self.assertTrue(res[0]["ok"], res)
        self.assertEqual(self.favorites(b), ["Noise Blob"])
        self.assertEqual(self.playlists(b), {pid: ("Road", ["Tone 2", "Noise Blob"])})  # same id, same order
        listed = a.get("/api/devices", token=a.token).json
        self.assertEqual((listed["node_id"], listed["username"]), (a.node_id, "admin"))
        self.assertIsNotNone(listed["devices"][0]["last_synced_at"])
        self.assertIsNone(listed["devices"][0]["last_error"])

        # Changes on B come back to A by themselves (every sync interval).
        on_b = self.tracks(b)
        self.assertEqual(b.delete(f"/api/favorites/{on_b['Noise Blob']['id']}", token=b.token).status, 204)
        self.assertEqual(b.post(f"/api/favorites/{on_b['Tone 2']['id']}", token=b.token).status, 204)
        time.sleep(0.01)
        r = b.put(f"/api/playlists/{pid}", {"name": "Road trip"}, token=b.token)
        self.assertEqual(r.status, 200, r)
        wait_for(lambda: self.favorites(a) == ["Tone 2"], what="favorites on A")
        wait_for(lambda: self.playlists(a) == {pid: ("Road trip", ["Tone 2", "Noise Blob"])}, what="rename on A")
        # A deletion travels too, and does not come back.
        self.assertEqual(a.delete(f"/api/playlists/{pid}", token=a.token).status, 204)
        wait_for(lambda: self.playlists(b) == {}, what="deletion on B")
        time.sleep(2.5)
        self.assertEqual(self.playlists(a), {})
        self.assertEqual(self.favorites(b), ["Tone 2"])

    def test_nobody_else_can_pull_a_users_playlists(self):
        a, b = self.a, self.b
        self.assertEqual(self.register(a, b).status, 201)
        a.post("/api/playlists", {"name": "Private mix"}, token=a.token)
        # Mallory on B claims A's admin as her device: A has no such device for her, so it refuses.
        mallory = b.register("mallory")["tokens"]["access_token"]
        r = self.register(b, a, token=mallory)
        self.assertEqual(r.status, 201, r)
        res = b.post("/api/devices/sync", token=mallory).json["results"]
        self.assertFalse(res[0]["ok"])
        self.assertIn("forbidden", res[0]["error"])
        mine = b.get("/api/playlists/mine", token=mallory).json["data"]
        self.assertEqual(mine, [])
        # A's admin, whose device is B's admin, gets nothing from B's admin (B's admin registered nothing).
        res = a.post("/api/devices/sync", token=a.token).json["results"]
        self.assertFalse(res[0]["ok"])

    def test_bad_requests(self):
        a, b = self.a, self.b
        cases = [({"node_id": "xyz", "remote_username": "admin"}, 400),
                 ({"node_id": a.node_id, "remote_username": "admin"}, 400),           # itself
                 ({"node_id": b.node_id, "remote_username": ""}, 400),
                 ({"node_id": b.node_id + "@nonsense", "remote_username": "admin"}, 400),
                 ({"node_id": b.node_id}, 400)]
        for body, status in cases:
            r = a.post("/api/devices", body, token=a.token)
            self.assertEqual(r.status, status, (body, r))
        # Only an administrator may give an address (it makes the node dial there); a NodeId alone is enough.
        other = a.register("someone")["tokens"]["access_token"]
        r = a.post("/api/devices", {"node_id": f"{b.node_id}@127.0.0.1:{b.p2p_port}", "remote_username": "x"}, token=other)
        self.assertEqual(r.status, 403, r)
        self.assertIn("NodeId alone", r.json["error"])
        # An unknown NodeId alone is taken: the node looks for it (records, DHT, rendezvous).
        r = a.post("/api/devices", {"node_id": "ab" * 32, "remote_username": "admin"}, token=a.token)
        self.assertEqual(r.status, 201, r)
        self.assertIn("ab" * 32, [p["node_id"] for p in a.get("/api/admin/p2p/peers", token=a.token).json])
        self.assertEqual(a.delete(f"/api/devices/{r.json['id']}", token=a.token).status, 200)
        self.assertEqual(self.register(a, b).status, 201)
        self.assertEqual(self.register(a, b).status, 409)
        device = a.get("/api/devices", token=a.token).json["devices"][0]
        self.assertEqual(a.get("/api/devices").status, 401)
        self.assertEqual(a.delete(f"/api/devices/{device['id']}", token=other).status, 404)  # not theirs
        self.assertEqual(a.get("/api/devices", token=other).json["devices"], [])
        self.assertEqual(a.delete(f"/api/devices/{device['id']}", token=a.token).status, 200)
        self.assertEqual(a.delete(f"/api/devices/{device['id']}", token=a.token).status, 404)
