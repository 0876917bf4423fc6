// The one typed HTTP client of the app. It adds the bearer token, refreshes it once on 401, and turns
// every failure into an ApiError carrying a status and a message fit for the user (never raw JSON).

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public retryAfter: number | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Where the client gets its tokens; implemented by the auth store. */
export interface TokenSource {
  accessToken(): string | null;
  /** Gets a new access token; resolves false when the session is over. */
  refresh(): Promise<boolean>;
  /** Called when the session cannot be recovered (refresh failed). */
  sessionEnded(): void;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Send the bearer token (default true when one exists). */
  auth?: boolean;
  signal?: AbortSignal;
}

export function buildQuery(query?: Query): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Reads a user-presentable message from an error response body. */
export function errorMessage(status: number, text: string): string {
  if (text) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed.error === 'string' && parsed.error) return parsed.error;
      if (parsed && typeof parsed.message === 'string' && parsed.message) return parsed.message;
    } catch {
      // Not JSON: a proxy's HTML page or plain text. Never show it raw.
    }
  }
  if (status === 0) return 'Network error: the server cannot be reached';
  if (status === 413) return 'The file is too large';
  if (status === 429) return 'Too many requests';
  if (status >= 500) return `Server error (${status})`;
  return `Request failed (${status})`;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n) : null;
}

export class ApiClient {
  tokens: TokenSource | null = null;

  constructor(
    private base = '',
    private fetchFn: typeof fetch = (...args) => fetch(...args)
  ) {}

  url(path: string, query?: Query): string {
    return `${this.base}${path}${buildQuery(query)}`;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const first = await this.send(method, path, opts);
    if (first.status === 401 && this.canRefresh(opts)) {
      if (await this.tokens!.refresh()) {
        return this.finish<T>(await this.send(method, path, opts));
      }
      this.tokens!.sessionEnded();
    }
    return this.finish<T>(first);
  }

  get<T>(path: string, query?: Query, opts: RequestOptions = {}) {
    return this.request<T>('GET', path, { ...opts, query });
  }
  post<T>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('POST', path, { ...opts, body });
  }
  put<T>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  patch<T>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('PATCH', path, { ...opts, body });
  }
  del<T>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('DELETE', path, { ...opts, body });
  }

  private canRefresh(opts: RequestOptions) {
    return opts.auth !== false && this.tokens !== null && this.tokens.accessToken() !== null;
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = opts.auth === false ? null : this.tokens?.accessToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    try {
      return await this.fetchFn(this.url(path, opts.query), { method, headers, body, signal: opts.signal });
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') throw e;
      throw new ApiError(0, errorMessage(0, ''));
    }
  }

  private async finish<T>(res: Response): Promise<T> {
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      throw new ApiError(res.status, errorMessage(res.status, text), parseRetryAfter(res.headers.get('Retry-After')));
    }
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'The server sent an unreadable answer');
    }
  }

  /**
   * Multipart upload with progress (fetch has no upload progress). Retries once after a token refresh.
   * onProgress receives bytes sent and the total.
   */
  upload<T>(
    path: string,
    form: () => FormData,
    onProgress: (loaded: number, total: number) => void,
    signal?: AbortSignal
  ): Promise<T> {
    const attempt = () =>
      new Promise<{ status: number; text: string; retryAfter: string | null }>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', this.url(path));
        const token = this.tokens?.accessToken();
        if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) onProgress(e.loaded, e.total);
        };
        xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText, retryAfter: xhr.getResponseHeader('Retry-After') });
        xhr.onerror = () => reject(new ApiError(0, errorMessage(0, '')));
        xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
        signal?.addEventListener('abort', () => xhr.abort(), { once: true });
        xhr.send(form());
      });
    return (async () => {
      let r = await attempt();
      if (r.status === 401 && this.canRefresh({})) {
        if (await this.tokens!.refresh()) r = await attempt();
        else this.tokens!.sessionEnded();
      }
      if (r.status < 200 || r.status >= 300) {
        throw new ApiError(r.status, errorMessage(r.status, r.text), parseRetryAfter(r.retryAfter));
      }
      try {
        return JSON.parse(r.text) as T;
      } catch {
        throw new ApiError(r.status, 'The server sent an unreadable answer');
      }
    })();
  }
}

export const client = new ApiClient();
