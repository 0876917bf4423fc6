"""MusicBrainz enrichment end to end, against a local stand-in for MusicBrainz, the Cover Art Archive,
Wikidata and Wikipedia: one track, all tracks as a task that always ends, the User-Agent and the spacing
of requests, placeholders moved to the real artist and release, and the admin endpoints' errors."""
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse as up

import test_library
from harness import Server, ServerTest

INTERVAL_MS = 150

RECORDINGS = {
    # recording:"<title>" -> answer
    "plain": {"id": "rec-plain", "score": 100, "title": "Plain Song", "length": 2000,
              "first-release-date": "1999-05-01",
              "artist-credit": [{"name": "Real Artist", "artist": {"id": "art-real", "name": "Real Artist"}}],
              "releases": [{"id": "rel-real", "title": "Real Album", "status": "Official",
                            "release-group": {"primary-type": "Album"}}],
              "tags": [{"count": 3, "name": "jazz"}, {"count": 5, "name": "electronic"}]},
    "Tone 2": {"id": "rec-tone2", "score": 95, "title": "Tone 2", "length": 2000,
               "artist-credit": [{"artist": {"id": "art-test", "name": "Test Artist"}}],
               "releases": [{"id": "rel-sine", "title": "Sine Album", "status": "Official",
                             "release-group": {"primary-type": "Album"}}]},
}


class FakeServices:
    def __init__(self, cover_jpeg):
        self.asked = []  # (path, query, user agent, monotonic time)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                u = up.urlparse(self.path)
                q = dict(up.parse_qsl(u.query))
                with outer.lock:
                    outer.asked.append((u.path, q, self.headers.get("User-Agent"), time.monotonic()))
                status, body, ctype = outer.answer(u.path, q)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.cover = cover_jpeg
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path, q):
        js = lambda v: (200, json.dumps(v).encode(), "application/json")
        if path == "/ws/2/recording":
            query = q.get("query", "")
            if 'recording:"Lovely"' in query:
                return 503, b"slow down", "text/plain"
            for title, rec in RECORDINGS.items():
                if f'recording:"{title}"' in query:
                    return js({"recordings": [rec]})
            return js({"recordings": []})
        if path == "/ws/2/artist/art-real":
            return js({"relations": [{"type": "wikidata", "url": {"resource": "https://www.wikidata.org/wiki/Q42"}}]})
        if path == "/ws/2/artist/art-test":
            return js({"relations": [{"type": "wikipedia",
                                      "url": {"resource": "https://fr.wikipedia.org/wiki/Test_Artist"}}]})
        if path == "/wikidata/wiki/Special:EntityData/Q42.json":
            return js({"entities": {"Q42": {"sitelinks": {"enwiki": {"title": "Real Artist"}}}}})
        if path == "/wiki-en/api/rest_v1/page/summary/Real_Artist":
            return js({"extract": "Real Artist is a band.", "thumbnail": {"source": self.base + "/img/real.jpg"}})
        if path == "/wiki-fr/api/rest_v1/page/summary/Test_Artist":
            return js({"extract": "Artiste de test."})
        if path == "/caa/release/rel-real":
            return js({"images": [{"front": False, "image": self.base + "/img/back.jpg"},
                                  {"front": True, "image": self.base + "/img/full.jpg",
                                   "thumbnails": {"500": self.base + "/img/cover.jpg"}}]})
        if path == "/img/cover.jpg":
            return 200, self.cover, "image/jpeg"
        return 404, b"{}", "application/json"

    def paths(self):
        with self.lock:
            return [a[0] for a in self.asked]

    def close(self):
        self.httpd.shutdown()


def make_jpeg():
    d = tempfile.mkdtemp(prefix="soundtime-cover-")
    path = os.path.join(d, "cover.jpg")
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", path],
                   check=True)
    with open(path, "rb") as f:
        data = f.read()
    shutil.rmtree(d)
    return data


class Enrichment(ServerTest):
    def setUp(self):
        self.fake = FakeServices(make_jpeg())
        root, self.manifest = test_library.fixture()
        self.s = Server(env={"MUSICBRAINZ_MIN_INTERVAL_MS": str(INTERVAL_MS)})
        lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), lib)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]
        base = self.fake.base
        for key, value in [("musicbrainz_base_url", base + "/ws/2"), ("coverart_base_url", base + "/caa"),
                           ("wikipedia_base_url", base + "/wiki-{lang}"), ("wikidata_base_url", base + "/wikidata")]:
            r = self.s.put(f"/api/admin/settings/{key}", {"value": value}, token=self.admin)
            self.assertEqual(r.status, 200, r)
        self.tracks = {t["title"]: t for t in self.s.get("/api/tracks?per_page=100").json["data"]}

    def tearDown(self):
        super().tearDown()
        self.fake.close()

    def enrich(self, title):
        return self.s.post(f"/api/admin/metadata/enrich/{self.tracks[title]['id']}", token=self.admin)

    def wait_task(self, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            r = self.s.get("/api/admin/metadata/task-status", token=self.admin)
            self.assertEqual(r.status, 200, r)
            if r.json["status"] != "running":
                return r.json
            time.sleep(0.2)
        self.fail("enrichment did not end")

    def test_one_track_is_filed_under_the_real_artist_and_release(self):
        r = self.enrich("plain")
        self.assertEqual(r.status, 200, r)
        j = r.json
        self.assertEqual(j["status"], "enriched", j)
        self.assertEqual(j["recording_mbid"], "rec-plain")
        self.assertEqual(j["corrected_title"], "Plain Song")  # the title came from the file name
        self.assertEqual((j["artist_name"], j["artist_mbid"]), ("Real Artist", "art-real"))
        self.assertEqual((j["album_title"], j["album_mbid"]), ("Real Album", "rel-real"))
        self.assertEqual((j["genre"], j["year"]), ("electronic", 1999))  # the most voted tag
        self.assertTrue(j["cover_url"].startswith("/api/media/covers/"), j)
        t = self.s.get(f"/api/tracks/{j['track_id']}").json
        self.assertEqual((t["title"], t["artist_name"], t["album_title"]), ("Plain Song", "Real Artist", "Real Album"))
        self.assertEqual((t["musicbrainz_id"], t["genre"], t["year"]), ("rec-plain", "electronic", 1999))
        self.assertEqual(t["cover_url"], j["cover_url"])
        cover = self.s.get(j["cover_url"])
        self.assertEqual((cover.status, cover.body), (200, self.fake.cover))
        artist = self.s.get(f"/api/artists/{t['artist_id']}").json
        self.assertEqual(artist["musicbrainz_id"], "art-real")
        self.assertEqual(artist["bio"], "Real Artist is a band.")  # through Wikidata to English Wikipedia
        self.assertEqual(artist["image_url"], self.fake.base + "/img/real.jpg")
        # The new names are searchable; the placeholder no longer holds the track.
        hits = self.s.get("/api/search?q=plain%20song").json
        self.assertIn(j["track_id"], [x["id"] for x in hits["tracks"]])
        self.assertNotEqual(t["artist_id"], self.tracks["plain"]["artist_id"])
        self.assertNotEqual(t["album_id"], self.tracks["plain"]["album_id"])
        # Asked again: nothing to do, nothing asked.
        n = len(self.fake.paths())
        self.assertEqual(self.enrich("plain").json["status"], "already_enriched")
        self.assertEqual(len(self.fake.paths()), n)
        # Every request named the application and a contact, and they were spaced.
        agents = {a[2] for a in self.fake.asked}
        self.assertEqual(len(agents), 1, agents)
        agent = agents.pop()
        self.assertTrue(agent.startswith("SoundTime/") and "( http" in agent, agent)
        times = [a[3] for a in self.fake.asked]
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertTrue(all(g >= INTERVAL_MS / 1000 * 0.9 for g in gaps), gaps)

    def test_a_real_album_gets_its_id_and_keeps_its_cover(self):
        before = self.tracks["Tone 2"]
        j = self.enrich("Tone 2").json
        self.assertEqual(j["status"], "enriched", j)
        self.assertEqual(j["album_mbid"], "rel-sine")
        self.assertIsNone(j["cover_url"])  # the album had one: the archive is not asked
        self.assertNotIn("/caa/release/rel-sine", self.fake.paths())
        t = self.s.get(f"/api/tracks/{before['id']}").json
        self.assertEqual((t["title"], t["genre"], t["year"]), ("Tone 2", "Rock", 2021))  # tags are kept
        self.assertEqual(t["album_id"], before["album_id"])
        self.assertEqual(t["cover_url"], before["cover_url"])
        self.assertEqual(self.s.get(f"/api/albums/{t['album_id']}").json["musicbrainz_id"], "rel-sine")
        self.assertEqual(self.s.get(f"/api/artists/{t['artist_id']}").json["bio"], "Artiste de test.")

    def test_enrich_all_ends_counts_and_does_not_ask_twice(self):
        total = len(self.tracks)
        r = self.s.post("/api/admin/metadata/enrich-all", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"status": "started", "task": "metadata-enrichment"})
        again = self.s.post("/api/admin/metadata/enrich-all", token=self.admin)
        self.assertEqual(again.status, 409, again)
        running = self.s.get("/api/admin/metadata/task-status", token=self.admin).json
        if running["status"] == "running":
            self.assertEqual(set(running["progress"]), {"processed", "total", "enriched", "not_found", "errors",
                                                         "current_track"})
            self.assertEqual(self.s.post("/api/admin/metadata/task-dismiss", token=self.admin).status, 409)
        done = self.wait_task()
        self.assertEqual(done["status"], "completed", done)
        res = done["result"]
        self.assertEqual(res["total_processed"], total)
        self.assertEqual(res["enriched"], 2)   # plain, Tone 2
        self.assertEqual(res["errors"], 1)     # Lovely: the service was busy
        self.assertEqual(res["not_found"], total - 3)
        status = self.s.get("/api/admin/metadata/status", token=self.admin).json
        self.assertEqual(status["enriched_tracks"], 2)
        self.assertEqual(status["total_remote_tracks"], 0)
        # A second run asks only about the track that failed: unknown tracks are left alone for a while.
        n = len([p for p in self.fake.paths() if p == "/ws/2/recording"])
        self.assertEqual(n, total)
        self.assertEqual(self.s.post("/api/admin/metadata/task-dismiss", token=self.admin).json,
                         {"status": "dismissed"})
        self.assertEqual(self.s.get("/api/admin/metadata/task-status", token=self.admin).json, {"status": "idle"})
        self.assertEqual(self.s.post("/api/admin/metadata/enrich-all", token=self.admin).status, 200)
        done = self.wait_task()
        self.assertEqual(done["result"]["total_processed"], 1, done)
        self.assertEqual(len([p for p in self.fake.paths() if p == "/ws/2/recording"]), total + 1)

    def test_a_service_that_is_down_stops_the_task_with_a_reason(self):
        r = self.s.put("/api/admin/settings/musicbrainz_base_url", {"value": "http://127.0.0.1:9/ws/2"},
                       token=self.admin)
        self.assertEqual(r.status, 200, r)
        one = self.enrich("plain").json
        self.assertEqual(one["status"], "error")
        self.assertIn("MusicBrainz lookup failed", one["message"])
        self.assertEqual(self.s.post("/api/admin/metadata/enrich-all", token=self.admin).status, 200)
        done = self.wait_task()
        self.assertEqual(done["status"], "error", done)
        self.assertIn("failures in a row", done["message"])
        # Nothing was written: the tracks are still pending.
        status = self.s.get("/api/admin/metadata/status", token=self.admin).json
        self.assertEqual(status["enriched_tracks"], 0)

    def test_bad_requests(self):
        self.assertEqual(self.s.post("/api/admin/metadata/enrich/not-a-uuid", token=self.admin).status, 404)
        r = self.s.post("/api/admin/metadata/enrich/00000000-0000-4000-8000-000000000000", token=self.admin)
        self.assertEqual((r.status, r.json["error"]), (404, "Track not found"))
        user = self.s.register("listener")["tokens"]["access_token"]
        for method, path in [("post", "/api/admin/metadata/enrich-all"), ("get", "/api/admin/metadata/task-status"),
                             ("post", "/api/admin/metadata/task-dismiss"), ("get", "/api/admin/metadata/status"),
                             ("post", f"/api/admin/metadata/enrich/{self.tracks['plain']['id']}")]:
            self.assertEqual(getattr(self.s, method)(path, token=user).status, 403, path)
            self.assertEqual(getattr(self.s, method)(path).status, 401, path)
        r = self.s.put("/api/admin/settings/musicbrainz_base_url", {"value": "ftp://mirror"}, token=self.admin)
        self.assertEqual(r.status, 400, r)
        self.assertIn("http://", r.json["error"])
        r = self.s.put("/api/admin/settings/musicbrainz_user_agent", {"value": "a\r\nX-Evil: 1"}, token=self.admin)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.fake.paths(), [])  # nothing was asked


class AutoEnrichment(ServerTest):
    """With metadata_auto_enrich on, new tracks are looked up in the background."""

    def setUp(self):
        self.fake = FakeServices(make_jpeg())
        root, _ = test_library.fixture()
        self.s = Server(env={"MUSICBRAINZ_MIN_INTERVAL_MS": "50", "METADATA_ENRICH_INTERVAL_SECONDS": "1"})
        lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), lib)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]
        self.s.put("/api/admin/settings/musicbrainz_base_url", {"value": self.fake.base + "/ws/2"}, token=self.admin)
        self.s.put("/api/admin/settings/coverart_base_url", {"value": self.fake.base + "/caa"}, token=self.admin)
        self.s.put("/api/admin/settings/wikipedia_base_url", {"value": self.fake.base + "/wiki-{lang}"},
                   token=self.admin)
        self.s.put("/api/admin/settings/wikidata_base_url", {"value": self.fake.base + "/wikidata"}, token=self.admin)

    def tearDown(self):
        super().tearDown()
        self.fake.close()

    def test_off_by_default_then_in_the_background(self):
        time.sleep(2.5)
        self.assertEqual(self.fake.paths(), [])
        r = self.s.put("/api/admin/settings/metadata_auto_enrich", {"value": "true"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        end = time.time() + 30
        while time.time() < end:
            if self.s.get("/api/admin/metadata/status", token=self.admin).json["enriched_tracks"] == 2:
                break
            time.sleep(0.3)
        self.assertEqual(self.s.get("/api/admin/metadata/status", token=self.admin).json["enriched_tracks"], 2)
