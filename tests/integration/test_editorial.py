"""AI editorial playlists against a local stand-in for an OpenAI-compatible chat completions API (127.0.0.1
only): generation, the public list, status, and answers that must be refused while the old playlists stay."""
import http.server
import json
import os
import re
import subprocess
import threading
import time

from harness import Server, ServerTest

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UNKNOWN = "00000000-0000-4000-8000-00000000abcd"


class StandIn:
    """Answers POST /v1/chat/completions as the test's `mode` says, and records what it received."""

    def __init__(self):
        self.mode = "valid"
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                req = json.loads(body)
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": req})
                mode = outer.mode
                if mode == "slow":
                    time.sleep(6)
                if mode == "500":
                    return self.reply(500, {"error": {"message": "overloaded"}})
                sent = UUID.findall(req["messages"][-1]["content"])
                if mode == "valid":
                    content = "```json\n" + json.dumps([
                        {"name": "Morning\u202e\x07 Tones", "description": "Bright\nand calm", "track_ids":
                            [sent[0], sent[1], sent[1], UNKNOWN, sent[2]]},
                        {"title": "Evening", "description": "x" * 2000, "songs": [sent[3], sent[4], 42, {"id": sent[5]}]},
                        {"name": "Ghosts", "track_ids": [UNKNOWN]},
                    ]) + "\n```"
                elif mode == "not-json":
                    content = "Sorry, I cannot help with that."
                elif mode == "unknown-ids":
                    content = json.dumps([{"name": "Nope", "track_ids": [UNKNOWN, "../../etc/passwd"]}])
                else:
                    content = "[" * 40 + "]" * 40  # nested junk, deeper than any answer
                self.reply(200, {"choices": [{"message": {"role": "assistant", "content": content}}]})

            def reply(self, status, obj):
                data = json.dumps(obj).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the server gave up waiting (timeout test)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def make_tracks(folder, n):
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        f"sine=frequency={300 + 40 * i}:duration=1", "-metadata", f"title=Tone {i}",
                        "-metadata", f"artist=Artist {i % 3}", "-metadata", "album=Tones", "-metadata", "genre=Ambient",
                        os.path.join(folder, f"t{i:02}.flac")], check=True)


class Editorial(ServerTest):
    def setUp(self):
        self.ai = StandIn()
        self.addCleanup(self.ai.close)
        self.s = Server(env={"AI_TIMEOUT_SECONDS": "2"})
        lib = os.path.join(self.s.dir, "library")
        make_tracks(lib, 8)
        r = self.s.cli("import", lib)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.s.start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]

    def configure(self):
        # The base URL first: the key alone would mean the default (internet) URL.
        for k, v in (("ai_base_url", self.ai.url), ("ai_model", "test-model"), ("ai_api_key", "sk-test-key-123")):
            self.assertEqual(self.s.put(f"/api/admin/settings/{k}", {"value": v}, token=self.admin).status, 200)

    def generate(self):
        return self.s.post("/api/admin/editorial/generate", token=self.admin)

    def listed(self):
        r = self.s.get("/api/editorial-playlists")
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_status_before_configuration(self):
        r = self.s.get("/api/admin/editorial/status", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ai_configured"], False)
        self.assertEqual(r.json["ai_base_url"], "https://api.openai.com/v1")
        self.assertEqual(r.json["ai_model"], "gpt-4o-mini")
        self.assertIsNone(r.json["last_generated"])
        self.assertEqual(r.json["playlist_count"], 0)
        self.assertEqual(r.json["needs_regeneration"], False)
        self.assertEqual(self.listed(), [])
        r = self.generate()
        self.assertEqual(r.status, 502, r)
        self.assertIn("ai_api_key", r.json["error"])
        self.assertEqual(self.ai.requests, [])
        user = self.s.register("listener")["tokens"]["access_token"]
        self.assertEqual(self.s.get("/api/admin/editorial/status", token=user).status, 403)
        self.assertEqual(self.s.post("/api/admin/editorial/generate", token=user).status, 403)

    def test_generate_then_hostile_answers_keep_the_playlists(self):
        self.configure()
        self.assertTrue(self.s.get("/api/admin/editorial/status", token=self.admin).json["needs_regeneration"])
        r = self.generate()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["playlists_created"], 2)
        self.assertIn("message", r.json)
        req = self.ai.requests[-1]
        self.assertEqual(req["path"], "/v1/chat/completions")
        self.assertEqual(req["auth"], "Bearer sk-test-key-123")
        self.assertEqual(req["body"]["model"], "test-model")
        sent = UUID.findall(req["body"]["messages"][-1]["content"])
        self.assertEqual(len(sent), 8)

        lists = self.listed()
        self.assertEqual([p["name"] for p in lists], ["Morning Tones", "Evening"])
        morning, evening = lists
        self.assertEqual([t["id"] for t in morning["tracks"]], sent[0:3])  # duplicate and unknown id dropped
        self.assertEqual(morning["track_count"], 3)
        self.assertEqual(morning["description"], "Bright and calm")
        self.assertEqual([t["id"] for t in evening["tracks"]], [sent[3], sent[4], sent[5]])
        self.assertEqual(len(evening["description"]), 500)
        self.assertEqual(set(morning), {"id", "name", "description", "cover_url", "track_count", "tracks"})
        public = {p["id"]: p for p in self.s.get("/api/playlists?per_page=100").json["data"]}
        for p in lists:
            self.assertTrue(public[p["id"]]["is_editorial"])
            self.assertTrue(public[p["id"]]["is_public"])
            self.assertEqual(public[p["id"]]["user_id"], self.s.get("/api/auth/me", token=self.admin).json["id"])
        # Subsonic apps see them among the public playlists, as another user would.
        self.s.register("subsonic-user", password="sub-password-1")
        r = self.s.get("/rest/getPlaylists?u=subsonic-user&p=sub-password-1&v=1.16.1&c=test&f=json")
        self.assertEqual(r.status, 200, r)
        names = {p["name"] for p in r.json["subsonic-response"]["playlists"].get("playlist", [])}
        self.assertLessEqual({"Morning Tones", "Evening"}, names)
        status = self.s.get("/api/admin/editorial/status", token=self.admin).json
        self.assertEqual(status["ai_configured"], True)
        self.assertEqual(status["ai_base_url"], self.ai.url)
        self.assertEqual(status["ai_model"], "test-model")
        self.assertEqual(status["playlist_count"], 2)
        self.assertIsNotNone(status["last_generated"])
        self.assertEqual(status["needs_regeneration"], False)
        # The key never comes back in clear.
        keys = {s["key"]: s["value"] for s in self.s.get("/api/admin/settings", token=self.admin).json}
        self.assertEqual(keys["ai_api_key"], "********")
        ids = [p["id"] for p in lists]

        for mode, retried in (("not-json", False), ("unknown-ids", False), ("nested", False), ("500", True)):
            before = len(self.ai.requests)
            self.ai.mode = mode
            r = self.generate()
            self.assertEqual(r.status, 502, (mode, r))
            self.assertTrue(r.json["error"], mode)
            self.assertNotIn("sk-test-key-123", r.body.decode(), mode)
            self.assertEqual(len(self.ai.requests) - before, 2 if retried else 1, mode)
            self.assertEqual([p["id"] for p in self.listed()], ids, mode)
            status = self.s.get("/api/admin/editorial/status", token=self.admin).json
            self.assertEqual(status["playlist_count"], 2, mode)
            self.assertTrue(status["last_error"], mode)

        # Clearing the key hides the playlists (they stay public playlists).
        self.assertEqual(self.s.put("/api/admin/settings/ai_api_key", {"value": ""}, token=self.admin).status, 200)
        self.assertEqual(self.listed(), [])

    def test_timeout_is_a_502_and_a_second_generation_meanwhile_a_409(self):
        self.configure()
        self.ai.mode = "slow"
        first = {}
        t = threading.Thread(target=lambda: first.update(r=self.generate()))
        t.start()
        deadline = time.time() + 30
        while not self.ai.requests and time.time() < deadline:
            time.sleep(0.05)
        r = self.generate()
        self.assertEqual(r.status, 409, r)
        self.assertTrue(self.s.get("/api/admin/editorial/status", token=self.admin).json["running"])
        # The catalogue is served meanwhile.
        self.assertEqual(self.s.get("/api/tracks").status, 200)
        t.join(60)
        self.assertEqual(first["r"].status, 502, first["r"])
        self.assertIn("did not answer", first["r"].json["error"])
        self.assertEqual(self.listed(), [])
        self.ai.mode = "valid"
        self.assertEqual(self.generate().status, 200)


class EditorialScheduler(ServerTest):
    def test_first_generation_when_configured_and_never_generated(self):
        self.ai = StandIn()
        self.addCleanup(self.ai.close)
        self.s.stop()  # the one setUp started: this test needs its own environment
        self.s = Server(env={"EDITORIAL_CHECK_SECONDS": "1", "EDITORIAL_FIRST_CHECK_SECONDS": "1"})
        lib = os.path.join(self.s.dir, "library")
        make_tracks(lib, 6)
        self.assertEqual(self.s.cli("import", lib).returncode, 0)
        self.s.start()
        admin = self.s.setup_admin()["tokens"]["access_token"]
        time.sleep(2)
        self.assertEqual(self.ai.requests, [])  # not configured: nothing asked
        self.s.put("/api/admin/settings/ai_base_url", {"value": self.ai.url}, token=admin)
        self.s.put("/api/admin/settings/ai_api_key", {"value": "sk-sched"}, token=admin)
        deadline = time.time() + 30
        while time.time() < deadline and not self.s.get("/api/editorial-playlists").json:
            time.sleep(0.2)
        self.assertEqual(len(self.s.get("/api/editorial-playlists").json), 2)
        time.sleep(2.5)
        self.assertEqual(len(self.ai.requests), 1)  # generated: not again before a week
