// Windowed lists (issue 15): a library far longer than the screen. Its own server, whose database is filled
// before it starts with 100,000 synthetic tracks, 10,000 albums and 1,000 artists (tests/support/
// fill_catalog.py, no files: nothing plays). 100,000 rows of 57 px exceed the list's height cap, so the
// scaled scroll space is exercised as well.
//
// Run alone: node tests/e2e/windowed.mjs [--binary build/soundtime]  (screenshots in build/e2e-screenshots),
// or as steps of run.mjs through windowedLists().
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, CHROMIUM_ARGS, chromium, Recorder, startServer, assert, until } from './lib.mjs';

const TRACKS = 100_000;
const ADMIN = { username: 'admin', email: 'admin@example.org', password: 'admin-password-1' };
/** More rows than this in the DOM means the list is not windowed. */
const DOM_BOUND = 80;

/** The list's rows on screen (between the header and the player bar), and how many rows the DOM holds. */
function rowsOnScreen(page, testid) {
  return page.evaluate((id) => {
    const lis = [...document.querySelectorAll(`[data-testid=${id}] li`)];
    const top = document.querySelector('header')?.getBoundingClientRect().bottom ?? 0;
    const bottom = document.querySelector('[data-testid=player-bar]')?.getBoundingClientRect().top ?? innerHeight;
    const rows = lis
      .map((li) => ({ li, r: li.getBoundingClientRect() }))
      .filter(({ r }) => r.bottom > top + 1 && r.top < bottom - 1)
      .map(({ li, r }) => ({
        i: Number(li.dataset.index), top: r.top, bottom: r.bottom, left: r.left,
        title: li.querySelector('[data-testid=track-title]')?.textContent ?? null,
        card: li.querySelector('[data-testid=album-card], [data-testid=artist-card]')?.textContent.trim() ?? null,
        setsize: Number(li.getAttribute('aria-setsize')), posinset: Number(li.getAttribute('aria-posinset'))
      }));
    return { count: lis.length, height: document.documentElement.scrollHeight, rows };
  }, testid);
}

/** Waits until every row on screen is loaded (no placeholder left); returns them. */
async function loaded(page, testid, what) {
  return until(async () => {
    const s = await rowsOnScreen(page, testid);
    return s.rows.length && s.rows.every((r) => r.title !== null || r.card !== null) ? s : null;
  }, what);
}

/** Rows one below the other, none overlapping, none apart. */
function assertStacked(rows) {
  for (let k = 1; k < rows.length; k++) {
    assert(rows[k].i === rows[k - 1].i + 1, `rows not consecutive: ${rows[k - 1].i} then ${rows[k].i}`);
    assert(Math.abs(rows[k].top - rows[k - 1].bottom) <= 1, `row ${rows[k].i} at ${rows[k].top}, the one before ends at ${rows[k - 1].bottom}`);
  }
}

const scrollTo = (page, where) => page.evaluate((f) => window.scrollTo(0, document.documentElement.scrollHeight * f), where);

export async function windowedLists({ rec, browser, binary, webRoot, shot, newPage, viewport, phone }) {
  let server;
  let ctx;
  try {
    const ready = await rec.step('windowed lists: a server with 100,000 tracks', async () => {
      server = await startServer({
        binary, webRoot,
        env: { WAVEFORM_BACKFILL_DELAY_SECONDS: '86400', EDITORIAL_CHECK_SECONDS: '0', SCAN_INTERVAL_MINUTES: '0' },
        prepare: (dir) => {
          execFileSync(binary, ['user', 'create', ADMIN.username, '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin'],
            { env: { ...process.env, SOUNDTIME_DATA_DIR: dir }, stdio: 'ignore' });
          execFileSync('python3', [path.join(ROOT, 'tests/support/fill_catalog.py'), path.join(dir, 'soundtime.db'), String(TRACKS)]);
        }
      });
      const post = (p, body, token) => fetch(server.base + p, {
        method: 'POST', body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }
      });
      const login = await post('/api/auth/login', { username: ADMIN.username, password: ADMIN.password });
      assert(login.ok, 'login: ' + login.status);
      const token = (await login.json()).tokens.access_token;
      assert((await post('/api/setup/instance', { instance_name: 'Large library', instance_description: 'Windowed lists' }, token)).ok, 'instance');
      assert((await post('/api/setup/complete', { p2p_enabled: false, open_registrations: false, max_upload_size_mb: 100 }, token)).ok, 'setup');
      ctx = await browser.newContext({ viewport, locale: 'en-US' });
    });
    if (!ready) return;
    const B = server.base;
    const page = await newPage(ctx);
    const asked = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/tracks') asked.push(Number(u.searchParams.get('page')));
    });
    const lastOf = async (what, perPage) => {
      const first = await (await fetch(`${B}/api/${what}?page=1&per_page=${perPage}`)).json();
      const last = await (await fetch(`${B}/api/${what}?page=${first.total_pages}&per_page=${perPage}`)).json();
      return { total: first.total, first: first.data[0], last: last.data.at(-1) };
    };

    await rec.step('windowed lists: the tracks page shows the total and the first rows, with few rows in the DOM', async () => {
      await page.goto(B + '/login');
      await page.fill('#username', ADMIN.username);
      await page.fill('#password', ADMIN.password);
      await page.click('form button:has-text("Log in")');
      await page.waitForSelector('h1:has-text("Welcome")');
      await page.goto(B + '/tracks');
      await page.waitForSelector(`[data-testid=track-total]:text-is("${TRACKS}")`);
      const s = await loaded(page, 'track-list', 'first tracks loaded');
      assert(s.rows[0].i === 0 && s.rows[0].title === 'Track 0000001', 'first row: ' + JSON.stringify(s.rows[0]));
      assert(s.rows[0].setsize === TRACKS && s.rows[0].posinset === 1, 'aria-setsize/posinset: ' + JSON.stringify(s.rows[0]));
      assert(s.count < DOM_BOUND, `${s.count} rows in the DOM`);
      // 100,000 rows of 57 px would be 5.7 million px: the element is capped.
      assert(s.height < 4_100_000, 'page height ' + s.height);
      assertStacked(s.rows);
      assert(asked.join() === '1', 'pages asked for: ' + asked);
      await shot(page, 'windowed-tracks-top-desktop');
    });

    await rec.step('windowed lists: the end of the scrollbar shows the last track; the middle fetches only its pages', async () => {
      const { last } = await lastOf('tracks', 50);
      asked.length = 0;
      await scrollTo(page, 1);
      let s = await until(async () => {
        const x = await loaded(page, 'track-list', 'last tracks loaded');
        return x.rows.at(-1).i === TRACKS - 1 ? x : null;
      }, 'the last row on screen');
      assert(s.rows.at(-1).title === last.title, `last row ${s.rows.at(-1).title}, the API's last track ${last.title}`);
      assert(s.count < DOM_BOUND, `${s.count} rows in the DOM at the bottom`);
      assertStacked(s.rows);
      assert(asked.every((p) => p >= TRACKS / 50 - 1), 'pages asked for at the bottom: ' + asked);
      await shot(page, 'windowed-tracks-bottom-desktop');

      asked.length = 0;
      await scrollTo(page, 0.5);
      s = await loaded(page, 'track-list', 'middle tracks loaded');
      const mid = s.rows[0].i;
      assert(Math.abs(mid - TRACKS / 2) < TRACKS / 100, 'first row in the middle: ' + mid);
      assert(s.rows.every((r) => r.title === `Track ${String(r.i + 1).padStart(7, '0')}`), 'rows: ' + s.rows.map((r) => `${r.i}:${r.title}`));
      assertStacked(s.rows);
      assert(asked.length <= 4 && asked.every((p) => Math.abs(p - mid / 50) <= 2), 'pages asked for in the middle: ' + asked);
      await shot(page, 'windowed-tracks-middle-desktop');

      // A small move is one to one: ten rows up.
      await page.mouse.move(viewport.width / 2, viewport.height / 2);
      await page.mouse.wheel(0, -570);
      const after = await until(async () => {
        const a = (await rowsOnScreen(page, 'track-list')).rows[0].i;
        await page.waitForTimeout(200);
        const b = (await rowsOnScreen(page, 'track-list')).rows[0].i;
        return a === b && a < mid ? a : null;
      }, 'the list moved up and stopped');
      assert(Math.abs(mid - after - 10) <= 2, `a 570 px wheel moved ${mid - after} rows`);
    });

    await rec.step('windowed lists: dragging the scrollbar asks only for the pages where it stops', async () => {
      asked.length = 0;
      // One scroll position per frame from 10 % to 90 %, as a dragged scrollbar does.
      await page.evaluate(() => new Promise((done) => {
        let f = 0;
        const step = () => {
          window.scrollTo(0, document.documentElement.scrollHeight * (0.1 + (0.8 * f) / 40));
          if (++f <= 40) requestAnimationFrame(step);
          else done();
        };
        requestAnimationFrame(step);
      }));
      const s = await loaded(page, 'track-list', 'tracks loaded where the drag stopped');
      assert(s.count < DOM_BOUND, `${s.count} rows in the DOM`);
      const at = s.rows[0].i / 50;
      // Without the wait for the scrollbar to rest, each of the 41 positions would ask for two or three pages.
      assert(asked.length <= 12, `${asked.length} pages asked for during the drag: ${asked}`);
      assert(asked.slice(-2).every((p) => Math.abs(p - at) <= 2), `the last pages asked for (${asked}) are not where the drag stopped (page ${Math.round(at)})`);
      await scrollTo(page, 0);
      const top = await loaded(page, 'track-list', 'first tracks again');
      assert(top.rows[0].i === 0 && top.rows[0].title === 'Track 0000001', 'first row after the drag: ' + JSON.stringify(top.rows[0]));
    });

    await rec.step('windowed lists: playing a deep track queues the loaded tracks around it', async () => {
      await scrollTo(page, 0.3);
      const s = await loaded(page, 'track-list', 'tracks at 30 %');
      const row = s.rows[2];
      await page.locator(`[data-testid=track-list] li[data-index="${row.i}"] button[aria-label="Play ${row.title}"]`).click();
      await until(async () => (await page.locator('[data-testid=now-playing-title]').innerText()) === row.title, 'now playing the clicked track');
      const q = await until(() => page.evaluate(() => JSON.parse(localStorage.getItem('soundtime_queue') ?? 'null')), 'queue saved');
      const titles = q.items.map((x) => x.track.title);
      assert(titles[q.index] === row.title, `queue position ${q.index} holds ${titles[q.index]}, not ${row.title}`);
      assert(titles.length >= 50 && titles.length <= 200, 'queue length ' + titles.length);
      const n = (t) => Number(t.replace('Track ', ''));
      assert(titles.every((t, k) => k === 0 || n(t) === n(titles[k - 1]) + 1), 'queue not in list order: ' + titles.slice(0, 5));
      assert(q.index > 0, 'nothing before the clicked track in the queue');
    });

    await rec.step('windowed lists: going back to the tracks returns to the rows that were on screen', async () => {
      await scrollTo(page, 0.6);
      const before = (await loaded(page, 'track-list', 'tracks at 60 %')).rows[0].i;
      await page.click('nav a[href="/albums"]');
      await page.waitForSelector('[data-testid=album-list] li');
      await page.goBack();
      await page.waitForSelector(`[data-testid=track-total]:text-is("${TRACKS}")`);
      const s = await until(async () => {
        const x = await loaded(page, 'track-list', 'tracks after going back');
        return Math.abs(x.rows[0].i - before) <= 2 ? x : null;
      }, `back at row ${before}`);
      assertStacked(s.rows);
      await shot(page, 'windowed-tracks-back-desktop');
    });

    await rec.step('windowed lists: the albums grid and the artists reach their last card, desktop and phone', async () => {
      const albums = await lastOf('albums', 60);
      await page.goto(B + '/albums');
      let s = await loaded(page, 'album-list', 'albums loaded');
      assert(s.rows[0].card.startsWith(albums.first.title), `first card ${s.rows[0].card}, the API's first album ${albums.first.title}`);
      assert(s.count < DOM_BOUND, `${s.count} album cards in the DOM`);
      await shot(page, 'windowed-albums-top-desktop');
      await scrollTo(page, 0.5);
      s = await loaded(page, 'album-list', 'albums in the middle');
      assert(Math.abs(s.rows[0].i - albums.total / 2) < albums.total / 50, 'first card in the middle: ' + s.rows[0].i);
      const cols = s.rows.filter((r) => Math.abs(r.top - s.rows[0].top) < 1).length;
      assert(cols >= 4, 'columns at desktop size: ' + cols);
      await shot(page, 'windowed-albums-middle-desktop');
      await scrollTo(page, 1);
      s = await until(async () => {
        const x = await loaded(page, 'album-list', 'last albums');
        return x.rows.at(-1).i === albums.total - 1 ? x : null;
      }, 'the last album on screen');
      assert(s.rows.at(-1).card.startsWith(albums.last.title), `last card ${s.rows.at(-1).card}, the API's last album ${albums.last.title}`);
      assert(s.count < DOM_BOUND, `${s.count} album cards in the DOM at the bottom`);
      await shot(page, 'windowed-albums-bottom-desktop');

      const artists = await lastOf('artists', 60);
      await page.goto(B + '/artists');
      await loaded(page, 'artist-list', 'artists loaded');
      await scrollTo(page, 1);
      s = await until(async () => {
        const x = await loaded(page, 'artist-list', 'last artists');
        return x.rows.at(-1).i === artists.total - 1 ? x : null;
      }, 'the last artist on screen');
      assert(s.rows.at(-1).card === artists.last.name, `last artist ${s.rows.at(-1).card}, the API's ${artists.last.name}`);

      const small = await browser.newContext({ viewport: phone, locale: 'en-US', isMobile: true, hasTouch: true, storageState: await ctx.storageState() });
      try {
        const pp = await newPage(small);
        await pp.goto(B + '/albums');
        await loaded(pp, 'album-list', 'albums on the phone');
        await scrollTo(pp, 0.5);
        s = await loaded(pp, 'album-list', 'albums in the middle on the phone');
        const phoneCols = s.rows.filter((r) => Math.abs(r.top - s.rows[0].top) < 1).length;
        assert(phoneCols === 2, 'columns on the phone: ' + phoneCols);
        assert(s.count < DOM_BOUND, `${s.count} album cards in the DOM on the phone`);
        await shot(pp, 'windowed-albums-middle-phone');
        await pp.goto(B + '/tracks');
        await loaded(pp, 'track-list', 'tracks on the phone');
        await scrollTo(pp, 1);
        s = await until(async () => {
          const x = await loaded(pp, 'track-list', 'last tracks on the phone');
          return x.rows.at(-1).i === TRACKS - 1 ? x : null;
        }, 'the last track on the phone');
        assertStacked(s.rows);
        await shot(pp, 'windowed-tracks-bottom-phone');
      } finally {
        await small.close();
      }
    });
  } finally {
    await ctx?.close().catch(() => {});
    if (server) {
      const code = await server.stop();
      if (code !== 0) console.log(`  !!   the windowed-lists server exited with code ${code}`);
    }
  }
}

async function standalone() {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--binary');
  const binary = path.resolve(i >= 0 ? argv[i + 1] : process.env.SOUNDTIME_BINARY ?? path.join(ROOT, 'build/soundtime'));
  const shots = path.join(ROOT, 'build/e2e-screenshots');
  fs.mkdirSync(shots, { recursive: true });
  const rec = new Recorder();
  const errors = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  try {
    const newPage = async (context) => {
      const p = await context.newPage();
      p.on('pageerror', (e) => errors.push(String(e)));
      p.setDefaultTimeout(10000);
      return p;
    };
    const shot = async (p, name) => {
      await p.waitForTimeout(250);
      await p.screenshot({ path: path.join(shots, `${name}.png`) });
    };
    await windowedLists({ rec, browser, binary, webRoot: path.join(ROOT, 'web/build'), shot, newPage,
      viewport: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } });
    await rec.step('no uncaught error in any page', async () => assert(errors.length === 0, errors.join('\n')));
  } finally {
    await browser.close();
  }
  console.log(`e2e windowed lists: ${rec.passed} passed, ${rec.failed} failed`);
  process.exitCode = rec.failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await standalone();
