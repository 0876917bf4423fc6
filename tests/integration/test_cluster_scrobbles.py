"""Two nodes on one PostgreSQL database (issue 16): scrobbles are delivered by the leader only, and one
queued on the follower (a now-playing notice, a finished listen) wakes the leader through the database at
once. The nodes look at their queue on their own only once an hour here, so without the wake nothing would
arrive within the test's wait."""
import os
import shutil
import unittest

from harness import PG_ADMIN_URL, Server
from test_p2p import wait_for
from test_scrobble import API_KEY, SECRET, FakeScrobblers, library


class ClusterScrobbles(unittest.TestCase):
    def setUp(self):
        if os.environ.get("SOUNDTIME_IT_ENGINE") != "postgres" or not PG_ADMIN_URL:
            self.skipTest("needs PostgreSQL (SOUNDTIME_IT_ENGINE=postgres)")
        self.fake = FakeScrobblers()
        common = {"LASTFM_API_KEY": API_KEY, "LASTFM_API_SECRET": SECRET, "LASTFM_API_URL": self.fake.base + "/2.0/",
                  "LASTFM_AUTH_URL": self.fake.base + "/auth/", "LISTENBRAINZ_API_URL": self.fake.base + "/lb",
                  "SCROBBLE_IDLE_CHECK_SECONDS": "3600", "CLUSTER_CHECK_SECONDS": "1",
                  "SCAN_INTERVAL_MINUTES": "0", "WATCH_MUSIC_FOLDERS": "false"}
        self.a = Server(env={**common, "CLUSTER_NODE_NAME": "node-a"})
        lib = os.path.join(self.a.dir, "library")
        shutil.copytree(library(), lib)
        r = self.a.cli("import", lib)  # absolute paths: both nodes read the same files
        self.assertEqual(r.returncode, 0, r.stderr)
        self.b = Server(engine="sqlite", env={**common, "CLUSTER_NODE_NAME": "node-b",
                                              "DATABASE_URL": self.a.env["DATABASE_URL"]})
        self.b.engine = "postgres"
        self.a.start()  # A leads: it is alone
        # Secrets sealed by one node are read by the others: both have the harness's key (an operator copies
        # it to every node, as JWT_SECRET).
        self.b.start()
        self.token = self.a.setup_admin()["tokens"]["access_token"]

    def tearDown(self):
        for s in (self.b, self.a):  # A drops the database: last
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])
        self.fake.close()

    def test_a_listen_queued_on_the_follower_reaches_lastfm_through_the_leader(self):
        self.assertTrue(self.a.get("/api/admin/cluster", token=self.token).json["leader"])
        self.assertFalse(self.b.get("/api/admin/cluster", token=self.token).json["leader"])
        r = self.b.post("/api/lastfm/callback", {"token": "good-token"}, token=self.token)
        self.assertEqual(r.status, 200, r)
        tracks = self.b.get("/api/tracks?per_page=100", token=self.token).json["data"]
        track = next(t for t in tracks if t["title"] == "Long Song")
        r = self.b.post("/api/lastfm/now-playing", {"track_id": track["id"]}, token=self.token)
        self.assertEqual(r.status, 200, r)
        sent = wait_for(lambda: self.fake.of("track.updateNowPlaying"), timeout=60, what="the now-playing notice")
        self.assertEqual(sent[0]["track"], track["title"])
        r = self.b.post("/api/history", {"track_id": track["id"], "duration_listened": track["duration_secs"],
                                         "completed": True, "skipped": False}, token=self.token)
        self.assertEqual(r.status, 201, r)
        sent = wait_for(lambda: self.fake.of("track.scrobble"), timeout=60, what="the scrobble")
        self.assertEqual(sent[0]["track"], track["title"])
        # Once (the follower never delivers: only the leader is on duty).
        self.assertEqual(len(self.fake.of("track.scrobble")), 1)

    def test_a_node_with_another_sealing_key_refuses_to_start(self):
        c = Server(engine="sqlite", env={"DATABASE_URL": self.a.env["DATABASE_URL"], "SCAN_INTERVAL_MINUTES": "0"})
        c.engine = "postgres"
        with open(os.path.join(c.dir, "app-passwords.key"), "wb") as f:
            f.write(os.urandom(32))  # a node set up on its own
        try:
            r = c.cli("user", "role", "admin", "admin")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("app-passwords.key is not the key the other nodes", r.stderr + r.stdout)
        finally:
            shutil.rmtree(c.dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
