import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api/client';
import type { Paginated } from '$lib/api/types';
import { PageCache, type Scheduler } from './page-cache.svelte';

const PER = 10;
const TOTAL = 1_000_000;

/** A server of TOTAL numbered items whose answers the test releases by hand. */
function fakeServer(total = TOTAL) {
  const calls: { page: number; signal: AbortSignal; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const fetch = (page: number, perPage: number, signal: AbortSignal) =>
    new Promise<Paginated<number>>((resolve, reject) => {
      const first = (page - 1) * perPage;
      const data = Array.from({ length: Math.max(0, Math.min(perPage, total - first)) }, (_, i) => first + i);
      calls.push({
        page,
        signal,
        resolve: () => resolve({ data, total, page, per_page: perPage, total_pages: Math.ceil(total / perPage) }),
        reject
      });
    });
  return { calls, fetch };
}

/** A settle scheduler run by the test ("the wanted pages have not changed for a moment"). */
function manualSettle() {
  let pending: (() => void) | null = null;
  const settle: Scheduler = (run) => {
    pending = run;
    return () => {
      if (pending === run) pending = null;
    };
  };
  return {
    settle,
    run() {
      const p = pending;
      pending = null;
      p?.();
    }
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function answerAll(calls: ReturnType<typeof fakeServer>['calls']) {
  for (const c of calls.splice(0)) if (!c.signal.aborted) c.resolve();
  await tick();
}

describe('PageCache', () => {
  it('fetches only the pages asked for, by number, and knows the total from the first answer', async () => {
    const srv = fakeServer();
    const clock = manualSettle();
    const cache = new PageCache(srv.fetch, { perPage: PER, settle: clock.settle });
    expect(cache.total).toBeNull();
    cache.want([50_000, 50_001]);
    clock.run();
    expect(srv.calls.map((c) => c.page)).toEqual([50_000, 50_001]);
    expect(cache.item(499_995)).toBeUndefined();
    await answerAll(srv.calls);
    expect(cache.total).toBe(TOTAL);
    expect(cache.item(499_995)).toBe(499_995);
    expect(cache.item(500_009)).toBe(500_009);
    expect(cache.item(500_010)).toBeUndefined();
    expect(cache.item(0)).toBeUndefined();
  });

  it('asks for nothing while the wanted pages keep changing (a dragged scrollbar), then for the last ones only', async () => {
    const srv = fakeServer();
    const clock = manualSettle();
    const cache = new PageCache(srv.fetch, { perPage: PER, settle: clock.settle });
    for (let p = 1; p < 5000; p += 97) cache.want([p, p + 1]);
    expect(srv.calls).toHaveLength(0);
    clock.run();
    expect(srv.calls.map((c) => c.page)).toEqual([4948, 4949]);
  });

  it('keeps at most a few requests in flight, the most needed first, and goes on as answers come', async () => {
    const srv = fakeServer();
    const clock = manualSettle();
    const cache = new PageCache(srv.fetch, { perPage: PER, settle: clock.settle, maxInFlight: 2 });
    cache.want([7, 6, 8, 9]);
    clock.run();
    expect(srv.calls.map((c) => c.page)).toEqual([7, 6]);
    srv.calls[0].resolve();
    await tick();
    expect(srv.calls.map((c) => c.page)).toEqual([7, 6, 8]);
  });

  it('aborts the requests of pages that left the screen and ignores their late answers', async () => {
    const srv = fakeServer();
    const clock = manualSettle();
    const cache = new PageCache(srv.fetch, { perPage: PER, settle: clock.settle });
    cache.want([100, 101]);
    clock.run();
    const [p100, p101] = srv.calls;
    cache.want([101, 102]);
    expect(p100.signal.aborted).toBe(true);
    expect(p101.signal.aborted).toBe(false);
    expect(cache.fetching).toEqual([101]);
    p100.resolve(); // answered anyway (the abort came too late for the server)
    await tick();
    expect(cache.cached).not.toContain(100);
    expect(cache.item(1000)).toBeUndefined();
    clock.run();
    expect(srv.calls.map((c) => c.page)).toEqual([100, 101, 102]);
  });

  it('keeps at most maxPages pages, dropping the least recently used, never one on screen', async () => {
    const srv = fakeServer();
    const clock = manualSettle();
    const cache = new PageCache(srv.fetch, { perPage: PER, settle: clock.settle, maxPages: 5 });
    for (let p = 1; p <= 40; p++) {
      cache.want(p === 1 ? [1] : [1, p]); // page 1 stays on screen (e.g. a header row) the whole time
      clock.run();
      await answerAll(srv.calls);
      expect(cache.cached.length).toBeLessThanOrEqual(5);
    }
    expect(cache.cached.sort((a, b) => a - b)).toEqual([1, 37, 38, 39, 40]);
    // A page seen again becomes the most recent: the oldest one (37) shown again outlives 3 new pages.
    cache.want([37]);
    clock.run();
    expect(srv.calls).toHaveLength(0); // in memory
    for (const p of [41, 42, 43]) {
      cache.want([p]);
      clock.run();
      await answerAll(srv.calls);
    }
    expect(cache.cached.sort((a, b) => a - b)).toEqual([37, 40, 41, 42, 43]);
  });

  it('reset() keeps the pages on screen shown until their new version arrives, and drops the rest', async () => {
    let total = 100;
    const srv = fakeServer(100);
    const clock = manualSettle();
    const cache = new PageCache((p, n, s) => srv.fetch(p, n, s).then((r) => ({ ...r, total })), { perPage: PER, settle: clock.settle });
    cache.want([3]);
    clock.run();
    await answerAll(srv.calls);
    cache.want([5]);
    clock.run();
    await answerAll(srv.calls);
    total = 99; // one item deleted
    cache.reset();
    expect(cache.cached).toEqual([5]);
    expect(cache.item(45)).toBe(45); // still shown
    expect(srv.calls.map((c) => c.page)).toEqual([5]); // fetched again at once
    await answerAll(srv.calls);
    expect(cache.total).toBe(99);
  });

  it('reports a failed page, and does not ask for pages past the end', async () => {
    const srv = fakeServer(25);
    const clock = manualSettle();
    const cache = new PageCache(srv.fetch, { perPage: PER, settle: clock.settle });
    cache.want([1]);
    clock.run();
    await answerAll(srv.calls);
    cache.want([3, 4]);
    clock.run();
    expect(srv.calls.map((c) => c.page)).toEqual([3]);
    srv.calls[0].reject(new ApiError(400, 'Bad page number'));
    await tick();
    expect(cache.error).toBe('Bad page number');
  });

  it('gives the loaded neighbourhood of an item to queue, without gaps', async () => {
    const srv = fakeServer();
    const clock = manualSettle();
    const cache = new PageCache(srv.fetch, { perPage: PER, settle: clock.settle });
    cache.want([20, 21, 23]);
    clock.run();
    await answerAll(srv.calls);
    // Items 190..219 and 220..229 are loaded; 210..219 (page 22) is not.
    const near = cache.around(195, 40, 3);
    expect(near.items).toEqual([192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209]);
    expect(near.items[near.at]).toBe(195);
    expect(cache.around(190, 5).items).toEqual([190, 191, 192, 193, 194]);
    expect(cache.around(215, 5).items).toEqual([]);
  });
});
