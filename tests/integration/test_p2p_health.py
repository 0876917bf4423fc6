"""Track health between real instances on 127.0.0.1: when a copy's peer goes away the track is fetched from
another peer that holds the same hash, three consecutive failures dereference the copy, the content coming
back re-references it, an administrator's dereference survives the periodic sweep, and the best copy of a
song is chosen by reachability, format and bitrate. Covers and artist/album renames follow the peer."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from harness import Server
from test_library import fixture
import test_p2p
from test_p2p import make_noise_flac, wait_for


class HealthNodes(test_p2p.P2pNodes):
    def start_node(self, files, interval=1, health=3600):
        return super().start_node(files, interval, P2P_HEALTH_INTERVAL_SECONDS=str(health))

    def setUp(self):
        self.servers = []
        root, _ = fixture()
        self.lib = os.path.join(root, "library")
        self.tmp = tempfile.mkdtemp(prefix="soundtime-health-")
        self.noise = os.path.join(self.tmp, "noise.flac")
        make_noise_flac(self.noise, "Noise Blob", seconds=8)

    @staticmethod
    def pause(s):
        """SIGTERM, keeping the data directory (and port) so the node can start again."""
        s.proc.send_signal(15)
        assert s.proc.wait(timeout=15) == 0
        s.log.close()

    def restart(self, s, **env):
        self.pause(s)
        s.env.update(env)
        s.start()

    def track_list(self, s):
        r = s.get("/api/tracks?per_page=100", token=s.token)
        self.assertEqual(r.status, 200, r)
        return r.json["data"]

    def copies(self, s):
        r = s.get("/api/admin/remote-tracks", token=s.token)
        self.assertEqual(r.status, 200, r)
        return {c["instance_domain"][len("p2p://"):]: c for c in r.json}

    def logs(self, s, **q):
        query = "&".join(f"{k}={v}" for k, v in q.items())
        r = s.get("/api/admin/p2p/logs?" + query, token=s.token)
        self.assertEqual(r.status, 200, r)
        return r.json

    def sql(self, s, statement):
        if s.engine == "postgres":
            subprocess.run(["psql", s.env["DATABASE_URL"], "-qc", statement], check=True, capture_output=True)
        else:
            db = sqlite3.connect(os.path.join(s.dir, "soundtime.db"), timeout=10)
            db.execute(statement)
            db.commit()
            db.close()


class TrackHealth(HealthNodes):
    def test_recover_dereference_rereference_and_admin_decisions(self):
        a = self.start_node([("noise.flac", self.noise)])
        c = self.start_node([("copy.flac", self.noise)])  # the same bytes on a third node
        b = self.start_node([], interval=600)  # B keeps believing A is online: its fetch finds out
        self.link(a, b)
        track = wait_for(lambda: next((t for t in self.track_list(b) if t["title"] == "Noise Blob"), None),
                         what="A's track on B")
        self.link(c, b)
        wait_for(lambda: len(self.copies(b)) == 2, what="two copies of the same hash on B")
        copies = self.copies(b)
        for node in (a, c):
            self.assertEqual(copies[node.node_id]["health_state"], "healthy")
            self.assertTrue(copies[node.node_id]["is_available"])
            self.assertEqual(copies[node.node_id]["local_track_id"], track["id"])
            self.assertEqual(copies[node.node_id]["format"], "flac")
        self.assertEqual(len(self.track_list(b)), 1, "one track, two copies")

        # A goes away: B's fetch fails on A (the older copy, tried first) and recovers from C.
        self.pause(a)
        with open(self.noise, "rb") as f:
            original = f.read()
        r = b.get(f"/api/tracks/{track['id']}/stream", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body == original, "recovered from C, verified against the same hash")
        copies = self.copies(b)
        self.assertEqual(copies[a.node_id]["health_state"], "degraded")
        self.assertEqual(copies[a.node_id]["failed_attempts"], 1)
        self.assertTrue(copies[a.node_id]["is_available"], "one failure does not dereference")
        self.assertEqual(copies[c.node_id]["health_state"], "healthy")
        # Logged once the whole download is done, which may be just after the last bytes were served.
        logs = wait_for(lambda: (lambda l: l if any("recovered" in e["message"] and "alternative peer" in e["message"]
                                                    for e in l["entries"]) else None)(self.logs(b, level="info")),
                        timeout=15, what="the recovery in the P2P log")
        self.assertTrue(all(e["level"] == "INFO" and e["target"] == "soundtime::p2p" for e in logs["entries"]))
        self.assertRegex(logs["entries"][-1]["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(len(self.logs(b, limit=2)["entries"]), 2)
        self.assertEqual(b.get("/api/admin/p2p/logs?level=loud", token=b.token).status, 400)

        # The state is in the database: after a restart with a short sweep interval, the sweep keeps
        # failing on A (two more) and dereferences its copy; C's copy stays healthy.
        self.restart(b, P2P_HEALTH_INTERVAL_SECONDS="1")
        self.assertGreaterEqual(self.copies(b)[a.node_id]["failed_attempts"], 1, "persisted across the restart")
        gone = wait_for(lambda: (lambda x: x if x[a.node_id]["health_state"] == "dereferenced" else None)(self.copies(b)),
                        timeout=40, what="A's copy dereferenced after three failures")
        self.assertFalse(gone[a.node_id]["is_available"])
        self.assertEqual(gone[a.node_id]["failed_attempts"], 3)
        self.assertFalse(gone[a.node_id]["admin_dereferenced"])
        self.assertEqual(gone[c.node_id]["health_state"], "healthy")
        self.assertIsNotNone(gone[c.node_id]["last_checked_at"])
        wait_for(lambda: any("dereferenced after 3" in e["message"] for e in self.logs(b, level="WARN")["entries"]),
                 timeout=10, what="the dereference in the P2P log")

        # A comes back: the sweep finds the content again and re-references its copy.
        a.start()
        back = wait_for(lambda: (lambda x: x if x[a.node_id]["is_available"] else None)(self.copies(b)), timeout=40,
                        what="A's copy re-referenced")
        self.assertEqual(back[a.node_id]["health_state"], "healthy")
        self.assertEqual(back[a.node_id]["failed_attempts"], 0)
        wait_for(lambda: any("re-referenced" in e["message"] for e in self.logs(b)["entries"]), timeout=10,
                 what="the re-reference in the P2P log")

        # An administrator's dereference survives sweeps (the original flipped it back within 10 minutes).
        cid = back[c.node_id]["id"]
        user = b.register("listener")["tokens"]["access_token"]
        self.assertEqual(b.request("PATCH", f"/api/admin/p2p/tracks/{cid}/dereference", token=user).status, 403)
        self.assertEqual(b.request("PATCH", f"/api/admin/p2p/tracks/{cid}/dereference").status, 401)
        r = b.request("PATCH", f"/api/admin/p2p/tracks/{cid}/dereference", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertIn("message", r.json)
        self.assertFalse(r.json["track"]["is_available"])
        checked = self.copies(b)[c.node_id]["last_checked_at"]
        wait_for(lambda: self.copies(b)[c.node_id]["last_checked_at"] != checked, timeout=20, what="another sweep")
        time.sleep(2.5)  # and a couple more
        after = self.copies(b)[c.node_id]
        self.assertFalse(after["is_available"], "the sweep must not undo an administrator's dereference")
        self.assertTrue(after["admin_dereferenced"])
        self.assertEqual(after["health_state"], "dereferenced")
        r = b.request("PATCH", f"/api/admin/p2p/tracks/{cid}/rereference", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(self.copies(b)[c.node_id]["is_available"])
        missing = "00000000-0000-4000-8000-000000000000"
        self.assertEqual(b.request("PATCH", f"/api/admin/p2p/tracks/{missing}/dereference", token=b.token).status, 404)
        self.assertEqual(b.request("PATCH", "/api/admin/p2p/tracks/nope/rereference", token=b.token).status, 404)
        self.assertEqual(b.delete("/api/admin/p2p/logs", token=b.token).json, {"status": "cleared"})
        self.assertEqual(self.logs(b)["total_in_buffer"], 0)

    def test_best_copy_by_reachability_format_and_bitrate(self):
        mp3 = os.path.join(self.tmp, "noise.mp3")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", self.noise, "-b:a", "128k", "-map_metadata", "0",
                        mp3], check=True)
        a = self.start_node([("noise.flac", self.noise)])
        c = self.start_node([("noise.mp3", mp3)])  # the same song in another file: another hash
        b = self.start_node([])
        self.link(a, b)
        self.link(c, b)
        songs = wait_for(lambda: (lambda t: t if len(t) == 2 else None)(
            [x for x in self.track_list(b) if x["title"] == "Noise Blob"]), what="both files of the song on B")
        by_format = {t["format"]: t for t in songs}
        self.assertEqual(set(by_format), {"flac", "mp3"})
        self.assertLessEqual(by_format["mp3"]["bitrate"], 200, "kbps, not bps")
        for t in songs:
            d = b.get(f"/api/tracks/{t['id']}", token=b.token).json
            self.assertEqual(d["best_source"], "p2p://" + a.node_id, "the FLAC copy wins while A is reachable")
            self.assertEqual(d["best_track_id"], by_format["flac"]["id"])
            self.assertEqual(d["best_bitrate"], by_format["flac"]["bitrate"])
        # A goes offline: the best reachable copy is C's MP3.
        self.pause(a)
        wait_for(lambda: not next(p for p in b.get("/api/admin/p2p/peers", token=b.token).json
                                  if p["node_id"] == a.node_id)["is_online"], what="B noticing A is gone")
        d = b.get(f"/api/tracks/{by_format['flac']['id']}", token=b.token).json
        self.assertEqual(d["best_source"], "p2p://" + c.node_id)
        self.assertEqual(d["best_track_id"], by_format["mp3"]["id"])
        # Playing the FLAC track now: no peer can give its bytes, so the song plays from C's MP3 instead.
        with open(mp3, "rb") as f:
            mp3_bytes = f.read()
        r = b.get(f"/api/tracks/{by_format['flac']['id']}/stream", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Played-Track-Id"), by_format["mp3"]["id"])
        self.assertEqual(r.header("Content-Type"), "audio/mpeg")
        self.assertTrue(r.body == mp3_bytes, "the other file of the song, verified")
        r = b.get(f"/api/tracks/{by_format['flac']['id']}/stream?format=opus", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Played-Track-Id"), by_format["mp3"]["id"])
        self.assertEqual(r.body[:4], b"OggS", "a transcode of the other file")
        # The same through the Subsonic API, as phone apps play.
        app = b.post("/api/auth/app-passwords", {"name": "phone"}, token=b.token).json["password"]
        r = b.get(f"/rest/stream?apiKey={app}&f=json&v=1.16.1&c=tests&format=raw&id={by_format['flac']['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Played-Track-Id"), by_format["mp3"]["id"])
        self.assertTrue(r.body == mp3_bytes)
        # With C gone too, the MP3 still plays: its verified bytes are in B's cache now.
        self.pause(c)
        r = b.get(f"/api/tracks/{by_format['flac']['id']}/stream", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body == mp3_bytes)
        c.start()
        # On C, its own file is the best copy of its track once A is gone (peer exchange may have linked C
        # with A too, and C notices A's absence at its next contact).
        mine = next(t for t in self.track_list(c) if t["format"] == "mp3" and t["title"] == "Noise Blob")
        wait_for(lambda: c.get(f"/api/tracks/{mine['id']}", token=c.token).json["best_source"] == "local",
                 timeout=30, what="C's own file as the best copy")


class ReplicaMetadata(HealthNodes):
    def test_covers_fetched_once_and_renames_regroup(self):
        tones = [("t1.mp3", os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3")),
                 ("t2.mp3", os.path.join(self.lib, "Test Artist/Sine Album/02 Tone 2.mp3"))]
        a = self.start_node(tones)
        b = self.start_node([])
        self.link(a, b)
        wait_for(lambda: {"Tone 1", "Tone 2"} <= {t["title"] for t in self.track_list(b)}, what="A's tones on B")
        storage = b.get("/api/admin/storage/status", token=b.token).json
        self.assertEqual((storage["remote_track_count"], storage["remote_available_count"]), (2, 2), storage)
        self.assertEqual(a.get("/api/admin/storage/status", token=a.token).json["remote_track_count"], 0)
        # A gives the album a new cover: it reaches B once, verified, shared by the album's tracks.
        from test_upload import multipart
        png = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=48x48", "-frames:v",
                              "1", "-f", "image2pipe", "-vcodec", "png", "-"], capture_output=True, check=True).stdout
        album_a = next(x for x in a.get("/api/albums?per_page=50", token=a.token).json["data"] if x["title"] == "Sine Album")
        body, headers = multipart(files=[("cover", "c.png", png)])
        r = a.request("POST", f"/api/albums/{album_a['id']}/cover", raw=body, headers=headers, token=a.token)
        self.assertEqual(r.status, 200, r)
        url = r.json["cover_url"]

        def b_album():
            return next((x for x in b.get("/api/albums?per_page=50", token=b.token).json["data"]
                         if x["title"] == "Sine Album"), None)
        album_b = wait_for(lambda: (lambda x: x if x and x["cover_url"] == url else None)(b_album()), timeout=30,
                           what="the peer's cover on B")
        self.assertEqual(b.get(url, token=b.token).body, png)
        on_b = [t for t in self.track_list(b) if t["title"] in ("Tone 1", "Tone 2")]
        self.assertEqual({t["album_id"] for t in on_b}, {album_b["id"]})
        self.assertEqual({t["cover_url"] for t in on_b}, {url})
        cover_hash = url.rsplit("/", 1)[1].split(".")[0]
        fetched = f"fetched cover {cover_hash[:12]}"
        self.assertEqual(sum(fetched in e["message"] for e in self.logs(b)["entries"]), 1,
                         "one fetch for the album's tracks")

        # A renames its artist (no API for that: the database, as an enrichment would): B regroups.
        self.sql(a, "UPDATE artists SET name = 'Renamed Artist' WHERE name = 'Test Artist'")
        wait_for(lambda: {t["artist_name"] for t in self.track_list(b) if t["title"] in ("Tone 1", "Tone 2")}
                 == {"Renamed Artist"}, timeout=30, what="the rename on B")
        album_b = wait_for(lambda: (lambda x: x if x and x["artist_name"] == "Renamed Artist" and x["cover_url"] == url
                                    else None)(b_album()), what="the regrouped album on B, with its cover")
        on_b = [t for t in self.track_list(b) if t["title"] in ("Tone 1", "Tone 2")]
        self.assertEqual({t["album_id"] for t in on_b}, {album_b["id"]})
        names = [x["name"] for x in b.get("/api/artists?per_page=100", token=b.token).json["data"]]
        self.assertIn("Renamed Artist", names)
        self.assertNotIn("Test Artist", names, "the old artist is pruned")
        self.assertEqual(b.read_log().count(fetched), 1, "the cover is not fetched again")

    def test_library_resync_task(self):
        a = self.start_node([("t1.mp3", os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3"))])
        b = self.start_node([("t2.mp3", os.path.join(self.lib, "Test Artist/Sine Album/02 Tone 2.mp3"))],
                            interval=600)
        self.link(a, b)
        wait_for(lambda: "Tone 1" in {t["title"] for t in self.track_list(b)}, what="A's track on B")
        self.assertEqual(b.get("/api/admin/p2p/library-sync/task-status", token=b.token).json, {"status": "idle"})
        wait_for(lambda: "Tone 2" in {t["title"] for t in self.track_list(a)}, what="B's track on A")
        # Both lose their replicas (as if removed by hand); a re-sync brings them back both ways.
        for s in (a, b):
            self.sql(s, "DELETE FROM remote_tracks")
            self.sql(s, "DELETE FROM tracks WHERE file_path LIKE 'p2p://%'")
        self.assertNotIn("Tone 1", {t["title"] for t in self.track_list(b)})
        self.assertNotIn("Tone 2", {t["title"] for t in self.track_list(a)})
        r = b.post(f"/api/admin/p2p/library-sync/{a.node_id}", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertIn("started", r.json["message"])
        done = wait_for(lambda: (lambda s: s if s["status"] != "running" else None)(
            b.get("/api/admin/p2p/library-sync/task-status", token=b.token).json), what="the re-sync")
        self.assertEqual(done["status"], "completed", done)
        self.assertEqual(done["result"]["peer_id"], a.node_id)
        self.assertEqual(done["result"]["tracks_synced"], 1)
        self.assertIn("Tone 1", {t["title"] for t in self.track_list(b)})
        self.assertIn("Tone 2", {t["title"] for t in self.track_list(a)}, "our catalogue was pushed to A")
        self.assertEqual(b.post("/api/admin/p2p/library-sync/task-dismiss", token=b.token).json,
                         {"message": "Task status reset"})
        self.assertEqual(b.get("/api/admin/p2p/library-sync/task-status", token=b.token).json, {"status": "idle"})
        self.assertEqual(b.post(f"/api/admin/p2p/library-sync/{'ab' * 32}", token=b.token).status, 404)
        self.assertEqual(b.post("/api/admin/p2p/library-sync/xyz", token=b.token).status, 400)
        user = b.register("listener")["tokens"]["access_token"]
        self.assertEqual(b.post(f"/api/admin/p2p/library-sync/{a.node_id}", token=user).status, 403)
        self.assertEqual(b.get("/api/admin/remote-tracks", token=user).status, 403)


class P2pOffSurface(unittest.TestCase):
    def test_admin_surface_without_a_node(self):
        s = Server().start()
        try:
            token = s.setup_admin()["tokens"]["access_token"]
            self.assertEqual(s.get("/api/admin/remote-tracks", token=token).json, [])
            self.assertEqual(s.get("/api/admin/p2p/library-sync/task-status", token=token).json, {"status": "idle"})
            self.assertEqual(s.post(f"/api/admin/p2p/library-sync/{'ab' * 32}", token=token).status, 503)
            logs = s.get("/api/admin/p2p/logs", token=token).json
            self.assertEqual(logs, {"entries": [], "total_in_buffer": 0})
            info = s.get("/api/nodeinfo").json
            self.assertEqual(set(info), {"name", "description", "version", "track_count", "user_count",
                                         "open_registration", "p2p_enabled", "p2p_node_id"})
            self.assertFalse(info["p2p_enabled"])
            self.assertIsNone(info["p2p_node_id"])
            self.assertEqual(s.get("/.well-known/nodeinfo").json, info)
        finally:
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])


if __name__ == "__main__":
    unittest.main()
