"""Accounts and sessions: setup wizard, registration policy, login, refresh rotation, token tampering, bans."""
import time

from harness import JWT_SECRET, ServerTest, b64url, jwt_payload, sign_jwt


class SetupWizard(ServerTest):
    def test_full_wizard(self):
        st = self.s.get("/api/setup/status").json
        self.assertEqual(st, {"setup_complete": False, "has_admin": False, "instance_private": False})
        r = self.s.post("/api/setup/admin", {"username": "boss", "email": "boss@example.org", "password": "short"})
        self.assertEqual(r.status, 400)
        r = self.s.post("/api/setup/admin", {"username": "boss", "email": "boss@example.org",
                                             "password": "long-enough-1"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["user"]["role"], "admin")
        self.assertEqual(r.json["user"]["instance_id"], "boss@localhost:8080")
        self.assertEqual(r.json["tokens"]["token_type"], "Bearer")
        self.assertEqual(r.json["tokens"]["expires_in"], 900)
        token = r.json["tokens"]["access_token"]
        self.assertTrue(self.s.get("/api/setup/status").json["has_admin"])

        again = self.s.post("/api/setup/admin", {"username": "boss2", "email": "b2@example.org",
                                                 "password": "long-enough-1"})
        self.assertEqual(again.status, 403)
        self.assertEqual(again.json["error"], "Admin account already exists")

        self.assertEqual(self.s.post("/api/setup/instance", {"instance_name": "X", "instance_description": ""}).status, 401)
        r = self.s.post("/api/setup/instance", {"instance_name": "My Music", "instance_description": "Home"}, token=token)
        self.assertEqual(r.json, {"ok": True})
        r = self.s.post("/api/setup/complete", {"p2p_enabled": True, "open_registrations": False,
                                                "max_upload_size_mb": 0}, token=token)
        self.assertEqual(r.status, 400, "0 MiB uploads is not a usable setting")
        self.assertFalse(self.s.get("/api/setup/status").json["setup_complete"], "a refused step changes nothing")
        r = self.s.post("/api/setup/complete", {"p2p_enabled": True, "open_registrations": False,
                                                "max_upload_size_mb": 250}, token=token)
        self.assertEqual(r.json, {"ok": True})
        self.assertTrue(self.s.get("/api/setup/status").json["setup_complete"])
        r = self.s.post("/api/setup/complete", {"p2p_enabled": True, "open_registrations": True,
                                                "max_upload_size_mb": 250}, token=token)
        self.assertEqual(r.status, 403)
        info = self.s.get("/api/nodeinfo").json
        self.assertEqual(info["name"], "My Music")
        self.assertEqual(info["description"], "Home")
        self.assertFalse(info["open_registration"])
        self.assertEqual(info["user_count"], 1)
        # open_registrations=false is enforced
        r = self.s.post("/api/auth/register", {"username": "late", "email": "late@example.org", "password": "password-1"})
        self.assertEqual(r.status, 403)


class Registration(ServerTest):
    def test_first_user_is_admin_and_others_wait_for_setup(self):
        first = self.s.register("first")
        self.assertEqual(first["user"]["role"], "admin")
        r = self.s.post("/api/auth/register", {"username": "second", "email": "s@example.org", "password": "password-1"})
        self.assertEqual(r.status, 403)
        self.assertIn("being configured", r.json["error"])
        token = first["tokens"]["access_token"]
        self.s.post("/api/setup/complete", {"p2p_enabled": False, "open_registrations": True,
                                            "max_upload_size_mb": 100}, token=token)
        second = self.s.register("second")
        self.assertEqual(second["user"]["role"], "user")

    def test_validation_and_uniqueness(self):
        self.s.setup_admin()
        cases = [
            ({"username": "ab", "email": "ab@example.org", "password": "password-1"}, 400),
            ({"username": "a b", "email": "ab@example.org", "password": "password-1"}, 400),
            ({"username": "a@b", "email": "ab@example.org", "password": "password-1"}, 400),
            ({"username": "abc", "email": "not-an-email", "password": "password-1"}, 400),
            ({"username": "abc", "email": "abc@example.org", "password": "short"}, 400),
        ]
        for body, status in cases:
            r = self.s.post("/api/auth/register", body)
            self.assertEqual(r.status, status, body)
            self.assertIn("error", r.json)
        self.s.register("taken")
        for body in [{"username": "TAKEN", "email": "other@example.org", "password": "password-1"},
                     {"username": "other", "email": "Taken@Example.org", "password": "password-1"}]:
            r = self.s.post("/api/auth/register", body)
            self.assertEqual(r.status, 409, body)
            self.assertEqual(r.json["error"], "Username or email already taken")


class Login(ServerTest):
    def test_login_me_and_wrong_credentials(self):
        self.s.setup_admin()
        self.s.register("alice", password="alice-password")
        r = self.s.post("/api/auth/login", {"username": "alice", "password": "alice-password"})
        self.assertEqual(r.status, 200)
        token = r.json["tokens"]["access_token"]
        me = self.s.get("/api/auth/me", token=token)
        self.assertEqual(me.status, 200)
        self.assertEqual(me.json["username"], "alice")
        self.assertEqual(me.json["email"], "alice@example.org")
        self.assertEqual(set(me.json), {"id", "username", "email", "display_name", "avatar_url", "role", "instance_id"})
        for body in [{"username": "alice", "password": "wrong-password"},
                     {"username": "nobody", "password": "alice-password"}]:
            r = self.s.post("/api/auth/login", body)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json, {"error": "Invalid credentials"})
        self.assertEqual(self.s.get("/api/auth/me").status, 401)
        self.assertEqual(self.s.get("/api/auth/me").json["error"], "Missing or invalid Authorization header")

    def test_change_display_name(self):
        tok = self.s.setup_admin()["tokens"]["access_token"]
        r = self.s.put("/api/auth/profile", {"display_name": "  DJ Admin  "}, token=tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["display_name"], "DJ Admin")
        self.assertEqual(self.s.get("/api/auth/me", token=tok).json["display_name"], "DJ Admin")
        self.assertEqual(self.s.put("/api/auth/profile", {"display_name": "x" * 200}, token=tok).status, 400)
        self.assertEqual(self.s.put("/api/auth/profile", {}, token=tok).status, 400)
        self.assertEqual(self.s.put("/api/auth/profile", {"display_name": None}, token=tok).json["display_name"], None)
        self.assertEqual(self.s.put("/api/auth/profile", {"display_name": "x"}).status, 401)

    def test_change_email_password_and_delete_account(self):
        self.s.setup_admin()
        tok = self.s.register("bob", password="bob-password-1")["tokens"]["access_token"]
        other = self.s.post("/api/auth/login", {"username": "bob", "password": "bob-password-1"}).json["tokens"]
        r = self.s.put("/api/auth/email", {"new_email": "bob@new.example", "password": "wrong-password"}, token=tok)
        self.assertEqual(r.status, 401)
        r = self.s.put("/api/auth/email", {"new_email": "admin@example.org", "password": "bob-password-1"}, token=tok)
        self.assertEqual(r.status, 409)
        r = self.s.put("/api/auth/email", {"new_email": "bob@new.example", "password": "bob-password-1"}, token=tok)
        self.assertEqual(r.json["email"], "bob@new.example")
        r = self.s.put("/api/auth/password", {"current_password": "bob-password-1", "new_password": "x"}, token=tok)
        self.assertEqual(r.status, 400)
        r = self.s.put("/api/auth/password", {"current_password": "bob-password-1", "new_password": "bob-password-2"},
                       token=tok)
        self.assertEqual(r.status, 204)
        self.assertEqual(self.s.get("/api/auth/me", token=tok).status, 200, "the session that changed it stays")
        self.assertEqual(self.s.get("/api/auth/me", token=other["access_token"]).status, 401, "other sessions end")
        self.assertEqual(self.s.post("/api/auth/refresh", {"refresh_token": other["refresh_token"]}).status, 401)
        self.assertEqual(self.s.post("/api/auth/login", {"username": "bob", "password": "bob-password-2"}).status, 200)
        r = self.s.delete("/api/auth/account", {"password": "nope-nope"}, token=tok)
        self.assertEqual(r.status, 401)
        r = self.s.delete("/api/auth/account", {"password": "bob-password-2"}, token=tok)
        self.assertEqual(r.status, 204)
        self.assertEqual(self.s.get("/api/auth/me", token=tok).status, 401)
        self.assertEqual(self.s.post("/api/auth/login", {"username": "bob", "password": "bob-password-2"}).status, 401)

    def test_only_admin_cannot_delete_their_account(self):
        tok = self.s.setup_admin()["tokens"]["access_token"]
        r = self.s.delete("/api/auth/account", {"password": "admin-password-1"}, token=tok)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.s.get("/api/auth/me", token=tok).status, 200)


class Tokens(ServerTest):
    def test_refresh_rotates_and_reuse_revokes_the_family(self):
        tokens = self.s.setup_admin()["tokens"]
        r1 = tokens["refresh_token"]
        p2 = self.s.post("/api/auth/refresh", {"refresh_token": r1})
        self.assertEqual(p2.status, 200)
        self.assertEqual(set(p2.json), {"access_token", "refresh_token", "token_type", "expires_in"})
        r2 = p2.json["refresh_token"]
        self.assertNotEqual(r1, r2)
        self.assertEqual(self.s.get("/api/auth/me", token=p2.json["access_token"]).status, 200)
        # The old token again: theft is assumed, the whole family ends.
        reuse = self.s.post("/api/auth/refresh", {"refresh_token": r1})
        self.assertEqual(reuse.status, 401)
        self.assertEqual(self.s.post("/api/auth/refresh", {"refresh_token": r2}).status, 401)
        self.assertEqual(self.s.get("/api/auth/me", token=p2.json["access_token"]).status, 401)
        self.assertEqual(self.s.get("/api/auth/me", token=tokens["access_token"]).status, 401)
        # A fresh login works.
        r = self.s.post("/api/auth/login", {"username": "admin", "password": "admin-password-1"})
        self.assertEqual(self.s.get("/api/auth/me", token=r.json["tokens"]["access_token"]).status, 200)

    def test_access_token_is_not_a_refresh_token(self):
        tokens = self.s.setup_admin()["tokens"]
        r = self.s.post("/api/auth/refresh", {"refresh_token": tokens["access_token"]})
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json["error"], "Invalid token type")
        self.assertEqual(self.s.post("/api/auth/refresh", {"refresh_token": "garbage"}).status, 401)

    def test_tampered_and_expired_tokens(self):
        tok = self.s.setup_admin()["tokens"]["access_token"]
        head, payload, sig = tok.split(".")
        claims = jwt_payload(tok)
        now = int(time.time())
        forged = {
            "alg none": b64url(b'{"alg":"none","typ":"JWT"}') + "." + payload + ".",
            "alg none with sig": b64url(b'{"alg":"none","typ":"JWT"}') + "." + payload + "." + sig,
            "HS512 header": b64url(b'{"alg":"HS512","typ":"JWT"}') + "." + payload + "." + sig,
            "wrong secret": sign_jwt({"alg": "HS256", "typ": "JWT"}, claims, secret="not-the-secret-not-the-secret"),
            "modified payload": head + "." + b64url(b'{"sub":"' + claims["sub"].encode() + b'","role":"admin",'
                                                    b'"token_type":"access","sid":"' + claims["sid"].encode() +
                                                    b'","iat":1,"exp":9999999999}') + "." + sig,
            "expired": sign_jwt({"alg": "HS256", "typ": "JWT"}, dict(claims, iat=now - 4000, exp=now - 3000)),
            "issued in the future": sign_jwt({"alg": "HS256", "typ": "JWT"}, dict(claims, iat=now + 3600, exp=now + 4000)),
            "unknown session": sign_jwt({"alg": "HS256", "typ": "JWT"}, dict(claims, sid="00000000-0000-4000-8000-000000000000")),
            "truncated": tok[:-5],
        }
        for name, bad in forged.items():
            r = self.s.get("/api/auth/me", token=bad)
            self.assertEqual(r.status, 401, name)
            self.assertIn("error", r.json, name)
        # The genuine token still works, and a correctly re-signed one (we know the secret) too: the
        # checks above failed for the reasons named, not by accident.
        self.assertEqual(self.s.get("/api/auth/me", token=tok).status, 200)
        self.assertEqual(self.s.get("/api/auth/me", token=sign_jwt({"alg": "HS256", "typ": "JWT"}, claims)).status, 200)

    def test_logout_ends_the_session(self):
        tokens = self.s.setup_admin()["tokens"]
        r = self.s.post("/api/auth/logout", token=tokens["access_token"])
        self.assertEqual(r.status, 204)
        self.assertEqual(self.s.get("/api/auth/me", token=tokens["access_token"]).status, 401)
        self.assertEqual(self.s.post("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status, 401)
        # With only the refresh token (the access token has expired on the client)
        t2 = self.s.post("/api/auth/login", {"username": "admin", "password": "admin-password-1"}).json["tokens"]
        self.assertEqual(self.s.post("/api/auth/logout", {"refresh_token": t2["refresh_token"]}).status, 204)
        self.assertEqual(self.s.get("/api/auth/me", token=t2["access_token"]).status, 401)
        self.assertEqual(self.s.post("/api/auth/logout", {"refresh_token": "unknown"}).status, 401)


class Bans(ServerTest):
    def test_ban_revokes_access_at_once(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        user = self.s.register("troll")
        utok, uref, uid = user["tokens"]["access_token"], user["tokens"]["refresh_token"], user["user"]["id"]
        self.assertEqual(self.s.get("/api/auth/me", token=utok).status, 200)
        r = self.s.put(f"/api/admin/users/{uid}/ban", {"reason": "spamming"}, token=admin)
        self.assertEqual(r.status, 204)
        # Every session ended, and the app is told why.
        r = self.s.get("/api/auth/me", token=utok)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json["error"], "Your account has been banned. Reason: spamming")
        r = self.s.post("/api/auth/refresh", {"refresh_token": uref})
        self.assertEqual(r.status, 403)
        self.assertIn("banned", r.json["error"])
        r = self.s.post("/api/auth/login", {"username": "troll", "password": "user-password-1"})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json["error"], "Your account has been banned. Reason: spamming")
        users = {u["username"]: u for u in self.s.get("/api/admin/users", token=admin).json}
        self.assertTrue(users["troll"]["is_banned"])
        self.assertEqual(users["troll"]["ban_reason"], "spamming")
        self.assertTrue(users["troll"]["banned_at"].endswith("+00:00"))
        self.assertEqual(self.s.delete(f"/api/admin/users/{uid}/ban", token=admin).status, 204)
        r = self.s.post("/api/auth/login", {"username": "troll", "password": "user-password-1"})
        self.assertEqual(r.status, 200)

    def test_admins_cannot_be_banned(self):
        data = self.s.setup_admin()
        r = self.s.put(f"/api/admin/users/{data['user']['id']}/ban", {}, token=data["tokens"]["access_token"])
        self.assertEqual(r.status, 400)


class RateLimit(ServerTest):
    server_env = {"AUTH_RATE_LIMIT_BURST": "10", "TRUSTED_PROXIES": "127.0.0.1"}

    def test_login_is_rate_limited_per_client(self):
        statuses = []
        for _ in range(12):
            r = self.s.post("/api/auth/login", {"username": "x", "password": "wrong-password"},
                            headers={"X-Forwarded-For": "203.0.113.7"})
            statuses.append(r.status)
        self.assertEqual(statuses[:10], [401] * 10)
        self.assertEqual(statuses[10], 429)
        self.assertIn("Too many", r.json["error"])
        self.assertTrue(1 <= int(r.header("retry-after")) <= 6)
        # Another client (as told by the trusted proxy) is unaffected.
        r = self.s.post("/api/auth/login", {"username": "x", "password": "wrong-password"},
                        headers={"X-Forwarded-For": "203.0.113.8"})
        self.assertEqual(r.status, 401)
        # Refresh and register share the limit.
        r = self.s.post("/api/auth/refresh", {"refresh_token": "x"}, headers={"X-Forwarded-For": "203.0.113.7"})
        self.assertEqual(r.status, 429)


class UntrustedForwardedFor(ServerTest):
    server_env = {"AUTH_RATE_LIMIT_BURST": "3"}

    def test_forwarded_for_is_ignored_without_a_trusted_proxy(self):
        for i in range(3):
            self.s.post("/api/auth/login", {"username": "x", "password": "wrong-password"},
                        headers={"X-Forwarded-For": f"198.51.100.{i}"})
        r = self.s.post("/api/auth/login", {"username": "x", "password": "wrong-password"},
                        headers={"X-Forwarded-For": "198.51.100.99"})
        self.assertEqual(r.status, 429, "a client cannot dodge the limit by inventing X-Forwarded-For")
