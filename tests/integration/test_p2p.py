"""Peer-to-peer between real instances on 127.0.0.1: two (or three) nodes with their own data directories and
P2P ports are linked, sync their catalogues both ways, follow edits and deletions, and play each other's
tracks with every byte verified. A hostile client checks that bad certificates, ALPN and frames are refused."""
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import unittest

from harness import P2P_HYGIENE, Server, free_port
from test_library import fixture


def make_noise_flac(path, title, seconds=10):
    """White noise does not compress: a multi-megabyte blob that needs several verified ranges."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"anoisesrc=duration={seconds}:sample_rate=44100:amplitude=0.5", "-ac", "2",
                    "-metadata", f"title={title}", "-metadata", "artist=P2P Artist", "-metadata", "album=P2P Album",
                    "-metadata", "album_artist=P2P Artist", path], check=True)


def p2p_env(port):
    return {"P2P_ENABLED": "true", "P2P_BIND_HOST": "127.0.0.1", "P2P_BIND_PORT": str(port),
            "P2P_SYNC_INTERVAL_SECONDS": "1", **P2P_HYGIENE}


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class CuttingProxy:
    """A TCP relay in front of a node's P2P port (TLS passes through untouched) that, once armed, breaks the
    first connection after `limit` bytes towards the client: a link lost in the middle of a download."""

    def __init__(self, port, limit):
        import threading
        self.port, self.limit = port, limit
        self.armed = threading.Event()
        self.cut = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        import threading
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.port))
            except OSError:
                client.close()
                continue
            pair = (client, server)
            threading.Thread(target=self.pump, args=(client, server, pair, False), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, pair, True), daemon=True).start()

    def pump(self, src, dst, pair, to_client):
        counted = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if to_client and self.armed.is_set() and not self.cut.is_set():
                    counted += len(data)
                    if counted >= self.limit:
                        self.cut.set()
                        break
                dst.sendall(data)
        except OSError:
            pass
        for sock in pair:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self):
        self.listener.close()


class P2pNodes(unittest.TestCase):
    """Starts P2P nodes on loopback for a test (no tests of its own, so other suites can build on it)."""

    def start_node(self, files, interval=1, **more_env):
        port = free_port()
        env = p2p_env(port)
        env["P2P_SYNC_INTERVAL_SECONDS"] = str(interval)
        env.update(more_env)
        s = Server(env=env)
        s.p2p_port = port
        lib = os.path.join(s.dir, "library")
        os.makedirs(lib)
        for name, src in files:
            shutil.copy(src, os.path.join(lib, name))
        if files:
            r = s.cli("import", lib)
            self.assertEqual(r.returncode, 0, r.stderr)
        s.start()
        s.token = s.setup_admin()["tokens"]["access_token"]
        st = s.get("/api/p2p/status").json
        self.assertTrue(st["enabled"])
        s.node_id = st["node_id"]
        self.assertRegex(s.node_id, "^[0-9a-f]{64}$")
        self.servers.append(s)
        return s

    def setUp(self):
        self.servers = []
        root, _ = fixture()
        self.lib = os.path.join(root, "library")
        self.tmp = tempfile.mkdtemp(prefix="soundtime-p2p-")
        self.noise = os.path.join(self.tmp, "noise.flac")
        make_noise_flac(self.noise, "Noise Blob", seconds=20)

    def tearDown(self):
        for s in self.servers:
            code, log = s.stop()
            self.assertEqual(code, 0, "server did not exit cleanly on SIGTERM:\n" + log[-3000:])
            self.assertNotIn("AddressSanitizer", log)
            self.assertNotIn("runtime error:", log)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tracks(self, s):
        r = s.get("/api/tracks?per_page=100", token=s.token)
        self.assertEqual(r.status, 200, r)
        return {t["title"]: t for t in r.json["data"]}

    def link(self, a, b):
        """b adds a as a peer through the admin API."""
        r = b.post("/api/admin/p2p/peers", {"node_id": a.node_id, "address": f"127.0.0.1:{a.p2p_port}"}, token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["peer"]["is_online"], r)
        return r

class NetworkHygiene(unittest.TestCase):
    """The harness never starts a P2P node on the machine's network that could reach the public DHT or the
    router (issue 13): without P2P_DHT_DISCOVERY=false and P2P_PORT_MAPPING=false it refuses."""

    def refused(self, env):
        s = Server(env=env, engine="sqlite")
        try:
            s.start()
        except RuntimeError as e:
            return str(e)
        finally:
            s.stop()
        return None

    def test_p2p_nodes_without_dht_and_mapping_off_are_refused(self):
        port = free_port()
        base = {"P2P_ENABLED": "true", "P2P_BIND_HOST": "127.0.0.1", "P2P_BIND_PORT": str(port)}
        self.assertIn("P2P_DHT_DISCOVERY", self.refused(base) or "")
        self.assertIn("P2P_PORT_MAPPING", self.refused(dict(base, P2P_DHT_DISCOVERY="false")) or "")
        self.assertIn("P2P_DHT_DISCOVERY", self.refused(dict(base, P2P_DHT_DISCOVERY="true", P2P_PORT_MAPPING="false")) or "")
        self.assertIn("refusing", self.refused(dict(base, P2P_ENABLED="TRUE")) or "")
        # What the suites use passes, and a node without P2P needs nothing.
        self.assertIsNone(self.refused(p2p_env(port)))
        self.assertIsNone(self.refused({"P2P_ENABLED": "false"}))


class P2pTest(P2pNodes):
    def test_two_nodes_sync_both_ways_and_play_verified(self):
        a = self.start_node([("noise.flac", self.noise),
                             ("tone.mp3", os.path.join(self.lib, "Test Artist/Sine Album/02 Tone 2.mp3"))])
        b = self.start_node([("hit.ogg", os.path.join(self.lib, "Various/Hits/01.ogg"))])
        self.link(a, b)
        # Both directions on first contact: B gets A's tracks and A gets B's.
        on_b = wait_for(lambda: (lambda t: t if {"Noise Blob", "Tone 2"} <= set(t) else None)(self.tracks(b)),
                        what="A's tracks on B")
        wait_for(lambda: "First Hit" in self.tracks(a), what="B's track on A")
        self.assertEqual(on_b["Noise Blob"]["artist_name"], "P2P Artist")
        self.assertEqual(on_b["Noise Blob"]["album_title"], "P2P Album")
        self.assertEqual(on_b["Noise Blob"]["format"], "flac")

        peers_b = b.get("/api/admin/p2p/peers", token=b.token).json
        self.assertEqual([p["node_id"] for p in peers_b], [a.node_id])
        self.assertTrue(peers_b[0]["is_online"])
        self.assertEqual(peers_b[0]["track_count"], 2)  # A's own tracks, not what it replicated from B
        graph = b.get("/api/p2p/network-graph").json
        self.assertEqual([n["node_type"] for n in graph["nodes"]], ["self", "peer"])
        self.assertEqual(graph["links"], [{"source": b.node_id, "target": a.node_id, "link_type": "peer"}])
        overview = wait_for(lambda: (lambda o: o if o["synced_peers"] == 1 else None)(
            b.get("/api/admin/p2p/library-sync", token=b.token).json), what="the sync overview")
        self.assertEqual(overview["local_track_count"], 1)
        self.assertEqual(overview["synced_peers"], 1)
        self.assertEqual(overview["peers"][0]["local_remote_tracks"], 2)
        self.assertEqual(overview["peers"][0]["sync_state"], "synced")
        peers_a = a.get("/api/admin/p2p/peers", token=a.token).json
        self.assertEqual([p["node_id"] for p in peers_a], [b.node_id], "the acceptor learns the dialler's id")

        # Search on peers: A answers for its own tracks.
        found = b.get("/api/p2p/search?q=noise").json
        self.assertEqual([(r["title"], r["source_node"]) for r in found["results"]], [("Noise Blob", a.node_id)])
        self.assertEqual(found["total"], 1)
        self.assertEqual(b.get("/api/p2p/search?q=nothing-like-this").json["results"], [])
        self.assertEqual(b.get("/api/p2p/search").status, 400)

        # B plays A's multi-megabyte track: the bytes are A's file, fetched in verified ranges.
        with open(self.noise, "rb") as f:
            original = f.read()
        self.assertGreater(len(original), 2 * 1024 * 1024)
        tid = on_b["Noise Blob"]["id"]
        r = b.get(f"/api/tracks/{tid}/stream", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "audio/flac")
        self.assertEqual(len(r.body), len(original))
        self.assertTrue(r.body == original, "streamed bytes differ from the original")
        r = b.get(f"/api/tracks/{tid}/stream", token=b.token, headers={"Range": "bytes=1000000-1000099"})
        self.assertEqual(r.status, 206, r)
        self.assertEqual(r.body, original[1000000:1000100])
        blobs = os.path.join(b.dir, "p2p", "blobs")
        self.assertTrue(any(n.endswith(".blob") for n in os.listdir(blobs)), "kept in the P2P cache")
        # Transcoding works on the replicated copy too.
        r = b.get(f"/api/tracks/{tid}/stream?format=mp3&bitrate=128", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertGreater(len(r.body), 10000)

        # A small track (one 16 KiB group or a few) as well.
        with open(os.path.join(self.lib, "Test Artist/Sine Album/02 Tone 2.mp3"), "rb") as f:
            tone = f.read()
        r = b.get(f"/api/tracks/{on_b['Tone 2']['id']}/stream", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body == tone)

        # An edit and a deletion on A reach B as deltas.
        tone_a = self.tracks(a)["Tone 2"]
        r = a.put(f"/api/tracks/{tone_a['id']}", {"title": "Tone Two"}, token=a.token)
        self.assertEqual(r.status, 200, r)
        wait_for(lambda: "Tone Two" in self.tracks(b), what="the edited title on B")
        self.assertNotIn("Tone 2", self.tracks(b))
        noise_a = self.tracks(a)["Noise Blob"]
        self.assertEqual(a.delete(f"/api/tracks/{noise_a['id']}", token=a.token).status, 204)
        wait_for(lambda: "Noise Blob" not in self.tracks(b), what="the deletion on B")
        self.assertIn("Tone Two", self.tracks(b))

    def test_replicated_tracks_play_through_subsonic_like_local_ones(self):
        a = self.start_node([("noise.flac", self.noise)])
        b = self.start_node([])
        self.link(a, b)
        wait_for(lambda: "Noise Blob" in self.tracks(b), what="A's track on B")
        app = b.post("/api/auth/app-passwords", {"name": "phone"}, token=b.token).json["password"]
        q = f"apiKey={app}&f=json&v=1.16.1&c=tests"
        songs = b.get(f"/rest/search3?{q}&query=noise").json["subsonic-response"]["searchResult3"]["song"]
        self.assertEqual([x["title"] for x in songs], ["Noise Blob"])
        with open(self.noise, "rb") as f:
            original = f.read()
        r = b.get(f"/rest/stream?{q}&id={songs[0]['id']}")  # first play: progressive, verified
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, original)
        r = b.get(f"/rest/download?{q}&id={songs[0]['id']}")
        self.assertEqual(r.body, original)
        r = b.get(f"/rest/stream?{q}&id={songs[0]['id']}&format=mp3&maxBitRate=96")
        self.assertEqual(r.header("Content-Type"), "audio/mpeg")
        self.assertGreater(len(r.body), 10000)

    def test_reconnect_sends_only_the_delta_and_peers_persist(self):
        a = self.start_node([("tone.mp3", os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3"))])
        b = self.start_node([])
        self.link(a, b)
        wait_for(lambda: "Tone 1" in self.tracks(b), what="A's track on B")
        # B restarts: it keeps A in its peer table (with its cursor) and reconnects by itself.
        env, d = b.env, b.dir
        b.proc.send_signal(15)
        self.assertEqual(b.proc.wait(timeout=15), 0)
        b.log.close()
        b.start()
        wait_for(lambda: any(p["is_online"] for p in b.get("/api/admin/p2p/peers", token=b.token).json),
                 what="B back online with A")
        time.sleep(1.5)
        log = b.read_log()
        after_restart = log[log.rfind("listening on http"):]
        self.assertNotIn("applied 1 tracks", after_restart, "a reconnect must not resend known tracks")
        # New track on A after the restart: only it travels.
        lib = os.path.join(a.dir, "library")
        shutil.copy(os.path.join(self.lib, "Test Artist/Sine Album/03 Tone 3.mp3"), os.path.join(lib, "t3.mp3"))
        r = a.cli("import", lib)  # a second process writing the same database: the log trigger sees it
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_for(lambda: "Tone 3" in self.tracks(b), what="the new track on B")
        log = b.read_log()
        applied = [l for l in log[log.rfind("listening on http"):].splitlines() if "p2p: applied" in l]
        self.assertGreaterEqual(len(applied), 1, applied)  # pushed by A, then seen again by B's next pull
        for line in applied:
            self.assertIn("applied 1 tracks and 0 removals", line, "only the new track travels")

    def test_same_bytes_from_another_peer_when_the_origin_is_gone(self):
        a = self.start_node([("noise.flac", self.noise)])
        c = self.start_node([("copy.flac", self.noise)])  # the same bytes on a third node
        b = self.start_node([])
        self.link(a, b)
        self.link(c, b)
        track = wait_for(lambda: self.tracks(b).get("Noise Blob"), what="the track on B")
        copies = lambda: [p["local_remote_tracks"] for p in
                          b.get("/api/admin/p2p/library-sync", token=b.token).json["peers"]] == [1, 1]
        wait_for(copies, what="one track, two copies")
        self.assertEqual(len(self.tracks(b)), 1)
        code, _ = a.stop()
        self.assertEqual(code, 0)
        self.servers.remove(a)
        with open(self.noise, "rb") as f:
            original = f.read()
        r = b.get(f"/api/tracks/{track['id']}/stream", token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body == original, "fetched from C, verified against the same hash")

    def test_ranges_come_from_every_holder_at_once(self):
        a = self.start_node([("noise.flac", self.noise)])
        c = self.start_node([("copy.flac", self.noise)])  # the same bytes on a third node
        b = self.start_node([])
        self.link(a, b)
        self.link(c, b)
        track = wait_for(lambda: self.tracks(b).get("Noise Blob"), what="the track on B")
        wait_for(lambda: [p["local_remote_tracks"] for p in
                          b.get("/api/admin/p2p/library-sync", token=b.token).json["peers"]] == [1, 1],
                 what="one track, two copies")
        with open(self.noise, "rb") as f:
            original = f.read()
        self.assertGreater(len(original), 2 * 1024 * 1024)  # several 1 MiB ranges
        r = b.get(f"/api/tracks/{track['id']}/stream", token=b.token, headers={"Range": "bytes=0-"})
        self.assertEqual(r.status, 206, r)
        self.assertTrue(r.body == original, "fetched from both, verified against the same hash")
        served = [s.get("/api/p2p/status").json["ranges_served"] for s in (a, c)]
        self.assertTrue(all(n > 0 for n in served), f"both holders served ranges: {served}")

    def test_a_single_holder_resumes_after_a_broken_connection(self):
        a = self.start_node([("noise.flac", self.noise)], interval=600)
        b = self.start_node([], interval=600)
        proxy = CuttingProxy(a.p2p_port, limit=1536 * 1024)  # in the middle of the second 1 MiB range
        self.addCleanup(proxy.close)
        r = b.post("/api/admin/p2p/peers", {"node_id": a.node_id, "address": proxy.address}, token=b.token)
        self.assertEqual(r.status, 200, r)
        track = wait_for(lambda: self.tracks(b).get("Noise Blob"), what="the track on B")
        with open(self.noise, "rb") as f:
            original = f.read()
        ranges = (len(original) + (1 << 20) - 1) >> 20
        self.assertGreaterEqual(ranges, 3)
        proxy.armed.set()
        r = b.get(f"/api/tracks/{track['id']}/stream", token=b.token)
        self.assertTrue(proxy.cut.is_set(), "the download went through the relay and its link was broken")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body == original, "resumed on the same holder, verified against the hash")
        served = a.get("/api/p2p/status").json["ranges_served"]
        # Ranges lost with the link were asked again (over a new one); those that arrived before the cut
        # (one whole reply at least: each is written as one frame) were not.
        self.assertGreater(served, ranges)
        self.assertLess(served, 2 * ranges, "what was verified before the break is kept")
        wait_for(lambda: any("resumed on" in e["message"] for e in
                             b.get("/api/admin/p2p/logs", token=b.token).json["entries"]),
                 timeout=15, what="the resumption in the P2P log")

    def test_changes_are_pushed_without_waiting_for_the_next_pull(self):
        a = self.start_node([("t1.mp3", os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3"))], interval=600)
        b = self.start_node([], interval=600)
        self.link(a, b)
        wait_for(lambda: "Tone 1" in self.tracks(b), what="the first sync")
        lib = os.path.join(a.dir, "library")
        shutil.copy(os.path.join(self.lib, "Test Artist/Sine Album/02 Tone 2.mp3"), os.path.join(lib, "t2.mp3"))
        self.assertEqual(a.cli("import", lib).returncode, 0)
        wait_for(lambda: "Tone 2" in self.tracks(b), timeout=25, what="the pushed change (next pull is in 10 min)")
        t1 = self.tracks(a)["Tone 1"]
        self.assertEqual(a.delete(f"/api/tracks/{t1['id']}", token=a.token).status, 204)
        wait_for(lambda: "Tone 1" not in self.tracks(b), timeout=25, what="the pushed deletion")

    def test_friends_mode_refuses_other_nodes_both_ways(self):
        a = self.start_node([("t1.mp3", os.path.join(self.lib, "Test Artist/Sine Album/01 Tone 1.mp3"))])
        b = self.start_node([])
        port = free_port()
        env = p2p_env(port)
        env.update({"P2P_SHARING_MODE": "friends", "P2P_FRIENDS": a.node_id})
        c = Server(env=env).start()
        c.p2p_port = port
        c.token = c.setup_admin()["tokens"]["access_token"]
        c.node_id = c.get("/api/p2p/status").json["node_id"]
        self.servers.append(c)
        # B (not a friend) cannot link with C, in either direction.
        r = b.post("/api/admin/p2p/peers", {"node_id": c.node_id, "address": f"127.0.0.1:{c.p2p_port}"}, token=b.token)
        self.assertFalse(r.json["peer"]["is_online"], r)
        r = c.post("/api/admin/p2p/peers", {"node_id": b.node_id, "address": f"127.0.0.1:{b.p2p_port}"}, token=c.token)
        self.assertEqual(r.status, 409, r)
        # A (a friend) can, and C gets its catalogue.
        self.link(a, c)
        wait_for(lambda: "Tone 1" in self.tracks(c), what="the friend's track")
        self.assertEqual([p["node_id"] for p in c.get("/api/admin/p2p/peers", token=c.token).json], [a.node_id])

    def test_pinned_key_and_unknown_peer(self):
        a = self.start_node([])
        b = self.start_node([])
        wrong = "ab" * 32
        r = b.post("/api/admin/p2p/peers", {"node_id": wrong, "address": f"127.0.0.1:{a.p2p_port}"}, token=b.token)
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["peer"]["is_online"], "a key other than the pinned NodeId must be refused")
        ping = b.post(f"/api/admin/p2p/peers/{wrong}/ping", token=b.token).json
        self.assertFalse(ping["ok"])
        self.assertIn("ping failed", ping["message"])
        self.assertEqual(b.post("/api/admin/p2p/peers", {"node_id": "nothex"}, token=b.token).status, 400)
        self.assertEqual(b.post("/api/admin/p2p/peers", {"node_id": b.node_id, "address": "127.0.0.1:1"},
                                token=b.token).status, 400)
        self.assertEqual(b.delete(f"/api/admin/p2p/peers/{wrong}", token=b.token).status, 200)
        self.assertEqual(b.delete(f"/api/admin/p2p/peers/{wrong}", token=b.token).status, 404)
        self.assertEqual(b.get("/api/admin/p2p/peers").status, 401)


class HostilePeer(unittest.TestCase):
    """Speaks TLS to a node's P2P port with a certificate made by the openssl CLI."""

    def setUp(self):
        self.port = free_port()
        self.s = Server(env=p2p_env(self.port)).start()
        self.tmp = tempfile.mkdtemp(prefix="soundtime-hostile-")
        self.key = os.path.join(self.tmp, "key.pem")
        self.cert = os.path.join(self.tmp, "cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", self.key, "-out",
                        self.cert, "-days", "1", "-subj", "/CN=hostile"], check=True, capture_output=True)

    def tearDown(self):
        code, log = self.s.stop()
        self.assertEqual(code, 0, log[-3000:])
        self.assertNotIn("AddressSanitizer", log)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def connect(self, alpn=("soundtime/p2p/1",), cert=True):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        if cert:
            ctx.load_cert_chain(self.cert, self.key)
        if alpn:
            ctx.set_alpn_protocols(list(alpn))
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return ctx.wrap_socket(raw)

    @staticmethod
    def frame(kind, stream, payload):
        return struct.pack(">IIB", len(payload), stream, kind) + payload

    @classmethod
    def read_frame(cls, sock):
        """The next reply; requests the node sends us (it pings back a new peer) are skipped."""
        while True:
            f = cls.read_any(sock)
            if f is None or f[0] != 1:
                return f

    @staticmethod
    def read_any(sock):
        hdr = b""
        while len(hdr) < 9:
            chunk = sock.recv(9 - len(hdr))
            if not chunk:
                return None
            hdr += chunk
        length, stream, kind = struct.unpack(">IIB", hdr)
        body = b""
        while len(body) < length:
            chunk = sock.recv(length - len(body))
            if not chunk:
                return None
            body += chunk
        return kind, stream, body

    def closed(self, sock):
        try:
            sock.settimeout(10)
            return sock.recv(1) == b""
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            return True

    def test_ping_malformed_and_oversized(self):
        sock = self.connect()
        sock.sendall(self.frame(1, 1, b'"Ping"'))
        kind, stream, body = self.read_frame(sock)
        self.assertEqual((kind, stream), (2, 1))
        pong = json.loads(body)["Pong"]
        self.assertEqual(pong["track_count"], 0)
        self.assertRegex(pong["node_id"], "^[0-9a-f]{64}$")
        for bad in (b"{not json", b'{"FetchTrack":{"hash":"zz"}}', b'{"Nope":1}', b"[1,2]", b"\xff\xfe"):
            sock.sendall(self.frame(1, 3, bad))
            kind, stream, body = self.read_frame(sock)
            self.assertEqual((kind, stream), (4, 3), bad)
            self.assertEqual(json.loads(body)["error"], "bad_message")
        sock.sendall(self.frame(1, 5, json.dumps({"FetchTrack": {"hash": "0" * 64}}).encode()))
        kind, _, body = self.read_frame(sock)
        self.assertEqual((kind, json.loads(body)["error"]), (4, "not_found"))
        # A frame announcing 64 MiB: the link is closed at the header.
        sock.sendall(struct.pack(">IIB", 64 << 20, 7, 1))
        self.assertTrue(self.closed(sock))
        self.assertEqual(self.s.get("/healthz").status, 200)

    def test_unknown_kind_and_wrong_parity_close_or_refuse(self):
        sock = self.connect()
        sock.sendall(self.frame(2, 2, b'"Ping"'))  # even id: the acceptor's half
        sock.sendall(self.frame(1, 2, b'"Ping"'))
        kind, stream, body = self.read_frame(sock)
        self.assertEqual((kind, stream, json.loads(body)["error"]), (4, 2, "bad_stream"))
        sock.sendall(self.frame(9, 1, b""))
        self.assertTrue(self.closed(sock))

    def test_wrong_alpn_and_missing_certificate_are_refused(self):
        with self.assertRaises((ssl.SSLError, ConnectionResetError, OSError)):
            s = self.connect(alpn=("h2",))
            s.sendall(self.frame(1, 1, b'"Ping"'))
            if self.read_frame(s) is None:
                raise ConnectionResetError("closed")
        with self.assertRaises((ssl.SSLError, ConnectionResetError, OSError)):
            s = self.connect(cert=False)
            s.sendall(self.frame(1, 1, b'"Ping"'))
            if self.read_frame(s) is None:
                raise ConnectionResetError("closed")


class P2pOff(unittest.TestCase):
    def test_off_by_default(self):
        s = Server().start()
        try:
            st = s.get("/api/p2p/status").json
            self.assertFalse(st["enabled"])
            self.assertIsNone(st["node_id"])
            token = s.setup_admin()["tokens"]["access_token"]
            self.assertEqual(s.get("/api/admin/p2p/peers", token=token).json, [])
            r = s.post("/api/admin/p2p/peers", {"node_id": "ab" * 32}, token=token)
            self.assertEqual(r.status, 503, r)
            self.assertEqual(s.get("/api/p2p/search?q=x").status, 503)
            self.assertFalse(os.path.exists(os.path.join(s.dir, "p2p")))
        finally:
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])


class FakeNode(unittest.TestCase):
    """A hand-written node (Python TLS) that announces one track and serves its chunks, each with one flipped
    bit; `announced_size` and `env` let a test lie about more. No tests of its own."""

    env = {}
    silent = ()  # message names this node never answers (a peer that hangs)

    def announced_size(self):
        return self.size

    def custom_reply(self, name, msg):
        """A subclass's own answer (kind, JSON text) to a message, or None for the usual one."""
        return None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="soundtime-liar-")
        key, cert = os.path.join(self.tmp, "key.pem"), os.path.join(self.tmp, "cert.pem")
        self.key_path, self.cert_path = key, cert
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=liar"], check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self.node_id = der[-32:].hex()
        self.blob = os.path.join(self.tmp, "noise.flac")
        make_noise_flac(self.blob, "Poison", seconds=4)
        self.size = os.path.getsize(self.blob)
        self.hash = subprocess.run(["b3sum", "--no-names", self.blob], check=True, capture_output=True,
                                   text=True).stdout.strip()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        self.ctx.load_cert_chain(cert, key)
        self.ctx.set_alpn_protocols(["soundtime/p2p/1"])
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self.fetches = 0
        import threading
        threading.Thread(target=self.serve, daemon=True).start()
        self.s = Server(env={**p2p_env(free_port()), **self.env}).start()
        self.s.token = self.s.setup_admin()["tokens"]["access_token"]

    def tearDown(self):
        code, log = self.s.stop()
        self.listener.close()
        self.assertEqual(code, 0, log[-3000:])
        self.assertNotIn("AddressSanitizer", log)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self):
        import threading
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(raw,), daemon=True).start()

    def session(self, raw):
        try:
            conn = self.ctx.wrap_socket(raw, server_side=True)
            while True:
                f = HostilePeer.read_any(conn)
                if f is None:
                    return
                kind, stream, body = f
                if kind != 1:
                    continue
                msg = json.loads(body)
                name = msg if isinstance(msg, str) else next(iter(msg))
                if name in self.silent:
                    continue
                custom = self.custom_reply(name, msg)
                if custom:
                    reply = custom
                elif name == "Ping":
                    reply = (2, json.dumps({"Pong": {"node_id": self.node_id, "track_count": 1, "version": "evil"}}))
                elif name == "RequestCatalog":
                    track = {"hash": self.hash, "title": "Poison", "artist_name": "Liar", "album_title": "Lies",
                             "duration_secs": 4.0, "format": "flac", "file_size": self.announced_size(),
                             "origin_node": self.node_id}
                    since = msg["RequestCatalog"]["since_cursor"] if isinstance(msg, dict) else 0
                    tracks = [track] if since == 0 else []
                    reply = (2, json.dumps({"CatalogDelta": {"since": "2026-01-01T00:00:00Z", "tracks": tracks,
                                                              "removed": [], "cursor": since, "next_cursor": 1,
                                                              "has_more": False}}))
                elif name == "FetchTrack":
                    self.fetches += 1
                    first = msg["FetchTrack"]["offset"] // 16384
                    groups = (self.size + 16383) // 16384
                    end = min(groups, first + 64)
                    with open(self.blob, "rb") as fh:
                        fh.seek(first * 16384)
                        data = bytearray(fh.read(min(self.size, end * 16384) - first * 16384))
                    data[len(data) // 2] ^= 1  # one flipped bit
                    proof = b"\0" * 64 * 7
                    payload = struct.pack(">QQQI", self.size, first, end, len(proof)) + proof + bytes(data)
                    conn.sendall(HostilePeer.frame(3, stream, payload))
                    continue
                else:
                    reply = (4, json.dumps({"error": "unsupported", "message": name}))
                conn.sendall(HostilePeer.frame(reply[0], stream, reply[1].encode()))
        except (OSError, ssl.SSLError, ValueError):
            return



class LyingPeer(FakeNode):
    """A hostile node that announces a real track but serves corrupt chunks: every chunk is checked
    before it is stored or played, the peer is struck on each offence and blocked after three."""

    def test_corrupt_chunks_are_refused_and_the_peer_blocked(self):
        s = self.s
        r = s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"}, token=s.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["peer"]["is_online"], r)
        track = wait_for(lambda: next((t for t in s.get("/api/tracks", token=s.token).json["data"]
                                       if t["title"] == "Poison"), None), what="the liar's announcement")
        for attempt in range(3):
            r = s.get(f"/api/tracks/{track['id']}/stream", token=s.token)
            self.assertEqual(r.status, 503, r)
            self.assertNotIn(b"fLaC", r.body, "no unverified byte is ever played")
        peer = s.get("/api/admin/p2p/peers", token=s.token).json[0]
        self.assertEqual(peer["strikes"], 3)
        self.assertFalse(peer["is_online"])
        fetches = self.fetches
        r = s.get(f"/api/tracks/{track['id']}/stream", token=s.token)
        self.assertEqual(r.status, 503, r)
        self.assertEqual(self.fetches, fetches, "a blocked peer is not asked again")
        blobs = os.path.join(s.dir, "p2p", "blobs")
        self.assertEqual([n for n in os.listdir(blobs) if n.startswith(self.hash)], [], "nothing unverified kept")
        r = s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"}, token=s.token)
        self.assertEqual(r.status, 409, r)


class OversizedAnnouncement(FakeNode):
    """Issue 17, item 6: a peer announces a track larger than the cache quota: nothing is reserved on disk
    nor fetched, and the listener hears why."""

    env = {"P2P_CACHE_MAX_SIZE": "1MB"}

    def announced_size(self):
        return 256 << 20  # 256 MiB for a 4 s file: what would be fallocate'd

    def test_a_track_over_the_cache_quota_is_refused_before_anything_is_reserved(self):
        s = self.s
        r = s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"}, token=s.token)
        self.assertEqual(r.status, 200, r)
        track = wait_for(lambda: next((t for t in s.get("/api/tracks", token=s.token).json["data"]
                                       if t["title"] == "Poison"), None), what="the announcement")
        blobs = os.path.join(s.dir, "p2p", "blobs")
        r = s.get(f"/api/tracks/{track['id']}/stream", token=s.token)
        self.assertEqual(r.status, 503, r)
        self.assertIn(b"cache quota", r.body)
        self.assertEqual(self.fetches, 0, "nothing was asked of the peer")
        self.assertEqual([n for n in os.listdir(blobs) if n.startswith(self.hash)], [], "nothing reserved")
        self.assertEqual(s.get("/api/admin/p2p/peers", token=s.token).json[0]["strikes"], 0, "not the peer's fault")


class SilentPeer(FakeNode):
    """Issue 17, item 7: a linked peer that never answers searches must not hold the workers that serve the
    catalogue: searches beyond their cap answer 503 at once, the catalogue keeps answering."""

    env = {"HTTP_NETWORK_WAITS_MAX": "2"}
    silent = ("SearchQuery", "FetchTrack")

    def test_searches_waiting_on_a_silent_peer_never_starve_the_catalogue(self):
        import threading
        s = self.s
        r = s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"}, token=s.token)
        self.assertEqual(r.status, 200, r)
        statuses, lock = [], threading.Lock()

        def search(n):
            r = s.get(f"/api/p2p/search?q=poison{n}", token=s.token)
            with lock:
                statuses.append((r.status, r.header("Retry-After")))
        threads = [threading.Thread(target=search, args=(n,)) for n in range(24)]
        for t in threads:
            t.start()
        # While the searches wait on the silent peer, the catalogue answers.
        for _ in range(10):
            self.assertEqual(s.get("/api/tracks?per_page=5", token=s.token).status, 200)
        for t in threads:
            t.join()
        busy = [x for x in statuses if x[0] == 503]
        self.assertTrue(busy, f"searches beyond the cap are turned away: {statuses}")
        self.assertTrue(all(ra for _, ra in busy), "with Retry-After")
        self.assertTrue(all(st in (200, 503) for st, _ in statuses), statuses)


class AbandonedFetch(FakeNode):
    """Issue 17, item 7: requests waiting for a replica that a peer never sends hold a slot among the few
    network waits; once their clients have gone they stop waiting (the fetch itself goes on), so that the
    slots are free again long before the 30 s deadline. Through the REST API and Subsonic alike."""

    env = {"HTTP_NETWORK_WAITS_MAX": "2", "P2P_REQUEST_TIMEOUT_SECONDS": "600"}  # the peer never times out
    silent = ("FetchTrack",)

    def raw_request(self, path, headers=""):
        c = socket.create_connection(("127.0.0.1", self.s.port))
        c.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\n{headers}\r\n".encode())
        return c

    @staticmethod
    def answer(c, wait):
        """The first bytes of the answer, or None when none comes within `wait` seconds (still waiting)."""
        c.settimeout(wait)
        try:
            return c.recv(4096)
        except socket.timeout:
            return None

    def check_slots_come_back(self, path, headers="", gone_before=0):
        waiting = []
        for _ in range(2):  # both wait on the silent peer (no answer) and hold the two slots
            waiting.append(self.raw_request(path, headers))
            self.assertIsNone(self.answer(waiting[-1], 2))
        # A third finds no slot: what makes this test able to fail.
        third = self.answer(self.raw_request(path, headers), 60)
        self.assertIn(b"on their way", third or b"", third)
        for c in waiting:
            c.close()
        # Within a slice each waiting request notices its client has gone and gives its slot back (without
        # that, both would stay taken until the 30 s deadline).
        wait_for(lambda: self.s.read_log().count("from peers has gone") >= gone_before + 2, timeout=60,
                 what="the waiting requests to notice their clients have gone")
        c = self.raw_request(path, headers)
        self.assertIsNone(self.answer(c, 3), "a new request waits on the peer instead of being turned away")
        c.close()

    def test_requests_whose_client_has_gone_give_their_slot_back(self):
        s = self.s
        r = s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"}, token=s.token)
        self.assertEqual(r.status, 200, r)
        track = wait_for(lambda: next((t for t in s.get("/api/tracks", token=s.token).json["data"]
                                       if t["title"] == "Poison"), None), what="the announcement")
        self.check_slots_come_back(f"/api/tracks/{track['id']}/stream", f"Authorization: Bearer {s.token}\r\n")
        app = s.post("/api/auth/app-passwords", {"name": "phone"}, token=s.token).json["password"]
        q = f"apiKey={app}&f=json&v=1.16.1&c=tests"
        song = s.get(f"/rest/search3?{q}&query=poison").json["subsonic-response"]["searchResult3"]["song"][0]
        self.check_slots_come_back(f"/rest/stream?{q}&id={song['id']}", gone_before=3)


class ThrowawayRecords(FakeNode):
    """Issue 17, item 12: a peer answers every peer exchange with 20 records signed by throwaway keys, each
    naming an address of ours that counts connections. The node pings only P2P_PEX_RECORDS_PER_ROUND of a
    peer's unknown nodes per round, and says how many were over the quota."""

    env = {"P2P_PEX_RECORDS_PER_ROUND": "3", "P2P_PEX_INTERVAL_SECONDS": "2"}

    def setUp(self):
        import threading
        self.dials = 0
        self.exchanges = 0
        self.trap = socket.socket()
        self.trap.bind(("127.0.0.1", 0))
        self.trap.listen(64)
        threading.Thread(target=self.count_dials, daemon=True).start()
        super().setUp()
        self.records = [self.throwaway_record(n) for n in range(20)]

    def tearDown(self):
        self.trap.close()
        super().tearDown()

    def count_dials(self):
        while True:
            try:
                c, _ = self.trap.accept()
            except OSError:
                return
            self.dials += 1
            c.close()

    def throwaway_record(self, n):
        key = os.path.join(self.tmp, f"throwaway-{n}.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"], check=True,
                             capture_output=True).stdout
        node_id, stamp = der[-32:].hex(), int(time.time())
        address = f"127.0.0.1:{self.trap.getsockname()[1]}"
        signed = os.path.join(self.tmp, f"record-{n}")
        with open(signed, "w") as f:
            f.write(f"soundtime-peer-record/1\n{node_id}\n{stamp}\n{address}\n")
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", signed], check=True,
                             capture_output=True).stdout
        return {"node_id": node_id, "addresses": [address], "timestamp": stamp, "signature": sig.hex()}

    def custom_reply(self, name, msg):
        if name != "PeerExchange":
            return None
        self.exchanges += 1
        return (2, json.dumps({"PeerExchange": {"peers": [self.node_id] + [r["node_id"] for r in self.records],
                                                "records": self.records}}))

    def test_unknown_nodes_from_one_peer_are_pinged_a_few_per_round(self):
        s = self.s
        r = s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"}, token=s.token)
        self.assertEqual(r.status, 200, r)
        wait_for(lambda: self.exchanges >= 3, timeout=60, what="three peer exchanges")
        time.sleep(2)  # the pings of the last round
        rounds = self.exchanges
        # Some are dialled (the records are good and the address fits: this test can fail), never all 20
        # of a round: 3 per round (and one round more for the one under way).
        self.assertGreater(self.dials, 0)
        self.assertLessEqual(self.dials, 3 * (rounds + 1), f"{self.dials} dials in {rounds} rounds")
        self.assertIn("over its quota", s.read_log())
        self.assertEqual([p["node_id"] for p in s.get("/api/admin/p2p/peers", token=s.token).json], [self.node_id],
                         "nodes that never answered are not kept")


def fake_tracks(n, origin, salt):
    return [{"hash": f"{salt:08x}{i:056x}", "title": f"Fake {i}", "artist_name": "Spam", "album_title": "Spam",
             "duration_secs": 1.0, "format": "mp3", "file_size": 1000, "origin_node": origin} for i in range(n)]


class GreedyPeer(FakeNode):
    """Issue 17, item 10: a peer (added by the admin) that pushes catalogue pages as fast as it can is
    rate-limited: the rest of its catalogue waits for our pulls."""

    env = {"P2P_PUSH_TRACKS_PER_MINUTE": "1000"}

    def test_catalogue_pushes_are_rate_limited(self):
        s = self.s
        r = s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"}, token=s.token)
        self.assertEqual(r.status, 200, r)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_cert_chain(self.cert_path, self.key_path)
        ctx.set_alpn_protocols(["soundtime/p2p/1"])
        sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(s.env["P2P_BIND_PORT"])), timeout=30))
        answers = []
        for page in range(3):
            body = json.dumps({"CatalogSync": fake_tracks(1000, self.node_id, page)}).encode()
            sock.sendall(HostilePeer.frame(1, 2 * page + 1, body))
            kind, _, reply = HostilePeer.read_frame(sock)
            answers.append("ok" if kind == 2 else json.loads(reply)["error"])
        sock.close()
        self.assertEqual(answers, ["ok", "rate_limited", "rate_limited"])


class PagedPeer(FakeNode):
    """A fake node whose catalogue takes several pages (3,000 tracks, 500 a page). No tests of its own."""

    def custom_reply(self, name, msg):
        if name != "RequestCatalog":
            return None
        since = msg["RequestCatalog"]["since_cursor"]
        self.asked = getattr(self, "asked", []) + [since]
        end = min(since + 500, 3000)
        tracks = [{"hash": f"{7:08x}{i:056x}", "title": f"Fake {i}", "artist_name": f"Spam {i // 100}",
                   "album_title": f"Album {i // 10}", "duration_secs": 1.0, "format": "mp3", "file_size": 1000,
                   "origin_node": self.node_id} for i in range(since, end)]
        return (2, json.dumps({"CatalogDelta": {"since": "2026-01-01T00:00:00Z", "tracks": tracks, "removed": [],
                                                "cursor": since, "next_cursor": end, "has_more": end < 3000}}))

    def link(self):
        r = self.s.post("/api/admin/p2p/peers", {"node_id": self.node_id, "address": f"127.0.0.1:{self.port}"},
                        token=self.s.token)
        self.assertEqual(r.status, 200, r)

    def total(self):
        return self.s.get("/api/tracks?per_page=1", token=self.s.token).json["total"]


class LargeCatalogPeer(PagedPeer):
    """Issue 15: every page of a large catalogue is asked once, in order, and applied (batches are written
    while the next pages are fetched)."""

    def test_every_page_is_applied(self):
        self.link()
        wait_for(lambda: self.total() == 3000 or None, what="the 3,000 tracks")
        wait_for(lambda: "(cursor 3000;" in self.s.read_log() or None, what="the last batch logged")
        self.assertEqual(self.total(), 3000)
        albums = self.s.get("/api/albums?per_page=1", token=self.s.token).json["total"]
        self.assertEqual(albums, 300)  # grouped once each, whatever page named them
        self.assertEqual([c for c in self.asked if c < 3000], list(range(0, 3000, 500)))


class QuotaPeer(PagedPeer):
    """The per-peer quota holds while pages are batched: the copies are counted again once what was taken
    could reach it (not only when a batch of 20,000 is written), so no more pages are asked after that."""

    env = {"P2P_MAX_TRACKS_PER_PEER": "1200"}

    def test_pulling_stops_at_the_quota(self):
        self.link()
        wait_for(lambda: "no more are taken" in self.s.read_log() or None, what="the quota reached")
        self.assertEqual(self.total(), 1500)  # three pages: the third crossed the quota
        self.assertEqual(self.asked[:3], [0, 500, 1000])
        self.assertEqual(set(self.asked), {0, 500, 1000}, "no page asked past the quota")


class ThrowawayIdentities(unittest.TestCase):
    """Issue 17, item 10: nodes that link to us with fresh keys are answered, but become peers (a row, an
    address book entry) only once contacting them back works; until then they may not push."""

    setUp = HostilePeer.setUp
    tearDown = HostilePeer.tearDown
    connect = HostilePeer.connect
    frame = staticmethod(HostilePeer.frame)
    read_frame = staticmethod(HostilePeer.read_frame)

    def identity(self, i):
        key, cert = os.path.join(self.tmp, f"k{i}.pem"), os.path.join(self.tmp, f"c{i}.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", f"/CN=throwaway{i}"], check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self.key, self.cert = key, cert
        return der[-32:].hex()

    def test_unknown_nodes_get_no_peer_row_and_cannot_push(self):
        token = self.s.setup_admin()["tokens"]["access_token"]
        for i in range(8):
            node = self.identity(i)
            sock = self.connect()
            sock.sendall(self.frame(1, 1, json.dumps({"Ping": {"listen_port": 9}}).encode()))
            kind, _, body = self.read_frame(sock)
            self.assertEqual(kind, 2)
            self.assertIn("Pong", json.loads(body))
            sock.sendall(self.frame(1, 3, json.dumps({"CatalogSync": fake_tracks(10, node, i)}).encode()))
            kind, _, body = self.read_frame(sock)
            self.assertEqual((kind, json.loads(body)["error"]), (4, "not_linked"))
            sock.close()  # (never answers our ping back)
        self.assertEqual(self.s.get("/api/admin/p2p/peers", token=token).json, [])
        self.assertEqual(self.s.get("/api/tracks", token=token).json["data"], [])
