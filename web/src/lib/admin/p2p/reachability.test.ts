import { describe, expect, it } from 'vitest';
import type { P2pReachability } from '$lib/api/types';
import en from '$lib/i18n/locales/en';
import { dateTime } from '$lib/util/format';
import { knownPath, offlineReason, reachabilityRows, sortCandidates, sourceKey, type ReachRow } from './reachability';

const A = 'ab'.repeat(32);
const B = 'cd'.repeat(32);

function reach(over: Partial<P2pReachability> = {}): P2pReachability {
  return {
    published_addresses: [],
    proven_addresses: [],
    port_mapping: { enabled: true, active: false, protocol: null, external: null, double_nat: false, last_error: null },
    dht: { enabled: true, routing_table_size: 0, last_publish: null, last_publish_stored: 0, records_rejected: 0, lookups: 0 },
    rendezvous_offered: false,
    rendezvous_peers: [],
    stun_servers: [],
    turn_servers: [],
    signals_forwarded: 0,
    signals_dropped: 0,
    ...over
  };
}

const row = (rows: ReachRow[], id: ReachRow['id']) => rows.find((r) => r.id === id)!;
const keys = (rows: ReachRow[], id: ReachRow['id']) => row(rows, id).lines.map((l) => l.key);
const dict = en as Record<string, string>;

describe('peer path and candidates', () => {
  it('names the known paths only', () => {
    expect(knownPath('direct_tcp')).toBe('direct_tcp');
    expect(knownPath('ice_direct')).toBe('ice_direct');
    expect(knownPath('turn_relay')).toBe('turn_relay');
    expect(knownPath(null)).toBeNull();
    expect(knownPath(undefined)).toBeNull();
    expect(knownPath('carrier_pigeon')).toBeNull();
    for (const p of ['direct_tcp', 'ice_direct', 'turn_relay']) {
      expect(dict).toHaveProperty([`p2p.path.${p}`]);
      expect(dict).toHaveProperty([`p2p.pathHelp.${p}`]);
    }
  });

  it('has a label for each source of the contract and none for others', () => {
    for (const s of ['configured', 'record', 'dht', 'observed', 'lan', 'pex']) expect(dict).toHaveProperty([sourceKey(s)!]);
    expect(sourceKey('mdns')).toBeNull();
    expect(sourceKey('')).toBeNull();
  });

  it('lists the candidates that worked most recently first', () => {
    const list = [
      { address: '198.18.0.1:1', source: 'dht', last_ok: null },
      { address: '198.18.0.2:1', source: 'pex', last_ok: '2026-11-24T10:00:00Z' },
      { address: '', source: 'pex', last_ok: null },
      { address: '198.18.0.3:1', source: 'record', last_ok: '2026-11-24T11:00:00Z' },
      { address: '198.18.0.4:1', source: 'lan', last_ok: 'garbage' }
    ];
    expect(sortCandidates(list).map((c) => c.address)).toEqual(['198.18.0.3:1', '198.18.0.2:1', '198.18.0.1:1', '198.18.0.4:1']);
    expect(sortCandidates(undefined)).toEqual([]);
  });

  it('finds why a peer is offline', () => {
    expect(offlineReason('added', ' no address answered ')).toBe('no address answered');
    expect(offlineReason('added (not reachable yet: no record found on the DHT)', null)).toBe('no record found on the DHT');
    expect(offlineReason('added (not reachable yet: both behind symmetric NAT (no TURN server))', undefined)).toBe('both behind symmetric NAT (no TURN server)');
    expect(offlineReason('added', null)).toBeNull();
    expect(offlineReason(undefined, '  ')).toBeNull();
  });
});

describe('reachability panel', () => {
  it('explains a node behind NAT with nothing configured', () => {
    const rows = reachabilityRows(reach());
    expect(rows.map((r) => r.id)).toEqual(['published', 'port-mapping', 'dht', 'rendezvous', 'servers']);
    expect(keys(rows, 'published')).toEqual(['p2p.reach.publishedNone']);
    expect(row(rows, 'published').items).toBeUndefined();
    expect(keys(rows, 'port-mapping')).toEqual(['p2p.reach.mappingNone']);
    expect(keys(rows, 'dht')).toEqual(['p2p.reach.dhtEmpty', 'p2p.reach.dhtNotPublished', 'p2p.reach.dhtCounters']);
    expect(keys(rows, 'rendezvous')).toEqual(['p2p.reach.rendezvousNoneNat']);
    expect(row(rows, 'servers').lines).toEqual([
      { key: 'p2p.reach.noStun', tone: 'info' },
      { key: 'p2p.reach.noTurn', tone: 'warn' }
    ]);
  });

  it('shows a reachable node: published addresses, mapping, DHT publish, rendezvous, servers', () => {
    const rows = reachabilityRows(
      reach({
        published_addresses: ['198.18.0.10:11204'],
        port_mapping: { enabled: true, active: true, protocol: 'natpmp', external: '198.18.0.10:11204', double_nat: false, last_error: null },
        dht: { enabled: true, routing_table_size: 42, last_publish: '2026-11-24T10:00:00Z', last_publish_stored: 8, records_rejected: 1, lookups: 5 },
        rendezvous_offered: true,
        rendezvous_peers: [A, B],
        stun_servers: ['198.18.0.1:3478'],
        turn_servers: ['198.18.0.1:3478', '198.18.0.2:3478'],
        signals_forwarded: 7,
        signals_dropped: 2
      }),
      'en',
      (id) => (id === A ? 'Alice' : id.slice(0, 4))
    );
    expect(row(rows, 'published')).toMatchObject({ lines: [{ key: 'p2p.reach.publishedSome', tone: 'ok' }], items: ['198.18.0.10:11204'] });
    expect(row(rows, 'port-mapping').lines).toEqual([{ key: 'p2p.reach.mappingActive', params: { protocol: 'NAT-PMP', external: '198.18.0.10:11204' }, tone: 'ok' }]);
    expect(row(rows, 'dht').lines).toEqual([
      { key: 'p2p.reach.dhtOn', params: { count: 42 }, tone: 'ok' },
      { key: 'p2p.reach.dhtPublished', params: { time: dateTime('2026-11-24T10:00:00Z', 'en'), count: 8 }, tone: 'info' },
      { key: 'p2p.reach.dhtCounters', params: { lookups: 5, rejected: 1 }, tone: 'info' }
    ]);
    expect(row(rows, 'rendezvous').lines).toEqual([
      { key: 'p2p.reach.rendezvousOffered', params: { forwarded: 7, dropped: 2 }, tone: 'ok' },
      { key: 'p2p.reach.rendezvousUsing', params: { count: 2 }, tone: 'ok' }
    ]);
    expect(row(rows, 'rendezvous').items).toEqual(['Alice', 'cdcd']);
    expect(row(rows, 'servers').lines).toEqual([
      { key: 'p2p.reach.stun', params: { servers: '198.18.0.1:3478' }, tone: 'ok' },
      { key: 'p2p.reach.turn', params: { servers: '198.18.0.1:3478, 198.18.0.2:3478' }, tone: 'ok' }
    ]);
  });

  it('says why the port mapping does not help', () => {
    const failed = reachabilityRows(reach({ port_mapping: { enabled: true, active: false, protocol: null, external: null, double_nat: false, last_error: 'UPnP: no IGD found' } }));
    expect(row(failed, 'port-mapping').lines).toEqual([{ key: 'p2p.reach.mappingFailed', params: { error: 'UPnP: no IGD found' }, tone: 'warn' }]);
    const double = reachabilityRows(reach({ port_mapping: { enabled: true, active: true, protocol: 'upnp', external: null, double_nat: true, last_error: null } }));
    expect(row(double, 'port-mapping').lines).toEqual([
      { key: 'p2p.reach.mappingNoAddress', params: { protocol: 'UPnP' }, tone: 'info' },
      { key: 'p2p.reach.doubleNat', tone: 'warn' }
    ]);
    const off = reachabilityRows(reach({ port_mapping: { enabled: false, active: false, protocol: null, external: null, double_nat: false, last_error: 'old' } }));
    expect(keys(off, 'port-mapping')).toEqual(['p2p.reach.mappingOff']);
  });

  it('tells a switched-off DHT and a public node that needs no rendezvous', () => {
    const rows = reachabilityRows(reach({ published_addresses: ['198.18.0.10:1'], dht: { enabled: false, routing_table_size: 0, last_publish: null, last_publish_stored: 0, records_rejected: 0, lookups: 0 } }));
    expect(keys(rows, 'dht')).toEqual(['p2p.reach.dhtOff']);
    expect(keys(rows, 'rendezvous')).toEqual(['p2p.reach.rendezvousNone']);
  });

  it('copes with a partial answer (a server mid-upgrade)', () => {
    const rows = reachabilityRows({ published_addresses: ['198.18.0.10:1'] } as unknown as P2pReachability);
    expect(rows).toHaveLength(5);
    expect(keys(rows, 'port-mapping')).toEqual(['p2p.reach.mappingOff']);
    expect(keys(rows, 'dht')).toEqual(['p2p.reach.dhtOff']);
  });

  it('uses only keys that exist, with the placeholders they need', () => {
    const samples = [
      reach(),
      reach({ published_addresses: ['198.18.0.10:1'], rendezvous_offered: true, rendezvous_peers: [A], stun_servers: ['s:1'], turn_servers: ['t:1'] }),
      reach({ port_mapping: { enabled: true, active: true, protocol: 'pcp', external: '198.18.0.10:1', double_nat: true, last_error: null } }),
      reach({ port_mapping: { enabled: true, active: false, protocol: null, external: null, double_nat: false, last_error: 'x' }, dht: { enabled: true, routing_table_size: 3, last_publish: '2026-11-24T10:00:00Z', last_publish_stored: 1, records_rejected: 0, lookups: 0 } })
    ];
    for (const r of samples) {
      for (const rw of reachabilityRows(r)) {
        expect(dict).toHaveProperty([rw.title]);
        for (const l of rw.lines) {
          expect(dict).toHaveProperty([l.key]);
          const wanted = [...dict[l.key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
          expect(Object.keys(l.params ?? {}).sort(), l.key).toEqual([...new Set(wanted)].sort());
        }
      }
    }
  });
});
