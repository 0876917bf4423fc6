// First-load timings in Chromium for bench/web.sh: median of RUNS cold browser contexts each.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, CHROMIUM_ARGS } from '../tests/e2e/lib.mjs';

const [soundtime, nginx, albumDir] = process.argv.slice(2);
const RUNS = Number(process.env.RUNS ?? 5);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

// An admin and an album, so the home page has something to show.
const post = (p, body, token) =>
  fetch(soundtime + p, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
const auth = await (await post('/api/setup/admin', { username: 'bench', email: 'bench@example.org', password: 'bench-password' })).json();
const token = auth.tokens.access_token;
await post('/api/setup/instance', { instance_name: 'Bench', instance_description: '' }, token);
await post('/api/setup/complete', { p2p_enabled: false, open_registrations: true, max_upload_size_mb: 100 }, token);
for (const f of fs.readdirSync(albumDir).filter((x) => x.endsWith('.mp3'))) {
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(path.join(albumDir, f))]), f);
  await fetch(soundtime + '/api/upload', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
}
const session = JSON.stringify({ access: token, refresh: auth.tokens.refresh_token, expiresAt: Date.now() + 800_000 });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
async function measure(base, { home }) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext();
    if (home) await ctx.addInitScript((s) => localStorage.setItem('soundtime_session', s), session);
    const page = await ctx.newPage();
    if (process.env.DEBUG) page.on('console', (m) => console.error('console', m.text()));
    const t0 = Date.now();
    await page.goto(base + '/', { waitUntil: 'load' });
    if (home) await page.waitForSelector('[data-testid=stats]', { timeout: 5000 }).catch(async (e) => { console.error(page.url(), (await page.innerText('body')).slice(0, 300)); throw e; });
    times.push(home ? Date.now() - t0 : await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)));
    await ctx.close();
  }
  return median(times);
}
const homeMs = await measure(soundtime, { home: true });
const shellSt = await measure(soundtime, { home: false });
const shellNginx = await measure(nginx, { home: false });
await browser.close();
console.log(`home page first load (SoundTime, data shown): ${homeMs} ms median of ${RUNS} (goal < 1000 ms)`);
console.log(`app shell until the load event: SoundTime ${shellSt} ms, nginx ${shellNginx} ms`);
console.log(`ratio SoundTime / nginx: ${(shellSt / Math.max(1, shellNginx)).toFixed(2)}x (lower is better)`);
