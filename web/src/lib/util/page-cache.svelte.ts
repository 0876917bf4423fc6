// The pages of a long list that are on screen, fetched by page number on demand and kept in a small
// least-recently-used cache, so memory stays flat however far the user scrolls. Requests start once the
// wanted pages have stayed the same for a moment (a dragged scrollbar asks for nothing until it rests), a
// few at a time, and a page that leaves the screen before it arrives is aborted.
import type { Paginated } from '$lib/api/types';
import { errorText } from './errors';

export type PageFetcher<T> = (page: number, perPage: number, signal: AbortSignal) => Promise<Paginated<T>>;

/** Runs `run` later; returns a function that cancels it. */
export type Scheduler = (run: () => void) => () => void;

export interface PageCacheOptions<T> {
  perPage: number;
  /** Pages kept in memory (default 20). */
  maxPages?: number;
  /** Requests at once (default 3). */
  maxInFlight?: number;
  /** When wanted pages are fetched after the last change of the wanted set (default: 50 ms later). */
  settle?: Scheduler;
  /** Called with each page's items as it arrives (e.g. to learn which are favorites). */
  onpage?: (items: T[]) => void;
}

const later: Scheduler = (run) => {
  const t = setTimeout(run, 50);
  return () => clearTimeout(t);
};

function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

export class PageCache<T> {
  /** Items in the whole list, known from the first answer. */
  total = $state<number | null>(null);
  error = $state<string | null>(null);
  readonly perPage: number;
  readonly maxPages: number;
  private readonly maxInFlight: number;
  private readonly settle: Scheduler;
  private readonly onpage?: (items: T[]) => void;
  /** Bumped on every change of the pages, so that readers of item() follow them. */
  private version = $state(0);
  /** Insertion order is recency: the first key is the least recently used page. */
  private pages = new Map<number, T[]>();
  /** Pages shown until their refetch arrives (after reset()). */
  private stale = new Set<number>();
  private inflight = new Map<number, AbortController>();
  private wanted: number[] = [];
  private cancelSettle: (() => void) | null = null;

  constructor(
    private fetchPage: PageFetcher<T>,
    opts: PageCacheOptions<T>
  ) {
    this.perPage = opts.perPage;
    this.maxPages = Math.max(1, opts.maxPages ?? 20);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 3);
    this.settle = opts.settle ?? later;
    this.onpage = opts.onpage;
  }

  /** The item at `index` (from 0), or undefined while its page is not loaded. */
  item(index: number): T | undefined {
    void this.version;
    return this.pages.get(Math.floor(index / this.perPage) + 1)?.[index % this.perPage];
  }

  /** Pages in memory, least recently used first. */
  get cached(): number[] {
    void this.version;
    return [...this.pages.keys()];
  }

  /** Pages being fetched. */
  get fetching(): number[] {
    return [...this.inflight.keys()];
  }

  /**
   * The pages on screen now, the most needed first. Requests for pages no longer wanted are aborted at once;
   * missing pages are requested when the set has not changed for a moment.
   */
  want(pages: number[]): void {
    if (pages.length === this.wanted.length && pages.every((p, i) => p === this.wanted[i])) return;
    this.wanted = pages;
    for (const [p, ctl] of this.inflight) {
      if (!pages.includes(p)) {
        ctl.abort();
        this.inflight.delete(p);
      }
    }
    // The most needed page becomes the most recently used.
    for (let i = pages.length - 1; i >= 0; i--) this.touch(pages[i]);
    this.cancelSettle?.();
    this.cancelSettle = this.settle(() => {
      this.cancelSettle = null;
      this.flush();
    });
  }

  /**
   * The list changed on the server (an edit, a deletion): pages off screen are dropped, the ones on screen
   * stay visible and are fetched again at once.
   */
  reset(): void {
    for (const ctl of this.inflight.values()) ctl.abort();
    this.inflight.clear();
    for (const p of [...this.pages.keys()]) {
      if (this.wanted.includes(p)) this.stale.add(p);
      else this.pages.delete(p);
    }
    this.version++;
    this.flush();
  }

  /**
   * The loaded items next to `index` without a gap, at most `limit` of them, a few before it and the rest
   * after: what to queue when the user plays the item. Returns them and the position of `index` among them.
   */
  around(index: number, limit: number, before = Math.floor(limit / 4)): { items: T[]; at: number } {
    if (this.item(index) === undefined) return { items: [], at: 0 };
    let first = index;
    while (first > 0 && index - first < before && this.item(first - 1) !== undefined) first--;
    const items: T[] = [];
    for (let i = first; items.length < limit; i++) {
      const it = this.item(i);
      if (it === undefined) break;
      items.push(it);
    }
    return { items, at: index - first };
  }

  private touch(page: number): void {
    const items = this.pages.get(page);
    if (!items) return;
    this.pages.delete(page);
    this.pages.set(page, items);
  }

  private flush(): void {
    for (const p of this.wanted) {
      if (this.inflight.size >= this.maxInFlight) return;
      if ((this.pages.has(p) && !this.stale.has(p)) || this.inflight.has(p)) continue;
      if (this.total !== null && (p - 1) * this.perPage >= this.total && p > 1) continue;
      this.start(p);
    }
  }

  private start(page: number): void {
    const ctl = new AbortController();
    this.inflight.set(page, ctl);
    this.fetchPage(page, this.perPage, ctl.signal).then(
      (r) => {
        if (ctl.signal.aborted) return;
        this.inflight.delete(page);
        this.store(page, r);
        this.flush();
      },
      (e) => {
        if (ctl.signal.aborted || isAbort(e)) return;
        this.inflight.delete(page);
        this.error = errorText(e);
      }
    );
  }

  private store(page: number, r: Paginated<T>): void {
    if (this.total !== null && r.total !== this.total) {
      // The list grew or shrank: the other pages may hold shifted items.
      this.pages.clear();
      this.stale.clear();
    }
    this.total = r.total;
    this.error = null;
    this.stale.delete(page);
    this.pages.delete(page);
    this.pages.set(page, r.data);
    for (const p of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (!this.wanted.includes(p)) this.pages.delete(p);
    }
    this.version++;
    this.onpage?.(r.data);
  }
}
