"""Two nodes on one PostgreSQL database (issue 16) and a P2P peer: the leader alone runs the P2P node,
so a follower plays a replicated track through it — it asks the leader's internal route for the verified
bytes (a cluster token bound to the track's hash), checks them against the hash and keeps a copy. Whole
plays, ranges and transcodes answer on the follower as on the leader; the internal route refuses anyone
without a token for that very hash."""
import os
import shutil
import tempfile
import time
import unittest

from harness import PG_ADMIN_URL, Server, free_port, sign_jwt
from test_p2p import make_noise_flac, p2p_env, wait_for


class ClusterReplicas(unittest.TestCase):
    def setUp(self):
        if os.environ.get("SOUNDTIME_IT_ENGINE") != "postgres" or not PG_ADMIN_URL:
            self.skipTest("needs PostgreSQL (SOUNDTIME_IT_ENGINE=postgres)")
        self.tmp = tempfile.mkdtemp(prefix="soundtime-cluster-replicas-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.noise = os.path.join(self.tmp, "noise.flac")
        make_noise_flac(self.noise, "Noise Blob", seconds=12)
        with open(self.noise, "rb") as f:
            self.original = f.read()

        # The peer: a separate instance holding the track.
        port = free_port()
        self.peer = Server(env=p2p_env(port))
        self.peer.p2p_port = port
        lib = os.path.join(self.peer.dir, "library")
        os.makedirs(lib)
        shutil.copy(self.noise, lib)
        r = self.peer.cli("import", lib)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.peer.start()
        self.addCleanup(self.stop, self.peer)
        self.peer.setup_admin()
        self.peer.node_id = self.peer.get("/api/p2p/status").json["node_id"]

        common = {"CLUSTER_CHECK_SECONDS": "1"}
        self.a = Server(env={**common, **p2p_env(free_port()), "CLUSTER_NODE_NAME": "node-a"})
        self.b = Server(engine="sqlite", env={**common, **p2p_env(free_port()), "CLUSTER_NODE_NAME": "node-b",
                                              "DATABASE_URL": self.a.env["DATABASE_URL"]})
        self.b.engine = "postgres"
        self.a.start()  # A migrates and leads: it is alone
        self.addCleanup(self.stop, self.a)  # A drops the database: stopped after B
        self.b.start()
        self.addCleanup(self.stop, self.b)
        self.token = self.a.setup_admin()["tokens"]["access_token"]

    def stop(self, s):
        code, log = s.stop()
        self.assertEqual(code, 0, log[-2000:])

    def test_a_follower_plays_a_replicated_track_through_the_leader(self):
        r = self.a.post("/api/admin/p2p/peers", {"node_id": self.peer.node_id,
                                                "address": f"127.0.0.1:{self.peer.p2p_port}"}, token=self.token)
        self.assertEqual(r.status, 200, r)

        def replicated():
            data = self.b.get("/api/tracks?per_page=50", token=self.token).json["data"]
            return next((t for t in data if t["title"] == "Noise Blob"), None)
        track = wait_for(replicated, what="the peer's track in the cluster's catalogue")
        # The peer keeps its database on the same PostgreSQL server and holds its own leader lock there: not ours.
        holders = {l["node"] for l in self.a.get("/api/admin/cluster", token=self.token).json["locks"]}
        self.assertEqual(holders, {"node-a"}, "only this database's locks")
        hash_ = track["content_hash"]
        self.assertRegex(hash_, "^[0-9a-f]{64}$")

        whole = self.b.get(f"/api/tracks/{track['id']}/stream", token=self.token)
        self.assertEqual(whole.status, 200, whole)
        self.assertEqual(whole.header("content-type"), "audio/flac")
        self.assertTrue(whole.body == self.original, "the follower's bytes differ from the original")
        part = self.b.get(f"/api/tracks/{track['id']}/stream", token=self.token,
                          headers={"Range": "bytes=100000-100999"})
        self.assertEqual(part.status, 206, part)
        self.assertEqual(part.body, self.original[100000:101000])
        copies = os.listdir(os.path.join(self.b.dir, "cache", "leader-replicas"))
        self.assertEqual(len(copies), 1, "one copy kept on the follower")
        mp3 = self.b.get(f"/api/tracks/{track['id']}/stream?format=mp3&bitrate=96", token=self.token)
        self.assertEqual(mp3.status, 200, mp3)
        self.assertGreater(len(mp3.body), 10000)

        # The internal route: only a token minted with the cluster's secret for this hash opens it.
        now = int(time.time())
        route = f"/api/cluster/replicas/{hash_}"
        self.assertEqual(self.a.get(route).status, 403)
        self.assertEqual(self.a.get(route, token=self.token).status, 403, "an access token is not a cluster token")
        other = sign_jwt({"alg": "HS256", "typ": "JWT"},
                         {"sub": "0" * 64, "token_type": "cluster:replica", "iat": now, "exp": now + 60})
        self.assertEqual(self.a.get(route, headers={"X-SoundTime-Cluster": other}).status, 403, "another hash")
        good = sign_jwt({"alg": "HS256", "typ": "JWT"},
                        {"sub": hash_, "token_type": "cluster:replica", "iat": now, "exp": now + 60})
        r = self.a.get(route, headers={"X-SoundTime-Cluster": good})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body == self.original)
        self.assertEqual(self.b.get(route, headers={"X-SoundTime-Cluster": good}).status, 503,
                         "a follower runs no P2P node")


if __name__ == "__main__":
    unittest.main()
