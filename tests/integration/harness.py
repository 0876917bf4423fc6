"""Starts the real build/soundtime on a free 127.0.0.1 port with a temporary data directory, on SQLite or
on a fresh PostgreSQL database, and talks HTTP to it. Every server must stop cleanly on SIGTERM."""
import atexit
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import unittest
import uuid

BINARY = os.environ.get("SOUNDTIME_BINARY", "build/soundtime")
ENGINE = os.environ.get("SOUNDTIME_IT_ENGINE", "sqlite")
PG_ADMIN_URL = os.environ.get("SOUNDTIME_TEST_PG_URL", "")
JWT_SECRET = "integration-test-secret-0123456789abcdef"
SEALING_KEY = b"integration-tests-sealing-key-32"  # <data>/app-passwords.key: 32 bytes
# Network hygiene (issue 13): a P2P node outside a lab namespace must never publish on (or bootstrap from)
# the public Mainline DHT nor ask the machine's router for port mappings. Every such node gets these, and
# Server refuses to start one without them.
P2P_HYGIENE = {"P2P_DHT_DISCOVERY": "false", "P2P_PORT_MAPPING": "false"}


def p2p_enabled(env):
    """As the server reads P2P_ENABLED: anything but an explicit false is treated as on (an invalid value
    makes the server refuse to start, but that is no reason to let it through here)."""
    v = env.get("P2P_ENABLED")
    return v is not None and v.strip().lower() not in ("false", "0", "no", "off")


def check_p2p_hygiene(env):
    """Raises unless a P2P-enabled env turns DHT discovery and port mapping off."""
    if not p2p_enabled(env):
        return
    bad = [f"{k}={env.get(k)!r}" for k, want in P2P_HYGIENE.items() if (env.get(k) or "").strip().lower() != want]
    if (env.get("P2P_LAN_DISCOVERY") or "").strip().lower() in ("true", "1", "yes", "on"):
        bad.append("P2P_LAN_DISCOVERY=true (multicast and mDNS on the machine's own network)")
    if bad:
        raise RuntimeError("refusing to start a P2P node outside a lab namespace with " + ", ".join(bad) +
                           ": it would talk to the public DHT or the machine's router (set " +
                           ", ".join(f"{k}={v}" for k, v in P2P_HYGIENE.items()) + ", e.g. with test_p2p.p2p_env)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


# Every server started and not yet stopped, with where it was started: a test that loses one (a setUp
# that fails after start(), a stop() skipped by an exception) would otherwise leave a process running
# after the suite. They are killed at exit and named on stderr so the test can be mended.
_running = {}


@atexit.register
def _kill_leaked_servers():
    for server, where in list(_running.items()):
        if server.proc and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
            print(f"harness: a server was never stopped; it was started at:\n{where}", file=sys.stderr)
        server.stop()


class Server:
    def __init__(self, env=None, engine=None):
        self.engine = engine or os.environ.get("SOUNDTIME_IT_ENGINE", "sqlite")
        self.dir = tempfile.mkdtemp(prefix="soundtime-it-")
        # One sealing key for every test server, as an operator gives every node of a cluster the same one
        # (like JWT_SECRET): nodes on one database refuse to start with different keys.
        fd = os.open(os.path.join(self.dir, "app-passwords.key"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, SEALING_KEY)
        os.close(fd)
        self.port = free_port()
        self.db_name = None
        self.env = dict(os.environ)
        self.env.update({
            "PORT": str(self.port), "HOST": "127.0.0.1", "SOUNDTIME_DATA_DIR": self.dir,
            "JWT_SECRET": JWT_SECRET, "LOG_LEVEL": "info", "AUTH_RATE_LIMIT_BURST": "1000",
            "SOUNDTIME_WEB_ROOT": os.path.join(self.dir, "no-web"),
            # Never the real public directory, whatever a test turns on (network hygiene).
            "LISTING_URL": "http://127.0.0.1:9",
            # No scheduled AI generation: a test that sets ai_api_key must never reach the default (internet) URL.
            "EDITORIAL_CHECK_SECONDS": "0",
        })
        if self.engine == "postgres":
            if not PG_ADMIN_URL:
                raise unittest.SkipTest("PostgreSQL not available")
            self.db_name = "st_it_" + uuid.uuid4().hex[:10]
            subprocess.run(["psql", PG_ADMIN_URL, "-qc", f"CREATE DATABASE {self.db_name}"], check=True)
            self.env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.db_name
        self.env.update(env or {})
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")

    def start(self):
        check_p2p_hygiene(self.env)  # this server runs on the machine's own network
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([BINARY, "serve"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        _running[self] = "".join(traceback.format_stack(limit=8)[:-1])
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited at start:\n" + self.read_log())
            try:
                if self.get("/healthz").status == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        # Not answering: kill it here, the caller's tearDown may never run.
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError("server did not answer /healthz:\n" + self.read_log())

    def read_log(self):
        if not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, timeout=15):
        """SIGTERM, and the process must exit 0 within the timeout. Idempotent."""
        if getattr(self, "_stopped", None) is not None:
            return self._stopped
        _running.pop(self, None)
        code = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                code = "timeout"
        elif self.proc:
            code = self.proc.returncode
        if getattr(self, "log", None):
            self.log.close()
        log = self.read_log()
        if self.db_name:
            subprocess.run(["psql", PG_ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)"],
                           check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
        self._stopped = (code, log)
        return code, log

    def sql(self, query):
        """Rows of a read-only query on this server's database (either engine), as lists of strings."""
        if self.engine == "postgres":
            out = subprocess.run(["psql", self.env["DATABASE_URL"], "-AtF", "\t", "-c", query],
                                 capture_output=True, text=True, check=True).stdout
            return [line.split("\t") for line in out.splitlines() if line]
        import sqlite3
        data = self.env.get("SOUNDTIME_DATA_DIR", self.dir)
        db = sqlite3.connect(f"file:{os.path.join(data, 'soundtime.db')}?mode=ro", uri=True, timeout=30)
        try:
            return [[str(v) for v in row] for row in db.execute(query)]
        finally:
            db.close()

    def cli(self, *args, stdin=None):
        return subprocess.run([BINARY, *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=60)

    # --- HTTP ---
    def request(self, method, path, body=None, headers=None, token=None, raw=None, conn=None):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Reply(r.status, r.getheaders(), r.read())
        finally:
            if own:
                c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body=body, **kw)

    # --- flows ---
    def setup_admin(self, username="admin", password="admin-password-1"):
        r = self.post("/api/setup/admin", {"username": username, "email": f"{username}@example.org",
                                           "password": password})
        assert r.status == 201, r
        token = r.json["tokens"]["access_token"]
        assert self.post("/api/setup/instance", {"instance_name": "Test", "instance_description": "d"},
                         token=token).status == 200
        # As an admin would: the wizard's P2P choice matches the environment (the setting drives the node).
        assert self.post("/api/setup/complete", {"p2p_enabled": p2p_enabled(self.env), "open_registrations": True,
                                                 "max_upload_size_mb": 100}, token=token).status == 200
        return r.json

    def register(self, username, password="user-password-1"):
        r = self.post("/api/auth/register", {"username": username, "email": f"{username}@example.org",
                                             "password": password})
        assert r.status == 201, r
        return r.json


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def sign_jwt(header, payload, secret=JWT_SECRET):
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    p = b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
    return f"{h}.{p}.{b64url(sig)}"


def jwt_payload(token):
    return json.loads(b64url_decode(token.split(".")[1]))


class ServerTest(unittest.TestCase):
    """One server per test (isolation); tearDown checks the clean SIGTERM exit."""
    server_env = None

    def setUp(self):
        self.s = Server(env=self.server_env).start()

    def tearDown(self):
        code, log = self.s.stop()
        self.assertEqual(code, 0, "server did not exit cleanly on SIGTERM:\n" + log[-3000:])
        self.assertNotIn("AddressSanitizer", log)
        self.assertNotIn("runtime error:", log)
