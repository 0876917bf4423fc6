import { describe, expect, it } from 'vitest';
import type { Track } from '$lib/api/types';
import { Queue } from './queue.svelte';

const tr = (id: string) => ({ id, title: id, duration_secs: 10 }) as Track;
const ids = (q: Queue) => q.items.map((i) => i.track.id);
const seq = (...v: number[]) => {
  let i = 0;
  return () => v[i++ % v.length];
};

describe('Queue', () => {
  it('plays in order and stops at the end without repeat', () => {
    const q = new Queue();
    q.set([tr('a'), tr('b')], 0);
    expect(q.current?.track.id).toBe('a');
    expect(q.next()?.track.id).toBe('b');
    expect(q.next()).toBeNull();
    expect(q.current?.track.id).toBe('b');
  });

  it('repeats all, repeats one (but a manual next moves on), and goes back', () => {
    const q = new Queue();
    q.set([tr('a'), tr('b')], 1);
    q.cycleRepeat();
    expect(q.repeat).toBe('all');
    expect(q.next()?.track.id).toBe('a');
    expect(q.previous()?.track.id).toBe('b');
    q.cycleRepeat();
    expect(q.repeat).toBe('one');
    expect(q.next()?.track.id).toBe('b');
    expect(q.peekNext()?.track.id).toBe('b');
    expect(q.next(true)?.track.id).toBe('a');
    q.cycleRepeat();
    expect(q.repeat).toBe('off');
  });

  it('adds next and at the end; the same track can be queued twice', () => {
    const q = new Queue();
    q.set([tr('a'), tr('b')], 0);
    q.addNext([tr('x')]);
    q.add([tr('a')]);
    expect(ids(q)).toEqual(['a', 'x', 'b', 'a']);
    expect(new Set(q.items.map((i) => i.key)).size).toBe(4);
  });

  it('moves entries and keeps the cursor on the playing one', () => {
    const q = new Queue();
    q.set([tr('a'), tr('b'), tr('c')], 1);
    q.move(1, 2);
    expect(ids(q)).toEqual(['a', 'c', 'b']);
    expect(q.current?.track.id).toBe('b');
    q.move(0, 2);
    expect(ids(q)).toEqual(['c', 'b', 'a']);
    expect(q.index).toBe(1);
    q.move(5, 0);
    expect(ids(q)).toEqual(['c', 'b', 'a']);
  });

  it('removes entries before, at and after the cursor', () => {
    const q = new Queue();
    q.set([tr('a'), tr('b'), tr('c'), tr('d')], 2);
    q.remove(0);
    expect(q.current?.track.id).toBe('c');
    q.remove(2);
    expect(ids(q)).toEqual(['b', 'c']);
    q.remove(1);
    expect(q.current?.track.id).toBe('b');
    q.remove(0);
    expect(q.current).toBeNull();
    expect(q.index).toBe(-1);
  });

  it('shuffles only what comes next and restores the order when turned off', () => {
    const q = new Queue(seq(0, 0, 0));
    q.set([tr('a'), tr('b'), tr('c'), tr('d')], 1);
    q.setShuffle(true);
    expect(ids(q).slice(0, 2)).toEqual(['a', 'b']);
    expect(ids(q).slice(2).sort()).toEqual(['c', 'd']);
    expect(ids(q)).toEqual(['a', 'b', 'd', 'c']);
    q.next();
    q.setShuffle(false);
    expect(ids(q)).toEqual(['a', 'b', 'c', 'd']);
    expect(q.current?.track.id).toBe('d');
  });

  it('a new list is shuffled when shuffle is on', () => {
    const q = new Queue(seq(0));
    q.setShuffle(true);
    q.set([tr('a'), tr('b'), tr('c')], 0);
    expect(q.current?.track.id).toBe('a');
    expect(ids(q)).toEqual(['a', 'c', 'b']);
  });
});
