"""Page sizes on every paginated REST endpoint, as the original: a per_page (or limit/count) above the
maximum is clamped to it (its web app asks for favorites with per_page=200), below 1 or not a number is a
400 naming the parameter. Also /api/artists/top and /api/artists/random (its home page)."""
import os
import shutil
import struct
import subprocess
import tempfile

from harness import Server, ServerTest

N = 105  # more than every maximum below, so that a clamp shows in the number of items


def vorbis_block(tags, last):
    vendor = b"soundtime-test"
    body = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(tags))
    for k, v in tags.items():
        c = f"{k}={v}".encode()
        body += struct.pack("<I", len(c)) + c
    return bytes([(0x80 if last else 0) | 4]) + len(body).to_bytes(3, "big") + body


def tagged_flacs(out_dir, n):
    """n distinct FLAC files (one artist and album each) from one ffmpeg run: the tags are written here."""
    base = os.path.join(out_dir, "base.flac")
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=0.3", "-c:a", "flac", base], check=True)
    with open(base, "rb") as f:
        data = f.read()
    assert data[:4] == b"fLaC"
    pos, streaminfo = 4, None
    while True:
        head = data[pos]
        length = int.from_bytes(data[pos + 1:pos + 4], "big")
        if head & 0x7F == 0:
            streaminfo = bytes([0]) + data[pos + 1:pos + 4 + length]  # not the last block any more
        pos += 4 + length
        if head & 0x80:
            break
    frames = data[pos:]
    os.remove(base)
    lib = os.path.join(out_dir, "library")
    os.makedirs(lib)
    for i in range(n):
        tags = {"TITLE": f"Song {i:03d}", "ARTIST": f"Artist {i:03d}", "ALBUM": f"Album {i:03d}",
                "GENRE": "Pagetest", "TRACKNUMBER": "1"}
        with open(os.path.join(lib, f"t{i:03d}.flac"), "wb") as f:
            f.write(b"fLaC" + streaminfo + vorbis_block(tags, True) + frames)
    return lib


class Pagination(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="soundtime-pages-")
        cls.lib = tagged_flacs(cls.tmp, N)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.s = Server(env=self.server_env)
        r = self.s.cli("import", self.lib)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]
        tracks = self.s.get("/api/tracks?per_page=100&page=1").json["data"]
        tracks += self.s.get("/api/tracks?per_page=100&page=2").json["data"]
        self.assertEqual(len(tracks), N)
        self.tracks = tracks
        for t in tracks:
            self.assertEqual(self.s.post(f"/api/favorites/{t['id']}", token=self.admin).status, 204)
            r = self.s.post("/api/history", {"track_id": t["id"], "duration_listened": 30}, token=self.admin)
            self.assertEqual(r.status, 201, r)
            r = self.s.post("/api/playlists", {"name": f"List {t['title']}", "is_public": True}, token=self.admin)
            self.assertEqual(r.status, 201, r)

    def items(self, body):
        if isinstance(body, list):
            return body
        for key in ("data", "tracks", "results", "entries"):
            if key in body:
                return body[key]
        raise AssertionError(f"no list in {body!r}"[:300])

    def test_every_paginated_endpoint_clamps_and_refuses(self):
        library_id = self.s.get("/api/libraries", token=self.admin).json["data"][0]["id"]
        # (path, parameter, maximum, admin token needed, whether more than the maximum exist to list)
        table = [
            ("/api/tracks", "per_page", 100, False, True),
            ("/api/tracks/recently-added", "per_page", 100, False, True),
            ("/api/tracks/popular", "per_page", 100, False, True),
            ("/api/tracks/my-uploads", "per_page", 100, True, False),
            ("/api/tracks/trending", "limit", 100, False, True),
            ("/api/tracks/random", "count", 50, False, True),
            ("/api/albums", "per_page", 100, False, True),
            ("/api/albums/recent", "per_page", 50, False, True),
            ("/api/artists", "per_page", 100, False, True),
            ("/api/artists/top", "per_page", 50, False, True),
            ("/api/artists/random", "per_page", 50, False, True),
            ("/api/genres/Pagetest/tracks", "per_page", 100, False, True),
            ("/api/search?q=song", "per_page", 50, False, True),
            ("/api/playlists", "per_page", 100, False, True),
            ("/api/playlists/mine", "per_page", 500, True, False),
            ("/api/libraries", "per_page", 100, False, False),
            (f"/api/libraries/{library_id}", "per_page", 100, False, False),
            ("/api/favorites", "per_page", 100, True, True),
            ("/api/history", "per_page", 100, True, True),
            ("/api/history/recent", "per_page", 50, True, True),
            ("/api/admin/tracks/browse", "per_page", 100, True, True),
            ("/api/admin/p2p/logs", "limit", 500, True, False),
        ]
        for path, param, maximum, needs_token, over in table:
            sep = "&" if "?" in path else "?"
            token = self.admin if needs_token else None
            with self.subTest(path=path):
                r = self.s.get(f"{path}{sep}{param}=200", token=token)
                self.assertEqual(r.status, 200, f"{path}: {r}")
                got = self.items(r.json)
                self.assertLessEqual(len(got), maximum)
                if over and maximum < 200:
                    self.assertEqual(len(got), maximum, f"{path}: clamped to {maximum}")
                if isinstance(r.json, dict) and "per_page" in r.json:
                    self.assertEqual(r.json["per_page"], min(200, maximum))
                r = self.s.get(f"{path}{sep}{param}=99999999999999999999999", token=token)
                self.assertEqual(r.status, 200, f"{path} huge: {r}")
                for bad in ("0", "-3", "abc"):
                    r = self.s.get(f"{path}{sep}{param}={bad}", token=token)
                    self.assertEqual(r.status, 400, f"{path} {param}={bad}: {r}")
                    self.assertIn(param, r.json["error"])

    def test_favorites_as_the_original_web_app_asks(self):
        r = self.s.get("/api/favorites?per_page=200", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["data"]), 100)
        self.assertEqual(r.json["total"], N)
        self.assertEqual(r.json["per_page"], 100)
        self.assertEqual(r.json["total_pages"], 2)

    def test_top_and_random_artists(self):
        by_title = {t["title"]: t for t in self.tracks}
        # Every track was played once; Artist 007 three times more, Artist 042 once more.
        for title, extra in (("Song 007", 3), ("Song 042", 1)):
            for _ in range(extra):
                r = self.s.post("/api/history", {"track_id": by_title[title]["id"], "duration_listened": 30},
                                token=self.admin)
                self.assertEqual(r.status, 201, r)
        r = self.s.get("/api/artists/top?per_page=12")
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertEqual([a["name"] for a in body["data"][:2]], ["Artist 007", "Artist 042"])
        self.assertEqual(len(body["data"]), 12)
        self.assertEqual((body["total"], body["page"], body["per_page"], body["total_pages"]), (12, 1, 12, 1))
        self.assertEqual(set(body["data"][0]), {"id", "name", "musicbrainz_id", "bio", "image_url", "created_at"})
        self.assertEqual(len(self.s.get("/api/artists/top").json["data"]), 10, "default 10")
        r = self.s.get("/api/artists/random?per_page=7")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["data"]), 7)
        self.assertEqual(len({a["id"] for a in r.json["data"]}), 7)
        self.assertEqual((r.json["page"], r.json["total_pages"]), (1, 1))
        self.assertTrue(all(a["name"].startswith("Artist ") for a in r.json["data"]))
        # Not taken for an artist id.
        self.assertEqual(self.s.get("/api/artists/random").status, 200)


class EmptyCatalogue(ServerTest):
    def test_top_artists_of_an_empty_catalogue(self):
        r = self.s.get("/api/artists/top?per_page=12")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"data": [], "total": 0, "page": 1, "per_page": 12, "total_pages": 1})
