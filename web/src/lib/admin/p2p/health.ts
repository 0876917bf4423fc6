// Logic of the "Track health" tab and of the peers' re-sync line, kept out of the components so that it is
// unit-tested.
import type { CopyHealth, RemoteTrack, ResyncStatus } from '$lib/api/types';

export const HEALTH_CLASS: Record<CopyHealth, string> = {
  healthy: 'bg-green-600/15 text-green-700 dark:text-green-400',
  recovered: 'bg-sky-600/15 text-sky-700 dark:text-sky-400',
  degraded: 'bg-amber-500/15 text-amber-700 dark:text-amber-400',
  dereferenced: 'bg-destructive/15 text-destructive'
};

/** The node id of a copy's peer (instance_domain is "p2p://<node id>"). */
export function copyPeer(c: Pick<RemoteTrack, 'instance_domain'>): string {
  return c.instance_domain.startsWith('p2p://') ? c.instance_domain.slice(6) : c.instance_domain;
}

/** "FLAC · 1411 kbps · 44.1 kHz": what a copy is, for choosing between duplicates (bitrates are kbps). */
export function copyQuality(c: Pick<RemoteTrack, 'format' | 'bitrate' | 'sample_rate'>): string {
  const parts: string[] = [];
  if (c.format) parts.push(c.format.toUpperCase());
  if (c.bitrate && c.bitrate > 0) parts.push(`${c.bitrate} kbps`);
  if (c.sample_rate && c.sample_rate > 0) parts.push(`${Number((c.sample_rate / 1000).toFixed(1))} kHz`);
  return parts.join(' · ');
}

/** Copies needing attention first (dereferenced, then degraded), then by title. */
export function sortCopies(list: RemoteTrack[]): RemoteTrack[] {
  const rank: Record<CopyHealth, number> = { dereferenced: 0, degraded: 1, recovered: 2, healthy: 3 };
  return [...list].sort((a, b) => (rank[a.health_state] ?? 9) - (rank[b.health_state] ?? 9) || a.title.localeCompare(b.title));
}

export type ResyncLine = { key: 'p2p.resyncRunning' | 'p2p.resyncDone' | 'p2p.resyncFailed'; params: Record<string, string | number>; peer: string | null; done: boolean } | null;

/** What to say about the re-sync task, or nothing when idle. */
export function resyncLine(s: ResyncStatus | null, name: (nodeId: string) => string): ResyncLine {
  if (!s) return null;
  switch (s.status) {
    case 'running':
      return { key: 'p2p.resyncRunning', params: { peer: name(s.peer_id), phase: s.progress.phase }, peer: s.peer_id, done: false };
    case 'completed':
      return { key: 'p2p.resyncDone', params: { peer: name(s.result.peer_id), tracks: s.result.tracks_synced, secs: s.result.duration_secs }, peer: s.result.peer_id, done: true };
    case 'error':
      return { key: 'p2p.resyncFailed', params: { message: s.message }, peer: null, done: true };
    default:
      return null;
  }
}
