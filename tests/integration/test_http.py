"""The HTTP layer seen from outside: health, headers, CORS, errors, limits, keep-alive."""
import http.client
import socket
import time

from harness import ServerTest


class HttpBasics(ServerTest):
    server_env = {"CORS_ORIGINS": "http://app.example"}

    def test_healthz(self):
        r = self.s.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertTrue(r.json["version"])
        self.assertEqual(r.header("content-type"), "application/json")

    def test_hsts_only_behind_https(self):
        r = self.s.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        self.assertIn("max-age=63072000", r.header("strict-transport-security"))

    def test_security_headers_on_every_response(self):
        for path in ["/healthz", "/api/nope", "/api/auth/me"]:
            r = self.s.get(path)
            self.assertEqual(r.header("x-content-type-options"), "nosniff", path)
            self.assertEqual(r.header("x-frame-options"), "DENY", path)
            self.assertIsNone(r.header("strict-transport-security"), path)  # plain HTTP: no HSTS
            self.assertIn("default-src 'self'", r.header("content-security-policy"), path)
            self.assertEqual(r.header("referrer-policy"), "strict-origin-when-cross-origin", path)
            self.assertIn("camera=()", r.header("permissions-policy"), path)
            self.assertTrue(r.header("x-request-id"), path)

    def test_request_ids_are_unique_or_echoed(self):
        a = self.s.get("/healthz").header("x-request-id")
        b = self.s.get("/healthz").header("x-request-id")
        self.assertNotEqual(a, b)
        self.assertEqual(self.s.get("/healthz", headers={"X-Request-Id": "abc-123"}).header("x-request-id"), "abc-123")
        self.assertNotIn("<", self.s.get("/healthz", headers={"X-Request-Id": "<script>"}).header("x-request-id"))

    def test_unknown_route_is_404_json_and_wrong_method_405(self):
        r = self.s.get("/api/does-not-exist")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json, {"error": "Not found"})
        r = self.s.delete("/healthz")
        self.assertEqual(r.status, 405)
        self.assertIn("error", r.json)
        self.assertIn("GET", r.header("allow"))

    def test_cors_preflight_allows_patch_for_known_origins(self):
        r = self.s.request("OPTIONS", "/api/auth/me", headers={
            "Origin": "http://app.example", "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization,content-type"})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.header("access-control-allow-origin"), "http://app.example")
        self.assertIn("PATCH", r.header("access-control-allow-methods"))
        self.assertIn("Authorization", r.header("access-control-allow-headers"))
        bad = self.s.request("OPTIONS", "/api/auth/me", headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
        self.assertEqual(bad.status, 403)
        self.assertIsNone(bad.header("access-control-allow-origin"))

    def test_cors_headers_on_simple_requests(self):
        r = self.s.get("/healthz", headers={"Origin": "http://app.example"})
        self.assertEqual(r.header("access-control-allow-origin"), "http://app.example")
        self.assertIn("Content-Disposition", r.header("access-control-expose-headers"))
        r = self.s.get("/healthz", headers={"Origin": "http://evil.example"})
        self.assertIsNone(r.header("access-control-allow-origin"))
        # Without Origin the answer differs from a CORS one: caches are told so.
        r = self.s.get("/healthz")
        self.assertIsNone(r.header("access-control-allow-origin"))
        self.assertIn("Origin", r.header("vary") or "")

    def test_body_size_limit(self):
        big = b"{" + b" " * (3 * 1024 * 1024) + b"}"
        r = self.s.request("POST", "/api/auth/login", raw=big, headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)
        self.assertIn("too large", r.json["error"])
        self.assertEqual(self.s.get("/healthz").status, 200)

    def test_malformed_json_and_missing_fields_are_clear_400s(self):
        r = self.s.request("POST", "/api/auth/login", raw=b'{"username": ', headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertIn("Invalid JSON", r.json["error"])
        r = self.s.post("/api/auth/login", {"username": "x"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["error"], "Missing field 'password'")
        r = self.s.post("/api/auth/login", {"username": 5, "password": "x"})
        self.assertEqual(r.json["error"], "Field 'username' must be a string")
        r = self.s.post("/api/auth/login", [1, 2])
        self.assertEqual(r.json["error"], "Request body must be a JSON object")
        r = self.s.request("POST", "/api/auth/login", raw=b"username=x", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 400)
        self.assertIn("application/json", r.json["error"])
        deep = b"[" * 10000 + b"]" * 10000
        r = self.s.request("POST", "/api/auth/login", raw=deep, headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=10)
        for _ in range(20):
            r = self.s.get("/healthz", conn=c)
            self.assertEqual(r.status, 200)
        c.close()

    def test_head_has_headers_but_no_body(self):
        r = self.s.request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("content-length"), str(len(self.s.get("/healthz").body)))

    def test_garbage_request_gets_400_and_server_survives(self):
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=5) as sock:
            sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
            data = sock.recv(4096)
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data)
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=5) as sock:
            sock.sendall(b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            data = sock.recv(4096)
        self.assertTrue(data.startswith(b"HTTP/1.1 431") or data.startswith(b"HTTP/1.1 400"), data)
        self.assertEqual(self.s.get("/healthz").status, 200)

    def test_percent_encoded_traversal_and_nul_are_refused(self):
        self.assertEqual(self.s.get("/a%00b").status, 400)
        self.assertEqual(self.s.get("/%zz").status, 400)

    def test_sigterm_waits_for_an_idle_keepalive_connection_without_hanging(self):
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=10)
        self.assertEqual(self.s.get("/healthz", conn=c).status, 200)
        # tearDown sends SIGTERM with the connection still open: the server must still exit promptly.
        self.addCleanup(c.close)


class ClientLimits(ServerTest):
    """Issue 17, item 5: one client address can neither take every connection nor pile up request bodies in
    memory before any handler has checked who it is."""
    server_env = {"HTTP_MAX_CONNECTIONS_PER_IP": "4", "HTTP_MAX_BODY_BYTES_PER_IP": "3MB"}

    def served(self, sock):
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = sock.recv(4096)
        except ConnectionResetError:
            return False
        return data.startswith(b"HTTP/1.1 200")

    def test_connections_beyond_the_per_ip_cap_are_refused(self):
        held = []
        try:
            # Four kept-alive connections, each served (the harness's own connections may take a moment
            # to be noticed as closed: retried until the server has let them go).
            for _ in range(400):
                if len(held) == 4:
                    break
                sock = socket.create_connection(("127.0.0.1", self.s.port), timeout=10)
                if self.served(sock):
                    held.append(sock)
                else:
                    sock.close()
                    time.sleep(0.05)
            self.assertEqual(len(held), 4)
            extra = [socket.create_connection(("127.0.0.1", self.s.port), timeout=10) for _ in range(3)]
            for sock in extra:
                with sock:
                    self.assertFalse(self.served(sock))
            held.pop().close()
            # The freed slot is usable again (the server notices the close a moment later).
            for _ in range(200):
                with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as sock:
                    if self.served(sock):
                        break
                time.sleep(0.05)
            else:
                self.fail("a freed connection slot was never reused")
        finally:
            for sock in held:
                sock.close()

    def test_in_memory_bodies_are_bounded_per_client(self):
        head = (b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 2000000\r\n\r\n")
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as first:
            first.sendall(head + b" " * 1000)  # 2 MB announced, held open
            # Make sure the server has read the first headers (it answers other requests in order).
            self.assertEqual(self.s.get("/healthz").status, 200)
            with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as second:
                second.sendall(head)
                data = second.recv(4096)
                self.assertTrue(data.startswith(b"HTTP/1.1 503"), data[:200])
                self.assertIn(b"Retry-After: 1", data)
            # Small bodies of the same client still fit.
            self.assertEqual(self.s.post("/api/auth/login", {"username": "x"}).status, 400)


class RequestLogging(ServerTest):
    def test_log_has_request_id_and_no_query_string(self):
        r = self.s.get("/api/tos?token=SECRET-IN-QUERY")
        rid = r.header("x-request-id")
        import time
        deadline = time.time() + 5  # the access log line is written once the response is sent
        while rid not in self.s.read_log() and time.time() < deadline:
            time.sleep(0.02)
        log = self.s.read_log()
        self.assertIn(rid, log)
        self.assertIn("/api/tos", log)
        self.assertNotIn("SECRET-IN-QUERY", log)

    def test_control_characters_in_the_path_cannot_forge_log_lines(self):
        r = self.s.get("/api/x%0a2026-01-01T00:00:00%20info%20fake%0d%1b[31m")
        rid = r.header("x-request-id")
        import time
        deadline = time.time() + 5
        while rid not in self.s.read_log() and time.time() < deadline:
            time.sleep(0.02)
        lines = self.s.read_log().split("\n")
        mine = [line for line in lines if rid in line]
        self.assertEqual(len(mine), 1, lines)
        self.assertIn("/api/x\\n2026-01-01T00:00:00 info fake\\r\\x1b[31m", mine[0])
        self.assertFalse([line for line in lines if line.startswith("2026-01-01T00:00:00 info fake")], lines)
        self.assertNotIn("\r", "".join(lines))
