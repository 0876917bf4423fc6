"""STORAGE_BACKEND=s3 (issue 16): uploads kept in a real S3 store (Ceph radosgw on loopback, one per
class), streamed back whole, by range (also when no local copy is left: ranged reads proxied from the
store), transcoded, redirected to presigned URLs, deleted with their object; covers and transcodes kept as
objects that another node (PostgreSQL) or the same node without its local copies reads; a store that fails
makes the upload fail with 503 and leaves no row, no file and no object; a wrong key stops the server at
start."""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import Server
from tcp_relay import Relay
from test_upload import multipart
from test_library import fixture

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "radosgw.sh")
BUCKET = "soundtime-it"


class S3Storage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rgw = tempfile.mkdtemp(prefix="soundtime-rgw-")
        out = subprocess.run([SCRIPT, "start", cls.rgw], capture_output=True, text=True, timeout=180)  # safety net
        if out.returncode != 0:
            subprocess.run([SCRIPT, "stop", cls.rgw])
            raise AssertionError("radosgw.sh start failed: " + out.stderr)
        cls.store = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
        root, _ = fixture()
        with open(os.path.join(root, "library", "Test Artist/Sine Album/02 Tone 2.mp3"), "rb") as f:
            cls.mp3 = f.read()
        cls.jpeg = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=teal:s=300x200",
                                   "-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-"],
                                  capture_output=True, check=True, timeout=60).stdout
        cls.wav = os.path.join(cls.rgw, "long.wav")  # > 8 MiB: stored in parts
        subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=55",
                        "-ac", "2", "-ar", "44100", cls.wav], check=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        subprocess.run([SCRIPT, "stop", cls.rgw])
        shutil.rmtree(cls.rgw, ignore_errors=True)

    def env(self, **extra):
        e = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT": self.store["S3_ENDPOINT"], "S3_BUCKET": BUCKET,
             "S3_ACCESS_KEY": self.store["S3_ACCESS_KEY"], "S3_SECRET_KEY": self.store["S3_SECRET_KEY"],
             "S3_PREFIX": "music", "S3_CREATE_BUCKET": "true"}
        e.update(extra)
        return e

    def start(self, **extra):
        s = Server(env=self.env(**extra)).start()
        self.addCleanup(s.stop)
        data = s.setup_admin()
        s.token = data["tokens"]["access_token"]
        s.user_id = data["user"]["id"]
        return s

    def s3(self, *args):
        e = self.store
        cmd = ["curl", "-s", "--max-time", "30", "--aws-sigv4", "aws:amz:%s:s3" % e["S3_REGION"],
               "--user", "%s:%s" % (e["S3_ACCESS_KEY"], e["S3_SECRET_KEY"]),
               "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-w", "\n%{http_code}"] + list(args)
        out = subprocess.run(cmd, capture_output=True, timeout=60).stdout  # safety net
        body, _, code = out.rpartition(b"\n")
        return int(code), body

    def keys(self, prefix):
        # curl's SigV4 signs the query as written: values must be percent-encoded already.
        code, body = self.s3(self.store["S3_ENDPOINT"] + "/" + BUCKET + "?list-type=2&prefix=" +
                             urllib.parse.quote(prefix, safe=""))
        self.assertEqual(code, 200, body)
        return re.findall(r"<Key>([^<]+)</Key>", body.decode())

    def upload(self, s, name, data):
        body, headers = multipart(files=[("file", name, data)])
        return s.request("POST", "/api/upload", raw=body, headers=headers, token=s.token)

    def test_upload_stream_ranges_transcode_and_delete(self):
        s = self.start()
        r = self.upload(s, "My Tone.mp3", self.mp3)
        self.assertEqual(r.status, 200, r)
        track = r.json["id"]
        key = "music/%s/My Tone.mp3" % s.user_id
        self.assertEqual(self.keys("music/" + s.user_id), [key])
        self.assertEqual(self.s3(self.store["S3_ENDPOINT"] + "/" + BUCKET + "/" + key.replace(" ", "%20")),
                         (200, self.mp3))
        self.assertEqual(os.listdir(os.path.join(s.dir, "music", s.user_id)), [], "no local file is kept")
        status = s.get("/api/admin/storage/status", token=s.token).json
        self.assertEqual(status["backend"], "s3")
        self.assertEqual(status["storage_path_or_bucket"], "s3://%s/music/" % BUCKET)

        whole = s.get(f"/api/tracks/{track}/stream", token=s.token)
        self.assertEqual(whole.status, 200)
        self.assertEqual(whole.body, self.mp3)
        part = s.get(f"/api/tracks/{track}/stream", token=s.token, headers={"Range": "bytes=100-199"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, self.mp3[100:200])

        # No local copy left (evicted, another disk): the range is read from the store.
        cache = os.path.join(s.dir, "s3-cache")
        for name in os.listdir(cache):
            os.remove(os.path.join(cache, name))
        part = s.get(f"/api/tracks/{track}/stream", token=s.token, headers={"Range": "bytes=1000-"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.header("Content-Range"), "bytes 1000-%d/%d" % (len(self.mp3) - 1, len(self.mp3)))
        self.assertEqual(part.body, self.mp3[1000:])
        bad = s.get(f"/api/tracks/{track}/stream", token=s.token, headers={"Range": "bytes=%d-" % (len(self.mp3) + 5)})
        self.assertEqual(bad.status, 416)
        self.assertEqual(os.listdir(cache), [], "a proxied range keeps no copy")

        # A transcode reads a local copy, fetched once.
        t = s.get(f"/api/tracks/{track}/stream?format=mp3&bitrate=64", token=s.token)
        self.assertEqual(t.status, 200, t)
        self.assertGreater(len(t.body), 1000)
        self.assertEqual(len(os.listdir(cache)), 1)
        secret = s.post("/api/auth/app-passwords", {"name": "app"}, token=s.token).json["password"]
        salt = "s3salt"
        t = hashlib.md5((secret + salt).encode()).hexdigest()
        sub = s.get(f"/rest/download?id={track}&u=admin&t={t}&s={salt}&v=1.16.1&c=t&f=json")
        self.assertEqual(sub.status, 200)
        self.assertEqual(sub.body, self.mp3)

        self.assertEqual(s.delete(f"/api/tracks/{track}", token=s.token).status, 204)
        self.assertEqual(self.keys("music/" + s.user_id), [])
        self.assertEqual(os.listdir(cache), [])

    def subsonic_query(self, s):
        secret = s.post("/api/auth/app-passwords", {"name": "app"}, token=s.token).json["password"]
        salt = "s3salt"
        t = hashlib.md5((secret + salt).encode()).hexdigest()
        return f"u=admin&t={t}&s={salt}&v=1.16.1&c=t"

    def wait_for_key(self, prefix):
        deadline = time.time() + 60
        while not (found := self.keys(prefix)):
            self.assertLess(time.time(), deadline, "nothing stored under " + prefix)  # safety net
            time.sleep(0.1)
        return found

    def integrity(self, s):
        self.assertEqual(s.post("/api/admin/storage/integrity-check", {}, token=s.token).status, 200)
        deadline = time.time() + 60
        while (st := s.get("/api/admin/storage/task-status", token=s.token).json)["status"] == "running":
            self.assertLess(time.time(), deadline, "the check never ended")  # safety net, not a timing goal
            time.sleep(0.1)
        self.assertEqual(st["status"], "completed", st)
        return st["result"]

    def test_covers_and_transcodes_are_objects_another_node_reads(self):
        """An album cover and a finished transcode are stored as objects (covers/<2 hex>/<hash>.<ext> and
        transcodes/<hash>-<codec>-<kbps>.<ext> under the prefix), nothing under the node's media folder; a
        second node on the same PostgreSQL database and bucket (on SQLite: the same node with its local
        copies deleted) serves the cover, scales it, and streams the stored transcode instead of making its
        own. The integrity check takes neither for an orphan."""
        a = self.start(S3_PREFIX="shared")
        r = self.upload(a, "Shared Tone.mp3", self.mp3)
        self.assertEqual(r.status, 200, r)
        track = r.json["id"]
        album = a.get(f"/api/tracks/{track}", token=a.token).json["album_id"]
        body, headers = multipart(files=[("cover", "c.jpg", self.jpeg)])
        r = a.request("POST", f"/api/albums/{album}/cover", raw=body, headers=headers, token=a.token)
        self.assertEqual(r.status, 200, r)
        url = r.json["cover_url"]
        media_path = url[len("/api/media/"):]
        self.assertIn("shared/" + media_path, self.keys("shared/covers/"))  # beside the upload's own (its tags')
        self.assertEqual(self.s3(self.store["S3_ENDPOINT"] + "/" + BUCKET + "/shared/" + media_path), (200, self.jpeg))
        self.assertFalse(os.path.exists(os.path.join(a.dir, "media", "covers")), "no cover under the media folder")
        got = a.get(url)
        self.assertEqual((got.status, got.body), (200, self.jpeg))
        made = a.get(f"/api/tracks/{track}/stream?format=mp3&bitrate=64", token=a.token)
        self.assertEqual(made.status, 200, made)
        [key] = self.wait_for_key("shared/transcodes/")
        self.assertTrue(key.endswith("-mp3-64.mp3"), key)
        self.assertEqual(self.s3(self.store["S3_ENDPOINT"] + "/" + BUCKET + "/" + key), (200, made.body))
        # Told apart from a transcode of its own: the stored object now holds other bytes.
        marker = made.body[: len(made.body) // 2]
        self.assertEqual(self.put_object(key, marker), 200)

        if os.environ.get("SOUNDTIME_IT_ENGINE") == "postgres":
            # A second node: its own data folder, A's database and bucket (A drops the database: B stops first).
            b = Server(engine="sqlite", env=self.env(S3_PREFIX="shared", DATABASE_URL=a.env["DATABASE_URL"]))
            b.engine = "postgres"
            b.start()
            self.addCleanup(b.stop)
            b.token = a.token
        else:
            b = a
            for folder in ("s3-cache", os.path.join("cache", "transcodes")):
                for name in os.listdir(os.path.join(a.dir, folder)):
                    os.remove(os.path.join(a.dir, folder, name))
        got = b.get(url)
        self.assertEqual((got.status, got.body), (200, self.jpeg))
        q = self.subsonic_query(b)
        art = b.get(f"/rest/getCoverArt?id={album}&size=64&{q}")
        self.assertEqual(art.status, 200, art)
        self.assertEqual(art.header("Content-Type"), "image/jpeg")
        self.assertTrue(art.body.startswith(b"\xff\xd8") and len(art.body) < len(self.jpeg), "a smaller JPEG")
        again = b.get(f"/api/tracks/{track}/stream?format=mp3&bitrate=64", token=b.token)
        self.assertEqual((again.status, again.body), (200, marker), "the stored transcode, not a new one")

        result = self.integrity(a)
        self.assertEqual((result["orphan_count"], result["orphan_objects"]), (0, []), result)

    def put_object(self, key, data):
        path = os.path.join(self.rgw, "object.bin")
        with open(path, "wb") as f:
            f.write(data)
        return self.s3("-X", "PUT", "--data-binary", "@" + path, self.store["S3_ENDPOINT"] + "/" + BUCKET + "/" + key)[0]

    def test_the_integrity_check_reads_the_bucket(self):
        """A track whose object went away is reported missing; an object no track names, an orphan."""
        s = self.start(S3_PREFIX="integrity")  # a prefix of its own: the other tests' objects are not ours
        root, _ = fixture()
        with open(os.path.join(root, "library", "Test Artist/Sine Album/01 Tone 1.mp3"), "rb") as f:
            other = f.read()
        kept = self.upload(s, "Kept.mp3", self.mp3)
        lost = self.upload(s, "Lost.mp3", other)
        self.assertEqual((kept.status, lost.status), (200, 200), (kept, lost))
        base = self.store["S3_ENDPOINT"] + "/" + BUCKET + "/integrity/" + s.user_id
        self.assertEqual(self.s3("-X", "DELETE", base + "/Lost.mp3")[0], 204)
        self.assertEqual(self.s3("-X", "PUT", "--data-binary", "stray", base + "/stray.bin")[0], 200)
        result = self.integrity(s)
        self.assertEqual((result["total_checked"], result["healthy"]), (2, 1), result)
        self.assertEqual([m["track_id"] for m in result["missing"]], [lost.json["id"]])
        self.assertEqual(result["orphan_objects"], [s.user_id + "/stray.bin"])
        self.assertEqual(result["orphan_count"], 1)

    def test_interrupted_uploads_are_aborted_at_start(self):
        """A multipart upload begun and never finished (a node died while storing) is aborted when a server
        starts, once it is older than S3_ABANDONED_UPLOAD_HOURS (0 here: any)."""
        bucket = self.store["S3_ENDPOINT"] + "/" + BUCKET
        self.s3("-X", "PUT", bucket)  # the bucket exists whichever test runs first
        code, body = self.s3("-X", "POST", bucket + "/abandoned/u/half.flac?uploads=")
        self.assertEqual(code, 200, body)
        self.assertIn(b"<UploadId>", body)
        pending = lambda: re.findall(r"<Key>([^<]+)</Key>", self.s3(bucket + "?prefix=abandoned%2F&uploads=")[1].decode())
        self.assertEqual(pending(), ["abandoned/u/half.flac"])
        s = self.start(S3_PREFIX="abandoned", S3_ABANDONED_UPLOAD_HOURS="0")
        self.assertEqual(pending(), [])
        self.assertIn("aborted 1 interrupted uploads", s.read_log())

    def test_storage_migrate_to_s3_and_back(self):
        """`soundtime storage migrate`: a library uploaded on local storage moves to the store (a run against a
        store that is gone fails and changes nothing; an object already stored by a stopped run is not sent
        again), streams from it with ranges, and moves back."""
        env = self.env(S3_PREFIX="migrate")
        del env["STORAGE_BACKEND"]  # local storage
        s = Server(env=env).start()
        self.addCleanup(s.stop)
        data = s.setup_admin()
        s.token, s.user_id = data["tokens"]["access_token"], data["user"]["id"]
        root, _ = fixture()
        with open(os.path.join(root, "library", "Test Artist/Sine Album/03 Tone 3.mp3"), "rb") as f:
            other = f.read()
        ids = {}
        for name, body in (("One.mp3", self.mp3), ("Two.mp3", other)):
            r = self.upload(s, name, body)
            self.assertEqual(r.status, 200, r)
            ids[name] = (r.json["id"], body)
        uploads = os.path.join(s.dir, "music", s.user_id)
        self.assertEqual(sorted(os.listdir(uploads)), ["One.mp3", "Two.mp3"])
        album = s.get(f"/api/tracks/{ids['One.mp3'][0]}", token=s.token).json["album_id"]
        body, headers = multipart(files=[("cover", "c.jpg", self.jpeg)])
        cover_url = s.request("POST", f"/api/albums/{album}/cover", raw=body, headers=headers, token=s.token).json["cover_url"]
        cover_file = os.path.join(s.dir, "media", cover_url[len("/api/media/"):])
        self.assertTrue(os.path.isfile(cover_file))
        covers = os.path.join(s.dir, "media", "covers")  # also the ones the uploads' tags carried
        local_covers = lambda: sorted(os.path.relpath(os.path.join(d, f), os.path.join(s.dir, "media"))
                                      for d, _, files in os.walk(covers) for f in files)
        before = local_covers()
        s.proc.send_signal(signal.SIGTERM)  # not stop(): it would remove the data directory
        self.assertEqual(s.proc.wait(timeout=30), 0)
        shared = {"SOUNDTIME_DATA_DIR": s.dir, **{k: s.env[k] for k in ("DATABASE_URL",) if k in s.env}}

        def same_library(**extra):  # another process on the same data and database
            other = Server(env=dict(env, **shared, **extra))
            self.addCleanup(other.stop)  # removes its own empty directory only
            return other

        # The store is gone: every track fails, nothing moves.
        relay = Relay(("127.0.0.1", int(self.store["S3_ENDPOINT"].rsplit(":", 1)[1])))
        gone = same_library(S3_ENDPOINT="http://127.0.0.1:%d" % relay.port)
        relay.cut()
        r = gone.cli("storage", "migrate", "--to", "s3")
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(sorted(os.listdir(uploads)), ["One.mp3", "Two.mp3"])
        # A run that stopped after storing One: its object is there already.
        base = self.store["S3_ENDPOINT"] + "/" + BUCKET + "/migrate/" + s.user_id
        self.s3("-X", "PUT", self.store["S3_ENDPOINT"] + "/" + BUCKET)
        self.assertEqual(self.s3("-X", "PUT", "--data-binary", "@" + os.path.join(uploads, "One.mp3"),
                                 base + "/One.mp3")[0], 200)
        r = same_library().cli("storage", "migrate", "--to", "s3")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("2 tracks moved, 0 failed; covers: 0 failed", r.stdout)
        self.assertIn("%d covers to move" % len(before), r.stdout)
        self.assertEqual(os.listdir(uploads), [], "the local copies are removed once the rows name the objects")
        self.assertEqual(local_covers(), [])
        self.assertEqual(self.keys("migrate/covers/"), ["migrate/" + c for c in before])
        self.assertEqual(sorted(self.keys("migrate/" + s.user_id)),
                         ["migrate/%s/One.mp3" % s.user_id, "migrate/%s/Two.mp3" % s.user_id])
        r = same_library().cli("storage", "migrate", "--to", "s3")
        self.assertIn("0 tracks to move", r.stdout)

        on_s3 = same_library(STORAGE_BACKEND="s3").start()
        for track, body in ids.values():
            part = on_s3.get(f"/api/tracks/{track}/stream", token=s.token, headers={"Range": "bytes=10-99"})
            self.assertEqual(part.status, 206, part)
            self.assertEqual(part.body, body[10:100])
        self.assertEqual(on_s3.get(cover_url).body, self.jpeg)
        self.assertEqual(on_s3.stop()[0], 0)

        r = same_library().cli("storage", "migrate", "--to", "local")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("2 tracks moved, 0 failed; covers: 0 failed", r.stdout)
        self.assertEqual(self.keys("migrate/" + s.user_id), [])
        self.assertEqual(self.keys("migrate/covers/"), [])
        self.assertEqual(local_covers(), before)
        with open(cover_file, "rb") as f:
            self.assertEqual(f.read(), self.jpeg)
        for name, (track, body) in ids.items():
            with open(os.path.join(uploads, name), "rb") as f:
                self.assertEqual(f.read(), body)
        back = same_library().start()
        for track, body in ids.values():
            whole = back.get(f"/api/tracks/{track}/stream", token=s.token)
            self.assertEqual((whole.status, whole.body), (200, body))

    def test_a_large_upload_is_stored_in_parts(self):
        s = self.start()
        with open(self.wav, "rb") as f:
            data = f.read()
        self.assertGreater(len(data), 9 << 20)
        r = self.upload(s, "long.wav", data)
        self.assertEqual(r.status, 200, r)
        key = "music/%s/long.wav" % s.user_id
        code, head = self.s3("-I", self.store["S3_ENDPOINT"] + "/" + BUCKET + "/" + key)
        self.assertEqual(code, 200)
        self.assertIn(b"content-length: %d" % len(data), head.lower())
        tail = s.get("/api/tracks/%s/stream" % r.json["id"], token=s.token,
                     headers={"Range": "bytes=%d-" % (len(data) - 4096)})
        self.assertEqual(tail.body, data[-4096:])
        # The same name again: a new object, the first one untouched.
        r2 = self.upload(s, "long.wav", data[:-2] + b"\x01\x02")
        self.assertEqual(r2.status, 200, r2)
        self.assertEqual(len(self.keys("music/" + s.user_id)), 2)

    def test_presigned_redirect(self):
        s = self.start(S3_PRESIGNED_REDIRECT="true", S3_PRESIGNED_EXPIRY_SECONDS="120")
        r = self.upload(s, "tone.mp3", self.mp3)
        self.assertEqual(r.status, 200, r)
        res = s.get("/api/tracks/%s/stream" % r.json["id"], token=s.token)
        self.assertEqual(res.status, 302)
        location = res.header("Location")
        self.assertTrue(location.startswith(self.store["S3_ENDPOINT"] + "/" + BUCKET + "/music/"), location)
        self.assertIn("X-Amz-Expires=120", location)
        got = subprocess.run(["curl", "-s", "--max-time", "30", location], capture_output=True, timeout=60).stdout
        self.assertEqual(got, self.mp3)

    def test_a_store_that_goes_away_fails_the_upload_and_leaves_nothing(self):
        relay = Relay(("127.0.0.1", int(self.store["S3_ENDPOINT"].rsplit(":", 1)[1])))
        self.addCleanup(relay.cut)
        s = self.start(S3_ENDPOINT="http://127.0.0.1:%d" % relay.port)
        relay.cut()
        r = self.upload(s, "lost.mp3", self.mp3)
        self.assertEqual(r.status, 503, r)
        self.assertIn("Object storage", r.json["error"])
        self.assertEqual(s.get("/api/tracks/my-uploads", token=s.token).json["total"], 0)
        self.assertEqual(os.listdir(os.path.join(s.dir, "music", s.user_id)), [])
        self.assertEqual(self.keys("music/" + s.user_id), [])

    def test_a_wrong_key_stops_the_server_at_start_with_the_reason(self):
        s = Server(env=self.env(S3_SECRET_KEY="wrong"))
        self.addCleanup(s.stop)
        with self.assertRaises(RuntimeError) as caught:
            s.start()
        self.assertIn("STORAGE_BACKEND=s3", str(caught.exception))
        self.assertIn("403", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
