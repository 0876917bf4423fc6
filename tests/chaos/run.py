#!/usr/bin/env python3
"""Measured resilience (issue 17): faults injected into the real server, on SQLite and PostgreSQL, each
experiment printing one line with its figures and then checked.

  tests/chaos/run.py --binary build/soundtime --trials 2     (make test: the short form)
  tests/chaos/run.py --binary build/soundtime --trials 20    (make chaos: the long form)

Experiments:
  import-kill     kill -9 during `soundtime import`, then import again and start the server: the database
                  passes its integrity check, every row's file exists, counts agree, no album is left
                  without tracks.
  upload-kill     kill -9 during 6 concurrent uploads, then restart: no stored file without a row, no row
                  without a file, tmp and the upload journal empty, uploads work again.
  playlist-race   8 clients adding, removing and reordering one playlist: no 5xx, positions stay 0..n-1.
  slowloris       500 connections from one address that trickle their headers while a normal client (another
                  address) keeps asking for the catalogue: every one of its requests succeeds (latency reported).
  full-disk       uploads into a music storage that fills up (a small tmpfs, as root): 507 with a clear error,
                  nothing half-written, reads keep working, uploads work again once space is freed.
  data-full       (SQLite) the data directory (database, upload bodies) fills up: writes answer 507 with a clear
                  error and change nothing, uploads are refused cleanly, reads keep working, the database passes
                  its integrity check, and writes work again once space is freed.
  sigterm         SIGTERM during 4 streams and an upload: the server exits 0 by itself.
  pg-outage       (PostgreSQL) a restart of the database, then a stop of 5 s (30 s in the long form), under load
                  from 6 clients: 503 with Retry-After while it is away (never another 5xx), each outage logged
                  once, recovery by itself (seconds after the database is back), only 200 afterwards.
Prints "chaos: N passed, N failed" last; exits non-zero on a failure.
"""
import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from test_upload import multipart  # noqa: E402 (after the path is set)


def ff(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_library(root, albums=8, per_album=6):
    """albums x per_album short FLAC files with distinct content and tags."""
    for a in range(albums):
        d = os.path.join(root, f"Artist {a % 3}", f"Album {a}")
        os.makedirs(d, exist_ok=True)
        for t in range(per_album):
            ff("-f", "lavfi", "-i", f"sine=frequency={200 + a * 40 + t * 5}:duration=2", "-c:a", "flac",
               "-metadata", f"title=Song {a}-{t}", "-metadata", f"artist=Artist {a % 3}",
               "-metadata", f"album=Album {a}", "-metadata", f"track={t + 1}", os.path.join(d, f"{t + 1:02}.flac"))
    return albums * per_album


def integrity(s):
    if s.engine == "sqlite":
        return s.sql("PRAGMA integrity_check") == [["ok"]]
    return s.sql("SELECT 1") == [["1"]]  # PostgreSQL's own WAL recovery; a query proves it is usable


def kill9(s):
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()


class Chaos:
    def __init__(self, trials, seed):
        self.trials = trials
        self.rnd = random.Random(seed)
        self.passed = self.failed = 0
        self.work = tempfile.mkdtemp(prefix="soundtime-chaos-")
        self.library = os.path.join(self.work, "library")
        self.tracks = make_library(self.library)

    def noise_flacs(self, prefix, seconds, seed):
        """Six FLAC files of noise (distinct content), made once per run and kept in the work folder."""
        sources = []
        for n in range(6):
            path = os.path.join(self.work, f"{prefix}-{n}.flac")
            if not os.path.exists(path):
                ff("-f", "lavfi", "-i", f"anoisesrc=duration={seconds}:seed={n + seed}", "-c:a", "flac", path)
            with open(path, "rb") as f:
                sources.append(f.read())
        return sources

    def report(self, name, engine, ok, figures):
        print(f"chaos: {name:<14} {engine:<8} {'ok  ' if ok else 'FAIL'} {figures}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    # --- experiments ---
    def import_kill(self, engine):
        from harness import Server
        bad, killed_at = [], []
        for trial in range(self.trials):
            s = Server(engine=engine)
            try:
                lib = os.path.join(s.dir, "library")
                shutil.copytree(self.library, lib)
                p = subprocess.Popen([s_binary(), "import", lib], env=s.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
                delay = self.rnd.uniform(0.05, 1.5)
                time.sleep(delay)
                p.send_signal(signal.SIGKILL)
                p.wait()
                killed_at.append(delay)
                r = s.cli("import", lib)
                if r.returncode != 0:
                    bad.append(f"trial {trial}: re-import failed: {r.stderr[-300:]}")
                    continue
                s.start()
                rows = s.sql("SELECT file_path FROM tracks")
                missing = [r[0] for r in rows if not os.path.exists(r[0])]
                empty = s.sql("SELECT COUNT(*) FROM albums a WHERE NOT EXISTS "
                              "(SELECT 1 FROM tracks t WHERE t.album_id = a.id)")[0][0]
                if not integrity(s):
                    bad.append(f"trial {trial}: integrity check failed")
                if len(rows) != self.tracks or missing or empty != "0":
                    bad.append(f"trial {trial}: {len(rows)} rows for {self.tracks} files, {len(missing)} missing, "
                               f"{empty} empty albums")
            finally:
                code, log = s.stop()
                if code != 0:
                    bad.append(f"trial {trial}: exit {code}")
        self.report("import-kill", engine, not bad,
                    f"{self.trials} trials, killed after {min(killed_at):.2f}-{max(killed_at):.2f} s"
                    + ("; " + "; ".join(bad[:3]) if bad else ""))

    def upload_kill(self, engine):
        from harness import Server
        sources = self.noise_flacs("up", 4, 1)
        bad, orphans = [], 0
        s = Server(engine=engine)
        try:
            s.start()
            token = s.setup_admin()["tokens"]["access_token"]
            for trial in range(self.trials):
                def send(n):
                    body, headers = multipart(files=[("file", f"t{trial}-{n}.flac", sources[n])])
                    try:
                        s.request("POST", "/api/upload", raw=body, headers=headers, token=token)
                    except OSError:
                        pass
                threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
                for t in threads:
                    t.start()
                time.sleep(self.rnd.uniform(0.05, 0.8))
                kill9(s)
                for t in threads:
                    t.join()
                s.start()
                rows = {r[0] for r in s.sql("SELECT file_path FROM tracks")}
                stored = {os.path.join(d, f) for d, _, fs in os.walk(os.path.join(s.dir, "music")) for f in fs}
                orphans += len(stored - rows)
                leftovers = os.listdir(os.path.join(s.dir, "tmp")) + os.listdir(os.path.join(s.dir, "uploads-pending"))
                if stored - rows or [p for p in rows if not os.path.exists(p)] or leftovers or not integrity(s):
                    bad.append(f"trial {trial}: {len(stored - rows)} orphan files, {len(leftovers)} leftovers")
                body, headers = multipart(files=[("file", f"after-{trial}.flac", sources[trial % 6])])
                if s.request("POST", "/api/upload", raw=body, headers=headers, token=token).status not in (200, 409):
                    bad.append(f"trial {trial}: upload after restart failed")
        finally:
            code, _ = s.stop()
            if code != 0:
                bad.append(f"exit {code}")
        self.report("upload-kill", engine, not bad,
                    f"{self.trials} trials, {orphans} orphan files" + ("; " + "; ".join(bad[:3]) if bad else ""))

    def playlist_race(self, engine):
        from harness import Server
        bad, errors, edits = [], 0, 0
        s = Server(engine=engine)
        try:
            lib = os.path.join(s.dir, "library")
            shutil.copytree(self.library, lib)
            s.cli("import", lib)
            s.start()
            token = s.setup_admin()["tokens"]["access_token"]
            ids = [t["id"] for t in s.get("/api/tracks?per_page=100", token=token).json["data"]]
            for trial in range(self.trials):
                pid = s.post("/api/playlists", {"name": f"Race {trial}"}, token=token).json["id"]
                lock = threading.Lock()

                def client(seed):
                    nonlocal errors, edits
                    rnd = random.Random(seed)
                    for _ in range(12):
                        act = rnd.choice(("add", "add", "remove", "reorder"))
                        if act == "add":
                            r = s.post(f"/api/playlists/{pid}/tracks",
                                       {"track_id": rnd.choice(ids), "position": rnd.randint(0, 10)}, token=token)
                        elif act == "remove":
                            r = s.delete(f"/api/playlists/{pid}/tracks/{rnd.choice(ids)}", token=token)
                        else:
                            order = [t["id"] for t in s.get(f"/api/playlists/{pid}", token=token).json["tracks"]]
                            rnd.shuffle(order)
                            r = s.put(f"/api/playlists/{pid}/tracks", {"track_ids": order}, token=token)
                        with lock:
                            edits += 1
                            errors += r.status >= 500
                threads = [threading.Thread(target=client, args=(trial * 100 + n,)) for n in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                pos = sorted(int(r[0]) for r in s.sql(f"SELECT position FROM playlist_tracks WHERE playlist_id = '{pid}'"))
                if pos != list(range(len(pos))):
                    bad.append(f"trial {trial}: positions {pos[:12]}")
        finally:
            code, _ = s.stop()
            if code != 0:
                bad.append(f"exit {code}")
        if errors:
            bad.append(f"{errors} server errors")
        self.report("playlist-race", engine, not bad, f"{self.trials} trials, {edits} edits, {errors} 5xx"
                    + ("; " + "; ".join(bad[:3]) if bad else ""))

    def slowloris(self, engine):
        from harness import Server
        bad, latencies, refused = [], [], 0
        s = Server(engine=engine, env={"HTTP_HEADER_TIMEOUT_SECONDS": "30"})
        socks = []
        try:
            s.start()
            s.setup_admin()
            for _ in range(500):
                try:
                    # From another loopback address: the attacker is another client than the one measured
                    # (per-address connection caps are part of the defence).
                    c = socket.create_connection(("127.0.0.1", s.port), timeout=5, source_address=("127.0.0.2", 0))
                    c.sendall(b"GET /api/tracks HTTP/1.1\r\nHost: x\r\n")
                    socks.append(c)
                except OSError:
                    refused += 1
            for i in range(40 * max(1, self.trials // 2)):
                if i % 10 == 0:  # keep the slow ones trickling
                    for c in socks:
                        try:
                            c.sendall(b"X-a: b\r\n")
                        except OSError:
                            pass
                t0 = time.monotonic()
                r = s.get("/api/tracks?per_page=5")
                latencies.append((time.monotonic() - t0) * 1000)
                if r.status != 200:
                    bad.append(f"request {i}: {r.status}")
        except OSError as e:
            bad.append(f"normal client failed: {e}")
        finally:
            closed = 0
            for c in socks:
                try:
                    c.setblocking(False)
                    closed += c.recv(1) == b""
                except BlockingIOError:
                    pass
                except OSError:
                    closed += 1
                c.close()
            code, _ = s.stop()
            if code != 0:
                bad.append(f"exit {code}")
        latencies.sort()
        p50 = latencies[len(latencies) // 2] if latencies else float("nan")
        p99 = latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)] if latencies else float("nan")
        self.report("slowloris", engine, not bad,
                    f"500 slow connections ({refused} refused, {closed} closed by the server), normal client {len(latencies)} requests "
                    f"p50 {p50:.1f} ms p99 {p99:.1f} ms" + ("; " + "; ".join(bad[:3]) if bad else ""))

    def full_disk(self, engine):
        from harness import Server
        if os.geteuid() != 0:
            print(f"chaos: full-disk      {engine:<8} skip (needs root to mount a small tmpfs)", flush=True)
            return
        bad, statuses = [], []
        s = Server(engine=engine)
        store = os.path.join(s.dir, "store")
        os.makedirs(store)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", store], check=True)
        try:
            s.env["AUDIO_STORAGE_PATH"] = store
            s.start()
            token = s.setup_admin()["tokens"]["access_token"]
            with open(os.path.join(store, "filler"), "wb") as f:
                f.write(b"\0" * 1_000_000)
            sources = self.noise_flacs("full", 6, 40)

            def upload(n):
                body, headers = multipart(files=[("file", f"full-{n}.flac", sources[n])])
                return s.request("POST", "/api/upload", raw=body, headers=headers, token=token)
            n, r = 0, None
            while n < 6:
                r = upload(n)
                statuses.append(r.status)
                if r.status != 200:
                    break
                n += 1
            if r is None or r.status != 507 or "full" not in (r.json.get("error") or ""):
                bad.append(f"a full disk answered {r.status if r else None}: {r.body[:120] if r else ''}")
            rows = {x[0] for x in s.sql("SELECT file_path FROM tracks")}
            stored = {os.path.join(d, f) for d, _, fs in os.walk(store) for f in fs} - {os.path.join(store, "filler")}
            if stored != rows:
                bad.append(f"storage and rows differ: {len(stored)} files, {len(rows)} rows")
            tracks = s.get("/api/tracks?per_page=10", token=token)
            if tracks.status != 200 or (rows and s.get(f"/api/tracks/{tracks.json['data'][0]['id']}/stream",
                                                      token=token).status != 200):
                bad.append("reads failed while the disk was full")
            os.remove(os.path.join(store, "filler"))
            again = upload(n)
            statuses.append(again.status)
            if again.status != 200:
                bad.append(f"after freeing space: {again.status}")
        finally:
            code, _ = s.stop()
            subprocess.run(["umount", "-l", store], check=False)
            if code != 0:
                bad.append(f"exit {code}")
        self.report("full-disk", engine, not bad, f"upload statuses {statuses}" + ("; " + "; ".join(bad[:3]) if bad else ""))

    def data_full(self, engine):
        from harness import Server
        if engine != "sqlite":
            return  # PostgreSQL's disk is its own server's (the mapping of its disk_full is the same 507)
        if os.geteuid() != 0:
            print(f"chaos: data-full      {engine:<8} skip (needs root to mount a small tmpfs)", flush=True)
            return
        bad, seen = [], []
        s = Server(engine=engine)
        data = os.path.join(s.dir, "data")
        os.makedirs(data)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", data], check=True)
        filler = os.path.join(data, "filler")
        try:
            s.env["SOUNDTIME_DATA_DIR"] = data
            s.env["AUDIO_STORAGE_PATH"] = os.path.join(s.dir, "music")
            s.start()
            token = s.setup_admin()["tokens"]["access_token"]
            kept = s.post("/api/playlists", {"name": "Before"}, token=token)
            if kept.status != 201:
                bad.append(f"a playlist before the disk filled up: {kept.status}")
            with open(filler, "wb") as f:  # every byte left
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            # Enough rows that SQLite needs new pages (a small write may fit in the pages it has).
            for n in range(200):
                r = s.post("/api/playlists", {"name": f"Full {n} " + "x" * 200, "description": "y" * 2000}, token=token)
                seen.append(r.status)
                if r.status != 201:
                    break
            if r.status != 507 or "full" not in (r.json.get("error") or ""):
                bad.append(f"a write on a full disk answered {r.status}: {r.body[:160]}")
            body, headers = multipart(files=[("file", "full.flac", self.noise_flacs("full", 6, 40)[0])])
            up = s.request("POST", "/api/upload", raw=body, headers=headers, token=token)
            seen.append(up.status)
            if up.status not in (413, 507) or up.status >= 500 and "full" not in up.body.decode(errors="replace"):
                bad.append(f"an upload with no room for its body answered {up.status}: {up.body[:160]}")
            if s.get("/api/playlists", token=token).status != 200 or s.get("/api/tracks", token=token).status != 200:
                bad.append("reads failed while the disk was full")
            os.remove(filler)
            again = s.post("/api/playlists", {"name": "After"}, token=token)
            seen.append(again.status)
            if again.status != 201:
                bad.append(f"after freeing space: {again.status} {again.body[:160]}")
            names = {x[0] for x in s.sql("SELECT name FROM playlists")}
            if not {"Before", "After"} <= names:
                bad.append(f"playlists {sorted(names)[:5]}")
            if not integrity(s):
                bad.append("integrity check failed")
        finally:
            code, _ = s.stop()
            subprocess.run(["umount", "-l", data], check=False)
            if code != 0:
                bad.append(f"exit {code}")
        self.report("data-full", engine, not bad, f"{len(seen) - 3} writes before the refusal; refused write, upload, "
                    f"write after freeing space: {seen[-3:]}"
                    + ("; " + "; ".join(bad[:3]) if bad else ""))

    def sigterm(self, engine):
        from harness import Server
        bad, waits = [], []
        for trial in range(self.trials):
            s = Server(engine=engine)
            lib = os.path.join(s.dir, "library")
            shutil.copytree(self.library, lib)
            s.cli("import", lib)
            s.start()
            token = s.setup_admin()["tokens"]["access_token"]
            ids = [t["id"] for t in s.get("/api/tracks?per_page=10", token=token).json["data"]]
            conns = []
            for tid in ids[:4]:  # streams started and left unread: the server must not wait for them
                c = socket.create_connection(("127.0.0.1", s.port))
                c.sendall(f"GET /api/tracks/{tid}/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
                conns.append(c)
            up = socket.create_connection(("127.0.0.1", s.port))  # an upload half sent
            body, headers = multipart(files=[("file", "half.flac", os.urandom(200_000))])
            up.sendall((f"POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                        f"Content-Type: {headers['Content-Type']}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
                       + body[: len(body) // 2])
            conns.append(up)
            time.sleep(0.3)
            t0 = time.monotonic()
            code, log = s.stop(timeout=60)
            waits.append(time.monotonic() - t0)
            for c in conns:
                c.close()
            if code != 0:
                bad.append(f"trial {trial}: exit {code}")
        self.report("sigterm", engine, not bad,
                    f"{self.trials} trials, exit after {min(waits):.2f}-{max(waits):.2f} s"
                    + ("; " + "; ".join(bad[:3]) if bad else ""))


    def pg_outage(self, engine):
        from harness import Server
        if engine != "postgres":
            return  # SQLite lives in the process: there is nothing to restart
        pg_sh = os.path.join(HERE, "..", "..", "scripts", "pg.sh")
        pgdir = os.path.join(self.work, "pg-outage")
        # A cluster of its own: the outage must not touch the one the other tests share.
        url = subprocess.run(["bash", pg_sh, "start", pgdir], check=True, capture_output=True, text=True).stdout.strip()
        subprocess.run(["psql", url, "-qc", "CREATE DATABASE chaos"], check=True)
        outage = 30 if self.trials >= 10 else 5
        s = Server(engine="sqlite", env={"DATABASE_URL": url.rsplit("/", 1)[0] + "/chaos"})
        s.engine = "postgres"
        bad, records, lock, stop = [], [], threading.Lock(), threading.Event()

        def load():
            while not stop.is_set():
                t0 = time.monotonic()
                try:
                    r = s.get("/api/tracks?per_page=5")
                    status, retry = r.status, r.header("Retry-After")
                except OSError:
                    status, retry = 0, None
                with lock:
                    records.append((t0, time.monotonic(), status, retry))

        def back_after(since):
            """Seconds from `since` to the end of the first 200 that started after it."""
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with lock:
                    ok = [end for start, end, status, _ in records if start >= since and status == 200]
                if ok:
                    return min(ok) - since
                time.sleep(0.05)
            raise AssertionError("the server did not recover within 120 s of the database coming back")

        def statuses(lo, hi):
            with lock:
                return [(status, retry) for start, _, status, retry in records if lo <= start < hi]

        threads = [threading.Thread(target=load) for _ in range(6)]
        figures = ""
        try:
            s.start()
            s.setup_admin()
            for t in threads:
                t.start()
            time.sleep(1)
            t_down = time.monotonic()
            subprocess.run(["bash", pg_sh, "pause", pgdir], check=True)
            subprocess.run(["bash", pg_sh, "resume", pgdir], check=True)
            t_back = time.monotonic()
            restart_back = back_after(t_back)
            during_restart = statuses(t_down, t_back + restart_back)
            time.sleep(1)
            t_down2 = time.monotonic()
            subprocess.run(["bash", pg_sh, "pause", pgdir], check=True)
            time.sleep(outage)
            subprocess.run(["bash", pg_sh, "resume", pgdir], check=True)
            t_back2 = time.monotonic()
            outage_back = back_after(t_back2)
            during_outage = statuses(t_down2, t_back2 + outage_back)
            t_ok = t_back2 + outage_back
            time.sleep(3)
            stop.set()
            for t in threads:
                t.join()
            after = statuses(t_ok, float("inf"))
            for name, seen in (("restart", during_restart), ("outage", during_outage)):
                other = sorted({st for st, _ in seen if st not in (200, 503)})
                if other:
                    bad.append(f"{name}: statuses {other}")
                if any(st == 503 and not retry for st, retry in seen):
                    bad.append(f"{name}: a 503 without Retry-After")
            if not after or any(st != 200 for st, _ in after):
                bad.append(f"after recovery: {sorted({st for st, _ in after})}")
            log = s.read_log()
            down, up = log.count("database unreachable"), log.count("database reachable again after")
            problems = sum(1 for line in log.splitlines() if line.split(" ", 2)[1:2] in (["warning"], ["error"], ["critical"]))
            if not 1 <= down <= 2 or up != down:
                bad.append(f"logged {down} outages and {up} recoveries for 2")

            def count(seen, st):
                return sum(1 for x, _ in seen if x == st)
            figures = (f"restart: {count(during_restart, 503)} x 503, back {restart_back:.2f} s after the database; "
                       f"{outage} s stop: {count(during_outage, 503)} x 503, {count(during_outage, 200)} x 200 "
                       f"(before the stop), back {outage_back:.2f} s after the database; then {len(after)} requests "
                       f"all 200: {not any(st != 200 for st, _ in after)}; {problems} warning/error log lines")
        finally:
            stop.set()
            for t in threads:
                if t.is_alive():
                    t.join()
            code, _ = s.stop()
            if code != 0:
                bad.append(f"exit {code}")
            subprocess.run(["bash", pg_sh, "stop", pgdir], check=False)
        self.report("pg-outage", engine, not bad, figures + ("; " + "; ".join(bad[:3]) if bad else ""))


def s_binary():
    import harness
    return harness.BINARY


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/soundtime")
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("-k", dest="only", help="only experiments whose name contains this")
    args = ap.parse_args()
    os.environ["SOUNDTIME_BINARY"] = os.path.abspath(args.binary)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    if "postgres" in engines and not os.environ.get("SOUNDTIME_TEST_PG_URL"):
        print("chaos: SOUNDTIME_TEST_PG_URL is not set: PostgreSQL counts as failed")
    c = Chaos(args.trials, args.seed)
    try:
        for engine in engines:
            os.environ["SOUNDTIME_IT_ENGINE"] = engine
            for name in ("import_kill", "upload_kill", "playlist_race", "slowloris", "full_disk", "data_full", "sigterm", "pg_outage"):
                if args.only and args.only.replace("-", "_") not in name:
                    continue
                if engine == "postgres" and not os.environ.get("SOUNDTIME_TEST_PG_URL"):
                    c.report(name.replace("_", "-"), engine, False, "no PostgreSQL")
                    continue
                try:
                    getattr(c, name)(engine)
                except Exception as e:  # an experiment that cannot even run is a failure, with its reason
                    c.report(name.replace("_", "-"), engine, False, f"{type(e).__name__}: {e}")
    finally:
        shutil.rmtree(c.work, ignore_errors=True)
    print(f"chaos: {c.passed} passed, {c.failed} failed")
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
