"""The music library end to end: a generated library imported with `soundtime import`, then the catalogue
API, covers, streaming with ranges, private-instance media tokens, and incremental rescans."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

from harness import Server, ServerTest

HERE = os.path.dirname(os.path.abspath(__file__))
_fixture = None


def fixture():
    """Generated once per test run (ffmpeg), then copied per test that changes files."""
    global _fixture
    if _fixture is None:
        d = tempfile.mkdtemp(prefix="soundtime-lib-")
        subprocess.run(["python3", os.path.join(HERE, "..", "support", "make_library.py"), d], check=True)
        with open(os.path.join(d, "manifest.json")) as f:
            _fixture = (d, json.load(f))
    return _fixture


class Library(ServerTest):
    def setUp(self):
        root, self.manifest = fixture()
        self.s = Server()
        self.lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        r = self.s.cli("import", self.lib)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.import_output = r.stdout
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]

    def all_tracks(self, token=None):
        r = self.s.get("/api/tracks?per_page=100", token=token)
        self.assertEqual(r.status, 200, r)
        return {t["title"]: t for t in r.json["data"]}

    def test_import_summary_counts_every_file(self):
        good = len(self.manifest["tracks"])
        self.assertIn(f"{good} added", self.import_output)
        self.assertIn("2 not audio", self.import_output)
        self.assertIn("1 failed", self.import_output)
        self.assertIn("truncated.mp3", self.import_output)

    def test_tracks_have_tags_formats_and_enrichment(self):
        tracks = self.all_tracks()
        self.assertEqual(len(tracks), len(self.manifest["tracks"]))
        formats = {t["format"] for t in tracks.values()}
        self.assertEqual(formats, {"mp3", "flac", "ogg", "opus", "aac", "wav", "aiff"})
        tone = tracks["Tone 2"]
        self.assertEqual(tone["artist_name"], "Test Artist")
        self.assertEqual(tone["album_title"], "Sine Album")
        self.assertEqual(tone["track_number"], 2)
        self.assertEqual(tone["year"], 2021)
        self.assertEqual(tone["genre"], "Rock", "genres are normalised as the original")
        self.assertAlmostEqual(tone["duration_secs"], 2.0, delta=0.1)
        self.assertTrue(120 <= tone["bitrate"] <= 140)
        self.assertEqual(tone["sample_rate"], 44100)
        self.assertTrue(tone["cover_url"].startswith("/api/media/covers/"))
        self.assertEqual(len(tone["content_hash"]), 64)
        unicode = tracks["Café — Beyoncé"]
        self.assertEqual(unicode["artist_name"], "Beyoncé")
        self.assertEqual(unicode["album_title"], "Été")
        self.assertEqual(unicode["genre"], "Pop")
        self.assertEqual(tracks["Lovely"]["artist_name"], "Aiff Band")
        self.assertEqual(tracks["plain"]["artist_name"], "Unknown Artist", "untagged: file stem and fallbacks")
        self.assertEqual(tracks["plain"]["album_title"], "Singles")
        flac = tracks["Part 1.1"]
        self.assertEqual(flac["bit_depth"], 16)
        self.assertEqual(flac["channels"], 1)

    def test_content_hash_is_blake3_of_the_file(self):
        tracks = self.all_tracks()
        path = os.path.join(self.lib, "Singles", "plain.wav")
        out = subprocess.run(["b3sum", "--no-names", path], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(tracks["plain"]["content_hash"], out)

    def test_albums_group_discs_and_compilations(self):
        albums = {a["title"]: a for a in self.s.get("/api/albums?per_page=50").json["data"]}
        self.assertEqual(sorted(a["title"] for a in self.s.get("/api/albums?per_page=50").json["data"]),
                         ["Double Album", "Hits", "Sine Album", "Singles", "Singles", "Été"])
        double = self.s.get(f"/api/albums/{albums['Double Album']['id']}").json
        self.assertEqual([t["title"] for t in double["tracks"]], ["Part 1.1", "Part 1.2", "Part 2.1", "Part 2.2"])
        self.assertEqual([t["disc_number"] for t in double["tracks"]], [1, 1, 2, 2])
        self.assertIsNotNone(double["cover_url"], "the album folder's cover.jpg covers its disc sub-folders")
        hits = albums["Hits"]
        self.assertEqual(hits["artist_name"], "Various Artists")
        self.assertTrue(hits["is_compilation"])
        hits_tracks = self.s.get(f"/api/albums/{hits['id']}").json["tracks"]
        self.assertEqual({t["artist_name"] for t in hits_tracks}, {"Singer One", "Singer Two"})
        artists = {a["name"] for a in self.s.get("/api/artists?per_page=50").json["data"]}
        self.assertTrue({"Test Artist", "Singer One", "Singer Two", "Various Artists", "Beyoncé"} <= artists)
        self.assertEqual(self.s.get("/api/albums/not-a-uuid").status, 404)
        self.assertEqual(self.s.get("/api/albums/00000000-0000-4000-8000-000000000000").json["error"], "Album not found")

    def test_artist_detail_genres_and_overview(self):
        artists = {a["name"]: a for a in self.s.get("/api/artists?per_page=50").json["data"]}
        detail = self.s.get(f"/api/artists/{artists['Test Artist']['id']}").json
        self.assertEqual({a["title"] for a in detail["albums"]}, {"Sine Album", "Double Album"})
        self.assertEqual(len(detail["tracks"]), 7)
        self.assertEqual(self.s.get("/api/genres").json, ["Classical", "Pop", "Rock"])
        rock = self.s.get("/api/genres/Rock/tracks").json
        self.assertEqual(rock["total"], 3)
        ov = self.s.get("/api/stats/overview").json
        self.assertEqual(ov["total_tracks"], len(self.manifest["tracks"]))
        self.assertEqual(ov["total_albums"], 6, "Singles by Unknown Artist and by Aiff Band")
        self.assertEqual(ov["total_genres"], 3)

    def test_pagination_envelope_and_validation(self):
        r = self.s.get("/api/tracks?page=2&per_page=5").json
        self.assertEqual((r["page"], r["per_page"], r["total"], r["total_pages"]), (2, 5, 12, 3))
        self.assertEqual(len(r["data"]), 5)
        for bad in ["per_page=0", "per_page=-1", "per_page=abc", "page=x"]:
            resp = self.s.get("/api/tracks?" + bad)
            self.assertEqual(resp.status, 400, bad)
        # Above the maximum: clamped, as the original (its web app asks for per_page=200).
        self.assertEqual(self.s.get("/api/tracks?per_page=101").json["per_page"], 100)
        self.assertEqual(len(self.s.get("/api/tracks/random?count=3").json), 3)
        self.assertEqual(self.s.get("/api/tracks/random?count=0").status, 400)

    def test_covers_are_served_immutably(self):
        tone = self.all_tracks()["Tone 1"]
        r = self.s.get(tone["cover_url"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "image/png")
        self.assertTrue(r.body.startswith(b"\x89PNG"))
        self.assertIn("immutable", r.header("cache-control"))
        self.assertEqual(self.s.get("/api/media/covers/../../soundtime.db").status, 404)
        self.assertEqual(self.s.get("/api/media/secret").status, 404)

    def test_stream_whole_file_and_ranges(self):
        t = self.all_tracks()["Tone 3"]
        path = os.path.join(self.lib, "Test Artist", "Sine Album", "03 Tone 3.mp3")
        with open(path, "rb") as f:
            data = f.read()
        r = self.s.get(f"/api/tracks/{t['id']}/stream")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "audio/mpeg")
        self.assertEqual(r.header("accept-ranges"), "bytes")
        self.assertEqual(hashlib.sha256(r.body).digest(), hashlib.sha256(data).digest())
        r = self.s.get(f"/api/tracks/{t['id']}/stream", headers={"Range": "bytes=100-199"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, data[100:200])
        self.assertEqual(r.header("content-range"), f"bytes 100-199/{len(data)}")
        r = self.s.get(f"/api/tracks/{t['id']}/stream", headers={"Range": "bytes=-50"})
        self.assertEqual(r.body, data[-50:])
        r = self.s.get(f"/api/tracks/{t['id']}/stream", headers={"Range": f"bytes={len(data)}-"})
        self.assertEqual(r.status, 416)
        self.assertEqual(r.header("content-range"), f"bytes */{len(data)}")
        flac = self.all_tracks()["Part 2.2"]
        self.assertEqual(self.s.get(f"/api/tracks/{flac['id']}/stream").header("content-type"), "audio/flac")

    def test_private_instance_media_needs_a_token_but_accepts_it_in_the_query(self):
        t = self.all_tracks()["Tone 1"]
        self.s.put("/api/admin/settings/instance_private", {"value": True}, token=self.admin)
        self.assertEqual(self.s.get("/api/tracks").status, 401)
        self.assertEqual(self.s.get(f"/api/tracks/{t['id']}/stream").status, 401)
        self.assertEqual(self.s.get(f"/api/tracks/{t['id']}/stream?token=bogus").status, 401)
        self.assertEqual(self.s.get(f"/api/tracks/{t['id']}/stream?token={self.admin}").status, 200)
        self.assertEqual(self.s.get(t["cover_url"] + f"?token={self.admin}").status, 200)
        self.assertEqual(self.s.get(t["cover_url"]).status, 401)
        # A media token opens media routes (for hours), and nothing else.
        mt = self.s.get("/api/auth/media-token", token=self.admin).json
        self.assertEqual(mt["expires_in"], 6 * 3600)
        self.assertEqual(self.s.get(f"/api/tracks/{t['id']}/stream?token={mt['token']}").status, 200)
        self.assertEqual(self.s.get(t["cover_url"] + f"?token={mt['token']}").status, 200)
        self.assertEqual(self.s.get("/api/auth/me", token=mt["token"]).status, 401)
        self.assertEqual(self.s.get("/api/tracks", token=mt["token"]).status, 401)
        self.assertEqual(self.s.get(f"/api/tracks/{t['id']}/stream", token=mt["token"]).status, 401,
                         "a media token in a header is not an access token")

    def test_media_answered_from_memory_honour_logout_ban_and_deletion_at_once(self):
        # Repeated range requests of a track are answered on the network thread from what was read moments
        # ago (the track's file, the session): ending a session or deleting the track must still count at once.
        t = self.all_tracks()["Tone 2"]
        url = f"/api/tracks/{t['id']}/stream"
        user = self.s.register("listener")
        self.s.put("/api/admin/settings/instance_private", {"value": True}, token=self.admin)
        tok = user["tokens"]["access_token"]
        rng = {"Range": "bytes=0-99"}
        for _ in range(3):
            self.assertEqual(self.s.get(f"{url}?token={tok}", headers=rng).status, 206)
            self.assertEqual(self.s.get(url, token=tok, headers=rng).status, 206)
            self.assertEqual(self.s.get(t["cover_url"] + f"?token={tok}").status, 200)
        self.assertEqual(self.s.get(url, headers=rng).status, 401)
        self.assertEqual(self.s.get(t["cover_url"]).status, 401)
        self.assertEqual(self.s.get(f"{url}?token=bogus", headers=rng).status, 401)
        r = self.s.post("/api/auth/logout", token=tok)
        self.assertEqual(r.status, 204)
        self.assertEqual(self.s.get(f"{url}?token={tok}", headers=rng).status, 401)
        self.assertEqual(self.s.get(url, token=tok, headers=rng).status, 401)
        self.assertEqual(self.s.get(t["cover_url"] + f"?token={tok}").status, 401)

        tok = self.s.post("/api/auth/login", {"username": "listener", "password": "user-password-1"}).json["tokens"]["access_token"]
        for _ in range(3):
            self.assertEqual(self.s.get(f"{url}?token={tok}", headers=rng).status, 206)
        self.assertEqual(self.s.put(f"/api/admin/users/{user['user']['id']}/ban", {}, token=self.admin).status, 204)
        self.assertEqual(self.s.get(f"{url}?token={tok}", headers=rng).status, 401)

        # The file stays where it is (it was scanned), the track is gone: no more stream.
        for _ in range(3):
            self.assertEqual(self.s.get(f"{url}?token={self.admin}", headers=rng).status, 206)
        self.assertEqual(self.s.delete(f"/api/tracks/{t['id']}", token=self.admin).status, 204)
        self.assertEqual(self.s.get(f"{url}?token={self.admin}", headers=rng).status, 404)
        # Back to public: the instance's privacy is read again, anyone may listen.
        other = self.all_tracks(token=self.admin)["Tone 3"]
        self.s.put("/api/admin/settings/instance_private", {"value": False}, token=self.admin)
        for _ in range(3):
            self.assertEqual(self.s.get(f"/api/tracks/{other['id']}/stream", headers=rng).status, 206)
        self.s.put("/api/admin/settings/instance_private", {"value": True}, token=self.admin)
        self.assertEqual(self.s.get(f"/api/tracks/{other['id']}/stream", headers=rng).status, 401)

    def test_lyrics_from_lrc_sidecar_and_tags(self):
        tracks = self.all_tracks()
        r = self.s.get(f"/api/tracks/{tracks['Tone 3']['id']}/lyrics").json
        self.assertEqual(r["source"], "lrc")
        self.assertEqual(r["lyrics"], "Hello\nAgain and again")
        self.assertEqual(r["synced"], [{"time": 0.5, "text": "Hello"}, {"time": 1, "text": "Again and again"},
                                       {"time": 1.75, "text": "Again and again"}])
        r = self.s.get(f"/api/tracks/{tracks['Part 1.2']['id']}/lyrics").json
        self.assertEqual((r["source"], r["lyrics"], r["synced"]),
                         ("embedded", "Embedded first line\nEmbedded second line", []))
        r = self.s.get(f"/api/tracks/{tracks['Part 1.1']['id']}/lyrics").json
        self.assertEqual((r["lyrics"], r["source"]), (None, None))

    def test_credits(self):
        t = self.all_tracks()["Tone 1"]
        c = self.s.get(f"/api/tracks/{t['id']}/credits").json
        self.assertEqual((c["title"], c["artist_name"], c["album_title"], c["album_year"]),
                         ("Tone 1", "Test Artist", "Sine Album", 2021))
        self.assertTrue(c["album_cover_url"].startswith("/api/media/covers/"))

    def test_album_cover_upload(self):
        from test_upload import multipart
        album = {a["title"]: a for a in self.s.get("/api/albums?per_page=50").json["data"]}["Hits"]
        png = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=yellow:s=32x32",
                              "-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-"], capture_output=True,
                             check=True).stdout
        body, headers = multipart(files=[("cover", "c.png", png)])
        user = self.s.register("uploader")["tokens"]["access_token"]
        r = self.s.request("POST", f"/api/albums/{album['id']}/cover", raw=body, headers=headers, token=user)
        self.assertEqual(r.status, 403, "not an admin and no track of theirs on the album")
        r = self.s.request("POST", f"/api/albums/{album['id']}/cover", raw=body, headers=headers, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["message"], "Cover updated successfully")
        self.assertEqual(self.s.get(f"/api/albums/{album['id']}").json["cover_url"], r.json["cover_url"])
        self.assertEqual(self.s.get(r.json["cover_url"]).body, png)
        body, headers = multipart(files=[("cover", "c.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")])
        r = self.s.request("POST", f"/api/albums/{album['id']}/cover", raw=body, headers=headers, token=self.admin)
        self.assertEqual(r.status, 400)

    def test_cover_bombs_are_refused_before_any_decode(self):
        from test_upload import multipart
        import struct
        import zlib
        album = {a["title"]: a for a in self.s.get("/api/albums?per_page=50").json["data"]}["Hits"]
        before = self.s.get(f"/api/albums/{album['id']}").json["cover_url"]

        def png(w, h):  # a valid signature and IHDR claiming w x h, then a tiny IDAT: the header is what counts
            def chunk(kind, data):
                return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
            return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
        for w, h in ((16000, 16000), (5001, 5000), (0, 10)):
            body, headers = multipart(files=[("cover", "bomb.png", png(w, h))])
            r = self.s.request("POST", f"/api/albums/{album['id']}/cover", raw=body, headers=headers, token=self.admin)
            self.assertEqual(r.status, 400, (w, h, r))
            self.assertIn("Cover refused", r.json["error"])
        self.assertIn("16000 x 16000 pixels", self.s.request(
            "POST", f"/api/albums/{album['id']}/cover", token=self.admin,
            **dict(zip(("raw", "headers"), multipart(files=[("cover", "b.png", png(16000, 16000))])))).json["error"])
        self.assertEqual(self.s.get(f"/api/albums/{album['id']}").json["cover_url"], before, "the cover is unchanged")

    def test_only_the_uploader_of_every_track_restyles_an_album(self):
        from test_upload import multipart
        png = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=16x16",
                              "-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-"], capture_output=True,
                             check=True).stdout
        cover, cover_headers = multipart(files=[("cover", "c.png", png)])
        user = self.s.register("restyler")["tokens"]["access_token"]

        def upload(album, artist):
            path = os.path.join(self.s.dir, f"mine-{len(album)}.flac")
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                            f"sine=frequency={300 + len(album) * 7 + len(artist)}:duration=1", "-c:a", "flac",
                            "-metadata", f"title=Mine {album}", "-metadata", f"artist={artist}",
                            "-metadata", f"album_artist={artist}", "-metadata", f"album={album}", path], check=True)
            with open(path, "rb") as f:
                audio = f.read()
            body, headers = multipart(files=[("file", "mine.flac", audio)])
            r = self.s.request("POST", "/api/upload", raw=body, headers=headers, token=user)
            self.assertEqual(r.status, 200, r)
            albums = {a["title"]: a for a in self.s.get("/api/albums?per_page=50").json["data"]}
            return albums[album]
        hits = {a["title"]: a for a in self.s.get("/api/albums?per_page=50").json["data"]}["Hits"]
        shared = upload("Hits", "Various Artists")  # one track of theirs on an album of others
        self.assertEqual(shared["id"], hits["id"], "the upload joined the existing album")
        r = self.s.request("POST", f"/api/albums/{shared['id']}/cover", raw=cover, headers=cover_headers, token=user)
        self.assertEqual(r.status, 403, r)
        own = upload("Restyled Alone", "Restyler")
        r = self.s.request("POST", f"/api/albums/{own['id']}/cover", raw=cover, headers=cover_headers, token=user)
        self.assertEqual(r.status, 200, r)

    def test_missing_audio_file_is_a_clear_404(self):
        t = self.all_tracks()["Lovely"]
        os.remove(os.path.join(self.lib, "Singles", "lovely.aiff"))
        r = self.s.get(f"/api/tracks/{t['id']}/stream")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json["error"], "Audio file not found")


class Rescan(ServerTest):
    def setUp(self):
        root, self.manifest = fixture()
        self.s = Server()
        self.lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        self.s.env["MUSIC_FOLDERS"] = self.lib

    def tearDown(self):
        self.s.stop()  # the test checks the clean exit itself; this only cleans up

    def test_incremental_scan_sees_new_changed_and_deleted_files(self):
        r = self.s.cli("scan")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("12 added", r.stdout)
        r = self.s.cli("scan")
        self.assertIn("0 added, 0 updated, 12 unchanged", r.stdout)
        self.assertIn("0 removed", r.stdout)
        os.remove(os.path.join(self.lib, "Singles", "plain.wav"))
        shutil.copy(os.path.join(self.lib, "Various", "Hits", "01.ogg"), os.path.join(self.lib, "Singles", "copy.ogg"))
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "sine=frequency=999:duration=1", "-c:a", "flac", "-metadata", "title=Retagged",
                        "-metadata", "artist=Test Artist", "-metadata", "album=Double Album", "-metadata", "track=2",
                        "-metadata", "disc=2", os.path.join(self.lib, "Test Artist/Double Album/CD2/02 Part 2.2.flac")],
                       check=True)
        r = self.s.cli("scan")
        self.assertIn("1 added, 1 updated, 10 unchanged", r.stdout)
        self.assertIn("1 removed", r.stdout)
        self.s.start()
        titles = {t["title"] for t in self.s.get("/api/tracks?per_page=100").json["data"]}
        self.assertIn("Retagged", titles)
        self.assertNotIn("Part 2.2", titles)
        self.assertNotIn("plain", titles)
        self.assertEqual(sum(1 for t in titles if t == "First Hit"), 1)
        code, log = self.s.stop()
        self.assertEqual(code, 0, log[-2000:])


    def test_rescan_of_a_folder_whose_name_is_not_ascii(self):
        # A music folder named with multi-byte characters: the rescan knows its files (the prefix test once
        # counted bytes where SQL counts characters, and saw none of them).
        lib = os.path.join(self.s.dir, "Musique d'\u00e9t\u00e9 \u266b")
        os.rename(self.lib, lib)
        self.s.env["MUSIC_FOLDERS"] = lib
        r = self.s.cli("scan")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("12 added", r.stdout)
        os.remove(os.path.join(lib, "Singles", "plain.wav"))
        r = self.s.cli("scan")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("0 added, 0 updated, 11 unchanged", r.stdout)
        self.assertIn("1 removed", r.stdout)

    def test_a_removed_scanned_track_stays_removed_until_its_file_changes(self):
        self.assertEqual(self.s.cli("scan").returncode, 0)
        self.s.start()
        admin = self.s.setup_admin()["tokens"]["access_token"]
        tracks = {t["title"]: t["id"] for t in self.s.get("/api/tracks?per_page=100").json["data"]}
        self.assertEqual(self.s.delete(f"/api/tracks/{tracks['Tone 1']}", token=admin).status, 204)
        path = os.path.join(self.lib, "Test Artist", "Sine Album", "01 Tone 1.mp3")
        self.assertTrue(os.path.exists(path))  # the owner's file is left alone
        r = self.s.post("/api/admin/storage/sync", token=admin)
        self.assertIn(r.status, (200, 202), r)
        deadline = time.time() + 20
        while time.time() < deadline:
            st = self.s.get("/api/admin/storage/task-status", token=admin).json
            if st.get("status") in ("completed", "error"):
                break
            time.sleep(0.1)
        titles = {t["title"] for t in self.s.get("/api/tracks?per_page=100").json["data"]}
        self.assertNotIn("Tone 1", titles)
        r = self.s.cli("scan")  # beside the running server
        self.assertIn("1 files left out", r.stdout)
        self.assertIn("0 added", r.stdout)
        # A new version of the file is welcome again.
        with open(path, "ab") as f:
            f.write(b"\0" * 16)
        os.utime(path, (time.time() + 5, time.time() + 5))
        r = self.s.cli("scan")
        self.assertIn("1 added", r.stdout)
        titles = {t["title"] for t in self.s.get("/api/tracks?per_page=100").json["data"]}
        self.assertIn("Tone 1", titles)
        code, log = self.s.stop()
        self.assertEqual(code, 0, log[-2000:])


class AbandonedStreams(ServerTest):
    """Listeners that go away in the middle of a response (a player skipping, a closed tab) must cost the
    server nothing: before SIGPIPE was ignored, sendfile(2) to such a socket killed the process."""

    def test_clients_leaving_mid_body_do_not_kill_the_server(self):
        import socket
        lib = os.path.join(self.s.dir, "big")
        os.makedirs(lib)
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "anoisesrc=duration=60:sample_rate=44100", "-ac", "2", "-metadata", "title=Long Noise",
                        os.path.join(lib, "long.wav")], check=True)  # about 10 MB
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        tid = self.s.get("/api/tracks").json["data"][0]["id"]
        for i in range(40):
            conns = []
            for _ in range(8):
                c = socket.create_connection(("127.0.0.1", self.s.port))
                rng = "" if i % 2 else f"Range: bytes={i * 1000}-\r\n"
                c.sendall(f"GET /api/tracks/{tid}/stream HTTP/1.1\r\nHost: x\r\n{rng}\r\n".encode())
                conns.append(c)
            for c in conns:
                c.recv(65536)  # the headers and the first bytes, then gone
                c.close()
        r = self.s.get("/healthz")
        self.assertEqual(r.status, 200, "the server survived its listeners leaving")
        self.assertEqual(self.s.get(f"/api/tracks/{tid}/stream", headers={"Range": "bytes=0-99"}).status, 206)


class Search(ServerTest):
    def setUp(self):
        root, _ = fixture()
        self.s = Server()
        lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), lib)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        self.s.start()

    def search(self, q, **params):
        from urllib.parse import urlencode
        r = self.s.get("/api/search?" + urlencode({"q": q, **params}))
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_prefix_diacritics_and_fields(self):
        r = self.search("beyonce")
        self.assertEqual([t["title"] for t in r["tracks"]], ["Café — Beyoncé"])
        self.assertEqual([a["name"] for a in r["artists"]], ["Beyoncé"])
        self.assertEqual([a["title"] for a in self.search("ete")["albums"]], ["Été"])
        self.assertEqual(len(self.search("ton")["tracks"]), 3, "prefix match")
        self.assertEqual(len(self.search("T")["tracks"]) >= 3, True, "one-letter queries work")
        r = self.search("sine tone 2")
        self.assertEqual([t["title"] for t in r["tracks"]], ["Tone 2"], "every word must match, across fields")
        r = self.search("test artist")
        self.assertEqual(r["total_tracks"], 7)
        self.assertEqual(r["total_albums"], 2)
        self.assertEqual(r["total_artists"], 1)
        self.assertEqual(r["total"], 10)

    def test_pagination_and_edge_cases(self):
        r = self.search("test", per_page=2, page=2)
        self.assertEqual(len(r["tracks"]), 2)
        self.assertEqual(r["total_tracks"], 7)
        empty = self.search("?!*&|'\"()")
        self.assertEqual((empty["tracks"], empty["albums"], empty["artists"], empty["total"]), ([], [], [], 0))
        self.assertEqual(self.search("zzzzzz")["total"], 0)
        self.assertEqual(self.s.get("/api/search").status, 400)
        self.assertEqual(self.s.get("/api/search?q=x&per_page=0").status, 400)

    def test_ranking_whole_words_early_and_side_by_side_first(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        ids = [t["id"] for t in self.search("test artist", per_page=10)["tracks"]]
        titles = ["Lovely Day", "Night of Love", "Love Night", "Love"]
        for tid, title in zip(ids, titles):
            self.assertEqual(self.s.put(f"/api/tracks/{tid}", {"title": title}, token=admin).status, 200)
        got = [t["title"] for t in self.search("love")["tracks"]]
        self.assertEqual(sorted(got[:2]), ["Love", "Love Night"], f"whole word first, at the start: {got}")
        self.assertEqual(got[2], "Night of Love", f"a whole word beats a prefix: {got}")
        self.assertIn("Lovely Day", got[3:])
        got = [t["title"] for t in self.search("love night")["tracks"]]
        self.assertEqual(got, ["Love Night", "Night of Love"], "side by side, in the query's order, first")
        got = [t["title"] for t in self.search("lov")["tracks"]]
        self.assertEqual(got[-1], "Night of Love", f"prefixes only: the earliest first: {got}")

    def test_the_in_memory_index_is_reported_and_follows_other_processes(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        st = self.s.get("/api/admin/stats", token=admin).json
        for _ in range(600):  # on both engines  # built in the background at start-up
            si = self.s.get("/api/admin/stats", token=admin).json["search_index"]
            if si["ready"]:
                break
            time.sleep(0.05)
        self.assertTrue(si["ready"], si)
        self.assertEqual(si["documents"], st["total_tracks"] + st["total_albums"] + st["total_artists"])
        self.assertGreater(si["memory_bytes"], 0)
        # Another process (the CLI) imports into the same database: the server's next search sees it.
        more = os.path.join(self.s.dir, "more")
        os.makedirs(more)
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1",
                        "-metadata", "title=Quokka Song", "-metadata", "artist=Marsupial Band",
                        os.path.join(more, "q.flac")], check=True)
        self.assertEqual(self.s.cli("import", more).returncode, 0)
        r = self.search("quokka")
        self.assertEqual([t["title"] for t in r["tracks"]], ["Quokka Song"])
        self.assertEqual([a["name"] for a in self.search("marsupial")["artists"]], ["Marsupial Band"])
        self.assertIn(self.s.delete(f"/api/tracks/{r['tracks'][0]['id']}", token=admin).status, (200, 204))
        self.assertEqual(self.search("quokka")["total_tracks"], 0)

    def test_renamed_tracks_are_found_by_their_new_title(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        tid = self.search("tone 1")["tracks"][0]["id"]
        self.assertEqual(self.s.put(f"/api/tracks/{tid}", {"title": "Zebra Crossing"}, token=admin).status, 200)
        self.assertEqual([t["id"] for t in self.search("zebra")["tracks"]], [tid])
        self.assertEqual(len(self.search("tone")["tracks"]), 2)


def probe(data, suffix):
    """(codec, duration seconds) of encoded bytes, by ffprobe."""
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name",
                              "-of", "json", f.name], capture_output=True, text=True, check=True).stdout
    info = json.loads(out)
    return info["streams"][0]["codec_name"], float(info["format"]["duration"])


class Transcoding(ServerTest):
    def setUp(self):
        root, _ = fixture()
        self.s = Server(env={"MAX_TRANSCODES": "4"})
        lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), lib)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        self.s.start()
        self.tracks = {t["title"]: t for t in self.s.get("/api/tracks?per_page=100").json["data"]}

    def stream(self, title, query, **kw):
        return self.s.get(f"/api/tracks/{self.tracks[title]['id']}/stream?{query}", **kw)

    def test_quality_levels_give_opus_in_ogg(self):
        for quality in ["high", "medium", "low"]:
            r = self.stream("Tone 1", f"quality={quality}")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("content-type"), "audio/ogg; codecs=opus")
            self.assertTrue(r.body.startswith(b"OggS"))
            codec, duration = probe(r.body, ".opus")
            self.assertEqual(codec, "opus")
            self.assertAlmostEqual(duration, 2.0, delta=0.1)
        self.assertEqual(self.stream("Tone 1", "quality=original").body[:3], b"ID3", "original: the file itself")

    def test_mp3_for_old_clients_from_every_format(self):
        for title in ["Part 1.1", "First Hit", "Second Hit", "Café — Beyoncé", "plain", "Lovely"]:
            r = self.stream(title, "format=mp3&bitrate=128")
            self.assertEqual(r.status, 200, (title, r))
            self.assertEqual(r.header("content-type"), "audio/mpeg")
            codec, duration = probe(r.body, ".mp3")
            self.assertEqual(codec, "mp3", title)
            self.assertAlmostEqual(duration, self.tracks[title]["duration_secs"], delta=0.15, msg=title)

    def test_seeking_with_time_offset(self):
        r = self.stream("Tone 1", "format=opus&timeOffset=1.5")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("x-content-duration"), "0.538")
        self.assertAlmostEqual(probe(r.body, ".opus")[1], 0.54, delta=0.1)
        r = self.stream("Tone 1", "timeOffset=1")  # no format: seeking implies a transcode
        self.assertAlmostEqual(probe(r.body, ".opus")[1], 1.04, delta=0.1)
        self.assertEqual(self.stream("Tone 1", "timeOffset=99").status, 400)
        self.assertEqual(self.stream("Tone 1", "timeOffset=-1").status, 400)
        self.assertEqual(self.stream("Tone 1", "format=flac").status, 400)
        self.assertEqual(self.stream("Tone 1", "format=mp3&bitrate=9999").status, 400)

    def test_complete_transcodes_are_cached_and_range_served(self):
        first = self.stream("Part 2.1", "quality=low")
        self.assertIsNone(first.header("content-length"), "streamed while it is produced")
        cache = os.path.join(self.s.dir, "cache", "transcodes")
        self.assertEqual(len([f for f in os.listdir(cache) if ".part-" not in f]), 1)
        second = self.stream("Part 2.1", "quality=low")
        self.assertEqual(second.body, first.body)
        self.assertEqual(second.header("content-length"), str(len(first.body)))
        r = self.stream("Part 2.1", "quality=low", headers={"Range": "bytes=0-99"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, first.body[:100])
        # A seek is not cached.
        self.stream("Part 2.1", "quality=low&timeOffset=0.5")
        self.assertEqual(len(os.listdir(cache)), 1)

    def test_waveform(self):
        r = self.s.get(f"/api/tracks/{self.tracks['Tone 2']['id']}/waveform")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["peaks"]), 200)
        self.assertEqual(len(r.json["fine_peaks"]), 1000)
        self.assertEqual(max(r.json["peaks"]), 1.0)
        self.assertTrue(all(0 <= p <= 1 for p in r.json["peaks"]))
        self.assertGreater(min(r.json["peaks"][:190]), 0.5, "a steady tone is loud throughout")
        again = self.s.get(f"/api/tracks/{self.tracks['Tone 2']['id']}/waveform")
        self.assertEqual(again.json, r.json)
        # Loudness is measured in the same pass (EBU R128) for files without ReplayGain tags.
        self.assertIsNone(self.tracks["Tone 2"]["replaygain_track_gain"])
        gain = r.json["measured_track_gain_db"]
        self.assertTrue(-20 < gain < 20, gain)
        t = self.s.get(f"/api/tracks/{self.tracks['Tone 2']['id']}").json
        self.assertEqual(t["replaygain_track_gain"], gain)
        self.assertTrue(0 < t["replaygain_track_peak"] <= 1.01)
        # ffmpeg's own EBU R128 meter on the same file agrees within half a decibel.
        import re
        path = os.path.join(self.s.dir, "library", "Test Artist", "Sine Album", "02 Tone 2.mp3")
        out = subprocess.run(["ffmpeg", "-nostdin", "-i", path, "-af", "ebur128", "-f", "null", "-"],
                             capture_output=True, text=True).stderr
        lufs = float(re.findall(r"I:\s+(-?[0-9.]+) LUFS", out)[-1])
        self.assertAlmostEqual(gain, -18 - lufs, delta=0.5)


class StorageAdmin(ServerTest):
    def setUp(self):
        root, _ = fixture()
        self.s = Server()
        self.lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        self.s.env["MUSIC_FOLDERS"] = self.lib
        self.s.env["SCAN_INTERVAL_MINUTES"] = "0"
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]

    def wait_task(self):
        import time
        deadline = time.time() + 30
        while time.time() < deadline:
            st = self.s.get("/api/admin/storage/task-status", token=self.admin).json
            if st["status"] != "running":
                return st
            time.sleep(0.05)
        self.fail("task did not finish")

    def test_sync_then_integrity_check(self):
        self.assertEqual(self.s.get("/api/admin/storage/task-status", token=self.admin).json, {"status": "idle"})
        r = self.s.post("/api/admin/storage/sync", token=self.admin)
        self.assertEqual(r.json, {"status": "started", "task": "sync"})
        st = self.wait_task()
        self.assertEqual(st["status"], "completed", st)
        self.assertEqual(st["result"]["kind"], "sync")
        self.assertEqual(st["result"]["imported"], 12)
        self.assertEqual(self.s.get("/api/tracks").json["total"], 12)
        os.remove(os.path.join(self.lib, "Singles", "plain.wav"))
        # Right after the sync's result: accepted (the sync's cluster lease may not be let go yet).
        r = self.s.post("/api/admin/storage/integrity-check", token=self.admin)
        self.assertEqual(r.status, 200, r)
        st = self.wait_task()
        self.assertEqual((st["result"]["kind"], st["result"]["total_checked"], st["result"]["healthy"]),
                         ("integrity", 12, 11))
        self.assertEqual([m["title"] for m in st["result"]["missing"]], ["plain"])
        status = self.s.get("/api/admin/storage/status", token=self.admin).json
        self.assertEqual((status["backend"], status["total_tracks"]), ("local", 12))
        self.assertGreater(status["total_size_bytes"], 0)
        meta = self.s.get("/api/admin/metadata/status", token=self.admin).json
        self.assertEqual((meta["total_tracks"], meta["tracks_with_bitrate"], meta["total_albums"]), (12, 12, 6))
        self.assertEqual(self.s.post("/api/admin/storage/sync").status, 401)


class Watching(ServerTest):
    def test_files_copied_into_music_folders_appear_by_themselves(self):
        import time
        root, _ = fixture()
        self.s.stop()
        self.s = Server(env={"SCAN_INTERVAL_MINUTES": "0"})
        music = os.path.join(self.s.dir, "watched")
        os.makedirs(music)
        self.s.env["MUSIC_FOLDERS"] = music
        self.s.start()
        self.assertIn("watching 1 folders", self.s.read_log())
        shutil.copytree(os.path.join(root, "library", "Test Artist"), os.path.join(music, "Test Artist"))
        deadline = time.time() + 20
        total = 0
        while time.time() < deadline:
            total = self.s.get("/api/tracks").json["total"]
            if total == 7:
                break
            time.sleep(0.2)
        self.assertEqual(total, 7, "a new album folder (with sub-folders) is picked up without a manual scan")
        os.remove(os.path.join(music, "Test Artist", "Sine Album", "01 Tone 1.mp3"))
        deadline = time.time() + 20
        while time.time() < deadline and self.s.get("/api/tracks").json["total"] != 6:
            time.sleep(0.2)
        self.assertEqual(self.s.get("/api/tracks").json["total"], 6)


class LyricsProviders(ServerTest):
    """Online lyrics when the music carries none, from a local stand-in for Musixmatch and Lyrics.com."""

    def setUp(self):
        import http.server
        import threading
        import urllib.parse as up
        self.asked = []
        outer = self

        class Fake(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                u = up.urlparse(self.path)
                q = dict(up.parse_qsl(u.query))
                outer.asked.append((u.path, q))
                if u.path == "/ws/1.1/matcher.lyrics.get":
                    if q.get("q_track") == "Lovely":
                        body = {"message": {"header": {"status_code": 200},
                                            "body": {"lyrics": {"lyrics_body": "la la <b>lovely</b>"}}}}
                    else:
                        body = {"message": {"header": {"status_code": 404}, "body": []}}
                    data = json.dumps(body).encode()
                elif u.path == "/services/v2/lyrics.php":
                    data = json.dumps({"lyric": "from lyrics.com"} if q.get("tokenid") == "tok" else {"err": "x"}).encode()
                else:
                    data = b"not json"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
        threading.Thread(target=self.fake.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{self.fake.server_address[1]}"
        root, _ = fixture()
        self.s = Server(env={"LYRICS_MUSIXMATCH_URL": base, "LYRICS_LYRICSCOM_URL": base})
        self.lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        self.assertEqual(self.s.cli("import", self.lib).returncode, 0)
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]
        self.tracks = {t["title"]: t["id"] for t in self.s.get("/api/tracks?per_page=100").json["data"]}

    def tearDown(self):
        super().tearDown()
        self.fake.shutdown()

    def setting(self, key, value):
        r = self.s.put(f"/api/admin/settings/{key}", {"value": value}, token=self.admin)
        self.assertEqual(r.status, 200, r)

    def lyrics(self, title):
        return self.s.get(f"/api/tracks/{self.tracks[title]}/lyrics")

    def test_providers_as_the_original(self):
        r = self.lyrics("Lovely")
        self.assertEqual((r.json["lyrics"], r.json["source"]), (None, None))  # provider none: nothing asked
        self.assertEqual(self.asked, [])
        self.setting("lyrics_provider", "musixmatch")
        r = self.lyrics("Lovely")
        self.assertEqual(r.status, 503)
        self.assertIn("not configured", r.json["error"])
        self.setting("lyrics_musixmatch_key", "k&y")
        r = self.lyrics("Lovely")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["lyrics"], "la la <b>lovely</b>")
        self.assertEqual(r.json["source"], "musixmatch")
        self.assertEqual(self.asked[-1][1], {"q_track": "Lovely", "q_artist": "Aiff Band", "apikey": "k&y"})
        self.assertEqual(self.lyrics("Tone 1").json["lyrics"], None)  # the provider has none
        # Lyrics that travel with the music come first: the provider is not asked.
        n = len(self.asked)
        self.assertEqual(self.lyrics("Tone 3").json["source"], "lrc")
        self.assertEqual(len(self.asked), n)
        # Subsonic apps get them too (getLyrics by artist and title).
        r = self.s.get("/rest/getLyrics?u=admin&p=admin-password-1&v=1.16.1&c=t&f=json&artist=Aiff%20Band&title=Lovely")
        self.assertEqual(r.json["subsonic-response"]["lyrics"],
                         {"artist": "Aiff Band", "title": "Lovely", "value": "la la <b>lovely</b>"})
        r = self.s.get("/rest/getLyrics?u=admin&p=admin-password-1&v=1.16.1&c=t&f=json&title=Tone%201")
        self.assertEqual(r.json["subsonic-response"]["status"], "ok")
        self.assertEqual(r.json["subsonic-response"]["lyrics"], {})  # the provider has none
        self.setting("lyrics_provider", "lyricscom")
        self.setting("lyrics_lyricscom_key", "tok")
        r = self.lyrics("Lovely")
        self.assertEqual((r.json["lyrics"], r.json["source"]), ("from lyrics.com", "lyricscom"))
        # A provider that cannot be reached is a 502, not a crash or a hang (for a lookup not remembered).
        self.fake.shutdown()
        self.fake.server_close()
        self.assertEqual(self.lyrics("Lovely").json["lyrics"], "from lyrics.com")  # remembered
        r = self.lyrics("Tone 1")
        self.assertEqual(r.status, 502)
        self.assertEqual(r.json["error"], "Lyrics API request failed")


class LyricsLookups(ServerTest):
    """Issue 17, item 7: online lyrics are remembered (misses too), and lookups waiting on a slow provider
    never hold the workers that serve the catalogue."""
    server_env = {"HTTP_NETWORK_WAITS_MAX": "2"}

    def setUp(self):
        import http.server
        import threading
        import urllib.parse as up
        self.asked = []
        self.release = threading.Event()
        self.block = False
        outer = self

        class Fake(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                q = dict(up.parse_qsl(up.urlparse(self.path).query))
                outer.asked.append(q.get("q_track"))
                if outer.block:
                    outer.release.wait(60)
                found = q.get("q_track") == "Lovely"
                body = {"message": {"header": {"status_code": 200 if found else 404},
                                    "body": {"lyrics": {"lyrics_body": "la la"}} if found else []}}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
        self.fake.daemon_threads = True
        threading.Thread(target=self.fake.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{self.fake.server_address[1]}"
        root, _ = fixture()
        self.s = Server(env={"LYRICS_MUSIXMATCH_URL": base, **self.server_env})
        self.lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        self.assertEqual(self.s.cli("import", self.lib).returncode, 0)
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]
        for key, value in (("lyrics_provider", "musixmatch"), ("lyrics_musixmatch_key", "k")):
            self.assertEqual(self.s.put(f"/api/admin/settings/{key}", {"value": value}, token=self.admin).status, 200)
        self.tracks = {t["title"]: t["id"] for t in self.s.get("/api/tracks?per_page=100").json["data"]}

    def tearDown(self):
        self.release.set()
        super().tearDown()
        self.fake.shutdown()
        self.fake.server_close()

    def lyrics(self, title):
        return self.s.get(f"/api/tracks/{self.tracks[title]}/lyrics")

    def test_the_provider_is_asked_once_per_track_found_or_not(self):
        for _ in range(3):
            self.assertEqual(self.lyrics("Lovely").json["lyrics"], "la la")
            self.assertIsNone(self.lyrics("Tone 1").json["lyrics"])
        r = self.s.get("/rest/getLyrics?u=admin&p=admin-password-1&v=1.16.1&c=t&f=json&artist=Aiff%20Band&title=Lovely")
        self.assertEqual(r.json["subsonic-response"]["lyrics"]["value"], "la la")
        self.assertEqual(sorted(self.asked), ["Lovely", "Tone 1"])

    def test_a_stuck_provider_does_not_hold_the_catalogue(self):
        import threading
        self.block = True
        replies = []

        def ask(title):
            replies.append(self.lyrics(title))

        # Far more lookups than workers (at most 4 x cores): all waiting on a provider that does not answer.
        titles = [t for t in self.tracks if t != "Tone 3"]
        threads = [threading.Thread(target=ask, args=(titles[i % len(titles)],)) for i in range(80)]
        for t in threads:
            t.start()
        # Safety net: without a bound on lookups the catalogue would answer only once this frees the provider.
        safety = threading.Timer(25, self.release.set)
        safety.start()
        try:
            # The catalogue still answers while the provider is stuck (released only afterwards).
            for _ in range(5):
                r = self.s.get("/api/tracks?per_page=5")
                self.assertEqual(r.status, 200, r)
                self.assertFalse(self.release.is_set())
        finally:
            safety.cancel()
            self.release.set()
            for t in threads:
                t.join()
        busy = [r for r in replies if r.status == 503]
        self.assertTrue(busy, "no lookup was turned away")
        self.assertTrue(all(r.header("retry-after") for r in busy))


class Libraries(ServerTest):
    """The folders the music comes from, in the original's LibraryResponse shape."""

    def test_music_folders_and_uploads_are_libraries(self):
        root, manifest = fixture()
        lib_dir = tempfile.mkdtemp(prefix="soundtime-libs-")
        try:
            lib = os.path.join(lib_dir, "library")
            shutil.copytree(os.path.join(root, "library"), lib)
            s = Server(env={"MUSIC_FOLDERS": lib})
            self.assertEqual(s.cli("scan").returncode, 0)
            s.start()
            try:
                admin = s.setup_admin()
                r = s.get("/api/libraries")
                self.assertEqual(r.status, 200, r)
                libs = {l["name"]: l for l in r.json["data"]}
                self.assertEqual(set(libs), {"library", "Uploads"})
                self.assertEqual(r.json["total"], 2)
                self.assertEqual(libs["library"]["total_tracks"], len(manifest["tracks"]))
                self.assertEqual(libs["Uploads"]["total_tracks"], 0)
                self.assertEqual(libs["library"]["user_id"], admin["user"]["id"])
                self.assertTrue(libs["library"]["is_public"])
                d = s.get(f"/api/libraries/{libs['library']['id']}?per_page=5")
                self.assertEqual(d.status, 200, d)
                self.assertEqual(len(d.json["tracks"]), 5)
                self.assertEqual(d.json["total_tracks"], len(manifest["tracks"]))
                self.assertEqual(s.get("/api/libraries/00000000-0000-4000-8000-000000000000").status, 404)
                # Ids are stable: the same after a restart.
                self.assertEqual(s.get("/api/libraries").json["data"][0]["id"], r.json["data"][0]["id"])
            finally:
                code, log = s.stop()
                self.assertEqual(code, 0, log[-2000:])
        finally:
            shutil.rmtree(lib_dir, ignore_errors=True)


class BackgroundWaveforms(ServerTest):
    """Imported and scanned tracks get their waveforms in the background, without anyone asking."""

    def setUp(self):
        root, self.manifest = fixture()
        self.s = Server(env={"WAVEFORM_BACKFILL_DELAY_SECONDS": "0"})
        self.lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        self.assertEqual(self.s.cli("import", self.lib).returncode, 0)
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]

    def test_waveforms_are_computed_after_an_import(self):
        deadline = time.time() + 60
        status = None
        while time.time() < deadline:
            status = self.s.get("/api/admin/metadata/status", token=self.admin).json
            if status["tracks_with_waveform"] == status["local_tracks"]:
                break
            time.sleep(0.3)
        self.assertEqual(status["local_tracks"], len(self.manifest["tracks"]))
        self.assertEqual(status["tracks_with_waveform"], status["local_tracks"], status)
        t = self.s.get("/api/tracks?per_page=1").json["data"][0]
        w = self.s.get(f"/api/tracks/{t['id']}/waveform").json
        self.assertEqual(len(w["peaks"]), 200)


class Confinement(ServerTest):
    """Links in a music folder never bring in files from elsewhere on the machine (issue 17, item 17)."""

    def setUp(self):
        self.s = Server()
        self.lib = os.path.join(self.s.dir, "library")
        self.outside = os.path.join(self.s.dir, "private")
        for d in (os.path.join(self.lib, "Linked"), os.path.join(self.lib, "Real"), self.outside):
            os.makedirs(d)

        def tone(path, title, album):
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                            f"sine=frequency={200 + len(title) * 13}:duration=1", "-c:a", "flac",
                            "-metadata", f"title={title}", "-metadata", "artist=Linker",
                            "-metadata", f"album={album}", path], check=True)
        tone(os.path.join(self.outside, "secret.flac"), "Secret", "Linked")
        tone(os.path.join(self.lib, "Real", "inside.flac"), "Inside", "Real")
        tone(os.path.join(self.lib, "Linked", "own.flac"), "Own", "Linked")
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=blue:s=16x16",
                        "-frames:v", "1", os.path.join(self.outside, "photo.jpg")], check=True)
        os.symlink(os.path.join(self.outside, "secret.flac"), os.path.join(self.lib, "Linked", "secret.flac"))
        os.symlink(os.path.join(self.outside, "photo.jpg"), os.path.join(self.lib, "Linked", "cover.jpg"))
        os.symlink(os.path.join(self.lib, "Real", "inside.flac"), os.path.join(self.lib, "Linked", "inside-link.flac"))
        self.s.env["MUSIC_FOLDERS"] = self.lib

    def tearDown(self):
        self.s.stop()

    def test_links_leading_outside_the_music_folder_are_left_out(self):
        r = self.s.cli("scan")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 links left out", r.stdout)
        self.s.start()
        titles = sorted(t["title"] for t in self.s.get("/api/tracks?per_page=50").json["data"])
        self.assertEqual(titles, ["Inside", "Inside", "Own"], "a link within the folder counts; one outside does not")
        albums = {a["title"]: a for a in self.s.get("/api/albums?per_page=50").json["data"]}
        self.assertFalse(albums["Linked"]["cover_url"], "the linked cover outside the folder is not read")


class Outboards(ServerTest):
    """A damaged outboard (a run killed mid-write before writes were atomic, a bad disk) is not trusted: the
    next import of the file writes the right one (issue 17, item 22)."""

    def test_a_damaged_outboard_is_rewritten_on_reimport(self):
        root, _ = fixture()
        lib = os.path.join(self.s.dir, "library")
        shutil.copytree(os.path.join(root, "library"), lib)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        rows = self.s.sql("SELECT content_hash, file_path FROM tracks WHERE title = 'Tone 1'")
        digest, audio = rows[0]
        obao = os.path.join(self.s.dir, "outboards", digest[:2], digest + ".obao")
        with open(obao, "rb") as f:
            good = f.read()
        self.assertGreater(len(good), 0)
        for damage in (good[: len(good) // 2], bytes(len(good))):  # half-written; right size, wrong bytes
            with open(obao, "wb") as f:
                f.write(damage)
            st = os.stat(audio)
            os.utime(audio, (st.st_atime, st.st_mtime + 60))  # the file changed: it is prepared again
            r = self.s.cli("import", lib)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("1 updated", r.stdout)
            with open(obao, "rb") as f:
                self.assertEqual(f.read(), good)
        leftovers = [f for d, _, fs in os.walk(os.path.join(self.s.dir, "outboards")) for f in fs if ".tmp" in f]
        self.assertEqual(leftovers, [])
