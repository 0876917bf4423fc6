"""A PostgreSQL outage (issue 17, item 24): while the database cannot be reached the server answers 503 with
Retry-After (not 500), tries to connect once per pause instead of once per request, logs the outage once with
its duration, and recovers by itself. The outage is made by cutting a TCP relay between the server and
PostgreSQL, so that the test's cluster keeps running for the others."""
import os
import time
import unittest
import urllib.parse

from harness import PG_ADMIN_URL, Server
from tcp_relay import Relay


class DatabaseOutage(unittest.TestCase):
    def setUp(self):
        # Read now, not at import: run.py imports the modules once and then runs them per engine.
        if os.environ.get("SOUNDTIME_IT_ENGINE") != "postgres" or not PG_ADMIN_URL:
            self.skipTest("needs PostgreSQL (SOUNDTIME_IT_ENGINE=postgres)")
        self.s = Server()
        url = urllib.parse.urlsplit(self.s.env["DATABASE_URL"])
        self.relay = Relay((url.hostname, url.port))
        netloc = url.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.relay.port}"
        self.s.env["DATABASE_URL"] = url._replace(netloc=(netloc[0] + "@" + host) if len(netloc) == 2 else host).geturl()
        self.s.start()
        self.s.setup_admin()

    def tearDown(self):
        code, log = self.s.stop()
        self.assertEqual(code, 0, log[-3000:])

    def test_outage_answers_503_logs_once_and_recovers(self):
        self.assertEqual(self.s.get("/api/tracks").status, 200)
        self.relay.cut()
        replies = [self.s.get("/api/tracks") for _ in range(200)]
        self.assertEqual(sorted({r.status for r in replies}), [503], [r.status for r in replies][:40])
        self.assertTrue(all(int(r.header("retry-after")) >= 1 for r in replies))
        # The outage is logged once, not per request (the text of the failure appears in that line only).
        log = self.s.read_log()
        self.assertEqual(log.count("database unreachable"), 1, log[-3000:])
        self.assertEqual(log.count("The database is unreachable"), 0, log[-3000:])
        self.assertNotIn("request GET /api/tracks failed", log)
        self.relay.restore()
        attempts_before = self.relay.accepted
        for _ in range(600):
            r = self.s.get("/api/tracks")
            if r.status == 200:
                break
            self.assertEqual(r.status, 503)
            time.sleep(0.05)
        else:
            self.fail("the server did not recover once the database was back")
        # Back in order: the pauses between attempts kept connections to the relay few.
        self.assertLess(self.relay.accepted - attempts_before, 20)
        log = self.s.read_log()
        self.assertEqual(log.count("database reachable again after"), 1, log[-3000:])
        self.assertEqual(log.count("database unreachable"), 1)
        for _ in range(20):
            self.assertEqual(self.s.get("/api/tracks").status, 200)
