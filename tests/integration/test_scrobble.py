"""Scrobbling end to end against a local stand-in for Last.fm (auth.getSession, track.updateNowPlaying,
track.scrobble, every api_sig checked) and ListenBrainz (validate-token, submit-listens): the original's
/api/lastfm/* endpoints, ListenBrainz tokens, listens from the web app and from Subsonic apps, the rules
(over 30 s, half the track or 4 minutes), the persistent queue across an outage and a restart, and
getNowPlaying with a client that preloads the next song."""
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse as up

from harness import Server, ServerTest

API_KEY = "test-api-key"
SECRET = "test-shared-secret"
SESSION_KEY = "SK-session-0123456789"
LB_TOKEN = "11111111-2222-3333-4444-555555555555"
ADMIN_PASSWORD = "admin-password-1"


def signature(params):
    text = "".join(k + params[k] for k in sorted(params) if k not in ("format", "callback", "api_sig"))
    return hashlib.md5((text + SECRET).encode()).hexdigest()


class FakeScrobblers:
    """Last.fm under /2.0/ and ListenBrainz under /lb/. mode: "ok", "offline" (error 16 with 503),
    "invalid" (403, error 9)."""

    def __init__(self, port=0):
        self.lock = threading.Lock()
        self.calls = []       # Last.fm (method, params)
        self.listens = []     # ListenBrainz submit-listens bodies
        self.bad_signatures = 0
        self.mode = "ok"
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                u = up.urlparse(self.path)
                q = dict(up.parse_qsl(u.query))
                if u.path == "/2.0/":
                    return self.reply(*outer.lastfm(q))
                if u.path == "/lb/1/validate-token":
                    ok = self.headers.get("Authorization") == "Token " + LB_TOKEN
                    return self.reply(200, {"code": 200, "valid": ok, "message": "Token valid." if ok else "invalid",
                                            **({"user_name": "lbuser"} if ok else {})})
                self.reply(404, {})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                u = up.urlparse(self.path)
                if u.path == "/2.0/":
                    return self.reply(*outer.lastfm(dict(up.parse_qsl(body.decode()))))
                if u.path == "/lb/1/submit-listens":
                    if self.headers.get("Authorization") != "Token " + LB_TOKEN:
                        return self.reply(401, {"code": 401, "error": "Invalid authorization token."})
                    if outer.mode == "offline":
                        return self.reply(503, {"code": 503, "error": "down"})
                    with outer.lock:
                        outer.listens.append(json.loads(body))
                    return self.reply(200, {"status": "ok"})
                self.reply(404, {})

            def log_message(self, *a):
                pass

        self.handler = Handler
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def lastfm(self, q):
        if q.get("api_key") != API_KEY or q.get("api_sig") != signature(q) or q.get("format") != "json":
            with self.lock:
                self.bad_signatures += 1
            return 403, {"error": 13, "message": "Invalid method signature supplied"}
        method = q.get("method")
        if method == "auth.getSession":
            if q.get("token") != "good-token":
                return 403, {"error": 4, "message": "Invalid authentication token supplied"}
            return 200, {"session": {"name": "lfmuser", "key": SESSION_KEY, "subscriber": 0}}
        if self.mode == "offline":
            return 503, {"error": 16, "message": "There was a temporary error processing your request."}
        if self.mode == "invalid" or q.get("sk") != SESSION_KEY:
            return 403, {"error": 9, "message": "Invalid session key - Please re-authenticate"}
        with self.lock:
            self.calls.append((method, q))
        if method == "track.scrobble":
            return 200, {"scrobbles": {"@attr": {"accepted": 1, "ignored": 0}}}
        return 200, {"nowplaying": {}}

    def of(self, method):
        with self.lock:
            return [q for m, q in self.calls if m == method]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


_library = None


def library():
    """Two tagged MP3s: a 60 s song and a 20 s one (too short to scrobble)."""
    global _library
    if _library is None:
        d = tempfile.mkdtemp(prefix="soundtime-scrobble-lib-")
        for name, secs in [("Long Song", 60), ("Short Song", 20), ("Next Song", 45)]:
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                            f"sine=frequency=440:duration={secs}", "-ac", "1", "-b:a", "32k",
                            "-metadata", f"title={name}", "-metadata", "artist=Scrobble Artist",
                            "-metadata", "album=Scrobble Album", os.path.join(d, name + ".mp3")], check=True)
        _library = d
    return _library


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.time() + timeout  # a safety net only
    while time.time() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class ScrobbleTest(ServerTest):
    configured = True

    def setUp(self):
        self.fake = FakeScrobblers()
        env = {"LISTENBRAINZ_API_URL": self.fake.base + "/lb", "SCROBBLE_RETRY_SECONDS": "1",
               "LASTFM_API_URL": self.fake.base + "/2.0/", "LASTFM_AUTH_URL": self.fake.base + "/auth/"}
        if self.configured:
            env.update({"LASTFM_API_KEY": API_KEY, "LASTFM_API_SECRET": SECRET})
        self.s = Server(env=env)
        lib = os.path.join(self.s.dir, "library")
        shutil.copytree(library(), lib)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        self.s.start()
        self.token = self.s.setup_admin(password=ADMIN_PASSWORD)["tokens"]["access_token"]
        r = self.s.get("/api/tracks?per_page=100", token=self.token)
        self.tracks = {t["title"]: t["id"] for t in r.json["data"]}

    def tearDown(self):
        super().tearDown()
        self.fake.close()

    def connect(self):
        r = self.s.post("/api/lastfm/callback", {"token": "good-token"}, token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json

    def listen(self, title, seconds, completed=False):
        r = self.s.post("/api/history", {"track_id": self.tracks[title], "duration_listened": seconds,
                                         "completed": completed, "skipped": not completed}, token=self.token)
        self.assertEqual(r.status, 201, r)

    def status(self):
        r = self.s.get("/api/lastfm/status", token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json

    def queued(self):
        return int(self.s.sql("SELECT COUNT(*) FROM scrobble_queue")[0][0])

    def subsonic(self, method, **params):
        q = up.urlencode({"u": "admin", "p": ADMIN_PASSWORD, "v": "1.16.1", "f": "json",
                          "c": params.pop("client", "tests"), **params})
        r = self.s.get(f"/rest/{method}?{q}")
        self.assertEqual(r.status, 200, r)
        return r


class LastfmNotConfigured(ScrobbleTest):
    configured = False

    def test_endpoints_answer_without_keys(self):
        self.assertEqual(self.status(), {"connected": False, "username": None, "scrobble_enabled": False})
        self.assertEqual(self.s.get("/api/lastfm/connect", token=self.token).status, 501)
        self.assertEqual(self.s.post("/api/lastfm/callback", {"token": "good-token"}, token=self.token).status, 501)
        r = self.s.post("/api/lastfm/now-playing", {"track_id": self.tracks["Long Song"]}, token=self.token)
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertEqual(self.s.post("/api/lastfm/now-playing", {"track_id": "00000000-0000-4000-8000-000000000000"},
                                     token=self.token).status, 404)
        self.assertEqual(self.s.post("/api/lastfm/toggle", {"enabled": True}, token=self.token).status, 200)
        self.assertEqual(self.s.get("/api/lastfm/status").status, 401)
        self.listen("Long Song", 60, True)
        self.assertEqual(self.queued(), 0)
        self.assertEqual(self.fake.calls, [])


class Lastfm(ScrobbleTest):
    def test_connect_now_playing_scrobble_toggle_disconnect(self):
        r = self.s.get("/api/lastfm/connect", token=self.token)
        self.assertEqual(r.status, 200, r)
        url = up.urlparse(r.json["auth_url"])
        self.assertEqual(url.path, "/auth/")
        q = dict(up.parse_qsl(url.query))
        self.assertEqual(q, {"api_key": API_KEY, "cb": "https://localhost:8080/settings?lastfm_callback=1"})
        r = self.s.post("/api/lastfm/callback", {"token": "bad-token"}, token=self.token)
        self.assertEqual(r.status, 502, r)
        self.assertEqual(self.connect(), {"connected": True, "username": "lfmuser", "scrobble_enabled": True})
        self.assertEqual(self.status(), {"connected": True, "username": "lfmuser", "scrobble_enabled": True})
        # Sealed at rest: the session key is nowhere in the database in clear.
        stored = self.s.sql("SELECT key, value FROM user_settings")
        self.assertIn("lastfm_session_key", [k for k, _ in stored])
        self.assertFalse(any(SESSION_KEY in v for _, v in stored), stored)

        r = self.s.post("/api/lastfm/now-playing", {"track_id": self.tracks["Long Song"]}, token=self.token)
        self.assertEqual((r.status, r.body), (200, b""))
        np = wait_for(lambda: self.fake.of("track.updateNowPlaying"), what="now playing")[0]
        self.assertEqual((np["artist"], np["track"], np["album"], np["duration"]),
                         ("Scrobble Artist", "Long Song", "Scrobble Album", "60"))

        before = int(time.time())
        self.listen("Long Song", 10)         # under half of 60 s: not a listen
        self.listen("Short Song", 20, True)  # 20 s track: too short for Last.fm
        self.listen("Long Song", 31, True)   # over half (the MP3 lasts a little over 60 s): a listen
        sc = wait_for(lambda: self.fake.of("track.scrobble"), what="scrobble")
        wait_for(lambda: self.queued() == 0, what="an empty queue")
        self.assertEqual(len(self.fake.of("track.scrobble")), 1)
        self.assertEqual((sc[0]["artist"], sc[0]["track"], sc[0]["album"]),
                         ("Scrobble Artist", "Long Song", "Scrobble Album"))
        # The timestamp is when the listen began (31 s before it was reported).
        self.assertTrue(before - 32 <= int(sc[0]["timestamp"]) <= int(time.time()) - 30, sc[0]["timestamp"])

        # The original web app posts /scrobble, its server had /toggle: both switch scrobbling.
        r = self.s.post("/api/lastfm/scrobble", {"enabled": False}, token=self.token)
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertFalse(self.status()["scrobble_enabled"])
        self.listen("Long Song", 60, True)
        self.assertEqual(self.queued(), 0)
        self.assertEqual(self.s.post("/api/lastfm/toggle", {"enabled": True}, token=self.token).status, 200)
        self.assertTrue(self.status()["scrobble_enabled"])
        self.assertEqual(self.s.post("/api/lastfm/toggle", {}, token=self.token).status // 100, 4)

        self.assertEqual(self.s.delete("/api/lastfm/disconnect", token=self.token).status, 204)
        self.assertEqual(self.status(), {"connected": False, "username": None, "scrobble_enabled": False})
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM user_settings WHERE key LIKE 'lastfm%'"), [["0"]])
        self.assertEqual(self.fake.bad_signatures, 0)

    def test_invalid_session_disconnects_the_user(self):
        self.connect()
        self.fake.mode = "invalid"
        self.listen("Long Song", 60, True)
        wait_for(lambda: not self.status()["connected"], what="the disconnection")
        self.assertEqual(self.queued(), 0)
        self.assertIn("disconnected", self.s.read_log())

    def test_subsonic_scrobble_and_now_playing(self):
        self.connect()
        long_id, next_id = self.tracks["Long Song"], self.tracks["Next Song"]
        self.subsonic("scrobble", id=long_id, submission="false")
        wait_for(lambda: self.fake.of("track.updateNowPlaying"), what="now playing")
        # The client preloads the next song: getNowPlaying still shows the one it reported.
        r = self.subsonic("stream", id=next_id)
        entries = self.subsonic("getNowPlaying").json["subsonic-response"]["nowPlaying"]["entry"]
        self.assertEqual([e["id"] for e in entries], [long_id])
        # A client that never reported: its stream is what it plays.
        self.subsonic("stream", id=next_id, client="old-client")
        entries = self.subsonic("getNowPlaying").json["subsonic-response"]["nowPlaying"]["entry"]
        self.assertEqual(sorted(e["id"] for e in entries), sorted([long_id, next_id]))
        # reportPlayback counts as reporting too.
        self.subsonic("reportPlayback", mediaId=long_id, mediaType="song", positionMs="0", state="starting",
                      client="player2")
        self.subsonic("stream", id=next_id, client="player2")
        entries = self.subsonic("getNowPlaying").json["subsonic-response"]["nowPlaying"]["entry"]
        self.assertEqual([e["id"] for e in entries if e["playerName"] == "player2"], [long_id])

        at_ms = int(time.time() * 1000) - 61_000
        self.subsonic("scrobble", id=long_id, submission="true", time=str(at_ms))
        sc = wait_for(lambda: self.fake.of("track.scrobble"), what="scrobble")
        self.assertEqual((sc[0]["track"], sc[0]["timestamp"]), ("Long Song", str(at_ms // 1000)))
        self.subsonic("scrobble", id=self.tracks["Short Song"], submission="true")
        wait_for(lambda: self.queued() == 0, what="an empty queue")
        self.assertEqual(len(self.fake.of("track.scrobble")), 1)


class LastfmOutage(ScrobbleTest):
    def test_listens_wait_for_lastfm_across_a_restart_and_arrive_once(self):
        self.connect()
        port = self.fake.port
        self.fake.mode = "offline"  # answers 503, error 16
        self.listen("Long Song", 60, True)
        wait_for(lambda: int(self.s.sql("SELECT MAX(attempts) FROM scrobble_queue")[0][0] or 0) >= 1,
                 what="a failed attempt")
        self.assertIn("lastfm unavailable", self.s.read_log())
        self.fake.close()  # now down entirely: connections refused
        self.listen("Next Song", 45, True)
        self.listen("Long Song", 40, True)
        self.assertEqual(self.queued(), 3)
        # Restart the server with the same data.
        self.s.proc.send_signal(15)
        self.assertEqual(self.s.proc.wait(timeout=15), 0)
        self.s.log.close()
        self.assertEqual(self.queued(), 3)
        self.s.start()
        self.fake = FakeScrobblers(port)  # Last.fm is back
        wait_for(lambda: len(self.fake.of("track.scrobble")) == 3 and self.queued() == 0, timeout=60,
                 what="three scrobbles")
        time.sleep(1.5)  # and nothing more arrives
        got = [(q["track"], q["timestamp"]) for q in self.fake.of("track.scrobble")]
        self.assertEqual(len(got), 3)
        self.assertEqual(len(set(got)), 3)
        self.assertEqual([t for t, _ in got], ["Long Song", "Next Song", "Long Song"])

    def test_queue_is_bounded_per_user(self):
        self.s.stop()
        self.s = Server(env={**{k: self.s.env[k] for k in ("LASTFM_API_URL", "LASTFM_AUTH_URL", "LISTENBRAINZ_API_URL")},
                             "LASTFM_API_KEY": API_KEY, "LASTFM_API_SECRET": SECRET, "SCROBBLE_QUEUE_MAX": "2",
                             "SCROBBLE_RETRY_SECONDS": "3600"})
        lib = os.path.join(self.s.dir, "library")
        shutil.copytree(library(), lib)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        self.s.start()
        self.token = self.s.setup_admin(password=ADMIN_PASSWORD)["tokens"]["access_token"]
        r = self.s.get("/api/tracks?per_page=100", token=self.token)
        self.tracks = {t["title"]: t["id"] for t in r.json["data"]}
        self.connect()
        self.fake.mode = "offline"
        for seconds in (31, 32, 33, 34):
            self.listen("Long Song", seconds, True)
        wait_for(lambda: "dropped the 1 oldest" in self.s.read_log(), what="the log line")
        self.assertLessEqual(self.queued(), 2)


class ListenBrainz(ScrobbleTest):
    configured = False  # ListenBrainz works without Last.fm

    def test_token_listens_and_playing_now(self):
        r = self.s.get("/api/listenbrainz", token=self.token)
        self.assertEqual(r.json, {"connected": False, "username": None, "pending": 0})
        self.assertEqual(self.s.put("/api/listenbrainz", {"token": "wrong"}, token=self.token).status, 400)
        r = self.s.put("/api/listenbrainz", {"token": " " + LB_TOKEN + " "}, token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["connected"], r.json["username"]), (True, "lbuser"))
        self.assertFalse(any(LB_TOKEN in v for (v,) in self.s.sql("SELECT value FROM user_settings")))

        self.assertEqual(self.s.post("/api/lastfm/now-playing", {"track_id": self.tracks["Long Song"]},
                                     token=self.token).status, 200)
        self.listen("Short Song", 20, True)
        self.listen("Long Song", 45, True)
        wait_for(lambda: len(self.fake.listens) == 2 and self.queued() == 0, what="two submissions")
        kinds = {b["listen_type"]: b["payload"][0] for b in self.fake.listens}
        self.assertEqual(set(kinds), {"playing_now", "single"})
        self.assertNotIn("listened_at", kinds["playing_now"])
        single = kinds["single"]
        self.assertEqual(single["track_metadata"]["track_name"], "Long Song")
        self.assertEqual(single["track_metadata"]["artist_name"], "Scrobble Artist")
        self.assertEqual(single["track_metadata"]["release_name"], "Scrobble Album")
        self.assertAlmostEqual(single["track_metadata"]["additional_info"]["duration_ms"], 60000, delta=200)
        self.assertLessEqual(abs(single["listened_at"] - (time.time() - 45)), 10)

        self.assertEqual(self.s.delete("/api/listenbrainz", token=self.token).status, 204)
        self.assertFalse(self.s.get("/api/listenbrainz", token=self.token).json["connected"])
