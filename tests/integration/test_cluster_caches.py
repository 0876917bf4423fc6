"""Two nodes on one PostgreSQL database (issue 16): what one node changes, the other's memory drops at
once through LISTEN/NOTIFY — settings (setup, privacy), sessions (a logout or a ban on A ends the range
requests B answered from memory), where a track's file is (a track deleted on A stops streaming from B). Each check
waits for B to hear the notice (its debug log), then asks B once: no waiting for a cache to expire."""
import os
import shutil
import time
import unittest

from harness import PG_ADMIN_URL, Server
from test_library import fixture


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class ClusterCaches(unittest.TestCase):
    def setUp(self):
        if os.environ.get("SOUNDTIME_IT_ENGINE") != "postgres" or not PG_ADMIN_URL:
            self.skipTest("needs PostgreSQL (SOUNDTIME_IT_ENGINE=postgres)")
        self.a = Server()
        root, _ = fixture()
        lib = os.path.join(self.a.dir, "library")
        shutil.copytree(os.path.join(root, "library"), lib)
        r = self.a.cli("import", lib)  # absolute paths: both nodes read the same files
        self.assertEqual(r.returncode, 0, r.stderr)
        self.b = Server(engine="sqlite", env={"DATABASE_URL": self.a.env["DATABASE_URL"], "LOG_LEVEL": "debug"})
        self.b.engine = "postgres"
        self.b.start()
        self.a.start()

    def tearDown(self):
        for s in (self.b, self.a):  # A drops the database: last
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])

    def notices(self, topic):
        return self.b.read_log().count(f"cluster: change notice {topic}")

    def after_notice(self, topic, before, what):
        wait_for(lambda: self.notices(topic) > before, what=f"B to hear {what}")

    def test_settings_sessions_and_tracks_changed_on_a_are_honoured_on_b_at_once(self):
        a, b = self.a, self.b
        self.assertFalse(b.get("/api/setup/status").json["setup_complete"])  # B has read its settings
        n = self.notices("settings")
        tokens = a.setup_admin()["tokens"]
        token = tokens["access_token"]
        self.after_notice("settings", n, "the setup")
        listener = a.register("listener")  # before the instance turns private (no registrations then)
        self.assertTrue(b.get("/api/setup/status").json["setup_complete"])
        # Private: streams need a live session (on a public instance anyone may play).
        self.assertEqual(b.get("/api/tracks").status, 200)
        n = self.notices("settings")
        r = a.request("PUT", "/api/admin/settings/instance_private", {"value": "true"}, token=token)
        self.assertEqual(r.status, 200, r)
        self.after_notice("settings", n, "the instance made private")
        self.assertEqual(b.get("/api/tracks").status, 401)

        # Range requests of a seeking player on B, answered from memory once the session was checked.
        track = b.get("/api/tracks?per_page=1", token=token).json["data"][0]
        stream = f"/api/tracks/{track['id']}/stream"
        for _ in range(3):
            self.assertEqual(b.get(stream, token=token, headers={"Range": "bytes=0-99"}).status, 206)
        n = self.notices("sessions")
        self.assertEqual(a.post("/api/auth/logout", {"refresh_token": tokens["refresh_token"]}, token=token).status, 204)
        self.after_notice("sessions", n, "the logout")
        self.assertEqual(b.get(stream, token=token, headers={"Range": "bytes=0-99"}).status, 401)

        token = a.post("/api/auth/login", {"username": "admin", "password": "admin-password-1"}).json["tokens"]["access_token"]
        for _ in range(3):
            self.assertEqual(b.get(stream, token=token, headers={"Range": "bytes=0-99"}).status, 206)
        n = self.notices("tracks")
        r = a.request("DELETE", f"/api/admin/tracks/{track['id']}/moderate", token=token)
        self.assertEqual(r.status, 200, r)
        self.after_notice("tracks", n, "the deletion")
        self.assertEqual(b.get(stream, token=token, headers={"Range": "bytes=0-99"}).status, 404)

        # A listener banned on A cannot play on B, though B checked their session moments ago.
        ltoken, lid = listener["tokens"]["access_token"], listener["user"]["id"]
        other = b.get("/api/tracks?per_page=1", token=ltoken).json["data"][0]
        other_stream = f"/api/tracks/{other['id']}/stream"
        for _ in range(3):
            self.assertEqual(b.get(other_stream, token=ltoken, headers={"Range": "bytes=0-99"}).status, 206)
        n = self.notices("sessions")
        r = a.request("PUT", f"/api/admin/users/{lid}/ban", {"reason": "test"}, token=token)
        self.assertEqual(r.status, 204, r)
        self.after_notice("sessions", n, "the ban")
        self.assertEqual(b.get(other_stream, token=ltoken, headers={"Range": "bytes=0-99"}).status, 401)


    def test_b_searches_from_its_own_index_and_sees_what_a_changed(self):
        a, b = self.a, self.b
        token = a.setup_admin()["tokens"]["access_token"]

        def titles(node, q):
            r = node.get("/api/search?q=" + q)
            self.assertEqual(r.status, 200, r)
            return [t["title"] for t in r.json["tracks"]]

        admin = b.get("/api/admin/stats", token=token).json
        wait_for(lambda: (b.get("/api/admin/stats", token=token).json["search_index"] or {}).get("ready"),
                 what="B's search index")
        si = b.get("/api/admin/stats", token=token).json["search_index"]
        self.assertEqual(si["documents"], admin["total_tracks"] + admin["total_albums"] + admin["total_artists"])
        tid = a.get("/api/search?q=tone+1").json["tracks"][0]["id"]
        self.assertEqual(a.put(f"/api/tracks/{tid}", {"title": "Zebra Crossing"}, token=token).status, 200)
        # No notice to wait for: every search first replays the shared log past what the node applied.
        self.assertEqual(titles(b, "zebra"), ["Zebra Crossing"])
        self.assertIn(a.delete(f"/api/tracks/{tid}", token=token).status, (200, 204))
        self.assertEqual(titles(b, "zebra"), [])


if __name__ == "__main__":
    unittest.main()
