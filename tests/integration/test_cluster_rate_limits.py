"""Two nodes on one PostgreSQL database (issue 16): the login rate limit is one bucket per client for
every node, so a client alternating between nodes gets no more attempts than on one node."""
import os
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


if __name__ == "__main__":
    unittest.main()
