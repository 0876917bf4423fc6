"""The OpenSubsonic API end to end, against a generated library in MUSIC_FOLDERS: authentication (u+p,
enc:, token with app passwords, apiKey, the error codes), XML and JSON carrying the same data, browsing by
tags and by folders, lists, search, streaming (ranges, transcoding, timeOffset, estimated length),
covers, annotations shared with the web app, playlists, play queues, bookmarks, shares, users, radio
stations, the transcoding extension, and logs free of credentials."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import Server, ServerTest
from test_library import fixture

NS = "{http://subsonic.org/restapi}"
ADMIN_PASSWORD = "admin-password-1"


class Subsonic(ServerTest):
    def setUp(self):
        root, self.manifest = fixture()
        self.lib_dir = tempfile.mkdtemp(prefix="soundtime-sub-")
        self.lib = os.path.join(self.lib_dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.lib)
        self.s = Server(env={"MUSIC_FOLDERS": self.lib})
        r = self.s.cli("scan")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.s.start()
        self.admin_token = self.s.setup_admin(password=ADMIN_PASSWORD)["tokens"]["access_token"]
        self.app_password = self.new_app_password(self.admin_token, "Tests")["password"]

    def tearDown(self):
        super().tearDown()
        shutil.rmtree(self.lib_dir, ignore_errors=True)

    # --- helpers ---
    def new_app_password(self, token, name):
        r = self.s.post("/api/auth/app-passwords", {"name": name}, token=token)
        self.assertEqual(r.status, 201, r)
        return r.json

    def token_auth(self, password=None, user="admin"):
        salt = os.urandom(6).hex()
        t = hashlib.md5(((password or self.app_password) + salt).encode()).hexdigest()
        return {"u": user, "t": t, "s": salt}

    def call(self, method, params=None, auth=None, fmt="json", post=False, raw=False, headers=None):
        p = dict(auth if auth is not None else self.token_auth())
        p.update({"c": "tests"})
        if "v" not in (params or {}):
            p["v"] = "1.16.1"
        if fmt:
            p["f"] = fmt
        items = []
        for k, v in (params or {}).items():
            for x in (v if isinstance(v, list) else [v]):
                items.append((k, x))
        qs = urllib.parse.urlencode(list(p.items()) + items)
        if post:
            r = self.s.request("POST", f"/rest/{method}", raw=qs.encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
        else:
            r = self.s.get(f"/rest/{method}?{qs}", headers=headers)
        if raw:
            return r
        self.assertEqual(r.status, 200, r)
        if fmt == "json":
            body = r.json["subsonic-response"]
            self.assertEqual(body["version"], "1.16.1")
            self.assertEqual(body["type"], "soundtime")
            self.assertTrue(body["openSubsonic"])
            self.assertIn("serverVersion", body)
            return body
        return ET.fromstring(r.body)

    def ok(self, method, params=None, **kw):
        body = self.call(method, params, **kw)
        self.assertEqual(body["status"], "ok", body)
        return body

    def error(self, method, params=None, **kw):
        body = self.call(method, params, **kw)
        self.assertEqual(body["status"], "failed", body)
        return body["error"]["code"]

    def songs_by_title(self):
        body = self.ok("search3", {"query": "", "songCount": 500, "artistCount": 0, "albumCount": 0})
        return {s["title"]: s for s in body["searchResult3"]["song"]}

    def album(self, name):
        body = self.ok("getAlbumList2", {"type": "alphabeticalByName", "size": 100})
        return next(a for a in body["albumList2"]["album"] if a["name"] == name)

    # --- authentication ---
    def test_authentication_mechanisms_and_error_codes(self):
        self.ok("ping", auth={"u": "admin", "p": ADMIN_PASSWORD})
        self.ok("ping", auth={"u": "admin", "p": "enc:" + ADMIN_PASSWORD.encode().hex()})
        self.ok("ping", auth={"u": "admin", "p": self.app_password})
        self.ok("ping", auth=self.token_auth())
        self.ok("ping", auth={"apiKey": self.app_password})
        self.assertEqual(self.error("ping", auth={"u": "admin", "p": "wrong-password"}), 40)
        self.assertEqual(self.error("ping", auth={"u": "nobody", "p": "wrong-password"}), 40)
        # The account password is Argon2id-only: it never works for token auth.
        self.assertEqual(self.error("ping", auth=self.token_auth(ADMIN_PASSWORD)), 40)
        self.assertEqual(self.error("ping", auth={"apiKey": "not-a-key"}), 44)
        self.assertEqual(self.error("ping", auth={"apiKey": self.app_password, "u": "admin"}), 43)
        self.assertEqual(self.error("ping", auth={"u": "admin", "p": ADMIN_PASSWORD, **{k: v for k, v in self.token_auth().items() if k != "u"}}), 43)
        self.assertEqual(self.error("ping", auth={}), 10)
        self.assertEqual(self.error("ping", auth={"u": "admin"}), 10)
        # A user without app passwords gets what an unknown user gets (40, same message): a different
        # answer would tell which names exist.
        self.s.register("listener")
        listener = self.call("ping", auth=self.token_auth("user-password-1", user="listener"))["error"]
        nobody = self.call("ping", auth=self.token_auth("user-password-1", user="nobody"))["error"]
        self.assertEqual(listener, {"code": 40, "message": "Wrong username or password"})
        self.assertEqual(nobody, listener)
        self.ok("ping", auth={"u": "listener", "p": "user-password-1"})
        # Extensions need no authentication at all.
        body = self.ok("getOpenSubsonicExtensions", auth={})
        names = {e["name"] for e in body["openSubsonicExtensions"]}
        self.assertTrue({"apiKeyAuthentication", "formPost", "transcodeOffset", "songLyrics", "indexBasedQueue",
                         "playbackReport", "transcoding", "topSongsByArtistId"} <= names)
        self.assertEqual(self.ok("tokenInfo", auth={"apiKey": self.app_password})["tokenInfo"]["username"], "admin")

    def test_app_passwords_list_and_revoke_at_once(self):
        second = self.new_app_password(self.admin_token, "Phone")
        listed = self.s.get("/api/auth/app-passwords", token=self.admin_token)
        self.assertEqual(listed.status, 200)
        self.assertEqual(sorted(p["name"] for p in listed.json), ["Phone", "Tests"])
        self.assertTrue(all("password" not in p for p in listed.json))
        self.ok("ping", auth={"apiKey": second["password"]})
        self.assertEqual(self.s.delete(f"/api/auth/app-passwords/{second['id']}", token=self.admin_token).status, 204)
        self.assertEqual(self.error("ping", auth={"apiKey": second["password"]}), 44)
        self.assertEqual(self.error("ping", auth=self.token_auth(second["password"])), 40)
        self.assertEqual(self.s.delete(f"/api/auth/app-passwords/{second['id']}", token=self.admin_token).status, 404)
        # Another user cannot see or revoke mine.
        other = self.s.register("other")["tokens"]["access_token"]
        self.assertEqual(self.s.get("/api/auth/app-passwords", token=other).json, [])
        mine = listed.json[0]["id"] if listed.json[0]["name"] == "Tests" else listed.json[1]["id"]
        self.assertEqual(self.s.delete(f"/api/auth/app-passwords/{mine}", token=other).status, 404)
        self.assertEqual(self.s.post("/api/auth/app-passwords", {"name": ""}, token=other).status, 400)
        self.assertEqual(self.s.get("/api/auth/app-passwords").status, 401)

    def test_banned_user_is_refused(self):
        self.s.register("mallory")
        users = self.s.get("/api/admin/users", token=self.admin_token).json
        users = users.get("users", users) if isinstance(users, dict) else users
        uid = next(u["id"] for u in users if u["username"] == "mallory")
        self.assertEqual(self.s.put(f"/api/admin/users/{uid}/ban", {"reason": "spam"}, token=self.admin_token).status, 204)
        self.assertEqual(self.error("ping", auth={"u": "mallory", "p": "user-password-1"}), 50)

    # --- formats and transport ---
    def test_xml_and_json_carry_the_same_data(self):
        album = self.album("Double Album")
        j = self.ok("getAlbum", {"id": album["id"]})["album"]
        x = self.call("getAlbum", {"id": album["id"]}, fmt=None)
        self.assertEqual(x.tag, NS + "subsonic-response")
        self.assertEqual(x.get("status"), "ok")
        self.assertEqual(x.get("openSubsonic"), "true")
        xa = x.find(NS + "album")
        self.assertEqual(xa.get("name"), j["name"])
        self.assertEqual(xa.get("songCount"), str(j["songCount"]))
        xs = xa.findall(NS + "song")
        self.assertEqual([s.get("id") for s in xs], [s["id"] for s in j["song"]])
        self.assertEqual([s.get("title") for s in xs], [s["title"] for s in j["song"]])
        self.assertEqual([s.get("discNumber") for s in xs], [str(s["discNumber"]) for s in j["song"]])
        # Errors too.
        xe = self.call("getAlbum", {"id": "00000000-0000-4000-8000-000000000000"}, fmt=None)
        self.assertEqual(xe.get("status"), "failed")
        self.assertEqual(xe.find(NS + "error").get("code"), "70")

    def test_xml_stays_well_formed_whatever_the_titles_hold(self):
        # Titles come from tags and peers: U+FFFE, U+FFFF and C0 controls are not XML 1.0 characters and
        # invalid UTF-8 is no text at all. One such title must not break search3 "" (how apps sync).
        songs = list(self.songs_by_title().values())
        bad = ["Tone \ufffe", "Tone \uffff", "Tone \x01\x1b"]
        for song, title in zip(songs, bad):
            r = self.s.put(f"/api/tracks/{song['id']}", {"title": title}, token=self.admin_token)
            self.assertEqual(r.status, 200, r)
        raw = b'{"title": "Tone \xff\xc3 \xed\xa0\x80"}'  # not UTF-8: stored if the JSON parser lets it through
        self.s.request("PUT", f"/api/tracks/{songs[3]['id']}", raw=raw, token=self.admin_token,
                       headers={"Content-Type": "application/json"})
        r = self.call("search3", {"query": "", "songCount": 500, "artistCount": 0, "albumCount": 0}, fmt=None, raw=True)
        self.assertEqual(r.status, 200)
        x = ET.fromstring(r.body)  # raises on an ill-formed document
        titles = {s.get("id"): s.get("title") for s in x.find(NS + "searchResult3").findall(NS + "song")}
        self.assertEqual(len(titles), len(self.manifest["tracks"]))
        self.assertEqual(titles[songs[0]["id"]], "Tone \ufffd")
        self.assertEqual(titles[songs[1]["id"]], "Tone \ufffd")
        self.assertEqual(titles[songs[2]["id"]], "Tone \ufffd\ufffd")

    def test_jsonp_form_post_view_suffix_and_unknown_methods(self):
        r = self.call("ping", fmt="jsonp", raw=True, params={"callback": "cb_1"})
        self.assertTrue(r.body.startswith(b"cb_1({"), r.body[:40])
        self.assertIn("javascript", r.header("Content-Type"))
        r = self.call("ping", fmt="jsonp", raw=True, params={"callback": "alert(1)//"})
        self.assertNotIn(b"alert", r.body)
        self.assertEqual(self.ok("getGenres", post=True)["status"], "ok")
        r = self.s.get("/rest/ping.view?" + urllib.parse.urlencode({**self.token_auth(), "f": "json"}))
        self.assertEqual(r.json["subsonic-response"]["status"], "ok")
        self.assertEqual(self.error("noSuchMethod"), 70)
        # Browser-based Subsonic apps call from their own origin: /rest/ answers every origin (no cookies
        # are involved), while the REST API keeps to CORS_ORIGINS.
        r = self.call("ping", raw=True, headers={"Origin": "https://feishin.example"})
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        # Also without Origin (a plain <audio> preload): the browser reuses that cached answer for the
        # player's later CORS request of the same URL (issue 14).
        song = next(iter(self.songs_by_title().values()))
        for method in ("stream", "getCoverArt", "download"):
            r = self.call(method, {"id": song["id"] if method != "getCoverArt" else song.get("coverArt", song["id"])},
                          raw=True)
            self.assertEqual(r.header("Access-Control-Allow-Origin"), "*", method)
        pre = self.s.request("OPTIONS", "/rest/ping.view", headers={"Origin": "https://feishin.example",
                                                                    "Access-Control-Request-Method": "GET"})
        self.assertEqual(pre.status, 204)
        r = self.s.get("/api/tracks", headers={"Origin": "https://feishin.example"})
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        self.assertEqual(self.error("getPodcasts"), 0)
        self.assertIn("not supported", self.call("jukeboxControl")["error"]["message"])
        self.assertEqual(self.error("ping", {"v": "2.0.0"}), 30)

    # --- browsing ---
    def test_browse_by_tags(self):
        artists = self.ok("getArtists")["artists"]
        names = {a["name"]: a for idx in artists["index"] for a in idx["artist"]}
        self.assertIn("Test Artist", names)
        self.assertEqual(names["Test Artist"]["albumCount"], 2)
        artist = self.ok("getArtist", {"id": names["Test Artist"]["id"]})["artist"]
        self.assertEqual(sorted(a["name"] for a in artist["album"]), ["Double Album", "Sine Album"])
        double = next(a for a in artist["album"] if a["name"] == "Double Album")
        album = self.ok("getAlbum", {"id": double["id"]})["album"]
        self.assertEqual(album["songCount"], 4)
        self.assertEqual([(s["discNumber"], s["track"]) for s in album["song"]], [(1, 1), (1, 2), (2, 1), (2, 2)])
        song = album["song"][0]
        self.assertEqual(song["suffix"], "flac")
        self.assertEqual(song["contentType"], "audio/flac")
        self.assertEqual(song["path"], "Test Artist/Double Album/CD1/01 Part 1.1.flac")
        self.assertEqual(song["mediaType"], "song")
        self.assertEqual(self.ok("getSong", {"id": song["id"]})["song"]["title"], "Part 1.1")
        self.assertEqual(self.error("getSong", {"id": "not-an-id"}), 70)
        self.assertEqual(self.error("getAlbum", {}), 10)
        genres = {g["value"]: g for g in self.ok("getGenres")["genres"]["genre"]}
        self.assertEqual(genres["Classical"]["songCount"], 4)
        folders = self.ok("getMusicFolders")["musicFolders"]["musicFolder"]
        self.assertEqual(folders[0]["id"], 1)
        self.assertEqual(len(self.ok("getTopSongs", {"artist": "Test Artist"})["topSongs"]["song"]), 7)
        self.assertEqual(len(self.ok("getTopSongs", {"id": names["Test Artist"]["id"], "count": 2})["topSongs"]["song"]), 2)
        self.assertIn("similarArtist", self.ok("getArtistInfo2", {"id": names["Test Artist"]["id"]})["artistInfo2"])
        similar = self.ok("getSimilarSongs2", {"id": song["id"], "count": 3})["similarSongs2"]["song"]
        self.assertTrue(0 < len(similar) <= 3)
        self.assertNotIn(song["id"], [s["id"] for s in similar])

    def test_the_artist_index_follows_stars_users_and_the_library(self):
        # getArtists answers from a list and a rendering shared between requests (issue 15): what one user
        # stars is theirs alone, both formats say the same, and a rescan that removes an album is seen.
        def listed(auth=None, fmt="json"):
            if fmt == "json":
                body = self.ok("getArtists", auth=auth)["artists"]
                return {a["name"]: (a["albumCount"], a.get("starred") is not None, a.get("userRating"))
                        for idx in body["index"] for a in idx["artist"]}
            root = self.call("getArtists", auth=auth, fmt="xml")
            self.assertEqual(root.get("status"), "ok")
            return {a.get("name"): (int(a.get("albumCount")), a.get("starred") is not None,
                                    int(a.get("userRating")) if a.get("userRating") else None)
                    for a in root.iter(NS + "artist")}
        self.s.register("listener")
        listener = {"u": "listener", "p": "user-password-1"}
        before = listed()
        self.assertEqual(before["Test Artist"], (2, False, None))
        self.assertEqual(listed(fmt="xml"), before)
        self.assertEqual(listed(listener), before)
        artist_id = self.album("Sine Album")["artistId"]
        self.ok("star", {"artistId": artist_id})
        self.ok("setRating", {"id": artist_id, "rating": 3})
        self.assertEqual(listed()["Test Artist"], (2, True, 3))
        self.assertEqual(listed(fmt="xml")["Test Artist"], (2, True, 3))
        self.assertEqual(listed(listener), before)  # another user's list is not touched
        self.ok("unstar", {"artistId": artist_id})
        self.ok("setRating", {"id": artist_id, "rating": 0})
        self.assertEqual(listed(), before)
        shutil.rmtree(os.path.join(self.lib, "Test Artist", "Sine Album"))
        self.ok("startScan")
        deadline = time.time() + 20
        while self.ok("getScanStatus")["scanStatus"]["scanning"] and time.time() < deadline:
            time.sleep(0.1)
        after = listed()
        self.assertEqual(after["Test Artist"], (1, False, None))
        self.assertEqual(listed(fmt="xml"), after)
        self.assertEqual(listed(listener), after)

    def test_an_empty_search3_pages_in_the_order_songs_were_added(self):
        # How syncing apps read the whole library: 500 songs a page, in the order they came in (as Navidrome's
        # "natural order"), so a sync paging through while the library grows neither skips nor repeats.
        def page_through(size):
            out, offset = [], 0
            while True:
                songs = self.ok("search3", {"query": '""', "songCount": size, "songOffset": offset,
                                            "artistCount": 0, "albumCount": 0})["searchResult3"]["song"]
                out += [s["id"] for s in songs]
                if len(songs) < size:
                    return out
                offset += size
        before = page_through(3)
        self.assertEqual(before, [s["id"] for s in self.ok("search3", {"query": "", "songCount": 500, "artistCount": 0,
                                                                        "albumCount": 0})["searchResult3"]["song"]])
        self.assertEqual(len(set(before)), len(before))
        self.assertEqual(len(before), len(self.manifest["tracks"]))
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=880:duration=1",
                        "-metadata", "title=Aardvark Arrives Last", "-metadata", "artist=Late Band",
                        os.path.join(self.lib, "Singles", "late.flac")], check=True)
        self.ok("startScan")
        deadline = time.time() + 20
        while self.ok("getScanStatus")["scanStatus"]["scanning"] and time.time() < deadline:
            time.sleep(0.1)
        after = page_through(3)
        self.assertEqual(after[:len(before)], before)  # what a sync already read is where it was
        late = self.ok("search3", {"query": "aardvark"})["searchResult3"]["song"]
        self.assertEqual(after[len(before):], [late[0]["id"]])

    def test_browse_by_folders(self):
        idx = self.ok("getIndexes")["indexes"]
        top = {a["name"]: a["id"] for i in idx["index"] for a in i["artist"]}
        self.assertEqual(set(top), {"Singles", "Test Artist", "Various"})  # Broken/ holds no playable file
        artist_dir = self.ok("getMusicDirectory", {"id": top["Test Artist"]})["directory"]
        subs = {c["title"]: c for c in artist_dir["child"]}
        self.assertTrue(all(c["isDir"] for c in artist_dir["child"]))
        album_dir = self.ok("getMusicDirectory", {"id": subs["Double Album"]["id"]})["directory"]
        self.assertEqual(album_dir["parent"], top["Test Artist"])
        cds = {c["title"]: c for c in album_dir["child"]}
        self.assertEqual(set(cds), {"CD1", "CD2"})
        cd1 = self.ok("getMusicDirectory", {"id": cds["CD1"]["id"]})["directory"]
        self.assertEqual([c["title"] for c in cd1["child"]], ["Part 1.1", "Part 1.2"])
        self.assertFalse(cd1["child"][0]["isDir"])
        # Unchanged since: an empty answer with the same lastModified.
        again = self.ok("getIndexes", {"ifModifiedSince": idx["lastModified"]})["indexes"]
        self.assertEqual(again["lastModified"], idx["lastModified"])
        self.assertNotIn("index", again)
        # lastModified is when the tracks last changed, not the newest file time: a folder of old files copied
        # in, then its removal, are each news to an app that sends the last lastModified back.
        def rescan():
            self.ok("startScan")
            deadline = time.time() + 20
            while self.ok("getScanStatus")["scanStatus"]["scanning"] and time.time() < deadline:
                time.sleep(0.1)
        old_dir = os.path.join(self.lib, "Zz Old Folder")
        os.makedirs(old_dir)
        old_file = os.path.join(old_dir, "old.flac")
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                        "-metadata", "title=Old Song", "-metadata", "artist=Test Artist", old_file], check=True)
        os.utime(old_file, (978307200, 978307200))  # 2001
        rescan()
        added = self.ok("getIndexes", {"ifModifiedSince": idx["lastModified"]})["indexes"]
        self.assertGreater(added["lastModified"], idx["lastModified"])
        self.assertIn("Zz Old Folder", {a["name"] for i in added["index"] for a in i["artist"]})
        old_dir_id = next(a["id"] for i in added["index"] for a in i["artist"] if a["name"] == "Zz Old Folder")
        self.assertEqual([c["title"] for c in self.ok("getMusicDirectory", {"id": old_dir_id})["directory"]["child"]],
                         ["Old Song"])
        os.remove(old_file)
        os.rmdir(old_dir)
        rescan()
        removed = self.ok("getIndexes", {"ifModifiedSince": added["lastModified"]})["indexes"]
        self.assertGreater(removed["lastModified"], added["lastModified"])
        self.assertEqual({a["name"] for i in removed["index"] for a in i["artist"]}, set(top))
        self.assertEqual(self.error("getMusicDirectory", {"id": old_dir_id}), 70)
        # Album and artist ids work as directories too (getAlbumList is folder-style).
        albums = self.ok("getAlbumList", {"type": "alphabeticalByName", "size": 50})["albumList"]["album"]
        sine = next(a for a in albums if a["title"] == "Sine Album")
        self.assertTrue(sine["isDir"])
        self.assertEqual(len(self.ok("getMusicDirectory", {"id": sine["id"]})["directory"]["child"]), 3)
        # Ids that would leave the music folder are refused.
        import base64
        evil = "dir-" + base64.urlsafe_b64encode(b"1:../..").rstrip(b"=").decode()
        self.assertEqual(self.error("getMusicDirectory", {"id": evil}), 70)

    def test_album_lists_and_search(self):
        for t in ["random", "newest", "alphabeticalByName", "alphabeticalByArtist", "frequent", "recent",
                  "starred", "highest"]:
            self.ok("getAlbumList2", {"type": t})
        by_year = self.ok("getAlbumList2", {"type": "byYear", "fromYear": 2030, "toYear": 2000})["albumList2"]["album"]
        self.assertIn("Sine Album", [a["name"] for a in by_year])
        by_genre = self.ok("getAlbumList2", {"type": "byGenre", "genre": "Classical"})["albumList2"]["album"]
        self.assertEqual([a["name"] for a in by_genre], ["Double Album"])
        self.assertEqual(self.error("getAlbumList2", {"type": "byYear"}), 10)
        self.assertEqual(self.error("getAlbumList2", {"type": "bogus"}), 0)
        page1 = self.ok("getAlbumList2", {"type": "alphabeticalByName", "size": 2})["albumList2"]["album"]
        page2 = self.ok("getAlbumList2", {"type": "alphabeticalByName", "size": 2, "offset": 2})["albumList2"]["album"]
        self.assertFalse({a["id"] for a in page1} & {a["id"] for a in page2})
        hits = self.ok("search3", {"query": "tone"})["searchResult3"]
        self.assertEqual(sorted(s["title"] for s in hits["song"]), ["Tone 1", "Tone 2", "Tone 3"])
        self.assertEqual(len(self.ok("search3", {"query": "tone", "songCount": 1, "songOffset": 1})["searchResult3"]["song"]), 1)
        self.assertEqual(self.ok("search2", {"query": "beyonce"})["searchResult2"]["artist"][0]["name"], "Beyoncé")
        everything = self.songs_by_title()
        self.assertEqual(len(everything), len(self.manifest["tracks"]))
        self.assertEqual(self.ok("search", {"any": "tone"})["searchResult"]["totalHits"], 3)
        self.assertEqual(len(self.ok("getRandomSongs", {"size": 3})["randomSongs"]["song"]), 3)
        self.assertEqual(len(self.ok("getSongsByGenre", {"genre": "Classical", "count": 2, "offset": 1})["songsByGenre"]["song"]), 2)
        # musicFolderId: folder 1 is the library, folder 2 the (empty) uploads.
        self.assertTrue(self.ok("getAlbumList2", {"type": "newest", "musicFolderId": 1})["albumList2"]["album"])
        self.assertEqual(self.ok("getAlbumList2", {"type": "newest", "musicFolderId": 2})["albumList2"]["album"], [])
        self.assertEqual(self.ok("getRandomSongs", {"musicFolderId": 2})["randomSongs"]["song"], [])
        self.assertEqual(self.ok("search3", {"query": "", "musicFolderId": 2})["searchResult3"]["song"], [])
        self.assertEqual(self.error("getRandomSongs", {"musicFolderId": 9}), 70)

    # --- media ---
    def test_stream_download_and_transcode(self):
        songs = self.songs_by_title()
        tone = songs["Tone 1"]
        path = os.path.join(self.lib, tone["path"])
        with open(path, "rb") as f:
            original = f.read()
        r = self.call("stream", {"id": tone["id"]}, raw=True)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, original)
        r = self.call("stream", {"id": tone["id"]}, raw=True, headers={"Range": "bytes=10-19"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, original[10:20])
        r = self.call("download", {"id": tone["id"]}, raw=True)
        self.assertEqual(r.body, original)
        self.assertIn("attachment", r.header("Content-Disposition"))
        flac = songs["Part 1.1"]
        wav = songs["Lovely"]  # 16-bit PCM AIFF: far above 128 kbps
        self.assertGreater(wav["bitRate"], 128)
        r = self.call("stream", {"id": wav["id"], "maxBitRate": 128}, raw=True)
        self.assertEqual(r.header("Content-Type"), "audio/mpeg")
        self.assertGreater(len(r.body), 1000)
        # Under the limit already: the original bytes.
        r = self.call("stream", {"id": tone["id"], "maxBitRate": 320}, raw=True)
        self.assertEqual(r.body, original)
        r = self.call("stream", {"id": flac["id"], "format": "opus"}, raw=True)
        self.assertTrue(r.header("Content-Type").startswith("audio/ogg"))
        self.assertEqual(r.body[:4], b"OggS")
        r = self.call("stream", {"id": tone["id"], "format": "mp3", "timeOffset": 1}, raw=True)
        self.assertEqual(r.status, 200)
        self.assertLess(float(r.header("X-Content-Duration")), 1.5)
        # An estimated length is announced and kept exactly.
        r = self.call("stream", {"id": flac["id"], "format": "mp3", "maxBitRate": 96, "estimateContentLength": "true"}, raw=True)
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        self.assertEqual(self.error("stream", {"id": tone["id"], "timeOffset": 99}), 0)
        self.assertEqual(self.error("stream", {"id": tone["id"], "format": "wma"}), 0)
        # Now playing shows the stream.
        entries = self.ok("getNowPlaying")["nowPlaying"]["entry"]
        self.assertTrue(any(e["username"] == "admin" for e in entries))

    def test_cover_art_ids_are_given_only_where_art_exists(self):
        # An app shows a broken image for every coverArt id that getCoverArt answers with an error (issue 14).
        index = self.ok("getArtists")["artists"]["index"]
        artists = [a for i in index for a in i["artist"]]
        searched = self.ok("search3", {"query": "", "artistCount": 100, "albumCount": 0, "songCount": 0})
        artists += searched["searchResult3"].get("artist", [])
        with_art = [a for a in artists if "coverArt" in a]
        without = [a for a in artists if "coverArt" not in a]
        self.assertTrue(with_art and without, "the library has artists with and without album covers")
        for a in with_art:
            r = self.call("getCoverArt", {"id": a["coverArt"]}, raw=True)
            self.assertTrue(r.header("Content-Type").startswith("image/"), a["name"])
        for a in without:
            self.assertEqual(self.error("getCoverArt", {"id": a["id"]}), 70, a["name"])
            self.assertNotIn("coverArt", self.ok("getArtist", {"id": a["id"]})["artist"])
        songs = self.songs_by_title()
        plain = [x for x in songs.values() if "coverArt" not in x]
        covered = [x for x in songs.values() if "coverArt" in x]
        pl = self.ok("createPlaylist", {"name": "Bare", "songId": [plain[0]["id"]]})["playlist"]
        self.assertNotIn("coverArt", pl)
        self.ok("updatePlaylist", {"playlistId": pl["id"], "songIdToAdd": covered[0]["id"]})
        listed = {p["id"]: p for p in self.ok("getPlaylists")["playlists"]["playlist"]}[pl["id"]]
        self.assertEqual(listed["coverArt"], pl["id"])
        self.assertTrue(self.call("getCoverArt", {"id": listed["coverArt"]}, raw=True).header("Content-Type")
                        .startswith("image/"))

    def test_cover_art_sizes_lyrics_and_avatar(self):
        album = self.album("Double Album")
        self.assertIn("coverArt", album)
        full = self.call("getCoverArt", {"id": album["coverArt"]}, raw=True)
        self.assertEqual(full.status, 200)
        self.assertTrue(full.header("Content-Type").startswith("image/"))
        small = self.call("getCoverArt", {"id": album["coverArt"], "size": 32}, raw=True)
        self.assertEqual(small.status, 200)
        self.assertEqual(small.header("Content-Type"), "image/jpeg")
        self.assertEqual(small.body[:2], b"\xff\xd8")
        song = self.songs_by_title()["Part 1.1"]
        self.assertEqual(self.call("getCoverArt", {"id": song["coverArt"]}, raw=True).status, 200)
        self.assertEqual(self.error("getCoverArt", {"id": "00000000-0000-4000-8000-000000000000"}), 70)
        tone3 = self.songs_by_title()["Tone 3"]
        lyrics = self.ok("getLyricsBySongId", {"id": tone3["id"]})["lyricsList"]["structuredLyrics"]
        self.assertTrue(lyrics and lyrics[0]["synced"])
        self.assertIn("start", lyrics[0]["line"][0])
        plain = self.ok("getLyrics", {"artist": "Test Artist", "title": "Tone 3"})["lyrics"]
        self.assertTrue(plain["value"])
        r = self.call("getAvatar", {"username": "admin"}, raw=True)
        self.assertEqual(r.header("Content-Type"), "image/svg+xml")

    # --- annotation, shared with the web app ---
    def test_stars_ratings_and_scrobbles_are_one_model(self):
        songs = self.songs_by_title()
        tone = songs["Tone 2"]
        album = self.album("Sine Album")
        self.ok("star", {"id": tone["id"], "albumId": album["id"], "artistId": album["artistId"]})
        starred = self.ok("getStarred2")["starred2"]
        self.assertEqual([s["id"] for s in starred["song"]], [tone["id"]])
        self.assertEqual([a["id"] for a in starred["album"]], [album["id"]])
        self.assertEqual([a["id"] for a in starred["artist"]], [album["artistId"]])
        for kind in ("song", "album", "artist"):
            self.assertTrue(all("starred" in x for x in starred[kind]), kind)
        # A search's three lists carry the user's stars (read in one go): only the starred items.
        hits = self.ok("search3", {"query": "tone"})["searchResult3"]
        self.assertEqual([s["id"] for s in hits["song"] if "starred" in s], [tone["id"]])
        hits = self.ok("search3", {"query": album["name"]})["searchResult3"]
        self.assertEqual([a["id"] for a in hits["album"] if "starred" in a], [album["id"]])
        hits = self.ok("search3", {"query": album["artist"]})["searchResult3"]
        self.assertEqual([a["id"] for a in hits["artist"] if "starred" in a], [album["artistId"]])
        favs = self.s.get("/api/favorites", token=self.admin_token).json
        favs = favs.get("data", favs) if isinstance(favs, dict) else favs
        self.assertEqual([f["id"] for f in favs], [tone["id"]])
        self.ok("unstar", {"id": tone["id"]})
        self.assertEqual(self.ok("getStarred2")["starred2"]["song"], [])
        self.assertEqual(self.error("star", {"id": "00000000-0000-4000-8000-000000000000"}), 70)
        self.ok("setRating", {"id": tone["id"], "rating": 4})
        self.assertEqual(self.ok("getSong", {"id": tone["id"]})["song"]["userRating"], 4)
        self.ok("setRating", {"id": album["id"], "rating": 5})
        self.assertEqual(self.ok("getAlbumList2", {"type": "highest"})["albumList2"]["album"][0]["id"], album["id"])
        self.ok("setRating", {"id": tone["id"], "rating": 0})
        self.assertNotIn("userRating", self.ok("getSong", {"id": tone["id"]})["song"])
        self.assertEqual(self.error("setRating", {"id": tone["id"], "rating": 6}), 0)
        self.ok("scrobble", {"id": tone["id"], "submission": "true"})
        self.ok("scrobble", {"id": tone["id"], "time": int(time.time() * 1000)})
        song = self.ok("getSong", {"id": tone["id"]})["song"]
        self.assertEqual(song["playCount"], 2)
        self.assertIn("played", song)
        history = self.s.get("/api/history", token=self.admin_token).json
        history = history.get("data", history) if isinstance(history, dict) else history
        self.assertEqual(len(history), 2)
        recent = self.ok("getAlbumList2", {"type": "recent"})["albumList2"]["album"]
        self.assertEqual(recent[0]["id"], album["id"])
        self.ok("reportPlayback", {"mediaId": tone["id"], "mediaType": "song", "positionMs": 500, "state": "playing"})
        self.assertTrue(self.ok("getNowPlaying")["nowPlaying"]["entry"])
        self.ok("reportPlayback", {"mediaId": tone["id"], "mediaType": "song", "positionMs": 1900, "state": "stopped"})
        self.assertEqual(self.ok("getSong", {"id": tone["id"]})["song"]["playCount"], 3)
        self.assertEqual(self.error("reportPlayback", {"mediaId": tone["id"], "mediaType": "song", "positionMs": 1, "state": "dancing"}), 0)

    # --- playlists, queues, bookmarks ---
    def test_playlists(self):
        songs = self.songs_by_title()
        ids = [songs[t]["id"] for t in ["Tone 1", "Tone 2", "Tone 3"]]
        pl = self.ok("createPlaylist", {"name": "Road trip", "songId": ids[:2]})["playlist"]
        self.assertEqual([e["id"] for e in pl["entry"]], ids[:2])
        self.assertEqual(pl["owner"], "admin")
        self.ok("updatePlaylist", {"playlistId": pl["id"], "name": "Road trip 2", "comment": "long", "public": "true",
                                   "songIdToAdd": ids[2], "songIndexToRemove": 0})
        got = self.ok("getPlaylist", {"id": pl["id"]})["playlist"]
        self.assertEqual(got["name"], "Road trip 2")
        self.assertEqual(got["comment"], "long")
        self.assertTrue(got["public"])
        self.assertEqual([e["id"] for e in got["entry"]], ids[1:])
        # The web app sees the same playlist.
        web = self.s.get(f"/api/playlists/{pl['id']}", token=self.admin_token)
        self.assertEqual(web.status, 200)
        self.assertEqual(web.json["name"], "Road trip 2")
        # Someone else sees it (public) but cannot change or delete it.
        self.s.register("bob")
        bob = {"u": "bob", "p": "user-password-1"}
        self.assertIn(pl["id"], [p["id"] for p in self.ok("getPlaylists", auth=bob)["playlists"]["playlist"]])
        self.assertEqual(self.error("updatePlaylist", {"playlistId": pl["id"], "name": "mine"}, auth=bob), 50)
        self.assertEqual(self.error("deletePlaylist", {"id": pl["id"]}, auth=bob), 50)
        self.assertEqual(self.error("updatePlaylist", {"playlistId": pl["id"], "songIndexToRemove": 9}), 0)
        self.assertEqual(self.error("createPlaylist", {"name": "x", "songId": "00000000-0000-4000-8000-000000000000"}), 70)
        # createPlaylist with playlistId replaces the songs.
        self.ok("createPlaylist", {"playlistId": pl["id"], "songId": [ids[0]]})
        self.assertEqual([e["id"] for e in self.ok("getPlaylist", {"id": pl["id"]})["playlist"]["entry"]], [ids[0]])
        self.ok("deletePlaylist", {"id": pl["id"]})
        self.assertEqual(self.error("getPlaylist", {"id": pl["id"]}), 70)

    def test_play_queue_and_bookmarks(self):
        songs = self.songs_by_title()
        ids = [songs[t]["id"] for t in ["Tone 1", "Tone 2", "Tone 3"]]
        self.ok("savePlayQueue", {"id": ids, "current": ids[1], "position": 1234})
        q = self.ok("getPlayQueue")["playQueue"]
        self.assertEqual([e["id"] for e in q["entry"]], ids)
        self.assertEqual(q["current"], ids[1])
        self.assertEqual(q["position"], 1234)
        self.assertEqual(q["changedBy"], "tests")
        self.ok("savePlayQueueByIndex", {"id": ids[::-1], "currentIndex": 2, "position": 10}, post=True)
        qi = self.ok("getPlayQueueByIndex")["playQueueByIndex"]
        self.assertEqual(qi["currentIndex"], 2)
        self.assertEqual([e["id"] for e in qi["entry"]], ids[::-1])
        self.assertEqual(self.error("savePlayQueueByIndex", {"id": ids, "currentIndex": 7}), 0)
        self.ok("savePlayQueueByIndex", {})
        self.assertNotIn("playQueueByIndex", self.ok("getPlayQueueByIndex"))
        self.ok("createBookmark", {"id": ids[0], "position": 5000, "comment": "here"})
        self.ok("createBookmark", {"id": ids[0], "position": 6000})
        marks = self.ok("getBookmarks")["bookmarks"]["bookmark"]
        self.assertEqual(len(marks), 1)
        self.assertEqual(marks[0]["position"], 6000)
        self.assertEqual(marks[0]["entry"]["id"], ids[0])
        self.ok("deleteBookmark", {"id": ids[0]})
        self.assertEqual(self.ok("getBookmarks")["bookmarks"]["bookmark"], [])

    # --- shares ---
    def test_shares_play_without_an_account(self):
        album = self.album("Sine Album")
        share = self.ok("createShare", {"id": album["id"], "description": "<b>for you</b>"})["shares"]["share"][0]
        self.assertEqual(len(share["entry"]), 3)
        path = urllib.parse.urlparse(share["url"]).path
        self.assertTrue(path.startswith("/share/"))
        page = self.s.get(path)
        self.assertEqual(page.status, 200)
        self.assertIn(b"Tone 1", page.body)
        self.assertIn(b"&lt;b&gt;for you&lt;/b&gt;", page.body)
        self.assertNotIn(b"<b>for you</b>", page.body)
        track = share["entry"][0]
        audio = self.s.get(f"{path}/{track['id']}/stream")
        self.assertEqual(audio.status, 200)
        self.assertEqual(audio.header("Content-Type"), "audio/mpeg")
        other = self.songs_by_title()["Part 1.1"]
        self.assertEqual(self.s.get(f"{path}/{other['id']}/stream").status, 404)
        self.assertEqual(self.ok("getShares")["shares"]["share"][0]["visitCount"], 1)
        self.ok("updateShare", {"id": share["id"], "expires": int(time.time() * 1000) - 1000})
        self.assertEqual(self.s.get(path).status, 404)
        self.ok("deleteShare", {"id": share["id"]})
        self.assertEqual(self.ok("getShares")["shares"]["share"], [])
        self.assertEqual(self.s.get("/share/nonexistent").status, 404)

    def test_share_links_follow_the_admin_setting(self):
        album = self.album("Sine Album")
        share = self.ok("createShare", {"id": album["id"]})["shares"]["share"][0]
        path = urllib.parse.urlparse(share["url"]).path
        self.assertEqual(self.s.get(path).status, 200)

        def put(key, value):
            r = self.s.put(f"/api/admin/settings/{key}", {"value": value}, token=self.admin_token)
            self.assertEqual(r.status, 200, r)
        # A private instance: "auto" turns shares off, also the links already given out.
        put("instance_private", "true")
        self.assertEqual(self.error("createShare", {"id": album["id"]}), 50)
        self.assertEqual(self.s.get(path).status, 404)
        self.assertFalse(self.ok("getUser", {"username": "admin"})["user"]["shareRole"])
        put("share_links", "on")
        self.assertEqual(self.s.get(path).status, 200)
        self.assertTrue(self.ok("getUser", {"username": "admin"})["user"]["shareRole"])
        self.ok("createShare", {"id": album["id"]})
        put("instance_private", "false")
        put("share_links", "off")
        self.assertEqual(self.error("createShare", {"id": album["id"]}), 50)
        self.assertEqual(self.s.get(path).status, 404)
        r = self.s.put("/api/admin/settings/share_links", {"value": "sometimes"}, token=self.admin_token)
        self.assertEqual(r.status, 400)

    # --- users, scanning, radio, transcoding ---
    def test_user_management(self):
        self.ok("createUser", {"username": "carol", "password": "enc:" + b"carol-password-1".hex(),
                               "email": "carol@example.org"})
        carol = {"u": "carol", "p": "carol-password-1"}
        self.assertFalse(self.ok("getUser", {"username": "carol"}, auth=carol)["user"]["adminRole"])
        self.assertEqual(self.error("getUser", {"username": "admin"}, auth=carol), 50)
        self.assertEqual(self.error("getUsers", auth=carol), 50)
        self.assertEqual(self.error("createUser", {"username": "x", "password": "x-password-1", "email": "x@x.org"}, auth=carol), 50)
        self.assertEqual(self.error("startScan", auth=carol), 50)
        self.ok("changePassword", {"username": "carol", "password": "carol-password-2"}, auth=carol)
        self.assertEqual(self.error("ping", auth=carol), 40)
        carol["p"] = "carol-password-2"
        self.ok("updateUser", {"username": "carol", "adminRole": "true", "email": "c2@example.org"})
        u = self.ok("getUser", {"username": "carol"}, auth=carol)["user"]
        self.assertTrue(u["adminRole"])
        self.assertEqual(u["email"], "c2@example.org")
        self.assertEqual(len(self.ok("getUsers")["users"]["user"]), 2)
        self.ok("deleteUser", {"username": "carol"})
        self.assertEqual(self.error("ping", auth=carol), 40)
        self.assertEqual(self.error("createUser", {"username": "dave", "password": "short", "email": "d@x.org"}), 0)

    def test_an_app_password_cannot_change_the_account_password(self):
        for auth in [{"u": "admin", "p": self.app_password}, self.token_auth(), {"apiKey": self.app_password}]:
            self.assertEqual(self.error("changePassword", {"username": "admin", "password": "taken-over-1"}, auth=auth),
                             50, auth)
        self.ok("ping", auth={"u": "admin", "p": ADMIN_PASSWORD})
        self.assertEqual(self.s.post("/api/auth/login", {"username": "admin", "password": ADMIN_PASSWORD}).status, 200)
        self.assertEqual(self.s.get("/api/auth/me", token=self.admin_token).status, 200)  # the session lives on
        # The account password still may.
        self.ok("changePassword", {"username": "admin", "password": "admin-password-2"},
                auth={"u": "admin", "p": ADMIN_PASSWORD})
        self.ok("ping", auth={"u": "admin", "p": "admin-password-2"})
        # Nor can updateUser, for the admin's own account or anyone else's; the account password can.
        self.ok("createUser", {"username": "erin", "password": "erin-password-1", "email": "erin@example.org"})
        for name in ("admin", "erin"):
            for auth in [self.token_auth(), {"apiKey": self.app_password}]:
                self.assertEqual(self.error("updateUser", {"username": name, "password": "taken-over-1"}, auth=auth),
                                 50, (name, auth))
        self.ok("ping", auth={"u": "erin", "p": "erin-password-1"})
        self.ok("updateUser", {"username": "erin", "password": "erin-password-2"},
                auth={"u": "admin", "p": "admin-password-2"})
        self.ok("ping", auth={"u": "erin", "p": "erin-password-2"})

    def test_get_user_does_not_tell_a_non_admin_which_users_exist(self):
        self.s.register("carol", password="carol-password-1")
        carol = {"u": "carol", "p": "carol-password-1"}
        for name in ["admin", "nobody"]:
            self.assertEqual(self.call("getUser", {"username": name}, auth=carol)["error"],
                             {"code": 50, "message": "This needs an administrator"}, name)
            self.assertEqual(self.error("changePassword", {"username": name, "password": "x-password-1"}, auth=carol),
                             50, name)
        self.assertEqual(self.error("getUser", {"username": "nobody"}), 70)  # an admin is told

    def test_scan_and_internet_radio(self):
        status = self.ok("startScan")["scanStatus"]
        self.assertIn("scanning", status)
        deadline = time.time() + 20
        while self.ok("getScanStatus")["scanStatus"]["scanning"] and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.ok("getScanStatus")["scanStatus"]["count"], len(self.manifest["tracks"]))
        self.ok("createInternetRadioStation", {"name": "Jazz FM", "streamUrl": "https://radio.example/jazz",
                                               "homepageUrl": "https://radio.example"})
        st = self.ok("getInternetRadioStations")["internetRadioStations"]["internetRadioStation"]
        self.assertEqual(st[0]["name"], "Jazz FM")
        self.ok("updateInternetRadioStation", {"id": st[0]["id"], "name": "Jazz", "streamUrl": "https://radio.example/j2"})
        st = self.ok("getInternetRadioStations")["internetRadioStations"]["internetRadioStation"]
        self.assertEqual((st[0]["name"], st[0]["streamUrl"]), ("Jazz", "https://radio.example/j2"))
        self.assertEqual(self.error("createInternetRadioStation", {"name": "x", "streamUrl": "javascript:alert(1)"}), 0)
        self.ok("deleteInternetRadioStation", {"id": st[0]["id"]})
        self.assertEqual(self.ok("getInternetRadioStations")["internetRadioStations"]["internetRadioStation"], [])

    def test_transcode_decision_and_stream(self):
        songs = self.songs_by_title()
        flac, mp3 = songs["Part 1.1"], songs["Tone 1"]
        info = {"name": "tests", "platform": "linux", "maxAudioBitrate": 192000,
                "directPlayProfiles": [{"containers": ["mp3"], "audioCodecs": ["mp3"], "protocols": ["http"]}],
                "transcodingProfiles": [{"container": "mp3", "audioCodec": "mp3", "protocol": "http"}]}

        def decide(song):
            qs = urllib.parse.urlencode({**self.token_auth(), "f": "json", "mediaId": song["id"], "mediaType": "song"})
            r = self.s.request("POST", f"/rest/getTranscodeDecision?{qs}", raw=json.dumps(info).encode(),
                               headers={"Content-Type": "application/json"})
            body = r.json["subsonic-response"]
            self.assertEqual(body["status"], "ok", body)
            return body["transcodeDecision"]

        d = decide(mp3)
        self.assertTrue(d["canDirectPlay"])
        d = decide(flac)
        self.assertFalse(d["canDirectPlay"])
        self.assertTrue(d["canTranscode"])
        self.assertEqual(d["transcodeStream"]["codec"], "mp3")
        self.assertEqual(d["sourceStream"]["codec"], "flac")
        r = self.call("getTranscodeStream", {"mediaId": flac["id"], "mediaType": "song",
                                              "transcodeParams": d["transcodeParams"]}, raw=True)
        self.assertEqual(r.header("Content-Type"), "audio/mpeg")
        self.assertGreater(len(r.body), 1000)
        self.assertEqual(self.error("getTranscodeStream", {"mediaId": flac["id"], "mediaType": "song",
                                                           "transcodeParams": "wav:9999"}), 0)

    def test_subsonic_api_client_and_openapi_schemas(self):
        """The subsonic-api npm client drives every method; each JSON answer must validate against the
        OpenSubsonic OpenAPI schemas, and deterministic answers must match tests/subsonic/golden/."""
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "subsonic")
        if not os.path.isdir(os.path.join(here, "node_modules", "subsonic-api")):
            r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=here,
                               capture_output=True, text=True, timeout=600)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        openapi = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "testdata",
                               "opensubsonic", "openapi")
        env = dict(os.environ, SUBSONIC_URL=f"http://127.0.0.1:{self.s.port}", SUBSONIC_USER="admin",
                   SUBSONIC_APP_PASSWORD=self.app_password, OPENAPI_DIR=os.path.abspath(openapi))
        r = subprocess.run(["node", "client_test.mjs"], cwd=here, env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout[-6000:] + r.stderr[-2000:])
        self.assertIn("0 failed", r.stdout)

    def test_logs_never_contain_credentials(self):
        salted = self.token_auth()
        self.ok("ping", auth=salted)
        self.ok("ping", auth={"u": "admin", "p": ADMIN_PASSWORD})
        self.ok("ping", auth={"apiKey": self.app_password})
        self.ok("ping", auth={"u": "admin", "p": ADMIN_PASSWORD}, post=True)
        self.call("getAlbum", {"id": "x"}, auth={"u": "admin", "p": ADMIN_PASSWORD})
        log = self.s.read_log()
        self.assertIn("/rest/ping", log)
        for secret in [ADMIN_PASSWORD, self.app_password, salted["t"], salted["s"]]:
            self.assertNotIn(secret, log)


class SubsonicLoginRateLimit(ServerTest):
    """Failed Subsonic logins are limited per client like REST logins (AUTH_RATE_LIMIT_*): after the burst,
    every login from that client is refused for a while, even a right one, so guessing gets nowhere."""
    server_env = {"AUTH_RATE_LIMIT_BURST": "3", "AUTH_RATE_LIMIT_REFILL_SECONDS": "3600"}

    def ping(self, **auth):
        qs = urllib.parse.urlencode({**auth, "c": "tests", "v": "1.16.1", "f": "json"})
        return self.s.get(f"/rest/ping?{qs}").json["subsonic-response"]

    def test_failed_logins_are_rate_limited_per_client(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        app = self.s.post("/api/auth/app-passwords", {"name": "Phone"}, token=admin).json["password"]
        self.assertEqual(self.ping(apiKey=app)["status"], "ok")
        for i in range(200):  # successes are not counted
            self.assertEqual(self.ping(u="admin", p=app)["status"], "ok")
        salt = "c19b2d"
        for guess in ["guess-1", "guess-2"]:
            r = self.ping(u="admin", t=hashlib.md5((guess + salt).encode()).hexdigest(), s=salt)
            self.assertEqual(r["error"], {"code": 40, "message": "Wrong username or password"})
        self.assertEqual(self.ping(u="nobody", p="guess-3")["error"]["code"], 40)  # the third failure
        for auth in [{"u": "admin", "p": app}, {"apiKey": app},
                     {"u": "admin", "t": hashlib.md5((app + salt).encode()).hexdigest(), "s": salt}]:
            r = self.ping(**auth)
            self.assertEqual(r["status"], "failed", auth)
            self.assertEqual(r["error"]["code"], 40, auth)
            self.assertIn("Too many attempts", r["error"]["message"], auth)


if __name__ == "__main__":
    unittest.main()
