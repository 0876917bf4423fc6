"""Themes (issue 14): installed from an HTTPS git URL (a local `git http-backend` over TLS) and from uploaded
archives, validated, enabled, served (active, active.css, assets), disabled, updated and deleted."""
import io
import os
import tarfile
import time
import unittest
import zipfile

from git_https import GitHttpsServer
from harness import Server
from test_upload import multipart

CSS = b":root { --primary: 12 90% 55%; --radius: 0.1rem; }\nbody { background: url(/api/themes/assets/bg.png); }\n"


def manifest(name="sunset", version="1.0.0", assets=True, css="theme.css"):
    text = f'[theme]\nname = "{name}"\nversion = "{version}"\ndescription = "Warm"\nauthor = "Ann"\n' \
           f'license = "MIT"\n\n[assets]\ncss = "{css}"\n'
    if assets:
        text += 'assets_dir = "assets"\n'
    return text.encode()


def good_files(name="sunset", version="1.0.0"):
    return {"theme.toml": manifest(name, version), "theme.css": CSS, "assets/bg.png": b"\x89PNG fake",
            "assets/fonts/x.woff2": b"wOF2"}


def tar_gz(entries):
    """entries: list of (name, bytes) or (name, ('symlink'|'hardlink'|'dir', target))."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if isinstance(data, tuple):
                kind, target = data
                info.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE, "dir": tarfile.DIRTYPE}[kind]
                info.linkname = target
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


class Themes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.git = GitHttpsServer()
        cls.s = Server(env={"THEME_ALLOW_PRIVATE_HOSTS": "true", "THEME_GIT_CA_FILE": cls.git.cert,
                            "THEME_MAX_SIZE_MB": "1", "THEME_INSTALL_RATE_BURST": "1000"}).start()
        cls.token = cls.s.setup_admin()["tokens"]["access_token"]

    @classmethod
    def tearDownClass(cls):
        code, log = cls.s.stop()
        cls.git.close()
        assert code == 0, log[-3000:]

    def setUp(self):
        for t in self.list():  # each test starts without themes
            self.assertEqual(self.s.delete(f"/api/admin/themes/{t['id']}", token=self.token).status, 204)

    def list(self):
        r = self.s.get("/api/admin/themes", token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json["themes"]

    def install(self, url):
        return self.s.post("/api/admin/themes/install", {"git_url": url}, token=self.token)

    def upload(self, data, filename="theme.tar.gz"):
        body, headers = multipart(files=[("file", filename, data)])
        return self.s.post("/api/admin/themes/upload", raw=body, headers=headers, token=self.token)

    def theme_dirs(self):
        d = os.path.join(self.s.dir, "themes")
        return sorted(x for x in os.listdir(d) if x != ".staging") if os.path.isdir(d) else []

    def assert_refused(self, r, text):
        self.assertEqual(r.status, 400, r)
        self.assertIn(text, r.json["error"])
        self.assertEqual(self.list(), [])
        self.assertEqual(self.theme_dirs(), [], "a refused theme leaves no folder")

    def test_git_install_enable_serve_disable_delete(self):
        self.assertEqual(self.s.get("/api/themes/active").status, 204)
        self.assertEqual(self.s.get("/api/themes/active.css").status, 204)
        r = self.install(self.git.add("sunset", good_files()))
        self.assertEqual(r.status, 201, r)
        t = r.json
        self.assertEqual((t["name"], t["version"], t["status"], t["author"]), ("sunset", "1.0.0", "disabled", "Ann"))
        self.assertEqual(set(t), {"id", "name", "version", "description", "author", "license", "homepage", "git_url",
                                  "source", "css_path", "assets_path", "status", "installed_at", "updated_at",
                                  "installed_by"})
        self.assertTrue(t["css_path"].endswith("/themes/sunset-1.0.0/theme.css"))
        self.assertTrue(os.path.isfile(os.path.join(self.s.dir, "themes", "sunset-1.0.0", "assets", "fonts", "x.woff2")))
        self.assertFalse(os.path.exists(os.path.join(self.s.dir, "themes", "sunset-1.0.0", ".git")))
        self.assertEqual(self.s.get("/api/themes/active").status, 204, "installed themes start disabled")

        r = self.s.post(f"/api/admin/themes/{t['id']}/enable", token=self.token)
        self.assertEqual((r.status, r.json), (200, {"status": "enabled"}))
        r = self.s.get("/api/themes/active")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"id": t["id"], "name": "sunset", "version": "1.0.0", "description": "Warm",
                                  "author": "Ann", "css_url": "/api/themes/active.css"})
        css = self.s.get("/api/themes/active.css")
        self.assertEqual(css.status, 200)
        self.assertEqual(css.body, CSS)
        self.assertTrue(css.header("Content-Type").startswith("text/css"))
        self.assertEqual(css.header("Cache-Control"), "public, max-age=3600")
        a = self.s.get("/api/themes/assets/fonts/x.woff2")
        self.assertEqual((a.status, a.body), (200, b"wOF2"))
        self.assertEqual(self.s.get("/api/themes/assets/missing.png").status, 404)
        self.assertEqual(self.s.get("/api/themes/assets/%2e%2e/theme.css").status, 403)
        self.assertEqual(self.s.get("/api/themes/assets/a/%2e%2e/%2e%2e/theme.css").status, 403)
        self.assertEqual(self.s.sql("SELECT status FROM themes"), [["enabled"]])

        r = self.s.post(f"/api/admin/themes/{t['id']}/disable", token=self.token)
        self.assertEqual((r.status, r.json), (200, {"status": "disabled"}))
        self.assertEqual(self.s.get("/api/themes/active").status, 204)
        self.assertEqual(self.s.get("/api/themes/active.css").status, 204)
        self.assertEqual(self.s.get("/api/themes/assets/bg.png").status, 404)

        self.assertEqual(self.s.delete(f"/api/admin/themes/{t['id']}", token=self.token).status, 204)
        self.assertEqual(self.list(), [])
        self.assertEqual(self.theme_dirs(), [])
        self.assertEqual(self.s.delete(f"/api/admin/themes/{t['id']}", token=self.token).status, 404)

    def test_update_pulls_the_new_version_and_keeps_it_enabled(self):
        url = self.git.add("upd", good_files("upd", "1.0.0"))
        t = self.install(url).json
        self.s.post(f"/api/admin/themes/{t['id']}/enable", token=self.token)
        self.git.add("upd", {"theme.toml": manifest("upd", "1.1.0", assets=False), "theme.css": b"/* v2 */"})
        r = self.s.post(f"/api/admin/themes/{t['id']}/update", token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["version"], r.json["assets_path"], r.json["status"]), ("1.1.0", None, "enabled"))
        self.assertEqual(self.s.get("/api/themes/active.css").body, b"/* v2 */")
        self.assertEqual(self.theme_dirs(), ["upd-1.1.0"])

    def test_enabling_one_disables_the_other(self):
        a = self.install(self.git.add("one", good_files("one"))).json
        b = self.install(self.git.add("two", good_files("two"))).json
        self.s.post(f"/api/admin/themes/{a['id']}/enable", token=self.token)
        self.s.post(f"/api/admin/themes/{b['id']}/enable", token=self.token)
        self.assertEqual({t["name"]: t["status"] for t in self.list()}, {"one": "disabled", "two": "enabled"})
        self.assertEqual(self.s.get("/api/themes/active").json["name"], "two")

    def test_git_refusals(self):
        self.assert_refused(self.install("http://localhost/x.git"), "Only HTTPS")
        self.assert_refused(self.install("https://user:pw@localhost/x.git"), "credentials")
        self.assert_refused(self.install(self.git.url("absent")), "git clone failed")
        self.assert_refused(self.install(self.git.add("sym", good_files("sym"), symlinks={"assets/link.css": "/etc/passwd"})),
                            "assets/link.css: symlinks are not allowed")
        files = good_files("js")
        files["assets/app.js"] = b"alert(1)"
        self.assert_refused(self.install(self.git.add("js", files)), "assets/app.js: file type not allowed")
        files = good_files("big")
        files["assets/noise.png"] = os.urandom(1536 * 1024)  # incompressible: the transfer passes 1 MB
        self.assert_refused(self.install(self.git.add("big", files)), "larger than 1 MB")
        files = good_files("bad")
        files["theme.toml"] = b'[theme]\nname = "Bad Name"\nversion = "1.0"\n[assets]\ncss = "theme.css"\n'
        self.assert_refused(self.install(self.git.add("bad", files)), "name must match")
        files = good_files("trav")
        files["theme.toml"] = manifest("trav", css="../../etc/x.css")
        self.assert_refused(self.install(self.git.add("trav", files)), "css must be a relative path")
        self.assertEqual(self.install(self.git.add("dup", good_files("dup"))).status, 201)
        r = self.install(self.git.add("dup2", good_files("dup")))
        self.assertEqual(r.status, 400)
        self.assertIn("already installed", r.json["error"])

    def test_private_hosts_are_refused_without_the_test_override(self):
        s = Server(env={"THEME_GIT_CA_FILE": self.git.cert, "THEME_INSTALL_RATE_BURST": "1000"}).start()
        try:
            token = s.setup_admin()["tokens"]["access_token"]
            before = len(self.git.requests)
            for url in (self.git.url("x"), f"https://127.0.0.1:{self.git.port}/x.git", "https://[::1]/x.git",
                        "https://169.254.169.254/x.git", "https://10.0.0.1/x.git", "https://metadata.google.internal/x"):
                r = s.post("/api/admin/themes/install", {"git_url": url}, token=token)
                self.assertEqual(r.status, 400, url)
                self.assertIn("not allowed", r.json["error"], url)
            self.assertEqual(len(self.git.requests), before, "nothing was fetched")
        finally:
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])

    def test_archive_install_tar_gz_and_zip(self):
        entries = [("sunset-main/" + k, v) for k, v in good_files().items()]
        r = self.upload(tar_gz(entries))
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["git_url"], r.json["source"], r.json["status"]), ("", "upload", "disabled"))
        r2 = self.s.post(f"/api/admin/themes/{r.json['id']}/update", token=self.token)
        self.assertEqual(r2.status, 400)
        self.s.post(f"/api/admin/themes/{r.json['id']}/enable", token=self.token)
        self.assertEqual(self.s.get("/api/themes/active.css").body, CSS)
        r = self.upload(zip_bytes(list(good_files("zipped").items())), "t.zip")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.s.get("/api/themes/active").json["name"], "sunset")

    def test_archive_refusals(self):
        good = list(good_files().items())
        self.assert_refused(self.upload(tar_gz(good + [("../evil.css", b"x")])), "entry name not allowed: ../evil.css")
        self.assert_refused(self.upload(tar_gz(good + [("/abs.css", b"x")])), "entry name not allowed")
        self.assert_refused(self.upload(tar_gz(good + [("assets/a/../../x.css", b"x")])), "entry name not allowed")
        self.assert_refused(self.upload(tar_gz(good + [("assets/l.css", ("symlink", "/etc/passwd"))])),
                            "assets/l.css: symlinks are not allowed")
        self.assert_refused(self.upload(tar_gz(good + [("assets/h.css", ("hardlink", "theme.css"))])),
                            "links are not allowed")
        self.assert_refused(self.upload(tar_gz(good + [("assets/x.html", b"<script>")])), "file type not allowed")
        self.assert_refused(self.upload(zip_bytes(good + [("../../z.css", b"x")]), "t.zip"), "entry name not allowed")
        # 50 MB of zeros compress to almost nothing: extraction stops at the 1 MB limit.
        self.assert_refused(self.upload(zip_bytes(good + [("assets/bomb.png", b"\0" * (50 << 20))]), "b.zip"),
                            "larger than 1 MB when extracted")
        self.assert_refused(self.upload(tar_gz([("theme.css", CSS)])), "theme.toml not found")
        self.assert_refused(self.upload(b"not an archive at all"), "not a readable archive")
        body, headers = multipart(fields=[("x", "y")])
        r = self.s.post("/api/admin/themes/upload", raw=body, headers=headers, token=self.token)
        self.assertEqual(r.status, 400)
        r = self.upload(os.urandom(2 << 20) + b"", "huge.zip")
        self.assertIn(r.status, (413,), r)

    def test_admin_only(self):
        user = self.s.register("listener")["tokens"]["access_token"]
        for method, path in (("GET", "/api/admin/themes"), ("POST", "/api/admin/themes/install")):
            self.assertEqual(self.s.request(method, path, body={"git_url": "https://x/y"}).status, 401)
            if user:
                self.assertEqual(self.s.request(method, path, body={"git_url": "https://x/y"}, token=user).status, 403)
        body, headers = multipart(files=[("file", "t.tar.gz", b"x")])
        self.assertEqual(self.s.post("/api/admin/themes/upload", raw=body, headers=headers).status, 401)


class ThemeInstallRateLimit(unittest.TestCase):
    def test_burst_of_five_then_429(self):
        s = Server().start()
        try:
            token = s.setup_admin()["tokens"]["access_token"]
            codes = [s.post("/api/admin/themes/install", {"git_url": "http://x/y"}, token=token).status
                     for _ in range(6)]
            self.assertEqual(codes, [400] * 5 + [429])
        finally:
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])


class ThemeCrashLeftovers(unittest.TestCase):
    def test_a_restart_removes_half_installed_folders(self):
        s = Server()
        themes = os.path.join(s.dir, "themes")
        os.makedirs(os.path.join(themes, ".staging", "abc", "src"))
        os.makedirs(os.path.join(themes, "ghost-1.0"))
        s.start()
        try:
            self.assertEqual(os.listdir(themes), [])
        finally:
            code, log = s.stop()
            self.assertEqual(code, 0, log[-2000:])


if __name__ == "__main__":
    unittest.main()
