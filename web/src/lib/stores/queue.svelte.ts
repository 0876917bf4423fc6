// The play queue: an ordered list and a cursor. Shuffle reorders what comes after the cursor and
// remembers the original order so that turning it off restores it.
import type { Track } from '$lib/api/types';

export type Repeat = 'off' | 'all' | 'one';

export interface QueueItem {
  /** Unique per entry, so the same track can be queued twice and keyed in lists. */
  key: number;
  track: Track;
  context: string;
}

let nextKey = 1;
const item = (track: Track, context: string): QueueItem => ({ key: nextKey++, track, context });

export class Queue {
  items = $state.raw<QueueItem[]>([]);
  index = $state(-1);
  shuffle = $state(false);
  repeat = $state<Repeat>('off');
  private unshuffled: QueueItem[] | null = null;

  constructor(private random: () => number = Math.random) {}

  get current(): QueueItem | null {
    return this.items[this.index] ?? null;
  }

  get upcoming(): QueueItem[] {
    return this.items.slice(this.index + 1);
  }

  /** Replaces the queue with `tracks`, starting at `start`. */
  set(tracks: Track[], start = 0, context = 'queue'): void {
    this.items = tracks.map((t) => item(t, context));
    this.index = tracks.length ? Math.min(Math.max(start, 0), tracks.length - 1) : -1;
    this.unshuffled = null;
    if (this.shuffle) this.shuffleUpcoming();
  }

  /** Appends at the end. */
  add(tracks: Track[], context = 'queue'): void {
    const added = tracks.map((t) => item(t, context));
    this.items = [...this.items, ...added];
    this.unshuffled = this.unshuffled ? [...this.unshuffled, ...added] : null;
    if (this.index < 0 && this.items.length) this.index = 0;
  }

  /** Inserts right after the current entry. */
  addNext(tracks: Track[], context = 'queue'): void {
    const added = tracks.map((t) => item(t, context));
    const at = this.index + 1;
    this.items = [...this.items.slice(0, at), ...added, ...this.items.slice(at)];
    if (this.unshuffled) {
      const cur = this.current ? this.unshuffled.indexOf(this.current) : -1;
      this.unshuffled.splice(cur + 1, 0, ...added);
    }
    if (this.index < 0) this.index = 0;
  }

  remove(position: number): void {
    if (position < 0 || position >= this.items.length) return;
    const gone = this.items[position];
    this.items = this.items.filter((_, i) => i !== position);
    if (this.unshuffled) this.unshuffled = this.unshuffled.filter((x) => x !== gone);
    if (position < this.index) this.index -= 1;
    else if (position === this.index && this.index >= this.items.length) this.index = this.items.length - 1;
  }

  /** Moves an entry (drag and drop); the cursor follows the entry that is playing. */
  move(from: number, to: number): void {
    const n = this.items.length;
    if (from === to || from < 0 || to < 0 || from >= n || to >= n) return;
    const playing = this.current;
    const next = [...this.items];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved);
    this.items = next;
    if (playing) this.index = next.indexOf(playing);
  }

  /** Puts back a saved queue (after a reload), shuffle order included. */
  restore(saved: { track: Track; context: string }[], index: number): void {
    this.items = saved.map((s) => item(s.track, s.context));
    this.index = this.items.length ? Math.min(Math.max(index, 0), this.items.length - 1) : -1;
    this.unshuffled = null;
  }

  clear(): void {
    this.items = [];
    this.index = -1;
    this.unshuffled = null;
  }

  jump(position: number): QueueItem | null {
    if (position < 0 || position >= this.items.length) return null;
    this.index = position;
    return this.current;
  }

  /** The entry that follows, honouring repeat; null at the end. Does not move the cursor. */
  peekNext(): QueueItem | null {
    if (!this.items.length) return null;
    if (this.repeat === 'one') return this.current;
    if (this.index + 1 < this.items.length) return this.items[this.index + 1];
    return this.repeat === 'all' ? this.items[0] : null;
  }

  /** Advances. `manual` (the user pressed next) skips over repeat-one. */
  next(manual = false): QueueItem | null {
    if (!this.items.length) return null;
    if (this.repeat === 'one' && !manual) return this.current;
    if (this.index + 1 < this.items.length) {
      this.index += 1;
      return this.current;
    }
    if (this.repeat !== 'off') {
      this.index = 0;
      return this.current;
    }
    return null;
  }

  previous(): QueueItem | null {
    if (!this.items.length) return null;
    if (this.index > 0) this.index -= 1;
    else if (this.repeat === 'all') this.index = this.items.length - 1;
    return this.current;
  }

  cycleRepeat(): Repeat {
    this.repeat = this.repeat === 'off' ? 'all' : this.repeat === 'all' ? 'one' : 'off';
    return this.repeat;
  }

  setShuffle(on: boolean): void {
    if (on === this.shuffle) return;
    this.shuffle = on;
    if (on) {
      this.unshuffled = [...this.items];
      this.shuffleUpcoming();
    } else if (this.unshuffled) {
      const playing = this.current;
      this.items = this.unshuffled;
      this.unshuffled = null;
      this.index = playing ? this.items.indexOf(playing) : -1;
    }
  }

  private shuffleUpcoming() {
    const head = this.items.slice(0, this.index + 1);
    const tail = this.items.slice(this.index + 1);
    for (let i = tail.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [tail[i], tail[j]] = [tail[j], tail[i]];
    }
    this.items = [...head, ...tail];
  }
}
