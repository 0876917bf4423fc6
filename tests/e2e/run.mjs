// Browser test: drives the built web app in Debian Chromium against the real server.
// Usage: node tests/e2e/run.mjs [--binary build/soundtime] [--summary FILE]
// Prints "e2e: N passed, N failed" and writes "N M" to the summary file.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ROOT, CHROMIUM_ARGS, chromium, startServer, makeLibrary, Recorder, assert, until, freePort } from './lib.mjs';
import { crossOriginSubsonic } from './cross_origin.mjs';
import { windowedLists } from './windowed.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const binary = path.resolve(opt('--binary', process.env.SOUNDTIME_BINARY ?? path.join(ROOT, 'build/soundtime')));
const summary = opt('--summary', null);
const shots = path.join(ROOT, 'build/e2e-screenshots');
const webRoot = path.join(ROOT, 'web/build');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const ADMIN = { username: 'admin', email: 'admin@example.org', password: 'admin-password-1' };
const USER = { username: 'listener', email: 'listener@example.org', password: 'listener-password-1' };

const rec = new Recorder();
const pageErrors = [];
let server;
let browser;
// The P2P steps' own two nodes, and the browser page driving node a.
let nodeA;
let nodeB;
let p2pCtx;
let p2pPage;

function finish() {
  console.log(`e2e: ${rec.passed} passed, ${rec.failed} failed`);
  if (summary) fs.writeFileSync(summary, `${rec.passed} ${rec.failed}\n`);
}

async function newPage(context) {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.setDefaultTimeout(10000);
  return page;
}

/** Text a user must never see. */
async function checkNoJunk(page, where) {
  const text = await page.evaluate(() => document.body.innerText);
  for (const bad of ['undefined', '[object Object]', 'NaN', '{"error"']) {
    assert(!text.includes(bad), `${where} shows "${bad}"`);
  }
}

async function shot(page, name) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

const audioState = (page) =>
  page.evaluate(() => {
    const a = document.querySelector('audio[data-active="true"]');
    return a ? { t: a.currentTime, paused: a.paused, src: a.src } : null;
  });

async function main() {
  if (!fs.existsSync(path.join(webRoot, 'index.html'))) throw new Error('web/build is missing: run make build');
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  const libDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soundtime-e2e-lib-'));
  const lib = makeLibrary(libDir);
  // A local stand-in for Last.fm: its authorization page sends the browser back with a token, its API
  // trades the token for a session and takes now-playing notices (signatures: tests/integration).
  const lastfmCalls = [];
  let backTo = '';
  const lastfm = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    if (u.pathname === '/auth/') {
      res.writeHead(302, { Location: backTo + '/settings?lastfm_callback=1&token=e2e-token' });
      return res.end();
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const q = new URLSearchParams(req.method === 'POST' ? body : u.search);
      lastfmCalls.push(q.get('method'));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(q.get('method') === 'auth.getSession' ? { session: { name: 'e2e-fm', key: 'SK' } } : {}));
    });
  });
  await new Promise((r) => lastfm.listen(0, '127.0.0.1', r));
  lastfm.unref();
  const fm = `http://127.0.0.1:${lastfm.address().port}`;
  server = await startServer({
    binary,
    webRoot,
    env: { MUSICBRAINZ_MIN_INTERVAL_MS: '0', EDITORIAL_CHECK_SECONDS: '0', LASTFM_API_KEY: 'e2e-key', LASTFM_API_SECRET: 'e2e-secret',
           LASTFM_API_URL: fm + '/2.0/', LASTFM_AUTH_URL: fm + '/auth/', LISTENBRAINZ_API_URL: fm + '/lb' }
  });
  const B = server.base;
  backTo = B;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const adminCtx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
  // Counts XMLHttpRequest upload progress events, to check that uploads report progress.
  await adminCtx.addInitScript(() => {
    window.__progress = 0;
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (body) {
      this.upload.addEventListener('progress', () => window.__progress++);
      return send.call(this, body);
    };
  });
  const page = await newPage(adminCtx);
  let failures = 0;
  rec.onFail = async () => {
    failures++;
    for (const p of browser.contexts().flatMap((c) => c.pages())) await p.screenshot({ path: path.join(shots, `FAIL-${failures}-${p === page ? 'admin' : 'other'}.png`) });
  };

  await rec.step('first run opens the setup wizard and creates the admin', async () => {
    await page.goto(B + '/');
    await page.waitForURL('**/setup');
    await shot(page, 'setup-desktop');
    await page.fill('#s-user', ADMIN.username);
    await page.fill('#s-email', ADMIN.email);
    await page.fill('#s-pass', ADMIN.password);
    await page.fill('#s-confirm', ADMIN.password);
    await page.click('button:has-text("Create the administrator")');
    await page.fill('#s-name', 'E2E Instance');
    await page.fill('#s-desc', 'Browser test');
    await page.click('button:has-text("Continue")');
    await page.fill('#s-max', '200');
    await page.click('button:has-text("Finish")');
    await page.waitForURL(B + '/');
    await page.waitForSelector('h1:has-text("Welcome")');
    const st = await (await fetch(B + '/api/setup/status')).json();
    assert(st.setup_complete && st.has_admin, 'setup not complete on the server: ' + JSON.stringify(st));
  });

  await rec.step('upload with per-file progress; a broken file shows its error', async () => {
    await page.click('nav a[href="/upload"]');
    await page.waitForSelector('[data-testid=dropzone]');
    // A drop (of a broken "mp3" and an image, which is skipped), then the file picker.
    const dropped = [['notes.mp3', fs.readFileSync(lib.broken).toString('base64')], ['cover.png', fs.readFileSync(lib.cover).toString('base64')]];
    await page.locator('[data-testid=dropzone]').evaluate((zone, files) => {
      const dt = new DataTransfer();
      for (const [name, b64] of files) dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, dropped);
    await page.waitForSelector('[data-testid=upload-summary]:has-text("1 non-audio file skipped")');
    await page.setInputFiles('[data-testid=file-input]', [...lib.tracks, lib.evil, ...lib.doubleAlbum]);
    await until(async () => (await page.locator('[data-testid=upload-item][data-status=done]').count()) === 9, '9 uploads done', 30000);
    await until(async () => (await page.locator('[data-testid=upload-item][data-status=error]').count()) === 1, 'broken upload failed');
    const err = await page.locator('[data-testid=upload-error]').innerText();
    assert(/recogni[sz]ed audio format|not audio/i.test(err), 'unexpected upload error text: ' + err);
    const values = await page.locator('[data-testid=upload-item][data-status=done] [role=progressbar]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-valuenow')));
    assert(values.every((v) => v === '100'), 'progress bars not at 100: ' + values);
    assert((await page.evaluate(() => window.__progress)) > 0, 'no XMLHttpRequest upload progress event');
    await checkNoJunk(page, 'upload page');
    await shot(page, 'upload-desktop');
  });

  await rec.step('the album appears with its cover', async () => {
    await page.click('nav a[href="/albums"]');
    const card = page.locator('[data-testid=album-card]', { hasText: 'Sine Album' });
    await card.waitFor();
    await until(() => card.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), 'cover image loaded');
    await shot(page, 'albums-desktop');
    await card.click();
    await page.waitForSelector('[data-testid=album-title]:has-text("Sine Album")');
    assert((await page.locator('[data-testid=track-row]').count()) === 4, 'album should list 4 tracks');
    await checkNoJunk(page, 'album page');
    await shot(page, 'album-desktop');
    await page.goto(B + '/albums');
    await page.locator('[data-testid=album-card]', { hasText: 'Double Album' }).click();
    await until(async () => (await page.locator('[data-testid=disc-heading]').allInnerTexts()).join('|') === 'Disc 1|Disc 2', 'tracks grouped by disc');
    const parts = await page.locator('[data-testid=track-title]').allInnerTexts();
    assert(parts.join('|') === 'Part 1.1|Part 1.2|Part 2.1|Part 2.2', 'disc order: ' + parts);
    await page.setInputFiles('[data-testid=cover-input]', lib.blueCover);
    await until(() => page.locator('main header img').evaluate((img) => img.complete && img.naturalWidth > 0), 'new album cover shown');
    await shot(page, 'album-discs-desktop');
  });

  await rec.step('a user tag containing HTML is shown as text, never run', async () => {
    await page.goto(B + '/tracks');
    await page.waitForSelector('[data-testid=track-title]');
    const titles = await page.locator('[data-testid=track-title]').allInnerTexts();
    assert(titles.some((x) => x.includes('<img src=x onerror=')), 'HTML title not shown literally: ' + titles);
    assert((await page.evaluate(() => window.__xss)) === undefined, 'injected script ran');
    assert((await page.locator('main b:has-text("bold")').count()) === 0, 'HTML from a tag was rendered');
  });

  await rec.step('edit then delete an own track', async () => {
    const row = page.locator('[data-testid=track-row]', { hasText: '<img src=x' });
    await row.locator('button[aria-label^="More actions for"]').click();
    await page.click('[role=menuitem]:has-text("Edit track")');
    await page.fill('#e-title', 'Renamed track');
    await page.fill('#e-year', '1999');
    await page.click('[role=dialog] button:has-text("Save")');
    await page.waitForSelector('[data-testid=track-title]:text-is("Renamed track")');
    const t = await (await fetch(B + '/api/tracks?per_page=50')).json();
    const renamed = t.data.find((x) => x.title === 'Renamed track');
    assert(renamed && renamed.year === 1999, 'edit not saved: ' + JSON.stringify(renamed));
    await page.locator('[data-testid=track-row]', { hasText: 'Renamed track' }).locator('button[aria-label^="More actions for"]').click();
    await page.click('[role=menuitem]:has-text("Delete track")');
    await page.click('[role=dialog] button:has-text("Delete track")');
    await page.waitForSelector('[data-testid=track-title]:text-is("Renamed track")', { state: 'detached' });
    assert((await (await fetch(B + '/api/tracks/' + renamed.id)).status) === 404, 'track still there');
  });

  await rec.step('play: the <audio> element advances, ends, and the next track starts', async () => {
    await page.goto(B + '/albums');
    await page.locator('[data-testid=album-card]', { hasText: 'Sine Album' }).click();
    await page.click('[data-testid=play-album]');
    await until(async () => (await page.locator('[data-testid=now-playing-title]').innerText()) === 'Tone 1', 'Tone 1 playing');
    const first = await until(async () => {
      const s = await audioState(page);
      return s && s.t > 0.3 ? s : null;
    }, 'currentTime > 0.3', 10000);
    assert(!first.paused, 'audio paused');
    const meta = await page.evaluate(() => navigator.mediaSession?.metadata && { title: navigator.mediaSession.metadata.title, artist: navigator.mediaSession.metadata.artist });
    assert(meta?.title === 'Tone 1' && meta?.artist === 'Test Artist', 'Media Session metadata: ' + JSON.stringify(meta));
    // Tone 1 lasts 2 s: it ends by itself and Tone 2 follows.
    await until(async () => (await page.locator('[data-testid=now-playing-title]').innerText()) === 'Tone 2', 'Tone 2 after the end of Tone 1', 10000);
  });

  await rec.step('next track, then seek on the waveform', async () => {
    await page.click('[data-testid=next]');
    await until(async () => (await page.locator('[data-testid=now-playing-title]').innerText()) === 'Tone 3', 'Tone 3 after next');
    await page.click('[data-testid=next]');
    await until(async () => (await page.locator('[data-testid=now-playing-title]').innerText()) === 'Long Tone', 'Long Tone after next');
    await until(async () => (await audioState(page))?.t > 0.2, 'Long Tone playing');
    const wf = page.locator('[data-testid=player-bar] [data-testid=waveform]');
    const box = await wf.boundingBox();
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height / 2);
    const s = await until(async () => {
      const a = await audioState(page);
      return a && a.t >= 15 ? a : null;
    }, 'currentTime >= 15 after seeking to 60 %');
    assert(s.t < 25, 'seek went too far: ' + s.t);
    await until(async () => ((await audioState(page))?.t ?? 0) > s.t + 0.2, 'playback continues after the seek');
    // Low quality: an Opus transcode started at the current position, which plays on.
    const before = (await audioState(page)).t;
    await page.selectOption('#quality', 'low');
    const low = await until(async () => {
      const a = await audioState(page);
      return a && a.src.includes('quality=low') && a.t > 0.3 && !a.paused ? a : null;
    }, 'transcoded stream playing');
    assert(/timeOffset=(1\d|2\d)/.test(low.src), 'transcode did not start at the position: ' + low.src + ' (was at ' + before + ')');
    assert((await page.evaluate(() => localStorage.getItem('soundtime_quality'))) === 'low', 'quality not remembered');
    await page.selectOption('#quality', 'original');
    await until(async () => {
      const a = await audioState(page);
      return a && !a.src.includes('quality=') && a.t >= 15 ? a : null;
    }, 'back to the original at the same position');
    await shot(page, 'player-desktop');
    await page.click('button[aria-label="Open the now playing view"]');
    await page.waitForSelector('[role=dialog][aria-label="Now playing"]');
    await shot(page, 'now-playing-desktop');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Space');
    await until(async () => (await audioState(page))?.paused === true, 'space pauses');
  });

  await rec.step('create a playlist and add tracks to it', async () => {
    await page.click('nav a[href="/playlists"]');
    await page.click('[data-testid=new-playlist]');
    await page.fill('#pl-name', 'Road <trip>');
    await page.click('button:has-text("Create")');
    await page.waitForSelector('[data-testid=playlist-name]:has-text("Road <trip>")');
    const url = page.url();
    await page.goto(B + '/albums');
    await page.locator('[data-testid=album-card]', { hasText: 'Sine Album' }).click();
    for (const title of ['Tone 1', 'Long Tone']) {
      await page.click(`button[aria-label="More actions for ${title}"]`);
      await page.click('[role=menuitem]:has-text("Add to playlist")');
      await page.click('[role=dialog] button:has-text("Road <trip>")');
      await page.waitForSelector('[role=status] :text("Added to Road <trip>")');
      await page.waitForSelector('[role=dialog]', { state: 'detached' });
    }
    await page.goto(url);
    await until(async () => (await page.locator('[data-testid=track-row]').count()) === 2, 'two tracks in the playlist');
    const titles = await page.locator('[data-testid=track-title]').allInnerTexts();
    assert(titles.join('|') === 'Tone 1|Long Tone', 'playlist order: ' + titles);
    // Drag "Long Tone" above "Tone 1": the new order is saved on the server.
    const rows = page.locator('[data-testid=track-row]');
    await rows.nth(1).dragTo(rows.nth(0));
    await until(async () => (await page.locator('[data-testid=track-title]').allInnerTexts()).join('|') === 'Long Tone|Tone 1', 'reordered on screen');
    const id = url.split('/').pop();
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('soundtime_session')).access);
    const saved = await (await fetch(`${B}/api/playlists/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert(saved.tracks.map((x) => x.title).join('|') === 'Long Tone|Tone 1', 'order not saved: ' + saved.tracks.map((x) => x.title));
    // The move buttons (touch screens have no drag and drop) do the same: "Long Tone" back down.
    await rows.nth(0).locator('[data-testid=move-down]').click();
    await until(async () => (await page.locator('[data-testid=track-title]').allInnerTexts()).join('|') === 'Tone 1|Long Tone', 'moved down with the button');
    const again = await (await fetch(`${B}/api/playlists/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert(again.tracks.map((x) => x.title).join('|') === 'Tone 1|Long Tone', 'button order not saved: ' + again.tracks.map((x) => x.title));
    await shot(page, 'playlist-desktop');
  });

  await rec.step('favorite a track', async () => {
    await page.goto(B + '/albums');
    await page.locator('[data-testid=album-card]', { hasText: 'Sine Album' }).click();
    const row = page.locator('[data-testid=track-row]', { hasText: 'Tone 3' });
    await row.locator('button[aria-label="Add to favorites"]').click();
    await row.locator('button[aria-label="Remove from favorites"][aria-pressed=true]').waitFor();
    await page.click('nav a[href="/favorites"]');
    await page.waitForSelector('[data-testid=favorites-list] [data-testid=track-title]:has-text("Tone 3")');
    await page.goBack();
    await page.waitForSelector('[data-testid=album-title]');
  });

  await rec.step('report a track', async () => {
    await page.click('button[aria-label="More actions for Tone 2"]');
    await page.click('[role=menuitem]:has-text("Report")');
    await page.fill('#reason', 'Wrong <b>title</b>');
    await page.click('[role=dialog] button:has-text("Send report")');
    await page.waitForSelector('[role=status] :text("the administrators will look at it")');
  });

  await rec.step('search as you type', async () => {
    await page.click('[data-testid=search-input]');
    await page.keyboard.type('long', { delay: 40 });
    await page.waitForURL('**/search?q=long');
    await page.waitForSelector('[data-testid=search-results] [data-testid=track-title]:has-text("Long Tone")');
    await checkNoJunk(page, 'search page');
    await shot(page, 'search-desktop');
    await page.fill('[data-testid=search-input]', 'zzzqqq');
    await page.waitForSelector('[data-testid=search-empty]');
  });

  await rec.step('history shows the completed listen', async () => {
    await page.click('nav a[href="/history"]');
    await page.waitForSelector('[data-testid=history-title]:has-text("Tone 1")');
    await shot(page, 'history-desktop');
  });

  await rec.step('the display name is edited in the settings and kept', async () => {
    await page.goto(B + '/settings');
    await page.fill('#pr-name', '  DJ <Admin>  ');
    await page.click('form:has(#pr-name) button:has-text("Save")');
    await page.waitForFunction(() => document.querySelector('#pr-name')?.value === 'DJ <Admin>');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#pr-name')?.value === 'DJ <Admin>');
  });

  await rec.step('Last.fm is connected from the settings through its authorization page; plays are announced', async () => {
    await page.goto(B + '/settings');
    await page.click('[data-testid=scrobbling] button:has-text("Connect Last.fm")');
    await page.waitForSelector('[data-testid=lastfm-user]:has-text("e2e-fm")');
    assert(!page.url().includes('token='), 'the token leaves the address bar: ' + page.url());
    await page.locator('[data-testid=scrobbling]').scrollIntoViewIfNeeded();
    await shot(page, 'settings-scrobbling-desktop');
    await page.goto(B + '/albums');
    await page.locator('[data-testid=album-card]', { hasText: 'Sine Album' }).click();
    await page.click('[data-testid=play-album]');
    await until(() => lastfmCalls.includes('track.updateNowPlaying'), 'now playing sent to Last.fm', 20000);
    await page.click('[data-testid=play-pause]');
    await page.goto(B + '/settings');
    await page.click('[data-testid=scrobbling] button:has-text("Disconnect")');
    await page.waitForSelector('[data-testid=scrobbling] button:has-text("Connect Last.fm")');
  });

  await rec.step('an app password made in the settings lets a Subsonic app in, until it is revoked', async () => {
    await page.goto(B + '/settings');
    await page.fill('#app-name', 'Phone');
    await page.click('form:has(#app-name) button:has-text("Create")');
    const secret = (await page.locator('section[aria-labelledby=s-apps] code').innerText()).trim();
    assert(/^[a-z0-9-]{20,}$/.test(secret), 'app password shown once: ' + secret);
    const ping = (key) =>
      page.evaluate(async (k) => (await (await fetch('/rest/ping?f=json&apiKey=' + encodeURIComponent(k))).json())['subsonic-response'].status, key);
    assert((await ping(secret)) === 'ok', 'Subsonic ping with the new app password');
    await page.waitForSelector('section[aria-labelledby=s-apps] li:has-text("Phone")');
    await shot(page, 'settings-app-passwords-desktop');
    await page.click('section[aria-labelledby=s-apps] li:has-text("Phone") button:has-text("Revoke")');
    await page.waitForSelector('section[aria-labelledby=s-apps] li:has-text("Phone")', { state: 'detached' });
    assert((await ping(secret)) === 'failed', 'a revoked app password is refused at once');
  });

  // A Subsonic web client served from another origin plays and shows covers (issue 14).
  {
    const login = await fetch(B + '/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }) });
    await crossOriginSubsonic({ rec, browser, base: B, token: (await login.json()).tokens?.access_token, shot });
  }

  // A second person: registers, is banned by the admin, and is logged out at their next action.
  const userCtx = await browser.newContext({ viewport: PHONE, locale: 'en-US', isMobile: true, hasTouch: true });
  const upage = await newPage(userCtx);
  await rec.step('a user registers; the admin bans them; they are logged out with the reason', async () => {
    await upage.goto(B + '/register');
    await upage.fill('#r-user', USER.username);
    await upage.fill('#r-email', USER.email);
    await upage.fill('#r-pass', USER.password);
    await upage.fill('#r-confirm', USER.password);
    await upage.check('input[type=checkbox]');
    await upage.click('button:has-text("Create an account")');
    await upage.waitForSelector('h1:has-text("Welcome")');
    await shot(upage, 'home-phone');

    await page.goto(B + '/admin?tab=users');
    const row = page.locator(`[data-testid=user-row][data-username=${USER.username}]`);
    await row.locator('[data-testid=ban-user]').click();
    await page.fill('#ban-reason', 'Spamming reports');
    await page.click('[data-testid=confirm-ban]');
    await row.locator('text=Banned').waitFor();
    await shot(page, 'admin-users-desktop');

    await upage.goto(B + '/albums');
    await upage.waitForURL('**/login**');
    // The ended session's refresh answers 403 with the ban's reason: the app says why at once.
    const notice = await upage.locator('[data-testid=session-notice]').innerText();
    assert(/banned/i.test(notice) && notice.includes('Spamming reports'), 'session notice: ' + notice);
    await upage.fill('#username', USER.username);
    await upage.fill('#password', USER.password);
    await upage.click('form button:has-text("Log in")');
    const err = await upage.locator('[data-testid=login-error]').innerText();
    assert(/banned/i.test(err) && err.includes('Spamming reports'), 'login error for a banned user: ' + err);
    await upage.fill('#password', 'wrong-password-9');
    await upage.click('form button:has-text("Log in")');
    await until(async () => (await upage.locator('[data-testid=login-error]').innerText()) === 'Wrong username or password.', 'wrong-credentials message');
    await shot(upage, 'login-phone');
  });

  await rec.step('admin console tabs render, the library scan reports its result', async () => {
    for (const tab of ['dashboard', 'settings', 'reports', 'tos', 'storage']) {
      await page.click(`[data-testid=admin-tab-${tab}]`);
      await page.waitForSelector(`[data-testid=admin-tab-${tab}][aria-selected=true]`);
      await page.waitForTimeout(300);
      await checkNoJunk(page, `admin ${tab}`);
      if (tab === 'reports') {
        await page.waitForSelector('[data-testid=reports-list] :text("Wrong <b>title</b>")');
      }
      if (tab === 'storage') {
        await page.click('[data-testid=start-scan]');
        await page.waitForSelector('[data-testid=task-status] :text("Scan finished")', { timeout: 30000 });
      }
      await shot(page, `admin-${tab}-desktop`);
    }
  });

  await rec.step('directory tab: a local domain is explained; a heartbeat reaches a stand-in directory, then delisting', async () => {
    // A local stand-in for the public directory (nothing leaves the machine).
    const seen = [];
    const dir = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body, auth: req.headers.authorization });
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(req.method === 'POST' ? { token: 'e2e-directory-token' } : {}));
      });
    });
    const dirPort = await freePort();
    await new Promise((r) => dir.listen(dirPort, '127.0.0.1', r));
    try {
      const login = await (await fetch(B + '/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }) })).json();
      const put = await fetch(B + '/api/admin/settings/listing_url', { method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + login.tokens.access_token },
        body: JSON.stringify({ value: `http://127.0.0.1:${dirPort}` }) });
      assert(put.ok, 'listing_url saved');
      await page.click('[data-testid=admin-tab-listing]');
      await page.waitForSelector('[data-testid=listing-panel]');
      await page.waitForSelector('[data-testid=listing-local]');
      await checkNoJunk(page, 'admin listing');
      await page.fill('#listing-domain', 'music.example.org');
      await page.click('[data-testid=listing-panel] form button');
      await until(async () => !(await page.locator('[data-testid=listing-local]').count()), 'the local-domain warning to go');
      await page.click('[data-testid=listing-enabled]');
      await until(() => page.locator('[data-testid=listing-trigger]').isEnabled(), 'the heartbeat button');
      await page.click('[data-testid=listing-trigger]');
      await page.waitForSelector('[data-testid=listing-status]:has-text("Listed")');
      const announce = seen.find((x) => x.method === 'POST');
      assert(announce && announce.url === '/api/announce' && JSON.parse(announce.body).domain === 'music.example.org', 'announce: ' + JSON.stringify(seen));
      await shot(page, 'admin-listing-desktop');
      await page.click('[data-testid=listing-panel] button:has-text("Remove from the directory")');
      await page.waitForSelector('[data-testid=listing-status]:has-text("Not listed")');
      const del = seen.find((x) => x.method === 'DELETE');
      assert(del && del.url === '/api/nodes/music.example.org' && del.auth === 'Bearer e2e-directory-token', 'delist: ' + JSON.stringify(seen));
      // Leaving the directory turns the listing off (the worker would announce the instance again otherwise).
      await page.waitForSelector('[data-testid=listing-enabled]:not(:checked)');
    } finally {
      await new Promise((r) => dir.close(r));
    }
  });

  await rec.step('themes: an uploaded theme, once enabled, changes a CSS variable; ?safe=1 ignores it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soundtime-e2e-theme-'));
    fs.mkdirSync(path.join(dir, 'e2e-sunset'));
    fs.writeFileSync(path.join(dir, 'e2e-sunset', 'theme.toml'),
      '[theme]\nname = "e2e-sunset"\nversion = "1.0"\nauthor = "E2E"\n[assets]\ncss = "theme.css"\n');
    fs.writeFileSync(path.join(dir, 'e2e-sunset', 'theme.css'), ':root, .dark { --primary: rgb(1, 2, 3); }\n');
    const archive = path.join(dir, 'e2e-sunset.tar.gz');
    const { execFileSync } = await import('node:child_process');
    execFileSync('tar', ['czf', archive, '-C', dir, 'e2e-sunset']);
    const primary = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--primary').trim());
    await page.goto(B + '/admin?tab=themes');
    await page.waitForSelector('[data-testid=admin-tab-themes][aria-selected=true]');
    const before = await primary();
    assert(before && before !== 'rgb(1, 2, 3)', 'unexpected default --primary ' + before);
    await page.setInputFiles('[data-testid=theme-upload-input]', archive);
    const row = '[data-testid=theme-row][data-name=e2e-sunset]';
    await page.waitForSelector(`${row}[data-status=disabled]`);
    await page.click(`${row} [data-testid=theme-enable]`);
    await page.waitForSelector(`${row}[data-status=enabled]`);
    await until(async () => (await primary()) === 'rgb(1, 2, 3)', 'the enabled theme sets --primary');
    await shot(page, 'admin-themes-desktop');
    await page.goto(B + '/?safe=1');
    await page.waitForSelector('h1');
    await page.waitForTimeout(500);
    assert((await page.$('#soundtime-theme')) === null, 'safe mode linked the theme');
    assert((await primary()) === before, 'safe mode still shows the theme');
    await page.goto(B + '/');
    await until(async () => (await primary()) === 'rgb(1, 2, 3)', 'the theme applies on a normal page load');
    await page.goto(B + '/admin?tab=themes');
    await page.click(`${row} [data-testid=theme-disable]`);
    await page.waitForSelector(`${row}[data-status=disabled]`);
    await until(async () => (await primary()) === before, 'disabling restores the default look');
    await page.click(`${row} [data-testid=theme-delete]`);
    await page.click('[data-testid=confirm-theme-delete]');
    await page.waitForSelector('[data-testid=themes-empty]');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  await rec.step('metadata tab: MusicBrainz lookup of every track runs and reports its result', async () => {
    // A local stand-in for MusicBrainz that knows none of the tracks (nothing leaves the machine).
    const asked = [];
    const stub = http.createServer((req, res) => {
      asked.push(req.url);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ recordings: [] }));
    });
    await new Promise((r) => stub.listen(0, '127.0.0.1', r));
    try {
      const token = await page.evaluate(() => JSON.parse(localStorage.getItem('soundtime_session')).access);
      const put = await fetch(`${B}/api/admin/settings/musicbrainz_base_url`, {
        method: 'PUT', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ value: `http://127.0.0.1:${stub.address().port}/ws/2` })
      });
      assert(put.ok, `setting: ${put.status}`);
      await page.click('[data-testid=admin-tab-metadata]');
      await page.waitForSelector('[data-testid=metadata-status]');
      await page.click('[data-testid=enrich-all]');
      await page.waitForSelector('[data-testid=metadata-task] :text("Done:")', { timeout: 30000 });
      assert(asked.length > 0 && asked.every((u) => u.startsWith('/ws/2/recording?query=')), `asked: ${asked.join(' ')}`);
      await checkNoJunk(page, 'admin metadata');
      await shot(page, 'admin-metadata-desktop');
    } finally {
      stub.close();
    }
  });

  await rec.step('AI editorial tab: settings, Generate against a local stand-in, playlists on the home page', async () => {
    // A local stand-in for an OpenAI-compatible service (nothing leaves the machine).
    const asked = [];
    const stub = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const j = JSON.parse(body);
        asked.push({ url: req.url, auth: req.headers.authorization, model: j.model });
        const ids = j.messages.at(-1).content.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g);
        const content = JSON.stringify([
          { name: 'Sunrise Sines', description: 'Gentle tones for the morning.', track_ids: ids.slice(0, 3) },
          { name: 'Night Drones', description: 'Low and slow.', track_ids: ids.slice(3, 6) }
        ]);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      });
    });
    await new Promise((r) => stub.listen(0, '127.0.0.1', r));
    try {
      await page.goto(`${B}/admin?tab=editorial`);
      await page.waitForSelector('[data-testid=editorial-status]:has-text("No AI API key")');
      await page.fill('[data-testid=editorial-base-url]', `http://127.0.0.1:${stub.address().port}/v1`);
      await page.fill('[data-testid=editorial-model]', 'stand-in-model');
      await page.fill('[data-testid=editorial-key]', 'sk-e2e-key');
      await page.click('#admin-panel button[type=submit]');
      await page.waitForSelector('[data-testid=editorial-status]:has-text("AI service configured")');
      await page.click('[data-testid=editorial-generate]');
      await page.waitForSelector('[data-testid=editorial-count]:has-text("2 editorial playlists")', { timeout: 30000 });
      assert(asked.length === 1 && asked[0].url === '/v1/chat/completions' && asked[0].auth === 'Bearer sk-e2e-key' &&
        asked[0].model === 'stand-in-model', `asked: ${JSON.stringify(asked)}`);
      await checkNoJunk(page, 'admin editorial');
      await shot(page, 'admin-editorial-desktop');
      await page.goto(B + '/');
      await until(async () => (await page.locator('[data-testid=editorial-card]').count()) === 2, 'two editorial cards on the home page');
      assert((await page.locator('[data-testid=editorial]').innerText()).includes('Sunrise Sines'), 'editorial playlist name missing');
      await checkNoJunk(page, 'home with editorial playlists');
      await shot(page, 'home-editorial-desktop');
    } finally {
      stub.close();
    }
  });

  await rec.step('P2P tabs explain how to turn P2P on when it is off', async () => {
    for (const tab of ['peers', 'network']) {
      await page.goto(`${B}/admin?tab=${tab}`);
      await page.waitForSelector('[data-testid=p2p-off]:has-text("P2P_ENABLED=true")');
      await checkNoJunk(page, `admin ${tab} (P2P off)`);
      if (tab === 'peers') await shot(page, 'admin-p2p-off-desktop');
    }
    await page.goto(`${B}/admin?tab=blocked`);
    // Without the blocked-domains endpoint the tab says so; with it, the list works and notes that P2P is off.
    await page.waitForSelector('[data-testid=blocked-missing], [data-testid=blocked-p2p-off]');
    await checkNoJunk(page, 'admin blocked (P2P off)');
  });

  // Two more servers with P2P on, on loopback: "a" is driven in the browser, "b" is a real peer of it.
  await rec.step('P2P: add a real peer and an unreachable one, ping, remove; the graph shows the nodes', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    // Network hygiene: no public DHT, no port mapping on the machine's router (lib.mjs refuses otherwise).
    const p2pEnv = (port) => ({ P2P_ENABLED: 'true', P2P_BIND_HOST: '127.0.0.1', P2P_BIND_PORT: String(port), P2P_SYNC_INTERVAL_SECONDS: '1',
      P2P_DHT_DISCOVERY: 'false', P2P_PORT_MAPPING: 'false' });
    nodeA = await startServer({ binary, webRoot, env: p2pEnv(pa) });
    nodeB = await startServer({ binary, webRoot, env: p2pEnv(pb) });
    const A = nodeA.base;
    const post = (url, body, token) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const r = await post(A + '/api/setup/admin', ADMIN);
    assert(r.status === 201, 'setup of node a: ' + r.status);
    const token = (await r.json()).tokens.access_token;
    assert((await post(A + '/api/setup/instance', { instance_name: 'Node A', instance_description: 'P2P' }, token)).ok, 'instance of node a');
    assert((await post(A + '/api/setup/complete', { p2p_enabled: true, open_registrations: false, max_upload_size_mb: 100 }, token)).ok, 'setup of node a');
    // Node b offers two tracks, which node a learns in its catalogue sync.
    const rb = await post(nodeB.base + '/api/setup/admin', ADMIN);
    assert(rb.status === 201, 'setup of node b: ' + rb.status);
    const tokenB = (await rb.json()).tokens.access_token;
    for (const f of lib.tracks.slice(0, 2)) {
      const form = new FormData();
      form.append('file', new Blob([fs.readFileSync(f)]), path.basename(f));
      const up = await fetch(nodeB.base + '/api/upload', { method: 'POST', headers: { Authorization: `Bearer ${tokenB}` }, body: form });
      assert(up.ok, 'upload to node b: ' + up.status);
    }
    const idA = (await (await fetch(A + '/api/p2p/status')).json()).node_id;
    const idB = (await (await fetch(nodeB.base + '/api/p2p/status')).json()).node_id;
    assert(/^[0-9a-f]{64}$/.test(idA) && /^[0-9a-f]{64}$/.test(idB), 'node ids: ' + idA + ' ' + idB);
    const unreachable = 'cd'.repeat(32);

    p2pCtx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    p2pPage = await newPage(p2pCtx);
    const p = p2pPage;
    await p.goto(A + '/login');
    await p.fill('#username', ADMIN.username);
    await p.fill('#password', ADMIN.password);
    await p.click('form button:has-text("Log in")');
    await p.waitForSelector('h1:has-text("Welcome")');
    await p.goto(A + '/admin?tab=peers');
    await p.waitForSelector(`[data-testid=p2p-node-id]:text-is("${idA}")`);
    assert((await p.locator('[data-testid=p2p-share-address]').innerText()) === `${idA}@127.0.0.1:${pa}`, 'share address');
    await p.waitForSelector('[data-testid=no-peers]');

    // A malformed address is refused in the form, before any request.
    await p.fill('[data-testid=add-peer-input]', 'not-an-address');
    await p.click('[data-testid=add-peer]');
    await p.waitForSelector('[data-testid=add-peer-error]:has-text("64 hexadecimal")');

    await p.fill('[data-testid=add-peer-input]', `${idB}@127.0.0.1:${pb}`);
    await p.click('[data-testid=add-peer]');
    const rowB = p.locator(`[data-testid=peer-row][data-node-id="${idB}"]`);
    await rowB.waitFor();
    await until(async () => (await rowB.getAttribute('data-online')) === 'true', 'peer b online', 15000);
    await until(async () => {
      await p.click('button:has-text("Refresh")');
      return (await rowB.locator('[data-testid=peer-sync]').innerText()) === 'Synced · 2 of 2 tracks known here';
    }, 'node b\'s catalogue synced', 20000, 1000);
    assert((await rowB.locator('[data-testid=peer-tracks]').innerText()) === '2', 'track count of node b');
    await rowB.locator('[data-testid=ping-peer]').click();
    await rowB.locator('[data-testid=ping-result][data-ok=true]:has-text("The peer answered.")').waitFor();

    const closed = await freePort(); // nothing listens there
    await p.fill('[data-testid=add-peer-input]', `${unreachable}@127.0.0.1:${closed}`);
    await p.click('[data-testid=add-peer]');
    const rowX = p.locator(`[data-testid=peer-row][data-node-id="${unreachable}"]`);
    await rowX.waitFor({ timeout: 20000 });
    assert((await rowX.getAttribute('data-online')) === 'false', 'unreachable peer shown online');
    assert((await rowX.locator('[data-testid=peer-state]').innerText()).trim() === 'Offline', 'offline badge');
    await rowX.locator('[data-testid=ping-peer]').click();
    await rowX.locator('[data-testid=ping-result][data-ok=false]:has-text("No answer.")').waitFor({ timeout: 20000 });
    await p.waitForSelector('[data-testid=sync-summary]:has-text("2 peers: 1 synced")');
    await checkNoJunk(p, 'admin peers');
    // Toasts leave before the screenshot; the unreachable dial may answer late on a loaded machine (a safety net).
    await p.waitForSelector('[role=status] :text("Peer added")', { state: 'detached', timeout: 30000 });
    await p.evaluate(() => window.scrollTo(0, 0));
    await shot(p, 'admin-peers-desktop');

    const phone = await browser.newContext({ viewport: PHONE, locale: 'en-US', isMobile: true, hasTouch: true, storageState: await p2pCtx.storageState() });
    const pp = await newPage(phone);
    await pp.goto(A + '/admin?tab=peers');
    await pp.locator(`[data-testid=peer-row][data-node-id="${idB}"]`).waitFor();
    const overflow = await pp.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = overflow <= 0 ? '' : await pp.evaluate(() => {  // the innermost elements sticking out, to fix them
      const w = document.documentElement.clientWidth;
      return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 1 && !e.closest('svg, [role=tablist]') && ![...e.children].some((c) => c.getBoundingClientRect().right > w + 1))
        .slice(0, 5).map((e) => `<${e.tagName.toLowerCase()} ${e.dataset.testid ?? ''} class="${e.className}">${(e.textContent ?? '').slice(0, 80)}`).join('; ');
    });
    assert(overflow <= 0, `the peers tab overflows the phone screen by ${overflow} px: ${wide}`);
    await shot(pp, 'admin-peers-phone');

    // The network tab is a separate chunk (d3-force): an <svg> with this node highlighted and both peers.
    await p.click('[data-testid=admin-tab-network]');
    const graph = p.locator('svg[data-testid=network-graph]');
    await graph.waitFor();
    await until(async () => (await graph.locator('[data-testid=graph-node]').count()) === 3, '3 nodes in the graph');
    assert((await graph.locator('[data-testid=graph-node][data-self=true]').count()) === 1, 'this node is not highlighted');
    assert((await graph.locator('line').count()) === 2, 'two links drawn');
    const labels = await graph.locator('[data-testid=graph-node] text').allTextContents();
    assert(labels.some((l) => l.startsWith('Me (' + idA.slice(0, 8))), 'labels: ' + labels);
    // Laid out: the nodes are spread over the drawing, inside it.
    await p.waitForTimeout(1500);
    const boxes = await graph.locator('[data-testid=graph-node] circle').evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect()).map((r) => [r.x + r.width / 2, r.y + r.height / 2]));
    const svgBox = await graph.boundingBox();
    for (const [x, y] of boxes) assert(x > svgBox.x && x < svgBox.x + svgBox.width && y > svgBox.y && y < svgBox.y + svgBox.height, 'node outside the graph: ' + boxes);
    const d = Math.hypot(boxes[0][0] - boxes[1][0], boxes[0][1] - boxes[1][1]);
    assert(d > 40, 'nodes on top of each other: ' + JSON.stringify(boxes));
    await checkNoJunk(p, 'admin network');
    await shot(p, 'admin-network-desktop');
    await pp.goto(A + '/admin?tab=network');
    await until(async () => (await pp.locator('[data-testid=graph-node]').count()) === 3, 'graph on the phone');
    await pp.waitForTimeout(1500);
    await shot(pp, 'admin-network-phone');
    await phone.close();

    // Remove the unreachable peer.
    await p.click('[data-testid=admin-tab-peers]');
    await rowX.locator('[data-testid=remove-peer]').click();
    await p.click('[data-testid=confirm-remove-peer]');
    await rowX.waitFor({ state: 'detached' });
    const peers = await (await fetch(A + '/api/admin/p2p/peers', { headers: { Authorization: `Bearer ${token}` } })).json();
    assert(peers.map((x) => x.node_id).join() === idB, 'peers left on the server: ' + JSON.stringify(peers.map((x) => x.node_id)));
  });

  // Issue 13: how node a is reached, and the link in use with node b. The harness runs every node outside a lab
  // namespace with P2P_DHT_DISCOVERY=false and P2P_PORT_MAPPING=false, so both say "off" here.
  await rec.step('P2P: the reachability panel and the path of a linked peer', async () => {
    assert(nodeA && nodeB && p2pPage, 'the P2P nodes of the previous step');
    const p = p2pPage;
    const idB = (await (await fetch(nodeB.base + '/api/p2p/status')).json()).node_id;
    await p.goto(nodeA.base + '/admin?tab=peers');
    const panel = p.locator('[data-testid=reachability]');
    await panel.waitFor();
    for (const part of ['published', 'port-mapping', 'dht', 'rendezvous', 'servers']) await panel.locator(`[data-testid=reach-${part}]`).waitFor();
    await panel.locator('[data-testid=reach-dht] [data-key="p2p.reach.dhtOff"]').waitFor();
    await panel.locator('[data-testid=reach-port-mapping] [data-key="p2p.reach.mappingOff"]').waitFor();
    const rowB = p.locator(`[data-testid=peer-row][data-node-id="${idB}"][data-online=true]`);
    await rowB.waitFor();
    const badge = rowB.locator('[data-testid=peer-path]');
    assert((await badge.getAttribute('data-path')) === 'direct_tcp', 'path of node b: ' + (await badge.getAttribute('data-path')));
    assert((await badge.innerText()).trim() === 'Direct', 'path badge of node b');
    await checkNoJunk(p, 'admin peers (reachability)');
  });

  await rec.step('devices: node a registers node b in the settings; once b registers a, a playlist follows', async () => {
    assert(nodeA && nodeB && p2pPage, 'the P2P nodes of the previous step');
    const p = p2pPage;
    const A = nodeA.base;
    const login = async (base) => {
      const r = await fetch(base + '/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ADMIN) });
      assert(r.ok, 'login: ' + r.status);
      return (await r.json()).tokens.access_token;
    };
    const call = (base, token, method, url, body) =>
      fetch(base + url, { method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: body ? JSON.stringify(body) : undefined });
    const [tokenA, tokenB] = [await login(A), await login(nodeB.base)];
    const idA = (await (await fetch(A + '/api/p2p/status')).json()).node_id;
    const idB = (await (await fetch(nodeB.base + '/api/p2p/status')).json()).node_id;
    await p.goto(A + '/settings');
    await p.waitForSelector(`[data-testid=own-node-id]:text-is("${idA}")`);
    await p.fill('#dev-node', idB);
    await p.fill('#dev-user', ADMIN.username);
    await p.fill('#dev-name', 'Living room');
    await p.click('form:has(#dev-node) button:has-text("Add device")');
    await p.waitForSelector('[data-testid=device-list] :text("Living room")');
    // B has not registered A: the sync is refused, and the list says why.
    await p.click('[data-testid=devices] button:has-text("Sync now")');
    await p.waitForSelector('[data-testid=device-list] :text("forbidden")');
    const reg = await call(nodeB.base, tokenB, 'POST', '/api/devices', { node_id: idA, remote_username: ADMIN.username });
    assert(reg.status === 201, 'device on b: ' + reg.status);
    const pl = await call(A, tokenA, 'POST', '/api/playlists', { name: 'Shared by devices' });
    assert(pl.status === 201, 'playlist on a: ' + pl.status);
    await p.click('[data-testid=devices] button:has-text("Sync now")');
    await p.waitForSelector('[data-testid=device-list] :text("Last sync")');
    const onB = await (await call(nodeB.base, tokenB, 'GET', '/api/playlists/mine')).json();
    assert(onB.data.some((x) => x.name === 'Shared by devices'), 'playlist on b: ' + JSON.stringify(onB.data));
    await checkNoJunk(p, 'settings devices');
    await p.locator('[data-testid=devices]').scrollIntoViewIfNeeded();
    await shot(p, 'settings-devices-desktop');
    await p.goto(A + '/admin?tab=peers');  // where the next step starts
    await p.waitForSelector('[data-testid=admin-tab-blocked]');
  });

  // Needs GET/POST/DELETE /api/admin/blocked-domains (+ /export, /import) from main: until they are merged
  // this step only checks that the tab says the server lacks them, and prints SKIPPED.
  await rec.step('P2P: block, export, unblock and import blocked domains', async () => {
    const p = p2pPage;
    assert(p, 'no P2P page (the previous step failed)');
    const A = nodeA.base;
    await p.click('[data-testid=admin-tab-blocked]');
    await p.waitForSelector('[data-testid=blocked-missing], [data-testid=blocked-empty]');
    if (await p.locator('[data-testid=blocked-missing]').count()) {
      const st = await p.evaluate(async () => (await fetch('/api/admin/blocked-domains', { headers: { Authorization: 'Bearer ' + JSON.parse(localStorage.getItem('soundtime_session')).access } })).status);
      assert(st === 404, 'the tab says the endpoint is missing but it answered ' + st);
      console.log('       SKIPPED: /api/admin/blocked-domains is not on this server (404)');
      await checkNoJunk(p, 'admin blocked');
      await shot(p, 'admin-blocked-desktop');
      return;
    }
    const row = (d) => p.locator(`[data-testid=blocked-row][data-domain="${d}"]`);
    await p.fill('[data-testid=blocked-domain-input]', 'Spam.Example');
    await p.fill('[data-testid=blocked-reason-input]', 'Sends <b>junk</b>');
    await p.click('[data-testid=block]');
    await row('spam.example').waitFor();
    assert((await row('spam.example').locator('[data-testid=blocked-reason]').innerText()) === 'Sends <b>junk</b>', 'reason not shown as text');
    const node = 'ef'.repeat(32);
    await p.fill('[data-testid=blocked-domain-input]', node);
    await p.click('[data-testid=block]');
    await row(node).locator(':text("P2P node")').waitFor();
    await p.fill('[data-testid=blocked-domain-input]', 'spam.example');
    await p.click('[data-testid=block]');
    await p.waitForSelector('[data-testid=blocked-error]:has-text("already blocked")');
    await checkNoJunk(p, 'admin blocked');
    await shot(p, 'admin-blocked-desktop');

    const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=export-blocked]')]);
    const file = path.join(os.tmpdir(), `soundtime-e2e-blocked-${process.pid}.json`);
    await download.saveAs(file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert(exported.map((x) => x.domain).sort().join() === [node, 'spam.example'].sort().join(), 'export: ' + JSON.stringify(exported));

    await row('spam.example').locator('[data-testid=unblock]').click();
    await row('spam.example').waitFor({ state: 'detached' });
    await p.setInputFiles('[data-testid=import-blocked-input]', file);
    await p.waitForSelector('[data-testid=import-result]:has-text("1 added, 1 skipped")');
    await row('spam.example').waitFor();
    fs.rmSync(file, { force: true });
    for (const d of ['spam.example', node]) {
      await row(d).locator('[data-testid=unblock]').click();
      await row(d).waitFor({ state: 'detached' });
    }
    await p.waitForSelector('[data-testid=blocked-empty]');
    const token = await p.evaluate(() => JSON.parse(localStorage.getItem('soundtime_session')).access);
    const left = await (await fetch(A + '/api/admin/blocked-domains', { headers: { Authorization: `Bearer ${token}` } })).json();
    assert(Array.isArray(left) && left.length === 0, 'blocked list on the server: ' + JSON.stringify(left));
  });

  await rec.step('private instance: covers and audio load with the media token', async () => {
    const status = async () => (await (await fetch(B + '/api/setup/status')).json()).instance_private;
    await page.goto(B + '/admin?tab=settings');
    await page.check('#set-instance_private');
    await until(async () => (await status()) === true, 'instance private');
    assert((await fetch(B + '/api/albums')).status === 401, 'the API still answers without a token');
    await page.goto(B + '/albums');
    const card = page.locator('[data-testid=album-card]', { hasText: 'Sine Album' });
    await until(() => card.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), 'cover loaded on a private instance');
    assert((await card.locator('img').getAttribute('src')).includes('token='), 'cover URL without token');
    await card.click();
    await page.click('[data-testid=play-album]');
    const a = await until(async () => {
      const s = await audioState(page);
      return s && s.t > 0.3 && s.src.includes('/api/tracks/') ? s : null;
    }, 'audio advancing on a private instance');
    assert(a.src.includes('token='), 'stream URL without token');
    await page.click('[data-testid=play-pause]');
    await page.goto(B + '/admin?tab=settings');
    await page.uncheck('#set-instance_private');
    await until(async () => (await status()) === false, 'instance public again');
  });

  await rec.step('language switch to French', async () => {
    await page.goto(B + '/settings');
    await page.selectOption('#settings-lang', 'fr');
    await page.waitForSelector('nav a[href="/"]:has-text("Accueil")');
    assert((await page.evaluate(() => document.documentElement.lang)) === 'fr', 'html lang not fr');
    await shot(page, 'settings-fr-desktop');
    await page.reload();
    await page.waitForSelector('nav a[href="/"]:has-text("Accueil")');
    await page.selectOption('#settings-lang', 'en');
    await page.waitForSelector('nav a[href="/"]:has-text("Home")');
  });

  await rec.step('screenshots of the main pages at desktop and phone sizes', async () => {
    const phoneCtx = await browser.newContext({ viewport: PHONE, locale: 'en-US', isMobile: true, hasTouch: true, storageState: await adminCtx.storageState() });
    const ppage = await newPage(phoneCtx);
    await ppage.emulateMedia({ colorScheme: 'dark' }); // phone shots show the dark theme (theme: system)
    const albumHref = await (async () => {
      await page.goto(B + '/albums');
      return page.locator('[data-testid=album-card]', { hasText: 'Sine Album' }).getAttribute('href');
    })();
    const pages = [['home', '/'], ['explore', '/explore'], ['albums', '/albums'], ['album', albumHref], ['artists', '/artists'], ['tracks', '/tracks'],
      ['genres', '/genres'], ['playlists', '/playlists'], ['favorites', '/favorites'], ['settings', '/settings'], ['admin', '/admin'], ['tos', '/tos'], ['upload', '/upload']];
    for (const [name, url] of pages) {
      for (const [p, size] of [[page, 'desktop'], [ppage, 'phone']]) {
        await p.goto(B + url);
        await p.waitForSelector('main h1');
        await p.waitForLoadState('networkidle');
        await checkNoJunk(p, `${name} (${size})`);
        await shot(p, `${name}-${size}`);
      }
    }
    await phoneCtx.close();
  });

  await windowedLists({ rec, browser, binary, webRoot, shot, newPage, viewport: DESKTOP, phone: PHONE });

  await rec.step('no uncaught error in any page', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });
}

try {
  await main();
} catch (e) {
  rec.failed++;
  console.log('  FAIL e2e setup: ' + (e?.stack ?? e));
} finally {
  await browser?.close().catch(() => {});
  for (const n of [nodeA, nodeB]) await n?.stop().catch(() => {});
  if (server) {
    const log = server.log();
    const code = await server.stop();
    await rec.step('server exits cleanly on SIGTERM', async () => assert(code === 0, `exit code ${code}\n${log.slice(-2000)}`));
  }
  finish();
}
process.exit(rec.failed ? 1 : 0);
