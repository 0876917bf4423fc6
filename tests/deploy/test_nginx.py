#!/usr/bin/env python3
"""deploy/nginx.conf in front of the real server: Debian's nginx runs that file (ports, names, certificate
and upstream substituted for loopback ones; a self-signed certificate made here with openssl), and the
test talks HTTPS to nginx: the web app, an upload larger than nginx's default body limit, a full and a
ranged stream of the track, the HTTP->HTTPS redirect, and X-Forwarded-For honoured for the trusted proxy
only (rate limits apply per real client, and a client cannot forge its address).
Usage: test_nginx.py [--binary build/soundtime] [--summary FILE]"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402


def multipart(field, filename, data):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Nginx:
    """Debian's nginx running deploy/nginx.conf with loopback substitutions, in its own prefix."""

    def __init__(self, upstream_port, more_upstreams=()):
        self.dir = tempfile.mkdtemp(prefix="soundtime-nginx-")
        os.chmod(self.dir, 0o755)
        self.https_port = harness.free_port()
        self.http_port = harness.free_port()
        cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
        self.cert = cert
        with open(os.path.join(ROOT, "deploy", "nginx.conf")) as f:
            site = f.read()
        subs = [
            (r"server 127\.0\.0\.1:8080;", "\n    ".join(f"server 127.0.0.1:{p};" for p in (upstream_port, *more_upstreams))),
            (r"listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            (r"listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            (r"\s*listen \[::\]:\d+[^;]*;", ""),
            (r"/etc/letsencrypt/live/music\.example\.org/fullchain\.pem", cert),
            (r"/etc/letsencrypt/live/music\.example\.org/privkey\.pem", key),
            (r"root /var/www/html;", f"root {self.dir};"),
            (r"music\.example\.org", "localhost"),
        ]
        for pattern, repl in subs:
            site, n = re.subn(pattern, repl, site)
            assert n > 0, f"deploy/nginx.conf no longer contains {pattern!r}: update the test"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.dir, sub), mode=0o777)
            os.chmod(os.path.join(self.dir, sub), 0o777)
        main = f"""
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log info;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.dir}/access.log;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
{site}
}}
"""
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(main)
        self.proc = None

    def start(self):
        cmd = ["nginx", "-p", self.dir, "-c", self.conf, "-e", os.path.join(self.dir, "error.log"), "-g", "daemon off;"]
        check = subprocess.run(cmd[:-2] + ["-t"], capture_output=True, text=True)
        assert check.returncode == 0, "nginx -t refused the configuration:\n" + check.stderr
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                self.request("GET", "/healthz")
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start:\n" + self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def request(self, method, path, body=None, headers=None, source="127.0.0.1", token=None, raw=None):
        ctx = ssl.create_default_context(cafile=self.cert)
        c = http.client.HTTPSConnection("localhost", self.https_port, context=ctx, timeout=30, source_address=(source, 0))
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return harness.Reply(r.status, r.getheaders(), r.read())
        finally:
            c.close()


class NginxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        web = os.path.join(ROOT, "web", "build")
        cls.server = harness.Server(env={"TRUSTED_PROXIES": "127.0.0.1", "AUTH_RATE_LIMIT_BURST": "3",
                                         "AUTH_RATE_LIMIT_REFILL_SECONDS": "600", "SOUNDTIME_WEB_ROOT": web},
                                    engine="sqlite").start()
        try:
            cls.nginx = Nginx(cls.server.port).start()
        except Exception:
            cls.server.stop()
            raise
        cls.audio_dir = tempfile.mkdtemp(prefix="soundtime-nginx-audio-")
        # 20 s of 44.1 kHz stereo WAV: 3.5 MB, more than nginx's default 1 MB body limit.
        cls.wav = os.path.join(cls.audio_dir, "long.wav")
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=20",
                        "-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", "-metadata", "title=Through nginx", cls.wav], check=True)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        code, log = cls.server.stop()
        shutil.rmtree(cls.audio_dir, ignore_errors=True)
        assert code == 0, "server did not exit cleanly:\n" + log[-2000:]

    def test_1_serves_the_app_and_redirects_http(self):
        r = self.nginx.request("GET", "/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "ok")
        if os.path.exists(os.path.join(ROOT, "web", "build", "index.html")):
            r = self.nginx.request("GET", "/albums/some-id")
            self.assertEqual(r.status, 200)
            self.assertIn(b"<html", r.body)
            r = self.nginx.request("GET", "/favicon.svg", headers={"Accept-Encoding": "gzip"})
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Content-Encoding"), "gzip", "text assets are not compressed")
        c = http.client.HTTPConnection("127.0.0.1", self.nginx.http_port, timeout=10)
        c.request("GET", "/albums?x=1", headers={"Host": "localhost"})
        r = c.getresponse()
        self.assertEqual(r.status, 301)
        self.assertEqual(r.getheader("Location"), "https://localhost/albums?x=1")
        c.close()

    def test_2_upload_then_stream_through_nginx(self):
        auth = self.nginx.request("POST", "/api/setup/admin", {"username": "admin", "email": "a@example.org",
                                                               "password": "admin-password-1"})
        self.assertEqual(auth.status, 201, auth)
        token = auth.json["tokens"]["access_token"]
        with open(self.wav, "rb") as f:
            data = f.read()
        self.assertGreater(len(data), 2 * 1024 * 1024)
        body, ctype = multipart("file", "long.wav", data)
        up = self.nginx.request("POST", "/api/upload", raw=body, headers={"Content-Type": ctype}, token=token)
        self.assertEqual(up.status, 200, up)
        track = up.json["id"]

        full = self.nginx.request("GET", f"/api/tracks/{track}/stream", token=token)
        self.assertEqual(full.status, 200, full)
        self.assertEqual(full.body, data)
        part = self.nginx.request("GET", f"/api/tracks/{track}/stream", headers={"Range": "bytes=1000-1999"}, token=token)
        self.assertEqual(part.status, 206, part)
        self.assertEqual(part.header("Content-Range"), f"bytes 1000-1999/{len(data)}")
        self.assertEqual(part.body, data[1000:2000])
        opus = self.nginx.request("GET", f"/api/tracks/{track}/stream?quality=low", token=token)
        self.assertEqual(opus.status, 200, opus)
        self.assertTrue(opus.body.startswith(b"OggS"), opus.body[:16])

    def test_3_forwarded_for_is_the_real_client(self):
        # Three wrong logins exhaust the burst of 127.0.0.2 only, even when it claims another address.
        bad = {"username": "nobody", "password": "wrong-password"}
        for _ in range(3):
            self.assertEqual(self.nginx.request("POST", "/api/auth/login", bad, source="127.0.0.2").status, 401)
        self.assertEqual(self.nginx.request("POST", "/api/auth/login", bad, source="127.0.0.2").status, 429)
        forged = self.nginx.request("POST", "/api/auth/login", bad, source="127.0.0.2", headers={"X-Forwarded-For": "198.51.100.7"})
        self.assertEqual(forged.status, 429, "a forged X-Forwarded-For escaped the rate limit")
        self.assertEqual(self.nginx.request("POST", "/api/auth/login", bad, source="127.0.0.3").status, 401,
                         "another client was limited: X-Forwarded-For from the trusted proxy is ignored")


class ClusterBehindNginx(unittest.TestCase):
    """deploy/nginx.conf with two upstream servers: two nodes on one PostgreSQL database keeping their audio
    and covers in one S3 store (Ceph radosgw), as an operator runs them. Through nginx (round robin) an
    upload lands on one node and every range, cover and transcode request alternates between them; a logout
    and a deletion made through either are honoured by both at once."""

    @classmethod
    def setUpClass(cls):
        if not harness.PG_ADMIN_URL:
            raise unittest.SkipTest("needs PostgreSQL (SOUNDTIME_TEST_PG_URL)")
        cls.rgw = tempfile.mkdtemp(prefix="soundtime-nginx-rgw-")
        out = subprocess.run([os.path.join(ROOT, "scripts", "radosgw.sh"), "start", cls.rgw], capture_output=True,
                             text=True, timeout=180)  # safety net
        if out.returncode != 0:
            subprocess.run([os.path.join(ROOT, "scripts", "radosgw.sh"), "stop", cls.rgw])
            raise AssertionError("radosgw.sh start failed: " + out.stderr)
        store = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
        env = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT": store["S3_ENDPOINT"], "S3_BUCKET": "cluster",
               "S3_ACCESS_KEY": store["S3_ACCESS_KEY"], "S3_SECRET_KEY": store["S3_SECRET_KEY"],
               "S3_CREATE_BUCKET": "true", "TRUSTED_PROXIES": "127.0.0.1", "CLUSTER_CHECK_SECONDS": "1"}
        cls.nodes = []
        try:
            a = harness.Server(env=dict(env, CLUSTER_NODE_NAME="node-a"), engine="postgres").start()
            cls.nodes.append(a)
            b = harness.Server(env=dict(env, CLUSTER_NODE_NAME="node-b", DATABASE_URL=a.env["DATABASE_URL"]),
                               engine="sqlite")
            b.engine = "postgres"  # A's database: A drops it
            cls.nodes.insert(0, b.start())
            cls.nginx = Nginx(a.port, (b.port,)).start()
        except Exception:
            cls.tearDownClass()
            raise
        cls.mp3 = os.path.join(cls.rgw, "tone.mp3")
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=330:duration=30",
                        "-c:a", "libmp3lame", "-b:a", "192k", "-metadata", "title=Behind nginx", cls.mp3], check=True)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "nginx", None):
            cls.nginx.stop()
        for s in cls.nodes:  # B first: A drops the database
            s.stop()
        subprocess.run([os.path.join(ROOT, "scripts", "radosgw.sh"), "stop", cls.rgw])
        shutil.rmtree(cls.rgw, ignore_errors=True)

    def until(self, predicate, what):
        """The other node hears of a change through PostgreSQL (NOTIFY): polled; the bound is a safety net."""
        deadline = time.time() + 10
        while not predicate():
            self.assertLess(time.time(), deadline, "timed out waiting for " + what)
            time.sleep(0.05)

    def test_two_nodes_serve_one_library_from_the_store(self):
        n = self.nginx
        auth = n.request("POST", "/api/setup/admin", {"username": "admin", "email": "a@example.org",
                                                      "password": "admin-password-1"})
        self.assertEqual(auth.status, 201, auth)
        token = auth.json["tokens"]["access_token"]
        # Private: every stream and cover needs a live session (on a public instance anyone may play).
        r = n.request("PUT", "/api/admin/settings/instance_private", {"value": "true"}, token=token)
        self.assertEqual(r.status, 200, r)
        for s in self.nodes:
            self.until(lambda: s.get("/api/tracks").status == 401, "the other node to hear of the setting")
        with open(self.mp3, "rb") as f:
            data = f.read()
        body, ctype = multipart("file", "tone.mp3", data)
        up = n.request("POST", "/api/upload", raw=body, headers={"Content-Type": ctype}, token=token)
        self.assertEqual(up.status, 200, up)
        track = up.json["id"]
        album = n.request("GET", f"/api/tracks/{track}", token=token).json["album_id"]
        png = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=navy:s=64x64", "-frames:v", "1",
                              "-f", "image2pipe", "-vcodec", "png", "-"], capture_output=True, check=True).stdout
        body, ctype = multipart("cover", "c.png", png)
        cover = n.request("POST", f"/api/albums/{album}/cover", raw=body, headers={"Content-Type": ctype}, token=token)
        self.assertEqual(cover.status, 200, cover)

        # Round robin: consecutive requests go to both nodes; every answer is the same.
        for i in range(4):
            first = 1000 * i
            part = n.request("GET", f"/api/tracks/{track}/stream", headers={"Range": f"bytes={first}-{first + 4095}"},
                             token=token)
            self.assertEqual((part.status, part.body), (206, data[first:first + 4096]), part)
            self.assertEqual(n.request("GET", cover.json["cover_url"], token=token).body, png)
            mp3 = n.request("GET", f"/api/tracks/{track}/stream?format=mp3&bitrate=64", token=token)
            self.assertEqual(mp3.status, 200, mp3)
        for s in self.nodes:  # and each node answers for itself
            self.assertEqual(s.get(cover.json["cover_url"], token=token).body, png)
            self.assertEqual(s.get(f"/api/tracks/{track}/stream", token=token).body, data)

        # A logout through nginx (one node) ends the session on both.
        other = n.request("POST", "/api/auth/login", {"username": "admin", "password": "admin-password-1"})
        self.assertEqual(other.status, 200, other)
        t2, refresh = other.json["tokens"]["access_token"], other.json["tokens"]["refresh_token"]
        for s in self.nodes:
            self.assertEqual(s.get(f"/api/tracks/{track}/stream", token=t2, headers={"Range": "bytes=0-9"}).status, 206)
        out = n.request("POST", "/api/auth/logout", {"refresh_token": refresh}, token=t2)
        self.assertIn(out.status, (200, 204), out)
        for s in self.nodes:
            self.until(lambda: s.get(f"/api/tracks/{track}/stream", token=t2, headers={"Range": "bytes=0-9"}).status == 401,
                       "the session to end on " + s.env["CLUSTER_NODE_NAME"])
            self.assertEqual(s.get("/api/auth/me", token=t2).status, 401)

        # A deletion through nginx: gone on both nodes and from the store.
        self.assertEqual(n.request("DELETE", f"/api/tracks/{track}", token=token).status, 204)
        for s in self.nodes:
            self.assertEqual(s.get(f"/api/tracks/{track}/stream", token=token).status, 404)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "soundtime"))
    ap.add_argument("--summary")
    args = ap.parse_args()
    harness.BINARY = os.path.abspath(args.binary)
    suite = unittest.TestSuite([unittest.defaultTestLoader.loadTestsFromTestCase(NginxTest),
                                unittest.defaultTestLoader.loadTestsFromTestCase(ClusterBehindNginx)])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    bad = len(result.failures) + len(result.errors)
    passed = result.testsRun - bad
    print(f"nginx: {passed} passed, {bad} failed")
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(f"{passed} {bad}\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
