import { describe, expect, it } from 'vitest';
import type { RemoteTrack } from '$lib/api/types';
import { copyPeer, copyQuality, resyncLine, sortCopies } from './health';

const ID = 'cd'.repeat(32);

function copy(over: Partial<RemoteTrack>): RemoteTrack {
  return {
    id: '1', local_track_id: null, title: 'T', artist_name: 'A', album_title: null, instance_domain: `p2p://${ID}`,
    remote_uri: `p2p://${ID}/h`, bitrate: null, sample_rate: null, format: null, is_available: true, last_checked_at: null,
    created_at: '2026-01-01T00:00:00Z', content_hash: 'h', health_state: 'healthy', failed_attempts: 0, admin_dereferenced: false,
    last_failure_at: null, ...over
  };
}

describe('track health', () => {
  it('names the peer and the quality of a copy (kbps)', () => {
    expect(copyPeer(copy({}))).toBe(ID);
    expect(copyQuality(copy({ format: 'flac', bitrate: 1411, sample_rate: 44100 }))).toBe('FLAC · 1411 kbps · 44.1 kHz');
    expect(copyQuality(copy({ format: 'mp3', bitrate: 320, sample_rate: 48000 }))).toBe('MP3 · 320 kbps · 48 kHz');
    expect(copyQuality(copy({}))).toBe('');
  });

  it('lists the copies that need attention first', () => {
    const list = [copy({ id: 'a', title: 'B', health_state: 'healthy' }), copy({ id: 'b', title: 'Z', health_state: 'dereferenced' }),
      copy({ id: 'c', title: 'A', health_state: 'healthy' }), copy({ id: 'd', title: 'M', health_state: 'degraded' })];
    expect(sortCopies(list).map((c) => c.id)).toEqual(['b', 'd', 'c', 'a']);
  });

  it('says what the re-sync task is doing', () => {
    const name = (id: string) => id.slice(0, 4);
    expect(resyncLine({ status: 'idle' }, name)).toBeNull();
    expect(resyncLine(null, name)).toBeNull();
    expect(resyncLine({ status: 'running', peer_id: ID, progress: { processed: 0, total: 3, phase: 'Pinging peer...' } }, name))
      .toEqual({ key: 'p2p.resyncRunning', params: { peer: 'cdcd', phase: 'Pinging peer...' }, peer: ID, done: false });
    expect(resyncLine({ status: 'completed', result: { peer_id: ID, tracks_synced: 5, tracks_already_known: 0, errors: 0, duration_secs: 1.5 } }, name))
      .toMatchObject({ key: 'p2p.resyncDone', params: { tracks: 5, secs: 1.5 }, done: true });
    expect(resyncLine({ status: 'error', message: 'boom' }, name)).toMatchObject({ key: 'p2p.resyncFailed', params: { message: 'boom' } });
  });
});
