// The session: tokens kept in localStorage, the access token refreshed before it expires (and once on a
// 401), refresh serialised across tabs because refresh tokens are single-use on the server.
import { ApiClient, ApiError, client as defaultClient, type TokenSource } from '$lib/api/client';
import type { AuthResponse, TokenPair, User } from '$lib/api/types';

export const SESSION_KEY = 'soundtime_session';

interface StoredSession {
  access: string;
  refresh: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

export interface AuthDeps {
  client?: ApiClient;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  now?: () => number;
  /** Runs `fn` exclusively across tabs when the platform can (navigator.locks). */
  exclusive?: <R>(fn: () => Promise<R>) => Promise<R>;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

export class AuthStore implements TokenSource {
  user = $state<User | null>(null);
  ready = $state(false);
  instancePrivate = $state(false);
  mediaToken = $state<string | null>(null);
  /** Why the last session ended without the user asking (ban, expiry): shown on the login page. */
  endedReason = $state<string | null>(null);
  /** Called after the session ends without the user asking (the layout navigates to /login). */
  onSessionEnded: (() => void) | null = null;

  private session: StoredSession | null = null;
  private inflight: Promise<boolean> | null = null;
  private timer: unknown = null;
  private mediaTimer: unknown = null;
  private client: ApiClient;
  private storage: AuthDeps['storage'];
  private now: () => number;
  private exclusive: NonNullable<AuthDeps['exclusive']>;
  private schedule: NonNullable<AuthDeps['schedule']>;
  private cancel: NonNullable<AuthDeps['cancel']>;

  constructor(deps: AuthDeps = {}) {
    this.client = deps.client ?? defaultClient;
    this.storage = deps.storage === undefined ? (typeof localStorage !== 'undefined' ? localStorage : null) : deps.storage;
    this.now = deps.now ?? (() => Date.now());
    this.exclusive =
      deps.exclusive ??
      (<R>(fn: () => Promise<R>) =>
        typeof navigator !== 'undefined' && navigator.locks ? (navigator.locks.request('soundtime-refresh', fn) as Promise<R>) : fn());
    this.schedule = deps.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    this.cancel = deps.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.client.tokens = this;
  }

  get isAdmin() {
    return this.user?.role === 'admin';
  }

  get loggedIn() {
    return this.user !== null;
  }

  accessToken(): string | null {
    return this.session?.access ?? null;
  }

  /** Restores a stored session (refreshing it when the access token is stale) and loads the user. */
  async init(): Promise<void> {
    this.session = this.read();
    if (this.session) {
      try {
        if (this.session.expiresAt - this.now() < 30_000) {
          if (!(await this.refresh())) throw new ApiError(401, 'Session expired');
        }
        this.user = await this.client.get<User>('/api/auth/me');
        this.planRefresh();
        void this.loadMediaToken();
      } catch (e) {
        // A network failure keeps the stored session for the next attempt; anything else ends it.
        if (!(e instanceof ApiError && e.status === 0)) this.clear();
      }
    }
    this.ready = true;
  }

  async login(username: string, password: string): Promise<void> {
    this.adopt(await this.client.post<AuthResponse>('/api/auth/login', { username, password }, { auth: false }));
  }

  async register(b: { username: string; email: string; password: string; display_name?: string }): Promise<void> {
    this.adopt(await this.client.post<AuthResponse>('/api/auth/register', b, { auth: false }));
  }

  /** Takes over the session of an AuthResponse (login, register, setup wizard). */
  adopt(res: AuthResponse): void {
    this.endedReason = null;
    this.setTokens(res.tokens);
    this.user = res.user;
    void this.loadMediaToken();
  }

  async logout(): Promise<void> {
    const refresh = this.session?.refresh;
    if (refresh) {
      try {
        await this.client.post('/api/auth/logout', { refresh_token: refresh });
      } catch {
        // The session is dropped locally whatever the server says.
      }
    }
    this.clear();
  }

  /** Single-flight refresh; false when the session is over, throws ApiError(0) when offline. */
  refresh(): Promise<boolean> {
    if (!this.inflight) {
      this.inflight = this.exclusive(() => this.doRefresh()).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  sessionEnded(reason?: string): void {
    if (!this.session && !this.user) return;
    this.endedReason = reason ?? this.endedReason ?? 'expired';
    this.clear();
    this.onSessionEnded?.();
  }

  /** Adds ?token= to media URLs on private instances, where <audio> and <img> cannot send headers. */
  mediaUrl(path: string | null | undefined): string {
    if (!path) return '';
    if (!this.instancePrivate || /^https?:/.test(path)) return path;
    const token = this.mediaToken ?? this.session?.access;
    if (!token) return path;
    return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  }

  private async doRefresh(): Promise<boolean> {
    // Another tab may have rotated the refresh token already: take its result instead of reusing ours.
    const stored = this.read();
    if (stored && this.session && stored.refresh !== this.session.refresh) {
      this.session = stored;
      this.planRefresh();
      return true;
    }
    const current = stored ?? this.session;
    if (!current) return false;
    try {
      const pair = await this.client.post<TokenPair>('/api/auth/refresh', { refresh_token: current.refresh }, { auth: false });
      this.setTokens(pair);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) throw e;
      if (e instanceof ApiError && e.status === 429) throw e;
      if (e instanceof ApiError && e.status === 403) this.endedReason = e.message;
      return false;
    }
  }

  private setTokens(pair: TokenPair) {
    this.session = { access: pair.access_token, refresh: pair.refresh_token, expiresAt: this.now() + pair.expires_in * 1000 };
    this.storage?.setItem(SESSION_KEY, JSON.stringify(this.session));
    this.planRefresh();
  }

  private planRefresh() {
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    if (!this.session) return;
    const wait = Math.max(5_000, this.session.expiresAt - this.now() - 60_000);
    this.timer = this.schedule(() => {
      this.refresh()
        .then((ok) => {
          if (!ok) this.sessionEnded();
        })
        .catch(() => this.planRefreshSoon());
    }, wait);
  }

  private planRefreshSoon() {
    this.timer = this.schedule(() => void this.refresh().catch(() => this.planRefreshSoon()), 15_000);
  }

  private async loadMediaToken() {
    if (this.mediaTimer !== null) this.cancel(this.mediaTimer);
    this.mediaTimer = null;
    if (!this.session) return;
    try {
      const r = await this.client.get<{ token: string; expires_in: number }>('/api/auth/media-token');
      this.mediaToken = r.token;
      this.mediaTimer = this.schedule(() => void this.loadMediaToken(), Math.max(60_000, (r.expires_in - 600) * 1000));
    } catch {
      this.mediaToken = null;
    }
  }

  private read(): StoredSession | null {
    try {
      const raw = this.storage?.getItem(SESSION_KEY);
      if (!raw) return null;
      const s = JSON.parse(raw);
      if (typeof s?.access === 'string' && typeof s?.refresh === 'string' && typeof s?.expiresAt === 'number') return s;
    } catch {
      // A damaged entry is as good as none.
    }
    return null;
  }

  private clear() {
    if (this.timer !== null) this.cancel(this.timer);
    if (this.mediaTimer !== null) this.cancel(this.mediaTimer);
    this.timer = this.mediaTimer = null;
    this.session = null;
    this.user = null;
    this.mediaToken = null;
    this.storage?.removeItem(SESSION_KEY);
  }
}

export const auth = new AuthStore();
