"""Two nodes on one PostgreSQL database (issue 16): the login rate limit and the Subsonic API's count of
failures are one bucket per client for every node, so a client alternating between nodes gets no more
attempts than on one node; an app password revoked on one node is refused on the other at once (nothing
in memory vouches for it)."""
import hashlib
import os
import shutil
import urllib.parse
import unittest

from harness import PG_ADMIN_URL, Server


class ClusterRateLimits(unittest.TestCase):
    def setUp(self):
        if os.environ.get("SOUNDTIME_IT_ENGINE") != "postgres" or not PG_ADMIN_URL:
            self.skipTest("needs PostgreSQL (SOUNDTIME_IT_ENGINE=postgres)")
        limits = {"AUTH_RATE_LIMIT_BURST": "10", "TRUSTED_PROXIES": "127.0.0.1"}
        self.a = Server(env=limits)
        self.b = Server(engine="sqlite", env=dict(limits, DATABASE_URL=self.a.env["DATABASE_URL"]))
        self.b.engine = "postgres"
        self.a.start()
        # Every node seals app passwords with the same key, copied as an operator would (see README).
        shutil.copy(os.path.join(self.a.dir, "app-passwords.key"), os.path.join(self.b.dir, "app-passwords.key"))
        self.b.start()

    def tearDown(self):
        for s in (self.b, self.a):  # A drops the database: last
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])

    def login(self, node, client):
        return node.post("/api/auth/login", {"username": "x", "password": "wrong-password"},
                         headers={"X-Forwarded-For": client})

    def test_login_limit_holds_when_attempts_alternate_between_nodes(self):
        statuses = [self.login((self.a, self.b)[i % 2], "203.0.113.7").status for i in range(12)]
        self.assertEqual(statuses[:10], [401] * 10)  # 5 on each node: each alone would allow 5 more
        self.assertEqual(statuses[10:], [429, 429])
        r = self.login(self.a, "203.0.113.7")
        self.assertTrue(1 <= int(r.header("retry-after")) <= 6)
        # Another client is unaffected, on either node.
        self.assertEqual(self.login(self.b, "203.0.113.8").status, 401)
        self.assertEqual(self.login(self.a, "203.0.113.8").status, 401)

    def ping(self, node, password, client=None):
        salt = os.urandom(6).hex()
        t = hashlib.md5((password + salt).encode()).hexdigest()
        qs = urllib.parse.urlencode({"u": "admin", "t": t, "s": salt, "c": "tests", "v": "1.16.1", "f": "json"})
        headers = {"X-Forwarded-For": client} if client else None
        return node.get(f"/rest/ping?{qs}", headers=headers).json["subsonic-response"]

    def test_subsonic_failures_count_across_nodes_and_good_requests_write_nothing(self):
        token = self.a.setup_admin()["tokens"]["access_token"]
        app = self.a.post("/api/auth/app-passwords", {"name": "phone"}, token=token).json
        # Every request looks at its address's failures; one that passes writes no bucket (on PostgreSQL a
        # write is a commit, and with fsync a flush, per request).
        for i in range(6):
            answer = self.ping((self.a, self.b)[i % 2], app["password"], "203.0.113.20")
            self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(self.a.sql("SELECT COUNT(*) FROM rate_buckets WHERE key LIKE 'subsonic-failures:%'"), [["0"]])
        # Wrong passwords alternating between the nodes spend one bucket: past the burst (10), even the right
        # password is refused, on either node; another address is unaffected.
        codes = [self.ping((self.a, self.b)[i % 2], "wrong", "203.0.113.21")["error"]["code"] for i in range(10)]
        self.assertEqual(codes, [40] * 10)
        for node in (self.a, self.b):
            answer = self.ping(node, app["password"], "203.0.113.21")
            self.assertEqual(answer["status"], "failed", answer)
            self.assertIn("Too many attempts", answer["error"]["message"])
        self.assertEqual(self.ping(self.b, app["password"], "203.0.113.22")["status"], "ok")

    def test_app_password_revoked_on_a_is_refused_on_b_at_once(self):
        token = self.a.setup_admin()["tokens"]["access_token"]
        r = self.a.post("/api/auth/app-passwords", {"name": "phone"}, token=token)
        self.assertEqual(r.status, 201, r)
        app = r.json
        for _ in range(3):  # B has checked it, more than once
            answer = self.ping(self.b, app["password"])
            self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(self.a.request("DELETE", f"/api/auth/app-passwords/{app['id']}", token=token).status, 204)
        answer = self.ping(self.b, app["password"])
        self.assertEqual(answer["status"], "failed")
        self.assertEqual(answer["error"]["code"], 40)


if __name__ == "__main__":
    unittest.main()
