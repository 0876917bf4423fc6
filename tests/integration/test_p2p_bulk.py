"""A catalogue of several pages pulled by a fresh node: the receiver applies consecutive pages in one
transaction (CatalogBatch) and must still end with exactly the sender's catalogue, searchable, and follow an
edit and a deletion made afterwards. The sender's rows are written straight into its database (as
bench/p2p.sh does), on SQLite or PostgreSQL."""
import hashlib
import os
import sqlite3
import subprocess
import unittest
import uuid

from harness import Server, free_port
from test_p2p import p2p_env, wait_for

N = 1203  # three pages of 500


def uid(name):
    """A stable UUID for a test row (PostgreSQL ids are UUIDs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "soundtime-bulk/" + name))


def fill_sql(n):
    now = 1_700_000_000_000_000
    rows = []
    for i in range(n):
        h = hashlib.blake2b(f"bulk {i}".encode(), digest_size=32).hexdigest()
        rows.append(f"('{uid(f'track-{i}')}', 'Bulk Track {i}', '{uid('artist')}', '{uid('album')}', {i % 10 + 1}, 180.0, "
                    f"'/music/bulk/{i}.flac', {30_000_000 + i}, 'flac', 1000, 44100, '{h}', "
                    f"'bulk track {i}', {now + i})")
    return [
        f"INSERT INTO artists (id, match_key, name, search_text, created_at) "
        f"VALUES ('{uid('artist')}', 'name:bulk artist', 'Bulk Artist', 'bulk artist', {now})",
        f"INSERT INTO albums (id, match_key, title, artist_id, search_text, created_at) "
        f"VALUES ('{uid('album')}', '{uid('artist')}|bulk album', 'Bulk Album', '{uid('artist')}', 'bulk album', {now})",
        "INSERT INTO tracks (id, title, artist_id, album_id, track_number, duration_secs, file_path, file_size, "
        "format, bitrate, sample_rate, content_hash, search_text, created_at) VALUES " + ", ".join(rows),
    ]


class P2pBulkTest(unittest.TestCase):
    def setUp(self):
        self.servers = []

    def start_node(self):
        port = free_port()
        s = Server(env=p2p_env(port))
        s.p2p_port = port
        self.servers.append(s)
        s.start()
        s.token = s.setup_admin()["tokens"]["access_token"]
        s.node_id = s.get("/api/p2p/status").json["node_id"]
        return s

    def link(self, a, b):
        """b adds a as a peer through the admin API."""
        r = b.post("/api/admin/p2p/peers", {"node_id": a.node_id, "address": f"127.0.0.1:{a.p2p_port}"}, token=b.token)
        self.assertEqual(r.status, 200, r)

    def tearDown(self):
        for s in self.servers:
            code, log = s.stop()
            self.assertEqual(code, 0, "server did not exit cleanly on SIGTERM:\n" + log[-3000:])

    def sql(self, s, statements):
        if s.engine == "postgres":
            script = "".join(st + ";\n" for st in statements)
            subprocess.run(["psql", s.env["DATABASE_URL"], "-q", "-v", "ON_ERROR_STOP=1"], input=script.encode(),
                           check=True)
        else:
            c = sqlite3.connect(os.path.join(s.dir, "soundtime.db"), timeout=10)
            for st in statements:
                c.execute(st)
            c.commit()
            c.close()

    def total(self, s, query=""):
        r = s.get("/api/tracks?per_page=1" + query, token=s.token)
        self.assertEqual(r.status, 200, r)
        return r.json["total"]

    def test_pages_applied_together_end_whole_and_follow_later_changes(self):
        a = self.start_node()
        self.sql(a, fill_sql(N))
        b = self.start_node()
        self.link(a, b)
        wait_for(lambda: self.total(b) == N, timeout=60, what=f"{N} tracks on B")
        r = b.get("/api/search?q=bulk%20track%201202", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Bulk Track 1202", r.body.decode())

        # Later: one edit and one deletion on A; B's next pull applies both, in order.
        self.sql(a, [f"UPDATE tracks SET title = 'Renamed Bulk Track' WHERE id = '{uid('track-5')}'",
                     f"DELETE FROM tracks WHERE id = '{uid('track-7')}'"])
        wait_for(lambda: self.total(b) == N - 1, timeout=30, what="the deletion on B")
        titles = lambda: {t["title"] for t in b.get("/api/tracks?per_page=20&sort=title", token=b.token).json["data"]}
        wait_for(lambda: "Renamed Bulk Track" in {t["title"] for t in
                                                 b.get("/api/search?q=renamed", token=b.token).json.get("tracks", [])},
                 timeout=30, what="the edit on B")
        self.assertNotIn("Bulk Track 7", titles())
        # The first pull applied its three pages in one transaction (read once B has flushed its log).
        code, log = b.stop()
        self.assertEqual(code, 0)
        applied = [l for l in log.splitlines() if "p2p: applied" in l]
        self.assertTrue(any(f"applied {N} tracks and 0 removals" in l and "3 pages" in l for l in applied), applied)


if __name__ == "__main__":
    unittest.main()
