"""Uploads: multipart received to disk, content checked, stored per user, imported; refused uploads leave
nothing behind."""
import os
import socket
import time
import uuid

from harness import ServerTest
from test_library import fixture


def multipart(fields=(), files=()):
    boundary = "----soundtime" + uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").encode() + value.encode() + b"\r\n"
    for name, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


class Upload(ServerTest):
    def setUp(self):
        super().setUp()
        root, _ = fixture()
        lib = os.path.join(root, "library")
        with open(os.path.join(lib, "Test Artist/Sine Album/02 Tone 2.mp3"), "rb") as f:
            self.mp3 = f.read()
        with open(os.path.join(lib, "Singles/café.m4a"), "rb") as f:
            self.m4a = f.read()
        with open(os.path.join(lib, "Various/Hits/02.opus"), "rb") as f:
            self.opus = f.read()
        data = self.s.setup_admin()
        self.token = data["tokens"]["access_token"]
        self.user_id = data["user"]["id"]
        self.storage = os.path.join(self.s.dir, "music", self.user_id)

    def upload(self, path, fields=(), files=(), token=None):
        body, headers = multipart(fields, files)
        return self.s.request("POST", path, raw=body, headers=headers, token=token or self.token)

    def stored_files(self):
        return sorted(os.listdir(self.storage)) if os.path.isdir(self.storage) else []

    def temp_files(self):
        tmp = os.path.join(self.s.dir, "tmp")
        return os.listdir(tmp) if os.path.isdir(tmp) else []

    def test_upload_imports_and_streams(self):
        r = self.upload("/api/upload", files=[("file", "My Tone.mp3", self.mp3)])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["message"], "Track uploaded successfully")
        self.assertEqual(r.json["title"], "Tone 2")
        self.assertEqual(r.json["format"], "mp3")
        self.assertAlmostEqual(r.json["duration"], 2.0, delta=0.1)
        self.assertEqual(self.stored_files(), ["My Tone.mp3"])
        mine = self.s.get("/api/tracks/my-uploads", token=self.token).json
        self.assertEqual(mine["total"], 1)
        self.assertEqual(mine["data"][0]["uploaded_by"], self.user_id)
        self.assertTrue(mine["data"][0]["cover_url"], "embedded cover kept")
        s = self.s.get(f"/api/tracks/{r.json['id']}/stream")
        self.assertEqual(s.body, self.mp3)
        self.assertEqual(self.temp_files(), [], "received bodies and parts are cleaned up")

    def test_aiff_uploads_become_flac_with_their_tags(self):
        root, _ = fixture()
        with open(os.path.join(root, "library", "Singles", "lovely.aiff"), "rb") as f:
            aiff = f.read()
        r = self.upload("/api/upload", files=[("file", "lovely.aiff", aiff)])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["format"], "flac")
        self.assertEqual(r.json["title"], "Lovely")
        self.assertAlmostEqual(r.json["duration"], 1.0, delta=0.05)
        self.assertEqual(self.stored_files(), ["lovely.flac"])
        body = self.s.get(f"/api/tracks/{r.json['id']}/stream").body
        self.assertTrue(body.startswith(b"fLaC"))
        t = self.s.get(f"/api/tracks/{r.json['id']}").json
        self.assertEqual((t["artist_name"], t["bit_depth"], t["sample_rate"]), ("Aiff Band", 16, 44100))

    def test_form_fields_override_tags(self):
        r = self.upload("/api/upload", fields=[("title", "Renamed"), ("artist", "Someone Else"), ("album", "Other LP")],
                        files=[("file", "x.m4a", self.m4a)])
        self.assertEqual(r.status, 200, r)
        t = self.s.get(f"/api/tracks/{r.json['id']}").json
        self.assertEqual((t["title"], t["artist_name"], t["album_title"]), ("Renamed", "Someone Else", "Other LP"))

    def test_refused_uploads_leave_nothing(self):
        r = self.upload("/api/upload", files=[("file", "evil.mp3", b"<?php system($_GET['x']); ?>" * 100)])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["error"], "File content does not match a recognized audio format")
        self.assertEqual(self.upload("/api/upload", files=[("file", "empty.mp3", b"")]).status, 400)
        self.assertEqual(self.upload("/api/upload", fields=[("title", "x")]).json["error"], "No file provided")
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(self.s.get("/api/tracks").json["total"], 0)
        self.assertEqual(self.temp_files(), [])

    def test_duplicate_bytes_are_refused(self):
        self.assertEqual(self.upload("/api/upload", files=[("file", "a.mp3", self.mp3)]).status, 200)
        r = self.upload("/api/upload", files=[("file", "b.mp3", self.mp3)])
        self.assertEqual(r.status, 409)
        self.assertEqual(self.stored_files(), ["a.mp3"])
        self.assertEqual(self.s.get("/api/tracks").json["total"], 1)

    def test_same_name_twice_is_not_overwritten(self):
        self.assertEqual(self.upload("/api/upload", files=[("file", "song.mp3", self.mp3)]).status, 200)
        self.assertEqual(self.upload("/api/upload", files=[("file", "song.mp3", self.opus)]).status, 200)
        files = self.stored_files()
        self.assertEqual(len(files), 2)
        self.assertIn("song.mp3", files)

    def test_hostile_file_names_stay_in_the_users_folder(self):
        r = self.upload("/api/upload", files=[("file", "../../../etc/passwd.mp3", self.mp3)])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.stored_files(), ["passwd.mp3"])

    def test_upload_size_setting_is_enforced(self):
        self.s.put("/api/admin/settings/max_upload_size_mb", {"value": "1"}, token=self.token)
        big = self.mp3 + b"\0" * (3 * 1024 * 1024)
        r = self.upload("/api/upload", files=[("file", "big.mp3", big)])
        self.assertEqual(r.status, 413)
        medium = self.mp3 + b"\0" * (1024 * 1024 + 1000)  # under the body limit, over the file limit
        r = self.upload("/api/upload", files=[("file", "medium.mp3", medium)])
        self.assertEqual(r.status, 413)
        self.assertIn("1 MB", r.json["error"])
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(self.upload("/api/upload", files=[("file", "ok.mp3", self.mp3)]).status, 200)

    def test_needs_an_account_and_a_multipart_body(self):
        body, headers = multipart(files=[("file", "a.mp3", self.mp3)])
        self.assertEqual(self.s.request("POST", "/api/upload", raw=body, headers=headers).status, 401)
        r = self.s.request("POST", "/api/upload", raw=b"not multipart", token=self.token,
                           headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 400)
        r = self.s.request("POST", "/api/upload", raw=b"--x\r\nContent-Disposition: form-data; name=\"file\"; "
                           b"filename=\"a.mp3\"\r\n\r\nunterminated", token=self.token,
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
        self.assertEqual(r.status, 400)
        self.assertIn("Malformed upload", r.json["error"])

    def test_batch(self):
        r = self.upload("/api/upload/batch", files=[("files", "1.mp3", self.mp3), ("files", "2.opus", self.opus),
                                                    ("files", "3.mp3", b"garbage" * 50)])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["total"], r.json["success"], r.json["failed"]), (3, 2, 1))
        res = {x["filename"]: x for x in r.json["results"]}
        self.assertTrue(res["1.mp3"]["success"])
        self.assertEqual(res["2.opus"]["track"]["format"], "opus")
        self.assertFalse(res["3.mp3"]["success"])
        self.assertIn("recognized audio format", res["3.mp3"]["error"])
        self.assertEqual(len(self.stored_files()), 2)
        many = [("files", f"{i}.mp3", b"x") for i in range(51)]
        self.assertEqual(self.upload("/api/upload/batch", files=many).json["error"], "Too many files. Maximum is 50")


class UploadCrash(ServerTest):
    """kill -9 during concurrent uploads, then a restart: no stored file without a row, no row without a
    file, nothing left in tmp or in the upload journal (issue 17, item 21)."""

    def test_kill_during_uploads_leaves_no_orphans(self):
        import random
        import signal
        import subprocess
        import threading
        import time
        token = self.s.setup_admin()["tokens"]["access_token"]
        storage = os.path.join(self.s.dir, "music")
        sources = []
        for n in range(6):  # distinct content, a few hundred KB each so the uploads take a while
            path = os.path.join(self.s.dir, f"src-{n}.flac")
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                            f"anoisesrc=duration=4:seed={n + 1}", "-c:a", "flac", "-metadata", f"title=Crash {n}",
                            path], check=True)
            with open(path, "rb") as f:
                sources.append(f.read())
        rnd = random.Random(21)
        for trial in range(4):
            def send(n):
                body, headers = multipart(files=[("file", f"crash-{trial}-{n}.flac", sources[n])])
                try:
                    self.s.request("POST", "/api/upload", raw=body, headers=headers, token=token)
                except OSError:
                    pass  # the server died under it: expected
            threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
            for t in threads:
                t.start()
            time.sleep(rnd.uniform(0.05, 0.8))
            self.s.proc.send_signal(signal.SIGKILL)
            self.s.proc.wait()
            for t in threads:
                t.join()
            self.s.start()
            rows = {r[0] for r in self.s.sql("SELECT file_path FROM tracks")}
            stored = {os.path.join(d, f) for d, _, files in os.walk(storage) for f in files}
            self.assertEqual(stored - rows, set(), f"trial {trial}: files in the storage without a row")
            self.assertEqual({p for p in rows if not os.path.exists(p)}, set(), f"trial {trial}: rows without a file")
            self.assertEqual(os.listdir(os.path.join(self.s.dir, "tmp")), [], f"trial {trial}: tmp is clean")
            self.assertEqual(os.listdir(os.path.join(self.s.dir, "uploads-pending")), [], f"trial {trial}: journal")
            # And uploading still works after the crash.
            body, headers = multipart(files=[("file", f"after-{trial}.flac", sources[trial])])
            r = self.s.request("POST", "/api/upload", raw=body, headers=headers, token=token)
            self.assertIn(r.status, (200, 409), r)


class UploadBeforeAuth(ServerTest):
    """Issue 17, item 5: an upload body is for a known account only, checked from the headers before a byte
    of it is read or stored."""

    def temp_files(self):
        tmp = os.path.join(self.s.dir, "tmp")
        return os.listdir(tmp) if os.path.isdir(tmp) else []

    def head(self, path, length, extra=""):
        return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {length}\r\n{extra}\r\n").encode()

    def test_anonymous_upload_is_refused_before_100_continue(self):
        self.s.setup_admin()
        for path in ("/api/upload", "/api/upload/batch"):
            with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as sock:
                sock.sendall(self.head(path, 50 * 1024 * 1024, "Expect: 100-continue\r\n"))
                data = sock.recv(65536)
                # The refusal comes instead of "100 Continue": the client never has to send its body.
                self.assertTrue(data.startswith(b"HTTP/1.1 401"), data[:200])
                self.assertIn(b"Connection: close", data)
        self.assertEqual(self.temp_files(), [])

    def test_anonymous_or_stale_token_upload_is_answered_without_storing_the_body(self):
        self.s.setup_admin()
        for auth in ("", "Authorization: Bearer not-a-token\r\n"):
            with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as sock:
                sock.sendall(self.head("/api/upload/batch", 50 * 1024 * 1024, auth) + b"x" * (512 * 1024))
                # Answered after the headers, with most of the declared body never sent.
                data = sock.recv(65536)
                self.assertTrue(data.startswith(b"HTTP/1.1 401"), data[:200])
                self.assertEqual(self.temp_files(), [])

    def test_an_account_still_uploads_with_100_continue(self):
        token = self.s.setup_admin()["tokens"]["access_token"]
        root, _ = fixture()
        with open(os.path.join(root, "library", "Test Artist/Sine Album/02 Tone 2.mp3"), "rb") as f:
            body, headers = multipart(files=[("file", "t.mp3", f.read())])
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as sock:
            sock.sendall((f"POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: {headers['Content-Type']}\r\n"
                          f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n"
                          "Expect: 100-continue\r\nConnection: close\r\n\r\n").encode())
            self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 100 Continue"))
            sock.sendall(body)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:300])


class SlowUploads(ServerTest):
    """Issue 17, item 9: the request deadline covers the headers; a body is cut only when it stops moving."""
    server_env = {"HTTP_HEADER_TIMEOUT_SECONDS": "2", "HTTP_BODY_IDLE_TIMEOUT_SECONDS": "2"}

    def setUp(self):
        super().setUp()
        self.token = self.s.setup_admin()["tokens"]["access_token"]
        root, _ = fixture()
        with open(os.path.join(root, "library", "Test Artist/Sine Album/02 Tone 2.mp3"), "rb") as f:
            self.body, self.headers = multipart(files=[("file", "slow.mp3", f.read())])

    def start_upload(self):
        sock = socket.create_connection(("127.0.0.1", self.s.port), timeout=30)
        sock.sendall((f"POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: {self.headers['Content-Type']}\r\n"
                      f"Authorization: Bearer {self.token}\r\nContent-Length: {len(self.body)}\r\n"
                      "Connection: close\r\n\r\n").encode())
        return sock

    @staticmethod
    def read_all(sock):
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
        return data

    def test_a_body_that_keeps_moving_is_never_cut(self):
        # 24 steady pieces, 0.25 s apart: three times the header deadline in all, never idle for long.
        sock = self.start_upload()
        with sock:
            step = -(-len(self.body) // 24)
            for i in range(0, len(self.body), step):
                sock.sendall(self.body[i:i + step])
                time.sleep(0.25)
            data = self.read_all(sock)
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:300])

    def test_a_stalled_body_is_cut_and_leaves_nothing(self):
        sock = self.start_upload()
        with sock:
            sock.sendall(self.body[:1000])
            # Then nothing: the server ends the connection (the 30 s socket timeout is only a safety net).
            self.assertNotIn(b"HTTP/1.1 200", self.read_all(sock))
        # The partial body is removed as the server ends the request (just after the close the client sees).
        tmp = os.path.join(self.s.dir, "tmp")
        for _ in range(200):
            if not (os.listdir(tmp) if os.path.isdir(tmp) else []):
                break
            time.sleep(0.05)
        self.assertEqual(os.listdir(tmp) if os.path.isdir(tmp) else [], [])
        self.assertEqual(self.s.get("/healthz").status, 200)
