"""Playlists, favorites, history (play counts, trending), profiles, and editing/deleting tracks."""
import os
import shutil

from harness import Server, ServerTest
from test_library import fixture
from test_upload import multipart


class UserMusic(ServerTest):
    def setUp(self):
        root, _ = fixture()
        self.s = Server()
        self.lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        self.assertEqual(self.s.cli("import", self.lib).returncode, 0)
        self.s.start()
        admin = self.s.setup_admin()
        self.admin = admin["tokens"]["access_token"]
        alice = self.s.register("alice")
        self.alice, self.alice_id = alice["tokens"]["access_token"], alice["user"]["id"]
        self.bob = self.s.register("bob")["tokens"]["access_token"]
        self.tracks = {t["title"]: t["id"] for t in self.s.get("/api/tracks?per_page=100").json["data"]}

    def test_concurrent_edits_of_one_playlist_keep_it_dense(self):
        import random
        import threading
        pid = self.s.post("/api/playlists", {"name": "Shared"}, token=self.alice).json["id"]
        ids = list(self.tracks.values())
        statuses, lock = [], threading.Lock()

        def client(seed):
            rnd = random.Random(seed)
            for _ in range(14):
                action = rnd.choice(("add", "add", "remove", "reorder"))
                if action == "add":
                    r = self.s.post(f"/api/playlists/{pid}/tracks",
                                    {"track_id": rnd.choice(ids), "position": rnd.randint(0, 8)}, token=self.alice)
                elif action == "remove":
                    r = self.s.delete(f"/api/playlists/{pid}/tracks/{rnd.choice(ids)}", token=self.alice)
                else:
                    order = [t["id"] for t in self.s.get(f"/api/playlists/{pid}", token=self.alice).json["tracks"]]
                    rnd.shuffle(order)
                    r = self.s.put(f"/api/playlists/{pid}/tracks", {"track_ids": order}, token=self.alice)
                with lock:
                    statuses.append((action, r.status))
        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertFalse([s for s in statuses if s[1] >= 500], "no edit fails with a server error")
        positions = sorted(int(r[0]) for r in self.s.sql(
            f"SELECT position FROM playlist_tracks WHERE playlist_id = '{pid}'"))
        self.assertEqual(positions, list(range(len(positions))), "positions stay 0..n-1, each once")
        listed = self.s.get(f"/api/playlists/{pid}", token=self.alice).json["tracks"]
        self.assertEqual(len(listed), len(positions))

    def test_playlist_lifecycle(self):
        r = self.s.post("/api/playlists", {"name": "  Road Trip ", "description": "summer"}, token=self.alice)
        self.assertEqual(r.status, 201, r)
        pl = r.json
        self.assertEqual((pl["name"], pl["is_public"], pl["track_count"]), ("Road Trip", False, 0))
        pid = pl["id"]
        for title in ["Tone 1", "Tone 2", "Tone 3"]:
            self.assertEqual(self.s.post(f"/api/playlists/{pid}/tracks", {"track_id": self.tracks[title]},
                                         token=self.alice).status, 201)
        self.assertEqual(self.s.post(f"/api/playlists/{pid}/tracks", {"track_id": self.tracks["Tone 1"]},
                                     token=self.alice).status, 409)
        self.assertEqual(self.s.post(f"/api/playlists/{pid}/tracks", {"track_id": "00000000-0000-4000-8000-000000000000"},
                                     token=self.alice).status, 404)
        self.assertEqual(self.s.post(f"/api/playlists/{pid}/tracks", {"track_id": self.tracks["Lovely"], "position": 0},
                                     token=self.alice).status, 201)
        detail = self.s.get(f"/api/playlists/{pid}", token=self.alice).json
        self.assertEqual([t["title"] for t in detail["tracks"]], ["Lovely", "Tone 1", "Tone 2", "Tone 3"])
        self.assertEqual(detail["track_count"], 4)
        # private: invisible to others and in the public list; visible in "mine"
        self.assertEqual(self.s.get(f"/api/playlists/{pid}", token=self.bob).status, 404)
        self.assertEqual(self.s.get(f"/api/playlists/{pid}").status, 404)
        self.assertEqual(self.s.get("/api/playlists").json["total"], 0)
        self.assertEqual([p["name"] for p in self.s.get("/api/playlists/mine", token=self.alice).json["data"]],
                         ["Road Trip"])
        # only the owner changes it
        self.assertEqual(self.s.put(f"/api/playlists/{pid}", {"is_public": True}, token=self.bob).status, 403)
        r = self.s.put(f"/api/playlists/{pid}", {"is_public": True, "name": "Trip"}, token=self.alice)
        self.assertEqual((r.json["is_public"], r.json["name"], r.json["description"]), (True, "Trip", "summer"))
        self.assertEqual(self.s.get(f"/api/playlists/{pid}").status, 200)
        self.assertEqual(self.s.get("/api/playlists").json["total"], 1)
        # reorder and remove
        order = [self.tracks[t] for t in ["Tone 3", "Tone 2", "Tone 1", "Lovely"]]
        r = self.s.put(f"/api/playlists/{pid}/tracks", {"track_ids": order}, token=self.alice)
        self.assertEqual([t["title"] for t in r.json["tracks"]], ["Tone 3", "Tone 2", "Tone 1", "Lovely"])
        self.assertEqual(self.s.put(f"/api/playlists/{pid}/tracks", {"track_ids": order[:2]}, token=self.alice).status, 400)
        self.assertEqual(self.s.delete(f"/api/playlists/{pid}/tracks/{self.tracks['Tone 2']}", token=self.alice).status, 204)
        detail = self.s.get(f"/api/playlists/{pid}").json
        self.assertEqual([t["title"] for t in detail["tracks"]], ["Tone 3", "Tone 1", "Lovely"])
        profile = self.s.get(f"/api/users/{self.alice_id}").json
        self.assertEqual([p["name"] for p in profile["playlists"]], ["Trip"])
        self.assertEqual(self.s.delete(f"/api/playlists/{pid}", token=self.bob).status, 403)
        self.assertEqual(self.s.delete(f"/api/playlists/{pid}", token=self.alice).status, 204)
        self.assertEqual(self.s.get(f"/api/playlists/{pid}").status, 404)
        self.assertEqual(self.s.post("/api/playlists", {"name": "   "}, token=self.alice).status, 400)

    def test_favorites(self):
        a, b = self.tracks["Tone 1"], self.tracks["First Hit"]
        self.assertEqual(self.s.post(f"/api/favorites/{a}", token=self.alice).status, 204)
        self.assertEqual(self.s.post(f"/api/favorites/{a}", token=self.alice).status, 204, "idempotent")
        self.assertEqual(self.s.post(f"/api/favorites/{b}", token=self.alice).status, 204)
        self.assertEqual(self.s.post("/api/favorites/00000000-0000-4000-8000-000000000000", token=self.alice).status, 404)
        favs = self.s.get("/api/favorites", token=self.alice).json
        self.assertEqual([t["title"] for t in favs["data"]], ["First Hit", "Tone 1"])
        check = self.s.get(f"/api/favorites/check?track_ids={a},{self.tracks['Tone 2']},junk", token=self.alice).json
        self.assertEqual(check, [a])
        self.assertEqual(self.s.get("/api/favorites", token=self.bob).json["total"], 0)
        self.assertEqual(self.s.delete(f"/api/favorites/{a}", token=self.alice).status, 204)
        self.assertEqual(self.s.get("/api/favorites", token=self.alice).json["total"], 1)

    def test_history_counts_plays_and_feeds_trending(self):
        t1, t2 = self.tracks["Tone 1"], self.tracks["Part 1.1"]
        for _ in range(3):
            self.assertEqual(self.s.post("/api/history", {"track_id": t1, "duration_listened": 2.0, "completed": True,
                                                          "source_context": "album"}, token=self.alice).status, 201)
        self.assertEqual(self.s.post("/api/history", {"track_id": t2, "duration_listened": 0.4, "skipped": True,
                                                      "skip_position": 0.4}, token=self.bob).status, 201)
        self.assertEqual(self.s.post("/api/history", {"track_id": t1}, token=self.alice).status, 400)
        self.assertEqual(self.s.post("/api/history", {"track_id": t1, "duration_listened": -1}, token=self.alice).status, 400)
        self.assertEqual(self.s.get(f"/api/tracks/{t1}").json["play_count"], 3)
        hist = self.s.get("/api/history", token=self.alice).json
        self.assertEqual(hist["total"], 3)
        entry = hist["data"][0]
        self.assertEqual(entry["track_id"], t1)
        self.assertEqual(entry["track"]["title"], "Tone 1")
        self.assertTrue(entry["completed"])
        self.assertEqual(entry["source_context"], "album")
        recent = self.s.get("/api/history/recent", token=self.alice).json
        self.assertEqual(len(recent), 1, "recent listens are one per track")
        self.assertEqual([t["title"] for t in self.s.get("/api/tracks/popular").json["data"][:2]], ["Tone 1", "Part 1.1"])
        trending = self.s.get("/api/tracks/trending?window=1h").json
        self.assertEqual([t["title"] for t in trending], ["Tone 1", "Part 1.1"])
        self.assertEqual(self.s.get("/api/history").status, 401)

    def test_edit_and_delete_tracks_owner_or_admin(self):
        with open(os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3"), "rb") as f:
            # Other bytes than the imported copy (trailing padding), so it is not a duplicate.
            body, headers = multipart(files=[("file", "mine.mp3", f.read() + b"\0" * 512)])
        up = self.s.request("POST", "/api/upload", raw=body, headers=headers, token=self.alice).json
        tid = up["id"]
        self.assertEqual(self.s.put(f"/api/tracks/{tid}", {"title": "Hacked"}, token=self.bob).status, 403)
        r = self.s.put(f"/api/tracks/{tid}", {"title": "Renamed", "genre": "Jazz", "year": 1999}, token=self.alice)
        self.assertEqual((r.json["title"], r.json["genre"], r.json["year"]), ("Renamed", "Jazz", 1999))
        self.assertEqual(self.s.put(f"/api/tracks/{tid}", {"year": 100000}, token=self.alice).status, 400)
        self.assertEqual(self.s.put(f"/api/tracks/{tid}", {"title": ""}, token=self.alice).status, 400)
        r = self.s.put(f"/api/tracks/{self.tracks['Tone 1']}", {"genre": "Ambient"}, token=self.admin)
        self.assertEqual(r.json["genre"], "Ambient", "admins may edit any track")
        stored = os.path.join(self.s.dir, "music", self.s.get("/api/auth/me", token=self.alice).json["id"], "mine.mp3")
        self.assertTrue(os.path.exists(stored))
        self.assertEqual(self.s.delete(f"/api/tracks/{tid}", token=self.bob).status, 403)
        self.assertEqual(self.s.delete(f"/api/tracks/{tid}", token=self.alice).status, 204)
        self.assertEqual(self.s.get(f"/api/tracks/{tid}").status, 404)
        self.assertFalse(os.path.exists(stored), "an upload's file goes with its track")
        # A scanned track deleted by an admin leaves the owner's file alone.
        self.assertEqual(self.s.delete(f"/api/tracks/{self.tracks['Lovely']}", token=self.admin).status, 204)
        self.assertTrue(os.path.exists(os.path.join(self.lib, "Singles/lovely.aiff")))

    def test_radio(self):
        seed = self.tracks["Tone 1"]
        r = self.s.post("/api/radio/next", {"seed_type": "track", "seed_id": seed, "count": 3}, token=self.alice)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["tracks"]), 3)
        self.assertFalse(r.json["exhausted"])
        played = [t["id"] for t in r.json["tracks"]]
        r = self.s.post("/api/radio/next", {"seed_type": "artist",
                                            "seed_id": self.s.get(f"/api/tracks/{seed}").json["artist_id"],
                                            "count": 20, "exclude": played}, token=self.alice)
        ids = [t["id"] for t in r.json["tracks"]]
        self.assertFalse(set(ids) & set(played), "excluded tracks are not replayed")
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual({t["artist_name"] for t in r.json["tracks"]}, {"Test Artist"}, "same artist or same genre")
        r = self.s.post("/api/radio/next", {"seed_type": "genre", "genre": "Classical", "count": 10}, token=self.alice)
        self.assertEqual({t["genre"] for t in r.json["tracks"]}, {"Classical"})
        self.assertEqual(len(r.json["tracks"]), 4)
        all_ids = list(self.tracks.values())
        r = self.s.post("/api/radio/next", {"seed_type": "genre", "genre": "Classical", "exclude": all_ids},
                        token=self.alice)
        self.assertEqual(len(r.json["tracks"]), 4, "everything played: it starts over")
        self.s.post(f"/api/favorites/{self.tracks['First Hit']}", token=self.alice)
        r = self.s.post("/api/radio/next", {"seed_type": "personal_mix", "count": 5}, token=self.alice)
        self.assertEqual(len(r.json["tracks"]), 5)
        self.assertEqual(self.s.post("/api/radio/next", {"seed_type": "track"}, token=self.alice).status, 400)
        self.assertEqual(self.s.post("/api/radio/next", {"seed_type": "genre"}, token=self.alice).status, 400)
        self.assertEqual(self.s.post("/api/radio/next", {"seed_type": "nonsense"}, token=self.alice).status, 400)
        self.assertEqual(self.s.post("/api/radio/next", {"seed_type": "track",
                                                         "seed_id": "00000000-0000-4000-8000-000000000000"},
                                     token=self.alice).status, 404)
        self.assertEqual(self.s.post("/api/radio/next", {"seed_type": "genre", "genre": "Rock", "count": 21},
                                     token=self.alice).status, 400)

    def test_reports_and_moderation(self):
        tid = self.tracks["Tone 2"]
        r = self.s.post(f"/api/tracks/{tid}/report", {"reason": "  wrong tags  "}, token=self.alice)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.s.post(f"/api/tracks/{tid}/report", {"reason": "again"}, token=self.alice).status, 409)
        self.assertEqual(self.s.post(f"/api/tracks/{tid}/report", {"reason": " "}, token=self.bob).status, 400)
        self.assertEqual(self.s.post(f"/api/tracks/{tid}/report", {"reason": "x" * 501}, token=self.bob).status, 400)
        self.assertEqual(self.s.post(f"/api/tracks/{tid}/report", {"reason": "copyright"}, token=self.bob).status, 200)
        other = self.s.post(f"/api/tracks/{self.tracks['Tone 3']}/report", {"reason": "meh"}, token=self.bob).json["id"]
        self.assertEqual(self.s.get("/api/admin/reports", token=self.alice).status, 403)
        self.assertEqual(self.s.get("/api/admin/reports/stats", token=self.admin).json,
                         {"pending": 3, "resolved": 0, "dismissed": 0, "total": 3})
        browse = self.s.get("/api/admin/tracks/browse?search=TONE", token=self.admin).json
        counts = {row["title"]: row["report_count"] for row in browse["data"]}
        self.assertEqual(counts, {"Tone 1": 0, "Tone 2": 2, "Tone 3": 1})
        r = self.s.put(f"/api/admin/reports/{other}", {"action": "dismissed", "admin_note": "fine"}, token=self.admin)
        self.assertEqual(r.json["message"], "Report dismissed. No action on the track.")
        reports = self.s.get("/api/admin/reports", token=self.admin).json
        self.assertEqual([x["status"] for x in reports], ["pending", "pending", "dismissed"], "pending first")
        first = reports[0]["id"]
        r = self.s.put(f"/api/admin/reports/{first}", {"action": "resolved", "track_action": "delete"}, token=self.admin)
        self.assertEqual(r.json["message"], "Report resolved. Track deleted.")
        self.assertEqual(self.s.get(f"/api/tracks/{tid}").status, 404)
        reports = self.s.get("/api/admin/reports", token=self.admin).json
        self.assertEqual({x["status"] for x in reports}, {"resolved", "dismissed"})
        self.assertIn("[Deleted]", {x["track_title"] for x in reports}, "the record outlives the track")
        self.assertEqual(self.s.put(f"/api/admin/reports/{first}", {"action": "maybe"}, token=self.admin).status, 400)
        r = self.s.delete(f"/api/admin/tracks/{self.tracks['Tone 3']}/moderate", token=self.admin)
        self.assertEqual(r.json, {"message": "Local track deleted."})
        self.assertTrue(os.path.exists(os.path.join(self.lib, "Test Artist/Sine Album/03 Tone 3.mp3")),
                        "a scanned file is the owner's: only the catalogue entry goes")
