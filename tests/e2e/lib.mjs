// Helpers of the browser test: a real build/soundtime on a free loopback port, Debian's Chromium through
// playwright-core, and a tiny pass/fail recorder.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const require = createRequire(path.join(ROOT, 'web/package.json'));
export const { chromium } = require('playwright-core');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'
];

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** prepare(dir), when given, runs on the empty data directory before the server starts (e.g. to fill its database). */
export async function startServer({ binary, webRoot, env = {}, prepare = null }) {
  // Network hygiene (issue 13): a P2P node here runs on the machine's own network, so it must never reach the
  // public DHT or ask the router for a port mapping.
  const full = { ...process.env, ...env };
  const p2pOn = full.P2P_ENABLED !== undefined && !['false', '0', 'no', 'off'].includes(String(full.P2P_ENABLED).trim().toLowerCase());
  if (p2pOn && (full.P2P_DHT_DISCOVERY !== 'false' || full.P2P_PORT_MAPPING !== 'false'))
    throw new Error('refusing to start a P2P node without P2P_DHT_DISCOVERY=false and P2P_PORT_MAPPING=false');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soundtime-e2e-'));
  prepare?.(dir);
  const port = await freePort();
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const proc = spawn(binary, ['serve'], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', SOUNDTIME_DATA_DIR: dir, SOUNDTIME_WEB_ROOT: webRoot,
      JWT_SECRET: 'e2e-test-secret-0123456789abcdef0123', AUTH_RATE_LIMIT_BURST: '1000', LOG_LEVEL: 'info',
      LISTING_URL: 'http://127.0.0.1:9', // never the real public directory (network hygiene)
      ...env
    },
    stdio: ['ignore', log, log]
  });
  // A server that dies on its own (a signal, a crash) says so at once, with its last log lines, so that a
  // failure later in the run can be traced to it.
  let stopping = false;
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    let tail = '';
    try {
      tail = fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-4000);
    } catch {
      // the log is gone with its directory
    }
    console.log(`  !!   server on port ${port} exited unexpectedly (code ${code}, signal ${signal}); last log lines:\n${tail}`);
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error('server exited at start:\n' + fs.readFileSync(path.join(dir, 'server.log'), 'utf8'));
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error('server did not answer /healthz');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base, port, dir, proc,
    log: () => fs.readFileSync(path.join(dir, 'server.log'), 'utf8'),
    async stop() {
      stopping = true;
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => { proc.kill('SIGKILL'); r(); }, 15000);
          proc.on('exit', () => { clearTimeout(t); r(); });
        });
      }
      const code = proc.exitCode;
      fs.rmSync(dir, { recursive: true, force: true });
      return code;
    }
  };
}

/** The generated library (tests/support/make_library.py) plus a 30 s track and one with HTML in its tags. */
export function makeLibrary(dir) {
  execFileSync('python3', [path.join(ROOT, 'tests/support/make_library.py'), dir]);
  const album = path.join(dir, 'library/Test Artist/Sine Album');
  const ff = (...args) => execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
  ff('-f', 'lavfi', '-i', 'sine=frequency=330:duration=30', '-i', path.join(dir, '_covers/red.png'), '-map', '0:a', '-map', '1:v',
    '-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '3', '-c:v', 'copy', '-disposition:v', 'attached_pic',
    '-metadata', 'title=Long Tone', '-metadata', 'artist=Test Artist', '-metadata', 'album=Sine Album', '-metadata', 'track=4/4',
    '-metadata', 'date=2021-05-04', '-metadata', 'genre=rock/pop', path.join(album, '04 Long Tone.mp3'));
  const evil = path.join(dir, 'evil.mp3');
  ff('-f', 'lavfi', '-i', 'sine=frequency=880:duration=1', '-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '3',
    '-metadata', 'title=<img src=x onerror="window.__xss=1"><b>bold</b>', '-metadata', 'artist=<script>window.__xss=2</script>',
    '-metadata', 'album=Evil Album', evil);
  return {
    album,
    tracks: ['01 Tone 1.mp3', '02 Tone 2.mp3', '03 Tone 3.mp3', '04 Long Tone.mp3'].map((f) => path.join(album, f)),
    broken: path.join(dir, 'library/Broken/notes.mp3'),
    cover: path.join(dir, '_covers/red.png'),
    blueCover: path.join(dir, '_covers/blue.jpg'),
    doubleAlbum: ['CD1/01 Part 1.1.flac', 'CD1/02 Part 1.2.flac', 'CD2/01 Part 2.1.flac', 'CD2/02 Part 2.2.flac'].map((f) =>
      path.join(dir, 'library/Test Artist/Double Album', f)),
    evil
  };
}

export class Recorder {
  passed = 0;
  failed = 0;
  failures = [];
  /** Called with the step name when a step fails (the test saves screenshots). */
  onFail = null;

  async step(name, fn) {
    const t0 = Date.now();
    try {
      await fn();
      this.passed++;
      console.log(`  ok   ${name} (${Date.now() - t0} ms)`);
      return true;
    } catch (e) {
      this.failed++;
      this.failures.push(name);
      console.log(`  FAIL ${name}: ${e?.stack ?? e}`);
      await this.onFail?.(name).catch(() => {});
      return false;
    }
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export async function until(fn, what, timeout = 10000, every = 100) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, every));
  }
}
