import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api/client';
import { blockedExportFile, checkPeerAddress, graphModel, isMissing, isNodeId, isP2pOff, parseBlockedImport, shortId } from './p2p';

const ID = 'ab'.repeat(32);

describe('peer address', () => {
  it('accepts NodeId@host:port and normalises it', () => {
    expect(checkPeerAddress(`  ${ID.toUpperCase()}@music.example.org:11204 `)).toEqual({ ok: true, nodeId: ID, host: 'music.example.org', port: 11204, text: `${ID}@music.example.org:11204` });
    expect(checkPeerAddress(`${ID}@[::1]:9`)).toMatchObject({ ok: true, host: '::1', port: 9, text: `${ID}@[::1]:9` });
  });

  it('accepts a NodeId alone (the server finds the instance by its id)', () => {
    expect(checkPeerAddress(ID)).toEqual({ ok: true, nodeId: ID, host: null, port: null, text: ID });
    expect(checkPeerAddress(`\t${ID.toUpperCase()}  `)).toEqual({ ok: true, nodeId: ID, host: null, port: null, text: ID });
    const mixed = '0123456789ABCDEFabcdef'.padEnd(64, 'F');
    expect(checkPeerAddress(mixed)).toMatchObject({ ok: true, text: mixed.toLowerCase() });
  });

  it('says what is wrong', () => {
    expect(checkPeerAddress('  ')).toEqual({ ok: false, error: 'empty' });
    expect(checkPeerAddress('abc@host:1')).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(`${'g'.repeat(64)}@host:1`)).toEqual({ ok: false, error: 'nodeId' });
    // Bad ids, alone or with an address.
    expect(checkPeerAddress('not-an-address')).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(ID.slice(1))).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(ID + 'a')).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(`${ID.slice(2)}zz`)).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(`${ID.slice(0, 32)} ${ID.slice(33)}`)).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(`0x${ID.slice(2)}`)).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(`${ID} @host:1`)).toEqual({ ok: false, error: 'nodeId' });
    expect(checkPeerAddress(`@host:1`)).toEqual({ ok: false, error: 'nodeId' });
    // Good ids with bad addresses.
    expect(checkPeerAddress(`${ID}@`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@@host:1`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@host:`)).toEqual({ ok: false, error: 'port' });
    expect(checkPeerAddress(`${ID}@[::1]`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@host`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@:80`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@a/b:80`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@[::1]80`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@2001:db8::7:11204`)).toEqual({ ok: false, error: 'format' });
    expect(checkPeerAddress(`${ID}@[2001:db8::7]:11204`)).toMatchObject({ ok: true, host: '2001:db8::7', port: 11204 });
    expect(checkPeerAddress(`${ID}@host:0`)).toEqual({ ok: false, error: 'port' });
    expect(checkPeerAddress(`${ID}@host:65536`)).toEqual({ ok: false, error: 'port' });
    expect(checkPeerAddress(`${ID}@host:12a`)).toEqual({ ok: false, error: 'port' });
  });

  it('tells node ids and short forms', () => {
    expect(isNodeId(ID)).toBe(true);
    expect(isNodeId('example.org')).toBe(false);
    expect(shortId(ID)).toBe('abababab…abab');
    expect(shortId('short')).toBe('short');
  });
});

describe('server answers', () => {
  it('knows a stopped node and a missing endpoint', () => {
    expect(isP2pOff(new ApiError(503, 'P2P node is not enabled'))).toBe(true);
    expect(isP2pOff(new ApiError(500, 'x'))).toBe(false);
    expect(isP2pOff(new Error('x'))).toBe(false);
    expect(isMissing(new ApiError(404, 'Not found'))).toBe(true);
    expect(isMissing(new ApiError(409, 'Domain already blocked'))).toBe(false);
  });
});

describe('blocked list files', () => {
  it('reads back what the export writes', () => {
    const list = [
      { id: '1', domain: 'spam.example', reason: 'spam', created_at: '2026-11-24T10:00:00Z' },
      { id: '2', domain: ID, reason: null, created_at: '2026-11-23T10:00:00Z' }
    ];
    const file = blockedExportFile(list, new Date('2026-11-24T16:00:00Z'));
    expect(file.name).toBe('soundtime-blocked-2026-11-24.json');
    expect(parseBlockedImport(file.text)).toEqual({ ok: true, items: [{ domain: 'spam.example', reason: 'spam' }, { domain: ID }], invalid: 0 });
  });

  it('accepts bare strings, drops duplicates, counts unusable entries', () => {
    const r = parseBlockedImport(JSON.stringify(['A.example', { domain: 'a.example' }, { domain: '' }, 42, { reason: 'no domain' }, { domain: 'b c' }, { domain: 'b.example', reason: '  ' }]));
    expect(r).toEqual({ ok: true, items: [{ domain: 'a.example' }, { domain: 'b.example' }], invalid: 4 });
  });

  it('refuses what is not a list of domains', () => {
    expect(parseBlockedImport('not json')).toEqual({ ok: false, error: 'json' });
    expect(parseBlockedImport('{"domain":"a.example"}')).toEqual({ ok: false, error: 'shape' });
    expect(parseBlockedImport('[1, 2]')).toEqual({ ok: false, error: 'shape' });
    expect(parseBlockedImport('[]')).toEqual({ ok: false, error: 'empty' });
  });
});

describe('graph model', () => {
  it('puts this node first, sizes nodes by tracks and drops dangling links', () => {
    const m = graphModel({
      nodes: [
        { id: 'p1', node_type: 'peer', label: 'Peer (p1…)', online: false, track_count: 0, version: null },
        { id: 'me', node_type: 'self', label: 'Me', online: true, track_count: 1000, version: '1' },
        { id: 'p1', node_type: 'peer', label: 'dup', online: true, track_count: 5, version: null },
        { id: 'p2', node_type: 'peer', label: '', online: true, track_count: 99999999, version: null }
      ],
      links: [
        { source: 'me', target: 'p1', link_type: 'peer' },
        { source: 'me', target: 'gone', link_type: 'peer' },
        { source: 'me', target: 'me', link_type: 'peer' },
        { source: 'me', target: 'p2', link_type: 'peer' }
      ]
    });
    expect(m.nodes.map((n) => n.id)).toEqual(['me', 'p1', 'p2']);
    expect(m.nodes[0]).toMatchObject({ self: true, online: true, tracks: 1000 });
    expect(m.nodes[1]).toMatchObject({ self: false, online: false, label: 'Peer (p1…)', r: 9 });
    expect(m.nodes[0].r).toBeGreaterThan(m.nodes[1].r);
    expect(m.nodes[2].label).toBe('p2');
    expect(m.nodes[2].r).toBeLessThanOrEqual(28);
    expect(m.links).toEqual([{ source: 'me', target: 'p1' }, { source: 'me', target: 'p2' }]);
  });

  it('copes with an empty answer', () => {
    expect(graphModel({ nodes: [], links: [] })).toEqual({ nodes: [], links: [] });
  });
});
