import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '$lib/api/client';
import { AuthStore, SESSION_KEY } from './auth.svelte';

const user = { id: 'u1', username: 'ann', email: 'a@x.org', display_name: null, avatar_url: null, role: 'user', instance_id: 'ann@x' };
const pair = (n: number) => ({ access_token: `access${n}`, refresh_token: `refresh${n}`, token_type: 'Bearer', expires_in: 900 });
const json = (status: number, body: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status });

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

function make(routes: Record<string, (init: RequestInit) => Response | Promise<Response>>, now = 1_000_000) {
  const calls: { path: string; init: RequestInit }[] = [];
  const fetchFn = (async (url: string, init: RequestInit = {}) => {
    const path = String(url).split('?')[0];
    calls.push({ path, init });
    const h = routes[`${init.method ?? 'GET'} ${path}`];
    return h ? h(init) : json(404, { error: 'Not found' });
  }) as unknown as typeof fetch;
  const client = new ApiClient('', fetchFn);
  const storage = new MemoryStorage();
  const timers: { fn: () => void; ms: number }[] = [];
  const store = new AuthStore({ client, storage, now: () => now, exclusive: (fn) => fn(), schedule: (fn, ms) => timers.push({ fn, ms }), cancel: () => {} });
  return { store, storage, calls, timers };
}

const bodyOf = (init: RequestInit) => JSON.parse(String(init.body));

describe('AuthStore', () => {
  it('logs in, keeps the session and plans the refresh a minute before expiry', async () => {
    const { store, storage, timers } = make({
      'POST /api/auth/login': () => json(200, { user, tokens: pair(1) }),
      'GET /api/auth/media-token': () => json(200, { token: 'media1', expires_in: 21600 })
    });
    await store.login('ann', 'secret-pw');
    expect(store.user?.username).toBe('ann');
    expect(store.accessToken()).toBe('access1');
    expect(JSON.parse(storage.getItem(SESSION_KEY)!)).toMatchObject({ access: 'access1', refresh: 'refresh1', expiresAt: 1_000_000 + 900_000 });
    expect(timers[0].ms).toBe(840_000);
  });

  it('shows the server reason when a login is refused', async () => {
    const { store } = make({ 'POST /api/auth/login': () => json(403, { error: 'Your account has been banned. Reason: spam' }) });
    await expect(store.login('ann', 'pw')).rejects.toMatchObject({ status: 403, message: 'Your account has been banned. Reason: spam' });
    expect(store.user).toBeNull();
  });

  it('restores a stored session, refreshing a stale access token first', async () => {
    const { store, storage, calls } = make({
      'POST /api/auth/refresh': (init) => (bodyOf(init).refresh_token === 'refresh1' ? json(200, pair(2)) : json(401, { error: 'no' })),
      'GET /api/auth/me': (init) => ((init.headers as Record<string, string>).Authorization === 'Bearer access2' ? json(200, user) : json(401, {}))
    });
    storage.setItem(SESSION_KEY, JSON.stringify({ access: 'access1', refresh: 'refresh1', expiresAt: 1_000_000 - 1 }));
    await store.init();
    expect(store.ready).toBe(true);
    expect(store.user?.id).toBe('u1');
    expect(calls.map((c) => c.path).slice(0, 2)).toEqual(['/api/auth/refresh', '/api/auth/me']);
    expect(JSON.parse(storage.getItem(SESSION_KEY)!).refresh).toBe('refresh2');
  });

  it('refreshes once for concurrent callers (refresh tokens are single-use)', async () => {
    let n = 0;
    const { store, calls } = make({ 'POST /api/auth/refresh': async () => json(200, pair(++n + 1)) });
    store.adopt({ user: user as never, tokens: pair(1) as never });
    const [a, b] = await Promise.all([store.refresh(), store.refresh()]);
    expect(a && b).toBe(true);
    expect(calls.filter((c) => c.path === '/api/auth/refresh')).toHaveLength(1);
    expect(store.accessToken()).toBe('access2');
  });

  it('takes the tokens another tab rotated instead of reusing its own', async () => {
    const { store, storage, calls } = make({ 'POST /api/auth/refresh': () => json(401, { error: 'reused' }) });
    store.adopt({ user: user as never, tokens: pair(1) as never });
    storage.setItem(SESSION_KEY, JSON.stringify({ access: 'access9', refresh: 'refresh9', expiresAt: 2_000_000 }));
    expect(await store.refresh()).toBe(true);
    expect(store.accessToken()).toBe('access9');
    expect(calls.some((c) => c.path === '/api/auth/refresh')).toBe(false);
  });

  it('ends the session when the server refuses the refresh, keeping a ban message', async () => {
    const { store, storage } = make({
      'POST /api/auth/refresh': () => json(403, { error: 'Account has been suspended' }),
      'GET /api/favorites': () => json(401, { error: 'Session expired or revoked' })
    });
    const ended = vi.fn();
    store.onSessionEnded = ended;
    store.adopt({ user: user as never, tokens: pair(1) as never });
    await expect(store['client'].get('/api/favorites')).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledOnce();
    expect(store.user).toBeNull();
    expect(store.endedReason).toBe('Account has been suspended');
    expect(storage.getItem(SESSION_KEY)).toBeNull();
  });

  it('keeps the session when offline during the refresh', async () => {
    const { store } = make({
      'POST /api/auth/refresh': () => {
        throw new TypeError('offline');
      }
    });
    store.adopt({ user: user as never, tokens: pair(1) as never });
    await expect(store.refresh()).rejects.toMatchObject({ status: 0 });
    expect(store.user).not.toBeNull();
  });

  it('logs out on the server with the refresh token and forgets the session', async () => {
    const { store, storage, calls } = make({ 'POST /api/auth/logout': () => new Response(null, { status: 204 }) });
    store.adopt({ user: user as never, tokens: pair(1) as never });
    await store.logout();
    const call = calls.find((c) => c.path === '/api/auth/logout')!;
    expect(bodyOf(call.init)).toEqual({ refresh_token: 'refresh1' });
    expect(store.user).toBeNull();
    expect(storage.getItem(SESSION_KEY)).toBeNull();
  });

  it('adds the media token to media URLs on private instances only', async () => {
    const { store } = make({ 'GET /api/auth/media-token': () => json(200, { token: 'm t', expires_in: 21600 }) });
    store.adopt({ user: user as never, tokens: pair(1) as never });
    await vi.waitFor(() => expect(store.mediaToken).toBe('m t'));
    expect(store.mediaUrl('/api/tracks/1/stream')).toBe('/api/tracks/1/stream');
    store.instancePrivate = true;
    expect(store.mediaUrl('/api/tracks/1/stream?quality=low')).toBe('/api/tracks/1/stream?quality=low&token=m%20t');
    expect(store.mediaUrl('https://cdn.example/cover.jpg')).toBe('https://cdn.example/cover.jpg');
    expect(store.mediaUrl(null)).toBe('');
  });
});
