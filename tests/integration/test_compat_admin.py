"""Admin endpoints the original web app calls (issue 14): /api/admin/instances and its health check,
/api/admin/plugins (we run none: empty list, 503 on every action), and the public directory listing
(status, trigger, delist, the heartbeat worker) against a stand-in directory on 127.0.0.1."""
import json
import os
import sqlite3
import subprocess
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import Server, ServerTest
from test_p2p import P2pNodes, wait_for as p2p_wait

NODE_A = "a" * 64
NODE_B = "b" * 64


def write_sql(server, query):
    """A write on the server's database (either engine), for rows no endpoint makes without a peer."""
    if server.engine == "postgres":
        subprocess.run(["psql", server.env["DATABASE_URL"], "-qc", query], check=True, capture_output=True)
        return
    db = sqlite3.connect(os.path.join(server.dir, "soundtime.db"), timeout=30)
    try:
        db.execute(query)
        db.commit()
    finally:
        db.close()


def add_remote_copies(server, node, n):
    for i in range(n):
        h = uuid.uuid4().hex
        write_sql(server, "INSERT INTO remote_tracks (id, title, artist_name, instance_domain, created_at, content_hash) "
                          f"VALUES ('{uuid.uuid4()}', 'T{i}', 'A', 'p2p://{node}', {int(time.time() * 1e6)}, '{h}')")


class Plugins(ServerTest):
    def test_an_empty_list_and_every_action_refused(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        user = self.s.register("someone")["tokens"]["access_token"]
        r = self.s.get("/api/admin/plugins", token=admin)
        self.assertEqual((r.status, r.json), (200, {"plugins": []}))
        self.assertEqual(self.s.get("/api/admin/plugins", token=user).status, 403)
        self.assertEqual(self.s.get("/api/admin/plugins").status, 401)
        pid = str(uuid.uuid4())
        for method, path, body in [("POST", "/api/admin/plugins/install", {"git_url": "https://example.org/p.git"}),
                                   ("POST", f"/api/admin/plugins/{pid}/enable", None),
                                   ("POST", f"/api/admin/plugins/{pid}/disable", None),
                                   ("POST", f"/api/admin/plugins/{pid}/update", None),
                                   ("DELETE", f"/api/admin/plugins/{pid}", None),
                                   ("GET", f"/api/admin/plugins/{pid}/config", None),
                                   ("PUT", f"/api/admin/plugins/{pid}/config", {"config": []}),
                                   ("GET", f"/api/admin/plugins/{pid}/logs", None)]:
            with self.subTest(path=path, method=method):
                r = self.s.request(method, path, body=body, token=admin)
                self.assertEqual(r.status, 503, r)
                self.assertEqual(r.json, {"error": "Plugin system is not enabled"})
                self.assertEqual(self.s.request(method, path, body=body, token=user).status, 403)


class Instances(ServerTest):
    def test_sources_of_remote_tracks_with_counts_and_block_state(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        self.assertEqual(self.s.get("/api/admin/instances", token=admin).json, [])
        add_remote_copies(self.s, NODE_A, 3)
        add_remote_copies(self.s, NODE_B, 5)
        r = self.s.get("/api/admin/instances", token=admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, [{"domain": f"p2p://{NODE_B}", "track_count": 5, "is_blocked": False},
                                  {"domain": f"p2p://{NODE_A}", "track_count": 3, "is_blocked": False}])
        # A peer is blocked by its NodeId (what the block list holds for peers).
        self.assertEqual(self.s.post("/api/admin/blocked-domains", {"domain": NODE_A}, token=admin).status, 201)
        by = {i["domain"]: i for i in self.s.get("/api/admin/instances", token=admin).json}
        self.assertTrue(by[f"p2p://{NODE_A}"]["is_blocked"])
        self.assertFalse(by[f"p2p://{NODE_B}"]["is_blocked"])
        # Without a P2P node no peer is reachable; nothing is sent anywhere.
        r = self.s.post("/api/admin/instances/health-check", token=admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["checked"], 2)
        self.assertEqual({(i["domain"], i["is_available"]) for i in r.json["instances"]},
                         {(f"p2p://{NODE_A}", False), (f"p2p://{NODE_B}", False)})
        user = self.s.register("someone")["tokens"]["access_token"]
        self.assertEqual(self.s.get("/api/admin/instances", token=user).status, 403)
        self.assertEqual(self.s.post("/api/admin/instances/health-check", token=user).status, 403)


class Directory:
    """A stand-in for the listing server: records requests; answers as the real one does."""

    def __init__(self):
        self.requests = []
        self.tokens = {"tok-1"}
        self.next_token = 1
        self.fail = None  # a status to answer every request with
        self.listed = set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, body=None):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def record(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n)) if n else None
                outer.requests.append({"method": self.command, "path": self.path, "body": body,
                                       "auth": self.headers.get("Authorization"),
                                       "ua": self.headers.get("User-Agent")})
                return body

            def do_POST(self):
                body = self.record()
                if outer.fail:
                    return self.reply(outer.fail, {"error": "down for maintenance"})
                if self.path != "/api/announce":
                    return self.reply(404, {"error": "no"})
                if "token" in body:
                    if body["token"] not in outer.tokens:
                        return self.reply(401, {"error": "invalid token"})
                    return self.reply(200, {"status": "ok"})
                token = f"tok-{outer.next_token}"
                outer.next_token += 1
                outer.tokens.add(token)
                outer.listed.add(body["domain"])
                self.reply(201, {"status": "registered", "token": token})

            def do_GET(self):
                self.record()
                domain = self.path.rsplit("/", 1)[-1]
                self.reply(200 if domain in outer.listed else 404, {})

            def do_DELETE(self):
                self.record()
                domain = self.path.rsplit("/", 1)[-1]
                if self.headers.get("Authorization", "").removeprefix("Bearer ") not in outer.tokens:
                    return self.reply(401, {"error": "invalid token"})
                outer.listed.discard(domain)
                self.reply(200, {"status": "deleted"})

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self):
        self.http.shutdown()
        self.http.server_close()

    def of(self, method):
        return [r for r in self.requests if r["method"] == method]


def wait_for(pred, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class Listing(unittest.TestCase):
    # The worker stays out of the way unless a test wants it.
    interval, first_delay = "3600", "3600"

    def setUp(self):
        self.dir = Directory()
        self.s = Server(env={"LISTING_URL": self.dir.url + "/", "LISTING_INTERVAL_SECONDS": self.interval,
                             "LISTING_FIRST_DELAY_SECONDS": self.first_delay,
                             "SOUNDTIME_DOMAIN": "localhost:8080"}).start()
        self.admin = self.s.setup_admin()["tokens"]["access_token"]

    def tearDown(self):
        code, log = self.s.stop()
        self.dir.close()
        self.assertEqual(code, 0, log[-3000:])
        self.assertNotIn("tok-1", log, "the token is never logged")

    def put(self, key, value):
        r = self.s.put(f"/api/admin/settings/{key}", {"value": value}, token=self.admin)
        self.assertEqual(r.status, 200, r)

    def status(self):
        r = self.s.get("/api/admin/listing/status", token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_status_trigger_and_delist(self):
        st = self.status()
        self.assertEqual(st, {"enabled": False, "domain": "localhost:8080", "domain_is_local": True,
                              "listing_url": self.dir.url, "has_token": False, "status": "unknown",
                              "error": None, "last_heartbeat": None})
        r = self.s.post("/api/admin/listing/trigger", token=self.admin)
        self.assertEqual((r.status, r.json), (400, {"error": "listing is disabled"}))
        self.put("listing_public", "true")
        r = self.s.post("/api/admin/listing/trigger", token=self.admin)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"], "domain_local")
        self.assertEqual(self.dir.requests, [], "a local domain is never announced")
        self.put("listing_domain", "https://music.example.org/")
        r = self.s.post("/api/admin/listing/trigger", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "ok")
        self.assertEqual((r.json["domain"], r.json["listing_url"]), ("music.example.org", self.dir.url))
        first = self.dir.of("POST")[-1]
        self.assertEqual(first["path"], "/api/announce")
        self.assertEqual(set(first["body"]), {"domain", "name", "description", "version", "track_count",
                                              "user_count", "open_registration"})
        self.assertEqual(first["body"]["domain"], "music.example.org")
        self.assertEqual(first["body"]["name"], "Test")
        self.assertEqual(first["body"]["user_count"], 1)
        self.assertTrue(first["body"]["open_registration"])
        self.assertTrue(first["ua"].startswith("SoundTime/"))
        st = self.status()
        self.assertEqual((st["enabled"], st["domain_is_local"], st["has_token"], st["status"], st["error"]),
                         (True, False, True, "ok", None))
        self.assertIsNotNone(st["last_heartbeat"])
        # Sealed at rest, masked for the admin.
        stored = self.s.sql("SELECT value FROM instance_settings WHERE key = 'listing_token'")[0][0]
        self.assertNotIn("tok-1", stored)
        self.assertNotIn("tok-1", json.dumps(self.s.get("/api/admin/settings", token=self.admin).json))
        # The next heartbeat presents the token.
        self.assertEqual(self.s.post("/api/admin/listing/trigger", token=self.admin).status, 200)
        self.assertEqual(self.dir.of("POST")[-1]["body"]["token"], "tok-1")
        # Delist: DELETE with the token, which is then dropped.
        r = self.s.post("/api/admin/listing/delist", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "ok")
        d = self.dir.of("DELETE")[-1]
        self.assertEqual((d["path"], d["auth"]), ("/api/nodes/music.example.org", "Bearer tok-1"))
        st = self.status()
        self.assertEqual((st["has_token"], st["status"], st["enabled"]), (False, "delisted", False),
                         "leaving the directory turns the listing off: the worker does not announce again")
        # Without a token there is nothing to delist with.
        r = self.s.post("/api/admin/listing/delist", token=self.admin)
        self.assertEqual(r.status, 502, r)
        self.assertEqual(r.json["error"], "delist_failed")

    def test_a_forgotten_token_registers_again_and_failures_are_reported(self):
        self.put("listing_domain", "music.example.org")
        self.put("listing_public", "true")
        self.assertEqual(self.s.post("/api/admin/listing/trigger", token=self.admin).status, 200)
        self.dir.tokens.clear()  # the directory lost us
        self.assertEqual(self.s.post("/api/admin/listing/trigger", token=self.admin).status, 200)
        posts = self.dir.of("POST")
        self.assertEqual(posts[-2]["body"].get("token"), "tok-1")
        self.assertNotIn("token", posts[-1]["body"])
        self.dir.fail = 500
        r = self.s.post("/api/admin/listing/trigger", token=self.admin)
        self.assertEqual(r.status, 502, r)
        self.assertEqual(r.json["error"], "heartbeat_failed")
        self.assertEqual((r.json["domain"], r.json["listing_url"]), ("music.example.org", self.dir.url))
        self.assertIn("down for maintenance", r.json["message"])
        st = self.status()
        self.assertEqual(st["status"], "error")
        self.assertIn("500", st["error"])
        self.dir.close()  # no directory at all
        r = self.s.post("/api/admin/listing/trigger", token=self.admin)
        self.assertEqual(r.status, 502, r)

    def test_admin_only(self):
        user = self.s.register("someone")["tokens"]["access_token"]
        for method, path in [("GET", "/api/admin/listing/status"), ("POST", "/api/admin/listing/trigger"),
                             ("POST", "/api/admin/listing/delist")]:
            self.assertEqual(self.s.request(method, path, token=user).status, 403)


class ListingWorkerAtOnce(Listing):
    # The worker polls every second from the start; its heartbeats are an hour apart.
    interval, first_delay = "3600", "0"

    def test_an_administrators_heartbeat_and_delisting_are_not_repeated_by_the_worker(self):
        self.put("listing_domain", "music.example.org")
        self.put("listing_public", "true")
        r = self.s.post("/api/admin/listing/trigger", token=self.admin)
        self.assertEqual(r.status, 200, r)  # never 409: it waits for a heartbeat of the worker's in progress
        n = len(self.dir.of("POST"))  # 2 when the worker announced first (enabled, due at once)
        self.assertIn(n, (1, 2))
        time.sleep(2.5)  # more than two rounds of the worker
        self.assertEqual(len(self.dir.of("POST")), n, "the worker announced again after the administrator did")
        r = self.s.post("/api/admin/listing/delist", token=self.admin)
        self.assertEqual(r.status, 200, r)
        n = len(self.dir.requests)
        time.sleep(2.5)
        self.assertEqual(len(self.dir.requests), n, "nothing after leaving the directory: " + str(self.dir.requests[n:]))
        st = self.status()
        self.assertEqual((st["enabled"], st["has_token"], st["status"]), (False, False, "delisted"))

    test_status_trigger_and_delist = None
    test_a_forgotten_token_registers_again_and_failures_are_reported = None
    test_admin_only = None


class ListingWorker(Listing):
    interval, first_delay = "1", "0"

    def test_the_worker_announces_then_delists_when_turned_off(self):
        time.sleep(2)
        self.assertEqual(self.dir.requests, [], "off by default: nothing is sent")
        self.put("listing_domain", "music.example.org")
        self.put("listing_public", "true")
        wait_for(lambda: len(self.dir.of("POST")) >= 2, what="two heartbeats")
        self.assertEqual(self.dir.of("POST")[1]["body"].get("token"), "tok-1")
        self.assertTrue(self.status()["has_token"])
        self.put("listing_public", "false")
        wait_for(lambda: self.dir.of("DELETE"), what="the delisting")
        self.assertEqual(self.dir.of("DELETE")[0]["auth"], "Bearer tok-1")
        wait_for(lambda: self.status()["status"] == "delisted", what="status delisted")
        self.assertFalse(self.status()["has_token"])
        n = len(self.dir.requests)
        time.sleep(2.5)
        self.assertEqual(len(self.dir.requests), n, "no heartbeat once turned off")

    # The other tests run once, in Listing.
    test_status_trigger_and_delist = None
    test_a_forgotten_token_registers_again_and_failures_are_reported = None
    test_admin_only = None


class InstancesWithPeers(P2pNodes):
    """The health check reads the P2P node's view of each peer: online, then offline once it is gone."""

    def test_a_peer_is_available_while_the_node_reaches_it(self):
        a = self.start_node([("tone.mp3", os.path.join(self.lib, "Test Artist/Sine Album/02 Tone 2.mp3"))])
        b = self.start_node([])
        self.link(a, b)
        domain = f"p2p://{a.node_id}"
        p2p_wait(lambda: b.get("/api/admin/instances", token=b.token).json, what="A's copies on B")
        self.assertEqual(b.get("/api/admin/instances", token=b.token).json,
                         [{"domain": domain, "track_count": 1, "is_blocked": False}])
        check = lambda: b.post("/api/admin/instances/health-check", token=b.token).json
        self.assertEqual(check(), {"checked": 1, "instances": [{"domain": domain, "is_available": True}]})
        a.stop()
        p2p_wait(lambda: not check()["instances"][0]["is_available"], timeout=90, what="A seen offline")
