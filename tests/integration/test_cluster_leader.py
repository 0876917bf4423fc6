"""Two nodes on one PostgreSQL database (issue 16): background work runs on exactly one of them, the
leader, and moves to the other when the leader dies. The P2P node is part of that work, so its port is
open on the leader only (a plain TCP connect tells which), and /api/admin/cluster on both nodes names the
same leader. A library task (scan, integrity check) runs on one node at a time whichever node is asked:
while the test itself holds the cluster's library-task lock from psql, both nodes refuse with 409; the
state of a task run on one node is what every node shows."""
import os
import shutil
import signal
import socket
import subprocess
import unittest

from harness import PG_ADMIN_URL, Server, free_port
from test_library import fixture
from test_p2p import p2p_env, wait_for

LOCK_CLASS = 7310002  # src/db/pg_cluster_locks.cpp


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


class ClusterLeader(unittest.TestCase):
    def setUp(self):
        if os.environ.get("SOUNDTIME_IT_ENGINE") != "postgres" or not PG_ADMIN_URL:
            self.skipTest("needs PostgreSQL (SOUNDTIME_IT_ENGINE=postgres)")
        self.p2p_ports = {"a": free_port(), "b": free_port()}
        common = {"CLUSTER_CHECK_SECONDS": "1", "SCAN_INTERVAL_MINUTES": "0", "WATCH_MUSIC_FOLDERS": "false"}
        self.a = Server(env={**common, **p2p_env(self.p2p_ports["a"]), "CLUSTER_NODE_NAME": "node-a"})
        root, _ = fixture()
        self.library = os.path.join(self.a.dir, "library")
        shutil.copytree(os.path.join(root, "library"), self.library)
        self.a.env["MUSIC_FOLDERS"] = self.library
        self.b = Server(engine="sqlite", env={**common, **p2p_env(self.p2p_ports["b"]), "CLUSTER_NODE_NAME": "node-b",
                                              "DATABASE_URL": self.a.env["DATABASE_URL"], "MUSIC_FOLDERS": self.library})
        self.b.engine = "postgres"
        self.a.start()  # A migrates and leads: it is alone
        self.b.start()
        self.token = self.a.setup_admin()["tokens"]["access_token"]
        self.killed = set()

    def tearDown(self):
        if getattr(self, "holder", None):
            self.holder.kill()
            self.holder.wait()
        for s in (self.b, self.a):  # A drops the database: last
            if s in self.killed:
                s.stop()
                continue
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])

    def cluster(self, s):
        r = s.get("/api/admin/cluster", token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_one_leader_runs_the_p2p_node_and_the_other_takes_over_when_it_dies(self):
        a, b = self.cluster(self.a), self.cluster(self.b)
        self.assertEqual((a["node"], b["node"]), ("node-a", "node-b"))
        self.assertTrue(a["clustered"])
        self.assertTrue(a["leader"])
        self.assertFalse(b["leader"])
        self.assertEqual(a["leader_node"], "node-a")
        self.assertEqual(b["leader_node"], "node-a")
        self.assertIn({"lock": "leader", "node": "node-a"}, b["locks"])
        # The P2P node listens on the leader only; the follower's P2P routes say where it runs.
        self.assertTrue(port_open(self.p2p_ports["a"]))
        self.assertFalse(port_open(self.p2p_ports["b"]))
        r = self.b.get("/api/p2p/status", token=self.token)
        self.assertEqual(r.status, 503, r)
        self.assertIn("another node", r.json["error"])
        self.assertEqual(self.a.get("/api/p2p/status", token=self.token).status, 200)

        # The leader dies without a word: its database session ends, B takes the lock and the work.
        self.a.proc.send_signal(signal.SIGKILL)
        self.a.proc.wait()
        self.killed.add(self.a)
        wait_for(lambda: self.cluster(self.b)["leader"], timeout=60, what="B to lead after A died")
        self.assertEqual(self.cluster(self.b)["leader_node"], "node-b")
        wait_for(lambda: port_open(self.p2p_ports["b"]), timeout=60, what="B's P2P node to listen")
        self.assertEqual(self.b.get("/api/p2p/status", token=self.token).status, 200)
        self.assertIn("this node (node-b) leads", self.b.read_log())

    def test_a_library_task_runs_on_one_node_at_a_time(self):
        # The test holds the library-task lock as a third node would while it scans.
        conninfo = self.a.env["DATABASE_URL"] + "?application_name=soundtime:library-task:test-holder"
        self.holder = subprocess.Popen(["psql", "-qAt", conninfo], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       text=True)
        self.holder.stdin.write(f"SELECT pg_advisory_lock({LOCK_CLASS}, hashtext('library-task'));\n")
        self.holder.stdin.flush()
        self.holder.stdout.readline()  # the lock is held once psql answers
        for s in (self.a, self.b):
            r = s.request("POST", "/api/admin/storage/sync", token=self.token)
            self.assertEqual(r.status, 409, r)
            r = s.request("POST", "/api/admin/storage/integrity-check", token=self.token)
            self.assertEqual(r.status, 409, r)
        self.assertIn({"lock": "library-task", "node": "test-holder"}, self.cluster(self.b)["locks"])
        # Released: the follower runs the scan, once, and the tracks are there for both.
        self.holder.stdin.close()
        self.holder.wait()
        self.holder = None
        wait_for(lambda: self.b.request("POST", "/api/admin/storage/sync", token=self.token).status == 200,
                 what="B to start the scan once the lock is free")
        wait_for(lambda: self.a.get("/api/tracks", token=self.token).json["total"] > 0, what="the scanned tracks")
        wait_for(lambda: self.b.get("/api/admin/storage/task-status", token=self.token).json.get("status") == "completed",
                 what="B's scan to complete")
        # A ran nothing, yet shows B's task as B does (kept in the database, not in B's memory).
        on_a = self.a.get("/api/admin/storage/task-status", token=self.token).json
        on_b = self.b.get("/api/admin/storage/task-status", token=self.token).json
        self.assertEqual(on_a, on_b)
        self.assertGreater(on_a["result"]["imported"], 0, on_a)
        # The task over, its lock is free again: the other node runs the next one, shown on both.
        wait_for(lambda: all(l["lock"] != "library-task" for l in self.cluster(self.a)["locks"]),
                 what="the library-task lock to be released once the scan ended")
        wait_for(lambda: self.a.request("POST", "/api/admin/storage/integrity-check", token=self.token).status == 200,
                 what="A to start the next task")

        def integrity_done_on_b():
            st = self.b.get("/api/admin/storage/task-status", token=self.token).json
            return st if st.get("status") == "completed" and st["result"].get("kind") == "integrity" else None

        result = wait_for(integrity_done_on_b, what="A's integrity check, shown on B")
        self.assertEqual(result["result"]["healthy"], on_a["result"]["imported"], result)


if __name__ == "__main__":
    unittest.main()
