"""scripts/radosgw.sh (issue 16): a throwaway one-node Ceph whose radosgw answers S3 on loopback, that
binds nothing but loopback, and whose stop leaves no daemon behind. Driven with curl's own SigV4."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BINARY

RUN_ONCE = True  # no SoundTime database involved

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "radosgw.sh")


def daemon_pids(d):
    run = os.path.join(d, "run")
    pids = []
    for name in os.listdir(run):
        if name.endswith(".pid"):
            with open(os.path.join(run, name)) as f:
                pids.append(int(f.read()))
    return pids


def is_ceph_daemon(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().decode(errors="replace")
    except OSError:
        return False
    return "ceph-" in cmd or "radosgw" in cmd


class Radosgw(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="soundtime-rgw-")
        out = subprocess.run([SCRIPT, "start", cls.dir], capture_output=True, text=True,
                             timeout=180)  # safety net
        if out.returncode != 0:
            subprocess.run([SCRIPT, "stop", cls.dir])
            raise AssertionError("radosgw.sh start failed: " + out.stderr)
        cls.env = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)

    @classmethod
    def tearDownClass(cls):
        subprocess.run([SCRIPT, "stop", cls.dir])
        shutil.rmtree(cls.dir, ignore_errors=True)

    def curl(self, *args):
        e = self.env
        cmd = ["curl", "-s", "--max-time", "30",  # safety net
               "--aws-sigv4", "aws:amz:%s:s3" % e["S3_REGION"],
               "--user", "%s:%s" % (e["S3_ACCESS_KEY"], e["S3_SECRET_KEY"]),
               "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-w", "\n%{http_code}"] + list(args)
        out = subprocess.run(cmd, capture_output=True, timeout=60).stdout.decode()  # safety net
        body, _, code = out.rpartition("\n")
        return int(code), body

    def pids(self):
        return daemon_pids(self.dir)

    def test_s3_round_trip_on_loopback_only(self):
        ep = self.env["S3_ENDPOINT"]
        self.assertRegex(ep, r"^http://127\.0\.0\.1:\d+$")
        self.assertEqual(self.curl("-X", "PUT", ep + "/soundtime-test")[0], 200)
        path = os.path.join(self.dir, "obj.bin")
        with open(path, "wb") as f:
            f.write(b"0123456789abcdef")
        self.assertEqual(self.curl("-T", path, ep + "/soundtime-test/a/obj.bin")[0], 200)
        self.assertEqual(self.curl("-r", "4-7", ep + "/soundtime-test/a/obj.bin"), (206, "4567"))
        code, body = self.curl(ep + "/soundtime-test?list-type=2&prefix=a%2F")
        self.assertEqual(code, 200)
        self.assertIn("<Key>a/obj.bin</Key>", body)
        code, body = self.curl("-X", "POST", ep + "/soundtime-test/big?uploads=")
        self.assertEqual(code, 200)
        upload_id = re.search(r"<UploadId>([^<]+)</UploadId>", body).group(1)
        self.assertEqual(self.curl("-X", "DELETE", ep + "/soundtime-test/big?uploadId=" + upload_id)[0], 204)
        self.assertEqual(self.curl("-X", "DELETE", ep + "/soundtime-test/a/obj.bin")[0], 204)
        self.assertEqual(self.curl(ep + "/soundtime-test/a/obj.bin")[0], 404)

        # Every socket the daemons listen on is a loopback one.
        pids = self.pids()
        self.assertEqual(len(pids), 3)
        ss = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
        mine = [l for l in ss.splitlines() if any("pid=%d," % p in l for p in pids)]
        self.assertTrue(mine)
        for line in mine:
            self.assertRegex(line.split()[3], r"^127\.0\.0\.1:\d+$", line)

    def test_our_s3_client_against_radosgw(self):
        """lib/s3's client (signing, awkward keys, ranges, paging, multipart and its abort, presigned URLs) on
        the real store: the S3Live tests of unit_s3, which skip without these variables."""
        unit = os.path.join(os.path.dirname(os.path.abspath(BINARY)), "tests", "unit_s3")
        if not os.path.exists(unit):
            self.skipTest("unit_s3 is not built beside " + BINARY)
        env = dict(os.environ, S3_TEST_ENDPOINT=self.env["S3_ENDPOINT"], S3_TEST_ACCESS_KEY=self.env["S3_ACCESS_KEY"],
                   S3_TEST_SECRET_KEY=self.env["S3_SECRET_KEY"])
        out = subprocess.run([unit, "--gtest_filter=S3Live.*", "--gtest_brief=1"], env=env, capture_output=True,
                             text=True, timeout=300)  # safety net
        self.assertEqual(out.returncode, 0, out.stdout[-4000:] + out.stderr[-2000:])
        self.assertNotIn("SKIPPED", out.stdout)
        self.assertIn("6 tests", out.stdout)


class RadosgwStop(unittest.TestCase):
    def test_stop_leaves_no_daemon(self):
        d = tempfile.mkdtemp(prefix="soundtime-rgw-")
        try:
            out = subprocess.run([SCRIPT, "start", d], capture_output=True, text=True,
                                 timeout=180)  # safety net
            self.assertEqual(out.returncode, 0, out.stderr)
            pids = daemon_pids(d)
            self.assertTrue(all(is_ceph_daemon(p) for p in pids))
            self.assertEqual(len(pids), 3)
        finally:
            subprocess.run([SCRIPT, "stop", d])
        for p in pids:
            self.assertFalse(is_ceph_daemon(p), "daemon %d still runs" % p)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
