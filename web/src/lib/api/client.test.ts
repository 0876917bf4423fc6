import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, buildQuery, errorMessage, type TokenSource } from './client';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

function setup(handler: Handler, tokens?: Partial<TokenSource>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return handler(String(url), init ?? {});
  }) as unknown as typeof fetch;
  const c = new ApiClient('', fetchFn);
  if (tokens) c.tokens = { accessToken: () => null, refresh: async () => false, sessionEnded: () => {}, ...tokens };
  return { c, calls };
}

const auth = (init: RequestInit) => (init.headers as Record<string, string>).Authorization;

describe('ApiClient', () => {
  it('sends JSON with the bearer token and parses the answer', async () => {
    const { c, calls } = setup(() => json(201, { id: 'x' }), { accessToken: () => 'tok' });
    expect(await c.post('/api/playlists', { name: 'a' })).toEqual({ id: 'x' });
    expect(auth(calls[0].init)).toBe('Bearer tok');
    expect(calls[0].init.body).toBe('{"name":"a"}');
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('omits the token when asked and on empty answers returns undefined', async () => {
    const { c, calls } = setup(() => new Response(null, { status: 204 }), { accessToken: () => 'tok' });
    expect(await c.post('/api/auth/login', {}, { auth: false })).toBeUndefined();
    expect(auth(calls[0].init)).toBeUndefined();
  });

  it('builds query strings without empty values', () => {
    expect(buildQuery({ q: 'a b', page: 2, x: undefined, y: null, z: '' })).toBe('?q=a%20b&page=2');
    expect(buildQuery({})).toBe('');
  });

  it('turns error bodies into messages, never raw JSON or HTML', async () => {
    const { c } = setup(() => json(409, { error: 'Username or email already taken' }));
    await expect(c.get('/x')).rejects.toMatchObject({ status: 409, message: 'Username or email already taken' });
    expect(errorMessage(502, '<html><body>Bad gateway</body></html>')).toBe('Server error (502)');
    expect(errorMessage(404, '')).toBe('Request failed (404)');
    expect(errorMessage(400, '{"message":"Invalid node ID format"}')).toBe('Invalid node ID format');
  });

  it('reads Retry-After on 429', async () => {
    const { c } = setup(() => json(429, { error: 'Too many requests' }, { 'Retry-After': '7' }));
    const e = (await c.post('/api/auth/login', {}).catch((x) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(429);
    expect(e.retryAfter).toBe(7);
  });

  it('reports a network failure as status 0', async () => {
    const { c } = setup(() => {
      throw new TypeError('fetch failed');
    });
    await expect(c.get('/x')).rejects.toMatchObject({ status: 0 });
  });

  it('refreshes once on 401 and retries with the new token', async () => {
    let token = 'old';
    const { c, calls } = setup(
      (_, init) => (auth(init) === 'Bearer new' ? json(200, { ok: true }) : json(401, { error: 'Invalid or expired token' })),
      {
        accessToken: () => token,
        refresh: async () => {
          token = 'new';
          return true;
        }
      }
    );
    expect(await c.get('/api/auth/me')).toEqual({ ok: true });
    expect(calls.map((x) => auth(x.init))).toEqual(['Bearer old', 'Bearer new']);
  });

  it('ends the session when the refresh fails', async () => {
    const ended = vi.fn();
    const { c, calls } = setup(() => json(401, { error: 'Session expired or revoked' }), { accessToken: () => 'old', refresh: async () => false, sessionEnded: ended });
    await expect(c.get('/api/favorites')).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledOnce();
    expect(calls).toHaveLength(1);
  });

  it('does not try to refresh without a session', async () => {
    const refresh = vi.fn(async () => true);
    const { c } = setup(() => json(401, { error: 'Invalid credentials' }), { accessToken: () => null, refresh });
    await expect(c.post('/api/auth/login', {}, { auth: false })).rejects.toMatchObject({ status: 401, message: 'Invalid credentials' });
    expect(refresh).not.toHaveBeenCalled();
  });
});
