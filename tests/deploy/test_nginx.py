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

    def __init__(self, upstream_port):
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
            (r"server 127\.0\.0\.1:8080;", f"server 127.0.0.1:{upstream_port};"),
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "soundtime"))
    ap.add_argument("--summary")
    args = ap.parse_args()
    harness.BINARY = os.path.abspath(args.binary)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(NginxTest)
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
