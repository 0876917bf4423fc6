"""Administration: users, roles, settings, terms of service, statistics, private instances, the CLI."""
import json

from harness import ServerTest


class AdminUsers(ServerTest):
    def test_admin_routes_need_an_admin(self):
        self.s.setup_admin()
        utok = self.s.register("plain")["tokens"]["access_token"]
        self.assertEqual(self.s.get("/api/admin/users").status, 401)
        r = self.s.get("/api/admin/users", token=utok)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json["error"], "Admin access required")

    def test_create_list_and_roles(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        r = self.s.post("/api/admin/users", {"username": "carol", "email": "carol@example.org",
                                             "password": "carol-password", "role": "admin"}, token=admin)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["role"], "admin")
        carol_id = r.json["id"]
        r = self.s.post("/api/admin/users", {"username": "carol", "email": "c2@example.org", "password": "password-1"},
                        token=admin)
        self.assertEqual(r.status, 409)
        r = self.s.post("/api/admin/users", {"username": "dan", "email": "dan@example.org", "password": "password-1",
                                             "role": "king"}, token=admin)
        self.assertEqual(r.status, 400)
        users = self.s.get("/api/admin/users", token=admin).json
        self.assertEqual([u["username"] for u in users], ["admin", "carol"])
        self.assertEqual(set(users[0]), {"id", "username", "email", "display_name", "role", "is_banned",
                                         "ban_reason", "banned_at", "created_at"})
        ctok = self.s.post("/api/auth/login", {"username": "carol", "password": "carol-password"}).json["tokens"]
        self.assertEqual(self.s.get("/api/admin/stats", token=ctok["access_token"]).status, 200)
        # Demotion takes effect at once, whatever the token says.
        r = self.s.put(f"/api/admin/users/{carol_id}/role", {"role": "user"}, token=admin)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["role"], "user")
        self.assertIn(self.s.get("/api/admin/stats", token=ctok["access_token"]).status, (401, 403))
        r = self.s.put(f"/api/admin/users/{carol_id}/role", {"role": "emperor"}, token=admin)
        self.assertEqual(r.status, 400)
        self.assertEqual(self.s.put("/api/admin/users/not-a-uuid/role", {"role": "user"}, token=admin).status, 404)
        self.assertEqual(self.s.put("/api/admin/users/00000000-0000-4000-8000-000000000000/role", {"role": "user"},
                                    token=admin).status, 404)

    def test_the_last_admin_cannot_be_demoted(self):
        data = self.s.setup_admin()
        r = self.s.put(f"/api/admin/users/{data['user']['id']}/role", {"role": "user"},
                       token=data["tokens"]["access_token"])
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["error"], "Cannot remove the last administrator")


class Settings(ServerTest):
    def test_settings_are_typed_known_and_secrets_masked(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        keys = {s["key"]: s for s in self.s.get("/api/admin/settings", token=admin).json}
        self.assertEqual(keys["max_upload_size_mb"]["value"], "100")
        self.assertEqual(keys["setup_complete"]["value"], "true")
        self.assertTrue(keys["instance_private"]["is_default"])
        r = self.s.put("/api/admin/settings/unknown_key", {"value": "x"}, token=admin)
        self.assertEqual(r.status, 400)
        self.assertIn("Unknown setting", r.json["error"])
        r = self.s.put("/api/admin/settings/open_registrations", {"value": "sometimes"}, token=admin)
        self.assertEqual(r.status, 400)
        r = self.s.put("/api/admin/settings/open_registrations", {"value": False}, token=admin)
        self.assertEqual(r.json, {"key": "open_registrations", "value": "false"})
        r = self.s.put("/api/admin/settings/ai_api_key", {"value": "sk-very-secret"}, token=admin)
        self.assertEqual(r.json["value"], "********")
        listed = {s["key"]: s for s in self.s.get("/api/admin/settings", token=admin).json}
        self.assertEqual(listed["ai_api_key"]["value"], "********")
        self.assertTrue(listed["ai_api_key"]["is_secret"])
        self.assertNotIn(b"sk-very-secret", self.s.get("/api/admin/settings", token=admin).body)
        self.assertEqual(listed["open_registrations"]["value"], "false")

    def test_terms_of_service(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        tos = self.s.get("/api/tos").json
        self.assertTrue(tos["is_default"])
        self.assertIn("Terms of Service", tos["content"])
        r = self.s.put("/api/admin/tos", {"content": "# House rules\nBe nice."}, token=admin)
        self.assertEqual(r.json, {"message": "Terms of Service updated."})
        self.assertEqual(self.s.get("/api/tos").json, {"content": "# House rules\nBe nice.", "is_default": False})
        r = self.s.delete("/api/admin/tos", token=admin)
        self.assertEqual(r.json, {"message": "Terms of Service reset to default."})
        self.assertTrue(self.s.get("/api/tos").json["is_default"])

    def test_stats(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        self.s.register("user1")
        st = self.s.get("/api/admin/stats", token=admin).json
        self.assertEqual(st["total_users"], 2)
        self.assertEqual(st["total_tracks"], 0)
        self.assertEqual(st["total_blocked_domains"], 0)
        self.assertEqual(st["total_remote_tracks"], 0)
        self.assertIs(st["p2p_enabled"], False)
        self.assertIsNone(st["p2p_node_id"])
        self.assertEqual(st["active_sessions"], 2)


class PrivateInstance(ServerTest):
    def test_private_instance_gates_content_and_registration(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        self.assertEqual(self.s.put("/api/admin/settings/instance_private", {"value": "true"}, token=admin).status, 200)
        self.assertTrue(self.s.get("/api/setup/status").json["instance_private"])
        r = self.s.get("/api/tos")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json["error"], "This instance is private. Authentication required.")
        self.assertEqual(self.s.get("/api/tos", token=admin).status, 200)
        self.assertEqual(self.s.get("/api/tos", token="garbage").status, 401)
        r = self.s.post("/api/auth/register", {"username": "outsider", "email": "o@example.org", "password": "password-1"})
        self.assertEqual(r.status, 403)
        # The admin can still let people in.
        r = self.s.post("/api/admin/users", {"username": "friend", "email": "f@example.org", "password": "password-1"},
                        token=admin)
        self.assertEqual(r.status, 201)
        ftok = self.s.post("/api/auth/login", {"username": "friend", "password": "password-1"}).json["tokens"]
        self.assertEqual(self.s.get("/api/tos", token=ftok["access_token"]).status, 200)
        self.assertFalse(self.s.get("/api/nodeinfo").json["open_registration"])


class Cli(ServerTest):
    def test_user_create_passwd_and_role(self):
        self.s.setup_admin()
        r = self.s.cli("user", "create", "cliuser", "--email", "cli@example.org", "--password", "cli-password-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("created user 'cliuser'", r.stdout)
        self.assertEqual(self.s.post("/api/auth/login", {"username": "cliuser", "password": "cli-password-1"}).status, 200)
        r = self.s.cli("user", "create", "cliuser", "--email", "x@example.org", "--password", "cli-password-1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("already taken", r.stderr)
        r = self.s.cli("user", "passwd", "cliuser", stdin="new-cli-password\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.s.post("/api/auth/login", {"username": "cliuser", "password": "new-cli-password"}).status, 200)
        r = self.s.cli("user", "role", "cliuser", "admin")
        self.assertEqual(r.returncode, 0, r.stderr)
        tok = self.s.post("/api/auth/login", {"username": "cliuser", "password": "new-cli-password"}).json["tokens"]
        self.assertEqual(self.s.get("/api/admin/users", token=tok["access_token"]).status, 200)
        r = self.s.cli("user", "role", "ghost", "admin")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no user named 'ghost'", r.stderr)

    def test_version_and_bad_configuration(self):
        r = self.s.cli("version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("soundtime "))
        import subprocess
        env = dict(self.s.env, JWT_SECRET="short", PORT="1")
        r = subprocess.run([self.s.env.get("SOUNDTIME_BINARY") or "build/soundtime", "serve"], env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("JWT_SECRET must be at least 32 characters", r.stderr)
        env = dict(self.s.env, DATABASE_URL="mysql://x")
        r = subprocess.run([self.s.env.get("SOUNDTIME_BINARY") or "build/soundtime", "serve"], env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("DATABASE_URL must start with", r.stderr)


class GeneratedSecret(ServerTest):
    server_env = {"JWT_SECRET": ""}

    def test_secret_is_generated_once_with_mode_0600(self):
        import os
        import stat
        path = os.path.join(self.s.dir, "secret")
        st = os.stat(path)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        with open(path) as f:
            self.assertGreaterEqual(len(f.read().strip()), 32)
        tokens = self.s.setup_admin()["tokens"]
        # A restart keeps the secret, so sessions survive.
        code, _ = self.s.proc.send_signal(15), self.s.proc.wait(timeout=15)
        self.s.log.close()
        self.s.start()
        self.assertEqual(self.s.get("/api/auth/me", token=tokens["access_token"]).status, 200)


class BlockedDomains(ServerTest):
    def test_block_list_import_export_and_unblock(self):
        admin = self.s.setup_admin()["tokens"]["access_token"]
        user = self.s.register("bob")["tokens"]["access_token"]
        node = "ab" * 32
        r = self.s.post("/api/admin/blocked-domains", {"domain": "  Evil.Example ", "reason": "spam"}, token=admin)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["domain"], r.json["reason"]), ("evil.example", "spam"))
        self.assertTrue(r.json["created_at"].endswith("+00:00"))
        self.assertEqual(self.s.post("/api/admin/blocked-domains", {"domain": "evil.example"}, token=admin).status, 409)
        self.assertEqual(self.s.post("/api/admin/blocked-domains", {"domain": "a b"}, token=admin).status, 400)
        self.assertEqual(self.s.post("/api/admin/blocked-domains", {"domain": "x.example"}, token=user).status, 403)
        r = self.s.request("POST", "/api/admin/blocked-domains/import", token=admin,
                           raw=json.dumps([{"domain": node, "reason": "lying peer"}, {"domain": "evil.example"},
                                           {"domain": ""}, {"nope": 1}, "x"]).encode(),
                           headers={"Content-Type": "application/json"})
        self.assertEqual(r.json, {"imported": 1, "skipped": 4})
        listed = self.s.get("/api/admin/blocked-domains", token=admin).json
        self.assertEqual({b["domain"] for b in listed}, {"evil.example", node})
        exported = self.s.get("/api/admin/blocked-domains/export", token=admin)
        self.assertIn("attachment", exported.header("Content-Disposition"))
        self.assertEqual(len(exported.json), 2)
        self.assertEqual(self.s.get("/api/admin/stats", token=admin).json["total_blocked_domains"], 2)
        bad = self.s.request("POST", "/api/admin/blocked-domains/import", token=admin, raw=b"{}",
                             headers={"Content-Type": "application/json"})
        self.assertEqual(bad.status, 400)
        first = listed[0]["id"]
        self.assertEqual(self.s.delete(f"/api/admin/blocked-domains/{first}", token=admin).status, 204)
        self.assertEqual(self.s.delete(f"/api/admin/blocked-domains/{first}", token=admin).status, 404)
        self.assertEqual(len(self.s.get("/api/admin/blocked-domains", token=admin).json), 1)
