// Cross-origin Subsonic playback, the way airsonic-refix plays a queue from another origin: the next track
// is preloaded by a plain <audio> (no CORS), then played by an <audio crossorigin="anonymous"> of the same
// URL, which the browser may answer from the preload's cached response; covers load in <img crossorigin>.
// Every /rest answer must carry Access-Control-Allow-Origin: * for that to work (issue 14).
//
// Run alone: node tests/e2e/cross_origin.mjs [--binary build/soundtime]  (its own server and library), or
// as a step of run.mjs through crossOriginSubsonic().
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ROOT, CHROMIUM_ARGS, chromium, startServer, makeLibrary, Recorder, assert, until, freePort } from './lib.mjs';

// The page of the "other" web app: served from a second loopback port, it knows nothing but the API base.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>other origin</title></head>
<body><audio id="pre" preload="auto"></audio><audio id="player" crossorigin="anonymous"></audio>
<img id="cover" crossorigin="anonymous" alt=""><script>
window.events = [];
for (const id of ['pre', 'player']) {
  const a = document.getElementById(id);
  for (const ev of ['error', 'playing', 'canplaythrough']) a.addEventListener(ev, () => window.events.push(id + ':' + ev));
}
</script></body></html>`;

/** Serves PAGE on a free loopback port (the second origin). */
async function otherOrigin() {
  const port = await freePort();
  const srv = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => srv.close(r)) };
}

async function api(base, method, p, body, token) {
  const r = await fetch(base + p, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

/**
 * The steps, recorded on rec. base: our server, whose catalogue holds an album with a cover and at least two
 * tracks; token: an access token (an app password is made with it for the Subsonic calls).
 */
export async function crossOriginSubsonic({ rec, browser, base, token, shot }) {
  let apiKey, songIds, coverId;
  const ready = await rec.step('cross-origin Subsonic: an app password and two tracks with a cover', async () => {
    const key = await api(base, 'POST', '/api/auth/app-passwords', { name: 'cross-origin web client' }, token);
    assert(key.status === 201, 'app password: ' + JSON.stringify(key));
    apiKey = key.json.password;
    const tracks = (await api(base, 'GET', '/api/tracks?per_page=100', null, token)).json.data;
    const covered = tracks.filter((t) => t.cover_url && t.album_id);
    assert(covered.length >= 2, 'two tracks with a cover');
    songIds = [covered[0].id, covered[1].id];
    coverId = covered[0].album_id;
  });
  if (!ready) return;
  const other = await otherOrigin();
  const ctx = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  const q = `apiKey=${encodeURIComponent(apiKey)}&c=airsonic-like&v=1.16.1&f=json`;
  const stream = (id) => `${base}/rest/stream.view?id=${encodeURIComponent(id)}&${q}`;
  try {
    await page.goto(other.origin + '/');
    assert(new URL(page.url()).origin !== base, 'the page is on another origin');

    await rec.step('cross-origin Subsonic: a CORS <audio> plays a track preloaded without CORS', async () => {
      // The current track plays while the next one is preloaded without CORS (cached by the browser) ...
      await page.evaluate(([first, next]) => {
        const player = document.getElementById('player');
        player.src = first;
        player.play();
        const pre = document.getElementById('pre');
        pre.src = next;
        pre.load();
      }, [stream(songIds[0]), stream(songIds[1])]);
      await until(() => page.evaluate(() => window.events.includes('pre:canplaythrough') || window.events.includes('pre:error')),
        'the preload');
      // ... then the player moves on to the preloaded URL, with CORS.
      await page.evaluate((next) => {
        const player = document.getElementById('player');
        window.events = window.events.filter((e) => !e.startsWith('player:'));
        player.src = next;
        player.play();
      }, stream(songIds[1]));
      const t = await until(() => page.evaluate(() => {
        const a = document.getElementById('player');
        if (window.events.includes('player:error')) throw new Error('error event: ' + (a.error && a.error.code));
        return a.currentTime > 0.2 ? a.currentTime : 0;
      }), 'currentTime to advance on the CORS player', 15000);
      const state = await page.evaluate(() => ({ events: window.events, err: document.getElementById('player').error }));
      assert(!state.events.includes('player:error'), 'no error on the CORS player: ' + JSON.stringify(state));
      assert(t > 0.2, 'the CORS player advanced');
    });

    await rec.step('cross-origin Subsonic: getCoverArt loads in an <img crossorigin> after a plain load', async () => {
      const url = `${base}/rest/getCoverArt.view?id=${encodeURIComponent(coverId)}&size=64&${q}`;
      // A plain <img> first puts the (immutable) answer in the cache, as a list of albums would.
      const plain = await page.evaluate((u) => new Promise((res) => {
        const i = new Image();
        i.onload = () => res(i.naturalWidth);
        i.onerror = () => res(-1);
        i.src = u;
      }), url);
      assert(plain > 0, 'plain cover load: ' + plain);
      const w = await page.evaluate((u) => new Promise((res) => {
        const i = document.getElementById('cover');
        i.onload = () => {
          // A CORS-clean image can be read back from a canvas; a tainted one throws.
          const c = document.createElement('canvas');
          c.width = c.height = 4;
          const g = c.getContext('2d');
          g.drawImage(i, 0, 0, 4, 4);
          try {
            g.getImageData(0, 0, 1, 1);
            res(i.naturalWidth);
          } catch (e) {
            res('tainted: ' + e);
          }
        };
        i.onerror = () => res('error');
        i.src = u;
      }), url);
      assert(typeof w === 'number' && w > 0, 'the CORS cover loaded untainted: ' + w);
      if (shot) await shot(page, 'subsonic-cross-origin');
    });

    await rec.step('cross-origin Subsonic: a preflighted request (POST with JSON) passes', async () => {
      const res = await page.evaluate(async (u) => {
        const r = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        return { status: r.status, body: await r.json() };
      }, `${base}/rest/ping.view?${q}`);
      assert(res.status === 200 && res.body['subsonic-response'].status === 'ok', 'preflighted ping: ' + JSON.stringify(res));
      const pre = await fetch(`${base}/rest/ping.view`, {
        method: 'OPTIONS',
        headers: { Origin: other.origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'content-type' }
      });
      assert(pre.status === 204 || pre.status === 200, 'OPTIONS status ' + pre.status);
      const allow = pre.headers.get('access-control-allow-origin');
      assert(allow === '*' || allow === other.origin, 'OPTIONS Allow-Origin: ' + allow);
      assert(/GET/.test(pre.headers.get('access-control-allow-methods') ?? ''), 'OPTIONS Allow-Methods');
    });
  } finally {
    await ctx.close();
    await other.close();
  }
}

async function standalone() {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--binary');
  const binary = path.resolve(i >= 0 ? argv[i + 1] : process.env.SOUNDTIME_BINARY ?? path.join(ROOT, 'build/soundtime'));
  const libDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soundtime-e2e-cors-'));
  makeLibrary(libDir);
  const server = await startServer({ binary, webRoot: path.join(libDir, 'no-web'), env: { MUSIC_FOLDERS: path.join(libDir, 'library') } });
  const rec = new Recorder();
  let browser;
  try {
    const admin = await api(server.base, 'POST', '/api/setup/admin', { username: 'admin', email: 'a@example.org', password: 'admin-password-1' });
    const token = admin.json.tokens.access_token;
    await api(server.base, 'POST', '/api/admin/storage/sync', null, token);
    await until(async () => (await api(server.base, 'GET', '/api/tracks?per_page=100', null, token)).json.data.length >= 4,
      'the library scan', 60000, 250);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    await crossOriginSubsonic({ rec, browser, base: server.base, token });
  } finally {
    await browser?.close();
    const code = await server.stop();
    await rec.step('server exits cleanly on SIGTERM', async () => assert(code === 0, 'exit code ' + code));
    fs.rmSync(libDir, { recursive: true, force: true });
  }
  console.log(`e2e cross-origin: ${rec.passed} passed, ${rec.failed} failed`);
  process.exitCode = rec.failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await standalone();
