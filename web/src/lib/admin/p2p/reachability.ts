// What the P2P admin shows about reachability (issue 13): the link in use with each peer, where its addresses
// come from, and how other instances reach this one. Pure functions, so that they are unit-tested; the
// components only call t() on the keys they return.
import type { P2pReachability, PeerCandidate, PeerPath } from '$lib/api/types';
import { dateTime } from '$lib/util/format';
import { shortId } from './p2p';

const PATHS: readonly PeerPath[] = ['direct_tcp', 'ice_direct', 'turn_relay'];
const SOURCES = ['configured', 'record', 'dht', 'observed', 'lan', 'pex'];

/** The path a badge can name, or null (offline, an older server, or a kind this build does not know). */
export function knownPath(path: string | null | undefined): PeerPath | null {
  return PATHS.includes(path as PeerPath) ? (path as PeerPath) : null;
}

/** The i18n key naming a candidate's source, or null for a source this build does not know (shown as sent). */
export function sourceKey(source: string): string | null {
  return SOURCES.includes(source) ? `p2p.source.${source}` : null;
}

/** Candidates that worked most recently first, then the others in the server's order; junk entries dropped. */
export function sortCandidates(list: PeerCandidate[] | null | undefined): PeerCandidate[] {
  const ok = (c: PeerCandidate) => (c.last_ok ? Date.parse(c.last_ok) || 0 : 0);
  return (list ?? [])
    .filter((c) => c && typeof c.address === 'string' && c.address)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => ok(b.c) - ok(a.c) || a.i - b.i)
    .map(({ c }) => c);
}

/**
 * The reason a peer is offline, as the server words it; also read from an add answer such as
 * "added (not reachable yet: no address answered)" when the peer object has none.
 */
export function offlineReason(message: string | null | undefined, reason: string | null | undefined): string | null {
  if (reason?.trim()) return reason.trim();
  const m = /not reachable yet:\s*(.+?)\)?\s*$/.exec(message ?? '');
  return m ? m[1].trim() || null : null;
}

export type Tone = 'ok' | 'warn' | 'info';

export interface ReachLine {
  key: string;
  params?: Record<string, string | number>;
  tone: Tone;
}

export interface ReachRow {
  /** data-testid of the row: reach-<id>. */
  id: 'published' | 'port-mapping' | 'dht' | 'rendezvous' | 'servers';
  title: string;
  lines: ReachLine[];
  /** Addresses or peers, one per line (monospace). */
  items?: string[];
}

const PROTOCOLS: Record<string, string> = { pcp: 'PCP', natpmp: 'NAT-PMP', upnp: 'UPnP' };

/**
 * The "Reachability" panel as rows of i18n keys. `name` turns a node id into what the admin knows it by
 * (a peer's name); `lang` formats the publish time. Tolerates a partial answer (a server mid-upgrade).
 */
export function reachabilityRows(r: P2pReachability, lang = 'en', name: (id: string) => string = shortId): ReachRow[] {
  const published = (r.published_addresses ?? []).filter(Boolean);
  const pm = r.port_mapping;
  const dht = r.dht;
  const rows: ReachRow[] = [];

  rows.push(
    published.length
      ? { id: 'published', title: 'p2p.reach.published', lines: [{ key: 'p2p.reach.publishedSome', tone: 'ok' }], items: published }
      : { id: 'published', title: 'p2p.reach.published', lines: [{ key: 'p2p.reach.publishedNone', tone: 'info' }] }
  );

  const mapping: ReachLine[] = [];
  if (!pm?.enabled) mapping.push({ key: 'p2p.reach.mappingOff', tone: 'info' });
  else if (pm.active) {
    const protocol = PROTOCOLS[pm.protocol ?? ''] ?? pm.protocol ?? '?';
    mapping.push(pm.external ? { key: 'p2p.reach.mappingActive', params: { protocol, external: pm.external }, tone: 'ok' } : { key: 'p2p.reach.mappingNoAddress', params: { protocol }, tone: 'info' });
  } else if (pm.last_error) mapping.push({ key: 'p2p.reach.mappingFailed', params: { error: pm.last_error }, tone: 'warn' });
  else mapping.push({ key: 'p2p.reach.mappingNone', tone: 'info' });
  if (pm?.double_nat) mapping.push({ key: 'p2p.reach.doubleNat', tone: 'warn' });
  rows.push({ id: 'port-mapping', title: 'p2p.reach.portMapping', lines: mapping });

  const d: ReachLine[] = [];
  if (!dht?.enabled) d.push({ key: 'p2p.reach.dhtOff', tone: 'info' });
  else {
    const size = dht.routing_table_size ?? 0;
    d.push(size > 0 ? { key: 'p2p.reach.dhtOn', params: { count: size }, tone: 'ok' } : { key: 'p2p.reach.dhtEmpty', tone: 'warn' });
    const when = dateTime(dht.last_publish, lang);
    d.push(when ? { key: 'p2p.reach.dhtPublished', params: { time: when, count: dht.last_publish_stored ?? 0 }, tone: 'info' } : { key: 'p2p.reach.dhtNotPublished', tone: 'info' });
    d.push({ key: 'p2p.reach.dhtCounters', params: { lookups: dht.lookups ?? 0, rejected: dht.records_rejected ?? 0 }, tone: 'info' });
  }
  rows.push({ id: 'dht', title: 'p2p.reach.dht', lines: d });

  const rv: ReachLine[] = [];
  const using = (r.rendezvous_peers ?? []).filter(Boolean);
  if (r.rendezvous_offered) rv.push({ key: 'p2p.reach.rendezvousOffered', params: { forwarded: r.signals_forwarded ?? 0, dropped: r.signals_dropped ?? 0 }, tone: 'ok' });
  if (using.length) rv.push({ key: 'p2p.reach.rendezvousUsing', params: { count: using.length }, tone: 'ok' });
  else if (!published.length) rv.push({ key: 'p2p.reach.rendezvousNoneNat', tone: 'warn' });
  else if (!r.rendezvous_offered) rv.push({ key: 'p2p.reach.rendezvousNone', tone: 'info' });
  rows.push({ id: 'rendezvous', title: 'p2p.reach.rendezvous', lines: rv, ...(using.length ? { items: using.map(name) } : {}) });

  const stun = (r.stun_servers ?? []).filter(Boolean);
  const turn = (r.turn_servers ?? []).filter(Boolean);
  rows.push({
    id: 'servers',
    title: 'p2p.reach.servers',
    lines: [
      stun.length ? { key: 'p2p.reach.stun', params: { servers: stun.join(', ') }, tone: 'ok' } : { key: 'p2p.reach.noStun', tone: 'info' },
      turn.length ? { key: 'p2p.reach.turn', params: { servers: turn.join(', ') }, tone: 'ok' } : { key: 'p2p.reach.noTurn', tone: 'warn' }
    ]
  });
  return rows;
}
