"""Several nodes on one PostgreSQL database (issue 16): started at the same moment on an empty database,
every one of them comes up; the migrations ran once, serialised by an advisory lock taken before anything
is created. (Without it, one node in four died with a duplicate pg_type row or "schema_migrations already
exists".)"""
import os
import threading
import unittest

from harness import PG_ADMIN_URL, Server


class SimultaneousStart(unittest.TestCase):
    def setUp(self):
        if os.environ.get("SOUNDTIME_IT_ENGINE") != "postgres" or not PG_ADMIN_URL:
            self.skipTest("needs PostgreSQL (SOUNDTIME_IT_ENGINE=postgres)")

    def test_three_nodes_started_at_once_on_an_empty_database_all_come_up(self):
        for round_ in range(6):
            first = Server()  # makes the (empty) database
            nodes = [first] + [Server(engine="sqlite", env={"DATABASE_URL": first.env["DATABASE_URL"]})
                               for _ in range(2)]
            failures = []

            def start(s):
                try:
                    s.start()
                except Exception as e:  # the node died at start: its log says why
                    failures.append(str(e)[-600:])
            threads = [threading.Thread(target=start, args=(s,)) for s in nodes]
            try:
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(failures, [], f"round {round_}")
                for s in nodes:
                    self.assertEqual(s.get("/api/tracks").status, 200)
                applied = first.sql("SELECT COUNT(*), COUNT(DISTINCT name) FROM schema_migrations")[0]
                self.assertEqual(applied[0], applied[1])
            finally:
                for s in reversed(nodes):  # the first drops the database: last
                    code, log = s.stop()
                    self.assertIn(code, (0, None), log[-2000:])


if __name__ == "__main__":
    unittest.main()
