import { describe, expect, it, vi } from 'vitest';
import type { Track } from '$lib/api/types';
import { Player, type AudioLike, type ListenReport } from './player.svelte';

class FakeAudio implements AudioLike {
  src = '';
  currentTime = 0;
  duration = NaN;
  volume = 1;
  muted = false;
  paused = true;
  preload = '';
  dataset: Record<string, string> = {};
  loads = 0;
  private on = new Map<string, (() => void)[]>();
  addEventListener(type: string, fn: () => void) {
    this.on.set(type, [...(this.on.get(type) ?? []), fn]);
  }
  emit(type: string) {
    (this.on.get(type) ?? []).forEach((f) => f());
  }
  play() {
    this.paused = false;
    this.emit('play');
    this.emit('playing');
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
    this.emit('pause');
  }
  load() {
    this.loads++;
    this.currentTime = 0;
  }
  /** Plays `secs` seconds in small steps, as the browser reports them. */
  advance(secs: number) {
    for (let i = 0; i < secs * 4; i++) {
      this.currentTime += 0.25;
      this.emit('timeupdate');
    }
  }
}

const tr = (id: string, secs = 100) => ({ id, title: id, artist_id: 'ar', duration_secs: secs, artist_name: 'Art' }) as Track;

function make(opts: { radio?: Track[]; storage?: Record<string, string> } = {}) {
  const audios: FakeAudio[] = [];
  const reports: ListenReport[] = [];
  const stored = new Map(Object.entries(opts.storage ?? {}));
  const radio = vi.fn(async () => ({ tracks: opts.radio ?? [], exhausted: !(opts.radio ?? []).length }));
  const p = new Player({
    createAudio: () => {
      const a = new FakeAudio();
      audios.push(a);
      return a;
    },
    recordListen: async (b) => void reports.push(b),
    radio,
    mediaUrl: (u) => u,
    storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v) }
  });
  const active = () => audios.find((a) => a.dataset.active === 'true')!;
  return { p, audios, reports, radio, stored, active };
}

describe('Player', () => {
  it('tells the scrobblers what starts playing, once per track, and survives their failure', () => {
    const calls: string[] = [];
    const p = new Player({
      createAudio: () => new FakeAudio(),
      recordListen: async () => undefined,
      radio: async () => ({ tracks: [], exhausted: true }),
      mediaUrl: (u) => u,
      nowPlaying: async (id) => {
        calls.push(id);
        throw new Error('offline');
      }
    });
    p.playTracks([tr('a'), tr('b')], 0, 'album');
    expect(calls).toEqual(['a']);
    p.next();
    expect(calls).toEqual(['a', 'b']);
  });

  it('plays the chosen track of a list through the stream URL', () => {
    const { p, active } = make();
    p.playTracks([tr('a'), tr('b')], 1, 'album');
    expect(active().src).toBe('/api/tracks/b/stream');
    expect(active().paused).toBe(false);
    expect(p.playing).toBe(true);
    expect(p.current?.id).toBe('b');
    expect(p.duration).toBe(100);
  });

  it('asks for the chosen quality and remembers it', () => {
    const { p, active, stored } = make({ storage: { soundtime_quality: 'low' } });
    expect(p.quality).toBe('low');
    p.playTracks([tr('a')]);
    expect(active().src).toBe('/api/tracks/a/stream?quality=low');
    p.setQuality('medium');
    expect(stored.get('soundtime_quality')).toBe('medium');
    expect(active().src).toContain('quality=medium');
  });

  it('preloads the next track and swaps to it', () => {
    const { p, audios, active } = make();
    p.playTracks([tr('a'), tr('b')], 0);
    const first = active();
    const spare = audios.find((a) => a !== first)!;
    expect(spare.src).toBe('/api/tracks/b/stream');
    expect(spare.preload).toBe('auto');
    p.next();
    expect(active()).toBe(spare);
    expect(first.paused).toBe(true);
    expect(active().paused).toBe(false);
  });

  it('reports a completed listen at the end and moves on', () => {
    const { p, active, reports } = make();
    p.playTracks([tr('a', 3), tr('b')], 0, 'album');
    active().advance(3);
    active().emit('ended');
    expect(reports).toEqual([{ track_id: 'a', duration_listened: 3, source_context: 'album', completed: true, skipped: false }]);
    expect(p.current?.id).toBe('b');
  });

  it('reports a skip after more than 5 s of listening, nothing before', () => {
    const { p, active, reports } = make();
    p.playTracks([tr('a'), tr('b'), tr('c')], 0, 'playlist');
    active().advance(3);
    p.next();
    expect(reports).toEqual([]);
    active().advance(8);
    p.next();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ track_id: 'b', completed: false, skipped: true, source_context: 'playlist' });
    expect(reports[0].duration_listened).toBeCloseTo(8, 0);
    expect(reports[0].skip_position).toBeCloseTo(8, 0);
  });

  it('seeks in place on originals, restarts transcodes at an offset', () => {
    const { p, active } = make();
    p.playTracks([tr('a')]);
    p.seek(40);
    expect(active().currentTime).toBe(40);
    expect(p.position).toBe(40);
    p.setQuality('high');
    p.seek(60);
    expect(active().src).toBe('/api/tracks/a/stream?quality=high&timeOffset=60.00');
    active().currentTime = 2;
    active().emit('timeupdate');
    expect(p.position).toBe(62);
  });

  it('goes back to the start of the track after 3 s, else to the previous track', () => {
    const { p, active } = make();
    p.playTracks([tr('a'), tr('b')], 1);
    active().advance(5);
    p.previous();
    expect(p.current?.id).toBe('b');
    expect(active().currentTime).toBe(0);
    p.previous();
    expect(p.current?.id).toBe('a');
  });

  it('continues with radio tracks when the queue ends (autoplay)', async () => {
    const { p, active, radio } = make({ radio: [tr('r1'), tr('r2')] });
    p.playTracks([tr('a', 2)]);
    active().emit('ended');
    await vi.waitFor(() => expect(p.current?.id).toBe('r1'));
    expect(radio).toHaveBeenCalledWith(expect.objectContaining({ seed_type: 'similar', seed_id: 'a', exclude: ['a'] }));
    expect(p.queue.items.map((i) => i.context)).toEqual(['queue', 'autoplay', 'autoplay']);
  });

  it('stops at the end when autoplay is off', async () => {
    const { p, active, radio, stored } = make({ radio: [tr('r1')] });
    p.setAutoplay(false);
    expect(stored.get('soundtime_autoplay')).toBe('false');
    p.playTracks([tr('a', 2)]);
    active().pause();
    active().emit('ended');
    await Promise.resolve();
    expect(radio).not.toHaveBeenCalled();
    expect(p.playing).toBe(false);
    expect(p.current?.id).toBe('a');
  });

  it('keeps the volume between 0 and 1 and remembers it', () => {
    const { p, stored, active } = make({ storage: { soundtime_volume: '0.3' } });
    expect(p.volume).toBe(0.3);
    p.playTracks([tr('a')]);
    p.setVolume(1.7);
    expect(p.volume).toBe(1);
    expect(active().volume).toBe(1);
    expect(stored.get('soundtime_volume')).toBe('1');
    p.toggleMute();
    expect(active().muted).toBe(true);
  });

  it('falls back to the original when a transcode fails, then reports the error', () => {
    const { p, active } = make({ storage: { soundtime_quality: 'low' } });
    p.playTracks([tr('a')]);
    active().emit('error');
    expect(active().src).toBe('/api/tracks/a/stream');
    active().emit('error');
    expect(p.error).toBe('playback');
    expect(p.playing).toBe(false);
  });
});

describe('Player queue persistence', () => {
  it('saves the queue and puts it back paused at the saved position after a reload', () => {
    const first = make();
    first.p.playTracks([tr('a'), tr('b', 200), tr('c')], 1, 'album');
    first.active().advance(30);
    first.p.queue.cycleRepeat();
    first.p.persist();
    const saved = Object.fromEntries(first.stored);

    const second = make({ storage: saved });
    second.p.restore();
    expect(second.p.queue.items.map((i) => i.track.id)).toEqual(['a', 'b', 'c']);
    expect(second.p.current?.id).toBe('b');
    expect(second.p.queue.repeat).toBe('all');
    expect(second.p.position).toBe(30);
    expect(second.p.playing).toBe(false);
    second.p.resume();
    expect(second.active().src).toBe('/api/tracks/b/stream');
    expect(second.active().currentTime).toBe(30);
    expect(second.p.queue.items[1].context).toBe('album');
  });

  it('ignores a damaged saved queue', () => {
    const { p } = make({ storage: { soundtime_queue: '{"items":[{"nope":1}]}' } });
    p.restore();
    expect(p.queue.items).toEqual([]);
    const other = make({ storage: { soundtime_queue: 'not json' } });
    other.p.restore();
    expect(other.p.current).toBeNull();
  });
});
