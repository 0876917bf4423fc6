// Logic of the P2P admin tabs, kept out of the components so that it is unit-tested.
import { ApiError } from '$lib/api/client';
import type { BlockedDomain, NetworkGraph } from '$lib/api/types';

const NODE_ID = /^[0-9a-f]{64}$/i;

export function isNodeId(s: string): boolean {
  return NODE_ID.test(s.trim());
}

/** "3f2a9c01…77be": enough of a NodeId to tell peers apart in a table. */
export function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

export type PeerAddressCheck =
  | { ok: true; nodeId: string; host: string | null; port: number | null; text: string }
  | { ok: false; error: 'empty' | 'nodeId' | 'format' | 'port' };

/**
 * Checks "NodeId" or "NodeId@host:port" the way the server does (p2p/transport/peer_address.cpp) so the form
 * can say what is wrong before sending it. A NodeId alone is enough: the server finds the instance through
 * the DHT, peer records or a rendezvous; the address only adds a first place to try. IPv6 hosts are written
 * in brackets: id@[::1]:11204.
 */
export function checkPeerAddress(input: string): PeerAddressCheck {
  const text = input.trim();
  if (!text) return { ok: false, error: 'empty' };
  const at = text.indexOf('@');
  if (at < 0) {
    if (!NODE_ID.test(text)) return { ok: false, error: 'nodeId' };
    const nodeId = text.toLowerCase();
    return { ok: true, nodeId, host: null, port: null, text: nodeId };
  }
  const id = text.slice(0, at);
  // Not isNodeId: it trims, and "id @host:port" would keep the space in the id sent.
  if (!NODE_ID.test(id)) return { ok: false, error: 'nodeId' };
  const rest = text.slice(at + 1);
  let host: string;
  let port: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return { ok: false, error: 'format' };
    host = rest.slice(1, close);
    port = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) return { ok: false, error: 'format' };
    host = rest.slice(0, colon);
    // An IPv6 address without brackets is ambiguous (is the last group the port?): the server refuses it.
    if (host.includes(':')) return { ok: false, error: 'format' };
    port = rest.slice(colon + 1);
  }
  if (!host || host.length > 253 || /[\s/@]/.test(host)) return { ok: false, error: 'format' };
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return { ok: false, error: 'port' };
  const nodeId = id.toLowerCase();
  const shown = host.includes(':') ? `[${host}]` : host;
  return { ok: true, nodeId, host, port: Number(port), text: `${nodeId}@${shown}:${Number(port)}` };
}

/** True when the server answered that the P2P node does not run (503), so the tab explains how to enable it. */
export function isP2pOff(e: unknown): boolean {
  return e instanceof ApiError && e.status === 503;
}

/** True when the endpoint does not exist on this server (an older build). */
export function isMissing(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 405);
}

export interface BlockedEntry {
  domain: string;
  reason?: string;
}

export type ImportParse = { ok: true; items: BlockedEntry[]; invalid: number } | { ok: false; error: 'json' | 'shape' | 'empty' };

const MAX_DOMAIN = 253;

/**
 * Reads a blocked-list file: the export format ([{domain, reason, ...}]), or a bare list of strings.
 * Entries without a usable domain are counted as invalid; duplicates in the file are kept once.
 */
export function parseBlockedImport(text: string): ImportParse {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: 'json' };
  }
  if (!Array.isArray(data)) return { ok: false, error: 'shape' };
  const seen = new Set<string>();
  const items: BlockedEntry[] = [];
  let invalid = 0;
  for (const raw of data) {
    const obj = typeof raw === 'string' ? { domain: raw } : raw;
    const domain = obj && typeof obj === 'object' && typeof (obj as { domain?: unknown }).domain === 'string' ? (obj as { domain: string }).domain.trim().toLowerCase() : '';
    if (!domain || domain.length > MAX_DOMAIN || /\s/.test(domain)) {
      invalid++;
      continue;
    }
    if (seen.has(domain)) continue;
    seen.add(domain);
    const reason = (obj as { reason?: unknown }).reason;
    items.push(typeof reason === 'string' && reason.trim() ? { domain, reason: reason.trim() } : { domain });
  }
  if (!items.length) return invalid ? { ok: false, error: 'shape' } : { ok: false, error: 'empty' };
  return { ok: true, items, invalid };
}

/** The export file: what the import reads back. */
export function blockedExportFile(list: BlockedDomain[], now = new Date()): { name: string; text: string } {
  const day = now.toISOString().slice(0, 10);
  const text = JSON.stringify(list.map((b) => ({ domain: b.domain, reason: b.reason, created_at: b.created_at })), null, 2) + '\n';
  return { name: `soundtime-blocked-${day}.json`, text };
}

export interface SimNode {
  id: string;
  label: string;
  self: boolean;
  online: boolean;
  tracks: number;
  r: number;
  x?: number;
  y?: number;
  fx?: number | null;
  fy?: number | null;
}

export interface SimLink {
  source: string | SimNode;
  target: string | SimNode;
}

/**
 * The graph as the force layout wants it: this node first, a radius growing slowly with the track count,
 * and no link to a node the answer does not list (d3-force throws on those).
 */
export function graphModel(g: NetworkGraph): { nodes: SimNode[]; links: SimLink[] } {
  const nodes: SimNode[] = [];
  const ids = new Set<string>();
  for (const n of g.nodes ?? []) {
    if (!n || typeof n.id !== 'string' || ids.has(n.id)) continue;
    ids.add(n.id);
    const tracks = Number.isFinite(n.track_count) && n.track_count > 0 ? n.track_count : 0;
    const self = n.node_type === 'self';
    nodes.push({ id: n.id, label: n.label || shortId(n.id), self, online: !!n.online, tracks, r: Math.min(28, (self ? 14 : 9) + Math.log10(1 + tracks) * 4) });
  }
  nodes.sort((a, b) => Number(b.self) - Number(a.self));
  const links = (g.links ?? []).filter((l) => ids.has(l.source) && ids.has(l.target) && l.source !== l.target).map((l) => ({ source: l.source, target: l.target }));
  return { nodes, links };
}
