"""The built web app is served from / with SPA fallback; API paths never fall back to it."""
import gzip
import os

from harness import Server, ServerTest


class WebApp(ServerTest):
    def setUp(self):
        self.s = Server()
        web = os.path.join(self.s.dir, "web")
        os.makedirs(os.path.join(web, "_app", "immutable"))
        with open(os.path.join(web, "index.html"), "w") as f:
            f.write("<!doctype html><title>SoundTime</title>")
        with open(os.path.join(web, "_app", "immutable", "app.123.js"), "w") as f:
            f.write("console.log('x')" * 100)
        with open(os.path.join(web, "_app", "immutable", "big.456.js"), "w") as f:
            f.write("let answer = 42;\n" * 500)
        with gzip.open(os.path.join(web, "_app", "immutable", "big.456.js.gz"), "wb") as f:
            f.write(b"let answer = 42;\n" * 500)
        self.s.env["SOUNDTIME_WEB_ROOT"] = web
        self.s.start()

    def test_index_and_spa_fallback(self):
        for path in ["/", "/albums/123", "/settings"]:
            r = self.s.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertIn(b"<title>SoundTime</title>", r.body)
            self.assertTrue(r.header("content-type").startswith("text/html"))
            self.assertEqual(r.header("cache-control"), "no-cache")

    def test_assets_are_cached_and_ranged(self):
        r = self.s.get("/_app/immutable/app.123.js")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("text/javascript"))
        self.assertIn("immutable", r.header("cache-control"))
        r2 = self.s.get("/_app/immutable/app.123.js", headers={"If-None-Match": r.header("etag")})
        self.assertEqual(r2.status, 304)
        r3 = self.s.get("/_app/immutable/app.123.js", headers={"Range": "bytes=0-6"})
        self.assertEqual(r3.status, 206)
        self.assertEqual(r3.body, b"console")
        self.assertEqual(self.s.get("/_app/immutable/missing.js").status, 404)

    def test_gzip_twins_are_sent_to_clients_that_take_gzip(self):
        plain = self.s.get("/_app/immutable/big.456.js")
        self.assertIsNone(plain.header("content-encoding"))
        self.assertEqual(plain.body, b"let answer = 42;\n" * 500)
        self.assertIn("Accept-Encoding", [v.strip() for v in plain.header("vary").split(",")])
        r = self.s.get("/_app/immutable/big.456.js", headers={"Accept-Encoding": "br, gzip"})
        self.assertEqual(r.header("content-encoding"), "gzip")
        self.assertTrue(r.header("content-type").startswith("text/javascript"))
        self.assertLess(len(r.body), 200)
        self.assertEqual(gzip.decompress(r.body), plain.body)
        refused = self.s.get("/_app/immutable/big.456.js", headers={"Accept-Encoding": "gzip;q=0"})
        self.assertIsNone(refused.header("content-encoding"))
        # Files without a twin are sent as they are.
        self.assertIsNone(self.s.get("/_app/immutable/app.123.js", headers={"Accept-Encoding": "gzip"}).header("content-encoding"))

    def test_api_paths_do_not_fall_back(self):
        r = self.s.get("/api/nothing-here")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json, {"error": "Not found"})
        r = self.s.get("/rest/ping.view/deeper")  # Subsonic paths never get the web app's index.html
        self.assertEqual(r.status, 404)
        self.assertNotIn(b"<html", r.body.lower())

    def test_traversal_is_refused(self):
        r = self.s.get("/../../etc/passwd")
        self.assertNotIn(b"root:", r.body)
        r = self.s.get("/%2e%2e/%2e%2e/etc/passwd")
        self.assertNotIn(b"root:", r.body)
