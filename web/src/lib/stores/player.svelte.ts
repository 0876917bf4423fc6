// The persistent player: two <audio> elements (the one playing and the next track preloading, swapped
// when the track changes), transcoding quality, listen reporting as the original does, radio when the
// queue runs out, and the Media Session API.
import type { RadioResult, Track } from '$lib/api/types';
import { Queue, type QueueItem } from './queue.svelte';

export type Quality = 'original' | 'high' | 'medium' | 'low';
export const QUALITIES: Quality[] = ['original', 'high', 'medium', 'low'];

export interface AudioLike {
  src: string;
  currentTime: number;
  duration: number;
  volume: number;
  muted: boolean;
  paused: boolean;
  preload: string;
  dataset?: DOMStringMap;
  play(): Promise<void>;
  pause(): void;
  load(): void;
  addEventListener(type: string, fn: () => void): void;
}

export interface ListenReport {
  track_id: string;
  duration_listened: number;
  source_context?: string;
  completed: boolean;
  skipped: boolean;
  skip_position?: number;
}

export interface PlayerDeps {
  createAudio: () => AudioLike;
  recordListen: (b: ListenReport) => Promise<unknown>;
  // Tells the scrobblers (Last.fm, ListenBrainz) what starts playing; failures are ignored.
  nowPlaying?: (trackId: string) => Promise<unknown>;
  radio: (b: { seed_type: string; seed_id?: string; count?: number; exclude: string[] }) => Promise<RadioResult>;
  mediaUrl: (path: string) => string;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  mediaSession?: MediaSession | null;
  random?: () => number;
}

export const QUEUE_KEY = 'soundtime_queue';
const QUEUE_SAVE_MAX = 500;

/** A listen shorter than this is not reported when the user moves on (as the original). */
export const SKIP_THRESHOLD_SECS = 5;

export class Player {
  queue: Queue;
  playing = $state(false);
  position = $state(0);
  duration = $state(0);
  volume = $state(0.8);
  muted = $state(false);
  quality = $state<Quality>('original');
  autoplay = $state(true);
  loading = $state(false);
  error = $state<string | null>(null);
  expanded = $state(false);
  queueOpen = $state(false);

  private els: AudioLike[] = [];
  private active = 0;
  /** Start of the current transcode (seeking a transcode restarts it at ?timeOffset=). */
  private offset = 0;
  private preloadedKey: number | null = null;
  private listened = 0;
  private lastTime: number | null = null;
  private reported = false;
  private played: string[] = [];
  private radioBusy = false;
  private triedOriginal = false;
  /** Where to start when a restored queue is resumed. */
  private resumeAt = 0;
  private savedAt = 0;

  constructor(private deps: PlayerDeps) {
    this.queue = new Queue(deps.random);
    const s = deps.storage;
    const q = s?.getItem('soundtime_quality') as Quality | null;
    if (q && QUALITIES.includes(q)) this.quality = q;
    const v = Number(s?.getItem('soundtime_volume'));
    if (s?.getItem('soundtime_volume') !== null && s?.getItem('soundtime_volume') !== undefined && Number.isFinite(v)) {
      this.volume = Math.min(1, Math.max(0, v));
    }
    if (s?.getItem('soundtime_autoplay') === 'false') this.autoplay = false;
  }

  get current(): Track | null {
    return this.queue.current?.track ?? null;
  }

  private get el(): AudioLike {
    if (!this.els.length) {
      this.els = [this.deps.createAudio(), this.deps.createAudio()];
      this.els.forEach((el) => this.wire(el));
      this.mark();
    }
    return this.els[this.active];
  }

  private get spare(): AudioLike {
    void this.el;
    return this.els[1 - this.active];
  }

  private mark() {
    this.els.forEach((el, i) => {
      if (el.dataset) el.dataset.active = String(i === this.active);
      el.volume = this.volume;
      el.muted = this.muted;
    });
  }

  private wire(el: AudioLike) {
    const mine = (fn: () => void) => () => {
      if (el === this.els[this.active]) fn();
    };
    el.addEventListener('timeupdate', mine(() => this.tick()));
    el.addEventListener('playing', mine(() => {
      this.playing = true;
      this.loading = false;
      this.error = null;
      this.preloadNext();
    }));
    el.addEventListener('play', mine(() => (this.playing = true)));
    el.addEventListener('pause', mine(() => {
      this.playing = false;
      this.persist();
    }));
    el.addEventListener('waiting', mine(() => (this.loading = true)));
    el.addEventListener('loadedmetadata', mine(() => {
      if (Number.isFinite(el.duration) && el.duration > 0 && this.quality === 'original') this.duration = el.duration;
    }));
    el.addEventListener('ended', mine(() => void this.onEnded()));
    el.addEventListener('error', mine(() => this.onError()));
  }

  streamUrl(track: Track, offset = 0): string {
    const q: string[] = [];
    if (this.quality !== 'original') q.push(`quality=${this.quality}`);
    if (offset > 0) q.push(`timeOffset=${offset.toFixed(2)}`);
    return this.deps.mediaUrl(`/api/tracks/${encodeURIComponent(track.id)}/stream${q.length ? `?${q.join('&')}` : ''}`);
  }

  /** Replaces the queue and plays from `start`. */
  playTracks(tracks: Track[], start = 0, context = 'queue'): void {
    if (!tracks.length) return;
    this.finishListen(false);
    this.queue.set(tracks, start, context);
    this.load(this.queue.current!);
  }

  playAt(position: number): void {
    if (position === this.queue.index) return this.seek(0);
    this.finishListen(false);
    const it = this.queue.jump(position);
    if (it) this.load(it);
  }

  addNext(tracks: Track[]) {
    const wasEmpty = !this.queue.current;
    this.queue.addNext(tracks);
    this.preloadedKey = null;
    if (wasEmpty) this.load(this.queue.current!);
  }

  addToQueue(tracks: Track[]) {
    const wasEmpty = !this.queue.current;
    this.queue.add(tracks);
    if (wasEmpty) this.load(this.queue.current!);
  }

  /** Starts a radio seeded by a track: the track, then similar ones. */
  async startRadio(track: Track): Promise<void> {
    this.playTracks([track], 0, 'radio');
    await this.extendWithRadio('track', track.id, 'radio');
  }

  toggle(): void {
    if (!this.queue.current) return;
    if (this.el.paused) this.resume();
    else this.el.pause();
  }

  resume(): void {
    if (!this.queue.current) return;
    if (!this.el.src) {
      const at = this.resumeAt;
      this.load(this.queue.current);
      if (at > 0) this.seek(at);
      return;
    }
    this.el.play().catch(() => (this.playing = false));
  }

  pause(): void {
    if (this.els.length) this.el.pause();
  }

  next(): void {
    if (!this.queue.current) return;
    this.finishListen(false);
    const it = this.queue.next(true);
    if (it) this.load(it);
    else void this.queueEnded();
  }

  previous(): void {
    if (!this.queue.current) return;
    if (this.position > 3) return this.seek(0);
    this.finishListen(false);
    const it = this.queue.previous();
    if (it) this.load(it);
  }

  seek(seconds: number): void {
    if (!this.queue.current) return;
    const target = Math.max(0, Math.min(seconds, this.duration || seconds));
    this.lastTime = null;
    if (this.quality === 'original') {
      this.el.currentTime = target;
    } else {
      // A transcode is a live stream: restart it at the offset.
      const wasPlaying = !this.el.paused;
      this.offset = target;
      this.el.src = this.streamUrl(this.queue.current.track, target);
      if (wasPlaying) this.el.play().catch(() => (this.playing = false));
    }
    this.position = target;
    this.updatePositionState();
  }

  setVolume(v: number): void {
    this.volume = Math.min(1, Math.max(0, v));
    if (this.volume > 0) this.muted = false;
    this.mark();
    this.deps.storage?.setItem('soundtime_volume', String(this.volume));
  }

  toggleMute(): void {
    this.muted = !this.muted;
    this.mark();
  }

  setQuality(q: Quality): void {
    if (q === this.quality) return;
    this.quality = q;
    this.deps.storage?.setItem('soundtime_quality', q);
    this.preloadedKey = null;
    const it = this.queue.current;
    if (it && this.els.length && this.el.src) {
      const at = this.position;
      const wasPlaying = !this.el.paused;
      this.offset = q === 'original' ? 0 : at;
      this.el.src = this.streamUrl(it.track, this.offset);
      if (q === 'original') this.el.currentTime = at;
      if (wasPlaying) this.el.play().catch(() => (this.playing = false));
    }
  }

  setAutoplay(on: boolean): void {
    this.autoplay = on;
    this.deps.storage?.setItem('soundtime_autoplay', String(on));
  }

  toggleShuffle(): void {
    this.queue.setShuffle(!this.queue.shuffle);
    this.preloadedKey = null;
  }

  removeFromQueue(position: number): void {
    if (position === this.queue.index) {
      this.finishListen(false);
      this.queue.remove(position);
      const it = this.queue.current;
      if (it) this.load(it);
      else this.stop();
    } else {
      this.queue.remove(position);
      this.preloadedKey = null;
    }
  }

  stop(): void {
    if (this.els.length) {
      this.el.pause();
    }
    this.playing = false;
  }

  /** Saves the queue and the position, so that a reload finds them (called on every change). */
  persist(): void {
    const s = this.deps.storage;
    if (!s) return;
    this.savedAt = Date.now();
    const items = this.queue.items;
    const from = Math.max(0, Math.min(this.queue.index - 100, items.length - QUEUE_SAVE_MAX));
    try {
      s.setItem(
        QUEUE_KEY,
        JSON.stringify({
          items: items.slice(from, from + QUEUE_SAVE_MAX).map((i) => ({ track: i.track, context: i.context })),
          index: this.queue.index - from,
          position: Math.floor(this.position),
          repeat: this.queue.repeat
        })
      );
    } catch {
      // Storage full or unavailable: the queue just does not survive a reload.
    }
  }

  /** Puts back the queue saved before a reload, paused at the saved position. */
  restore(): void {
    try {
      const raw = this.deps.storage?.getItem(QUEUE_KEY);
      if (!raw) return;
      const saved = JSON.parse(raw);
      if (!Array.isArray(saved?.items) || !saved.items.every((i: { track?: { id?: unknown } }) => typeof i?.track?.id === 'string')) return;
      this.queue.restore(saved.items, Number(saved.index) || 0);
      if (saved.repeat === 'all' || saved.repeat === 'one') this.queue.repeat = saved.repeat;
      const t = this.queue.current?.track;
      this.duration = t?.duration_secs ?? 0;
      this.resumeAt = this.position = Math.min(Number(saved.position) || 0, this.duration);
    } catch {
      // A damaged entry is ignored.
    }
  }

  private load(it: QueueItem): void {
    const track = it.track;
    this.resumeAt = 0;
    this.offset = 0;
    this.position = 0;
    this.duration = track.duration_secs || 0;
    this.listened = 0;
    this.lastTime = null;
    this.reported = false;
    this.error = null;
    this.loading = true;
    this.triedOriginal = false;
    this.played.push(track.id);
    this.deps.nowPlaying?.(track.id).catch(() => {});
    if (this.played.length > 2000) this.played.splice(0, this.played.length - 2000);
    const url = this.streamUrl(track);
    const old = this.el;
    if (this.preloadedKey === it.key && this.spare.src === url) {
      old.pause();
      this.active = 1 - this.active;
      this.mark();
      this.el.currentTime = 0;
    } else {
      old.pause();
      old.src = url;
      old.load();
    }
    this.preloadedKey = null;
    this.el.play().catch(() => {
      this.playing = false;
      this.loading = false;
    });
    this.updateMediaSession(track);
  }

  private preloadNext() {
    const next = this.queue.peekNext();
    if (!next || next === this.queue.current || this.preloadedKey === next.key) return;
    const spare = this.spare;
    spare.preload = 'auto';
    spare.src = this.streamUrl(next.track);
    spare.load();
    this.preloadedKey = next.key;
  }

  private tick() {
    const t = this.el.currentTime;
    if (this.lastTime !== null && !this.el.paused) {
      const d = t - this.lastTime;
      if (d > 0 && d < 2) this.listened += d;
    }
    this.lastTime = t;
    this.position = this.offset + t;
    this.updatePositionState();
    if (Date.now() - this.savedAt > 5000) this.persist();
  }

  private async onEnded() {
    this.finishListen(true);
    const it = this.queue.next(false);
    if (it) this.load(it);
    else await this.queueEnded();
  }

  private onError() {
    const it = this.queue.current;
    if (!it) return;
    if (this.quality !== 'original' && !this.triedOriginal) {
      // The transcoder may be busy (503): the original still plays.
      this.triedOriginal = true;
      this.offset = 0;
      this.el.src = this.deps.mediaUrl(`/api/tracks/${encodeURIComponent(it.track.id)}/stream`);
      this.el.play().catch(() => (this.playing = false));
      return;
    }
    this.loading = false;
    this.playing = false;
    this.error = 'playback';
  }

  private async queueEnded() {
    const last = this.queue.current?.track;
    if (this.autoplay && last) {
      const before = this.queue.items.length;
      await this.extendWithRadio('similar', last.id, 'autoplay');
      if (this.queue.items.length > before) {
        const it = this.queue.next(true);
        if (it) return this.load(it);
      }
    }
    this.stop();
    this.position = this.duration;
  }

  private async extendWithRadio(seed_type: string, seed_id: string, context: string) {
    if (this.radioBusy) return;
    this.radioBusy = true;
    try {
      const r = await this.deps.radio({ seed_type, seed_id, count: 5, exclude: [...this.played] });
      const known = new Set(this.queue.items.map((i) => i.track.id));
      const fresh = r.tracks.filter((t) => !known.has(t.id));
      if (fresh.length) this.queue.add(fresh, context);
    } catch {
      // No radio: the queue simply ends.
    } finally {
      this.radioBusy = false;
    }
  }

  /** Reports the listen of the current track once: completed at the end, skipped after 5 s of play. */
  private finishListen(completed: boolean) {
    const it = this.queue.current;
    if (!it || this.reported) return;
    if (completed) {
      this.reported = true;
      void this.deps
        .recordListen({ track_id: it.track.id, duration_listened: it.track.duration_secs || this.listened, source_context: it.context, completed: true, skipped: false })
        .catch(() => {});
    } else if (this.listened > SKIP_THRESHOLD_SECS) {
      this.reported = true;
      const secs = Math.round(this.listened * 10) / 10;
      void this.deps
        .recordListen({ track_id: it.track.id, duration_listened: secs, source_context: it.context, completed: false, skipped: true, skip_position: Math.round(this.position * 10) / 10 })
        .catch(() => {});
    }
  }

  private updateMediaSession(track: Track) {
    const ms = this.deps.mediaSession;
    if (!ms) return;
    try {
      const art = track.cover_url ? [{ src: this.deps.mediaUrl(track.cover_url), sizes: '512x512' }] : [];
      ms.metadata = new MediaMetadata({ title: track.title, artist: track.artist_name ?? '', album: track.album_title ?? '', artwork: art });
    } catch {
      // MediaMetadata is missing on some browsers.
    }
  }

  private updatePositionState() {
    const ms = this.deps.mediaSession;
    if (!ms?.setPositionState || !(this.duration > 0)) return;
    try {
      ms.setPositionState({ duration: this.duration, position: Math.min(this.position, this.duration), playbackRate: 1 });
    } catch {
      // Ignored: position beyond duration while a transcode starts.
    }
  }

  /** Hooks the OS media keys and lock screen controls. */
  bindMediaSession(): void {
    const ms = this.deps.mediaSession;
    if (!ms) return;
    const set = (a: MediaSessionAction, fn: MediaSessionActionHandler) => {
      try {
        ms.setActionHandler(a, fn);
      } catch {
        // Unsupported action.
      }
    };
    set('play', () => this.resume());
    set('pause', () => this.pause());
    set('previoustrack', () => this.previous());
    set('nexttrack', () => this.next());
    set('seekto', (d) => d.seekTime !== undefined && this.seek(d.seekTime));
    set('seekbackward', (d) => this.seek(this.position - (d.seekOffset ?? 10)));
    set('seekforward', (d) => this.seek(this.position + (d.seekOffset ?? 10)));
  }
}
