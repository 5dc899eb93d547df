/**
 * Calico IPAM invariants of the simulated controllers on the 3-node lesson lab and on edge cases
 * (second block, borrowing, release order). Expected blocks come from the issue / ipam-facts
 * (observed on a real calico-ipam cluster), not from the code.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { fnv1_32, firstBlockIndex } from '../../src/sim/calico/blocks.js';
import { cidrSize, cidrsOverlap, ipToNum, parseCidr } from '../../src/sim/calico/cidr.js';
import { type BlockSpec, autoAssign, releaseByHandle } from '../../src/sim/calico/ipam.js';
import { R } from '../../src/sim/calico/refs.js';
import { type TestWorld, testWorld } from '../helpers/calico-sim.js';
import { ObjectStore, type StoredObject } from '../../src/sim/store.js';

const worlds: TestWorld[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.stop();
});

async function lessonLab(): Promise<TestWorld> {
  const w = testWorld();
  worlds.push(w);
  w.applyManifests();
  await w.settled();
  return w;
}

const spec = <T>(o: StoredObject): T => o.spec as T;

/** Real calico-ipam cluster (Calico v3.30.0 operator), see expected-first-blocks.tsv "observed". */
const OBSERVED = {
  'calico-ipam-control-plane': '192.168.18.64/26',
  'calico-ipam-worker': '192.168.131.128/26',
  'calico-ipam-worker2': '192.168.112.128/26',
};

function blockMap(store: ObjectStore): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const b of store.list(R.ipamblocks).items) {
    const s = spec<BlockSpec>(b);
    const node = (s.affinity ?? '').replace(/^host:/, '');
    (out[node] ??= []).push(s.cidr);
  }
  return out;
}

describe('lesson lab (3 nodes, 192.168.0.0/16, /26)', () => {
  test('each node claims the block real Calico v3.30 picks, affinity host:<node>', async () => {
    const w = await lessonLab();
    expect(blockMap(w.store)).toEqual({
      'calico-ipam-control-plane': [OBSERVED['calico-ipam-control-plane']],
      'calico-ipam-worker': [OBSERVED['calico-ipam-worker']],
      'calico-ipam-worker2': [OBSERVED['calico-ipam-worker2']],
    });
    expect(w.store.list(R.ipamblocks).items.map((b) => b.metadata.name).sort()).toEqual(['192-168-112-128-26', '192-168-131-128-26', '192-168-18-64-26']);
  });

  test('block choice is stable across runs', async () => {
    const a = blockMap((await lessonLab()).store);
    const b = blockMap((await lessonLab()).store);
    expect(b).toEqual(a);
  });

  test('no two blocks overlap; every allocated IP and every pod IP is unique and inside its block', async () => {
    const w = await lessonLab();
    const blocks = w.store.list(R.ipamblocks).items.map((b) => spec<BlockSpec>(b));
    for (let i = 0; i < blocks.length; i += 1) for (let j = i + 1; j < blocks.length; j += 1) expect(cidrsOverlap(parseCidr(blocks[i]!.cidr), parseCidr(blocks[j]!.cidr))).toBe(false);
    const ips: string[] = [];
    for (const s of blocks) {
      const c = parseCidr(s.cidr);
      s.allocations.forEach((a, ord) => {
        if (a !== null) ips.push(`${c.base + ord}`);
      });
    }
    expect(new Set(ips).size).toBe(ips.length);
    const podIps = w.store
      .list(R.pods)
      .items.filter((p) => spec<{ hostNetwork?: boolean }>(p).hostNetwork !== true)
      .map((p) => (p.status as { podIP?: string }).podIP);
    expect(podIps.every((ip) => typeof ip === 'string')).toBe(true);
    expect(new Set(podIps).size).toBe(podIps.length);
    for (const ip of podIps) expect(blocks.some((s) => cidrsOverlap(parseCidr(s.cidr), { base: ipToNum(ip!), prefix: 32 }))).toBe(true);
  });

  test('12 IPs in use: control-plane 5, worker 4, worker2 3 (3 tunnels + 9 pods)', async () => {
    const w = await lessonLab();
    const used = Object.fromEntries(w.store.list(R.ipamblocks).items.map((b) => [spec<BlockSpec>(b).affinity, 64 - spec<BlockSpec>(b).unallocated.length]));
    expect(used).toEqual({ 'host:calico-ipam-control-plane': 5, 'host:calico-ipam-worker': 4, 'host:calico-ipam-worker2': 3 });
    expect(w.store.list(R.ipamhandles).items).toHaveLength(12);
  });

  test('tunnel IP = ordinal 0 of the node first block, annotation and handle vxlan-tunnel-addr-<node>', async () => {
    const w = await lessonLab();
    for (const [node, cidr] of Object.entries(OBSERVED)) {
      const n = w.store.get(R.nodes, undefined, node)!;
      expect(n.metadata.annotations?.['projectcalico.org/IPv4VXLANTunnelAddr']).toBe(cidr.split('/')[0]);
      const b = w.store.get(R.ipamblocks, undefined, cidr.replace(/[./]/g, '-'))!;
      const s = spec<BlockSpec>(b);
      const attr = s.attributes[s.allocations[0]!]!;
      expect(attr.handle_id).toBe(`vxlan-tunnel-addr-${node}`);
      expect(attr.secondary).toEqual({ node, type: 'vxlanTunnelAddress' });
      const h = w.store.get(R.ipamhandles, undefined, `vxlan-tunnel-addr-${node}`)!;
      expect(h.spec).toEqual({ handleID: `vxlan-tunnel-addr-${node}`, block: { [cidr]: 1 }, deleted: false });
    }
  });

  test('BlockAffinity <node>-<cidr-dashes>: confirmed, type host, spec.deleted the STRING "false"', async () => {
    const w = await lessonLab();
    const affs = w.store.list(R.blockaffinities).items;
    expect(affs.map((a) => a.metadata.name).sort()).toEqual(['calico-ipam-control-plane-192-168-18-64-26', 'calico-ipam-worker-192-168-131-128-26', 'calico-ipam-worker2-192-168-112-128-26']);
    for (const a of affs) {
      expect(a.apiVersion).toBe('crd.projectcalico.org/v1');
      const s = a.spec as Record<string, unknown>;
      expect(s.deleted).toBe('false');
      expect(typeof s.deleted).toBe('string');
      expect(s.type).toBe('host');
      expect(s.state).toBe('confirmed');
      expect(Object.keys(s).sort()).toEqual(['cidr', 'deleted', 'node', 'state', 'type']);
    }
  });

  test('IPAMBlock shape matches the CRD (required fields, 64 allocations, pod attributes)', async () => {
    const w = await lessonLab();
    const b = w.store.get(R.ipamblocks, undefined, '192-168-18-64-26')!;
    const s = b.spec as Record<string, unknown>;
    for (const k of ['allocations', 'attributes', 'cidr', 'strictAffinity', 'unallocated']) expect(s).toHaveProperty(k);
    expect(s.deleted).toBe(false);
    expect(s.strictAffinity).toBe(false);
    const bs = s as unknown as BlockSpec;
    expect(bs.allocations).toHaveLength(64);
    expect(bs.unallocated).toEqual(Array.from({ length: 59 }, (_, i) => i + 5));
    expect(Object.keys(bs.sequenceNumberForAllocation).sort()).toEqual(['0', '1', '2', '3', '4']);
    expect(bs.sequenceNumber).toBe(5);
    const pod = bs.attributes.find((a) => a.secondary?.['pod']?.startsWith('coredns-'))!;
    expect(pod.handle_id).toMatch(/^k8s-pod-network\.[0-9a-f]{64}$/);
    expect(Object.keys(pod.secondary!).sort()).toEqual(['namespace', 'node', 'pod', 'timestamp']);
    expect(w.store.get(R.ipamconfigs, undefined, 'default')!.spec).toEqual({ strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 });
  });
});

describe('block choice', () => {
  test('FNV-1 32-bit (not FNV-1a)', () => {
    expect(fnv1_32('')).toBe(0x811c9dc5);
    expect(fnv1_32('a')).toBe(0x050c5d7e);
  });

  test('start index from the Go-computed table, for /16 and the observed /17 values', () => {
    expect(firstBlockIndex('kind-worker', 1024)).toBe(650);
    expect(firstBlockIndex('k01-control-plane', 512)).toBe(276);
    const other = firstBlockIndex('some-other-host', 1024);
    expect(other).toBe(firstBlockIndex('some-other-host', 1024));
    expect(other).toBeGreaterThanOrEqual(0);
    expect(other).toBeLessThan(1024);
  });
});

function bareStore(poolCidr: string, blockSize = 26): ObjectStore {
  const s = new ObjectStore();
  s.create(R.ippools, { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: poolCidr, blockSize, vxlanMode: 'CrossSubnet', ipipMode: 'Never', natOutgoing: true, nodeSelector: 'all()' } });
  return s;
}

describe('allocation edge cases', () => {
  test('a node past 64 allocations claims a second block', () => {
    const s = bareStore('192.168.0.0/16');
    for (let i = 0; i < 65; i += 1) expect(autoAssign(s, 'calico-ipam-worker', `h${i}`, { node: 'calico-ipam-worker' })).toBeDefined();
    const affs = s.list(R.blockaffinities).items.filter((a) => spec<{ node: string }>(a).node === 'calico-ipam-worker');
    expect(affs).toHaveLength(2);
    // The walk goes on from the first block: the next block after 192.168.131.128/26.
    expect(affs.map((a) => spec<{ cidr: string }>(a).cidr).sort()).toEqual(['192.168.131.128/26', '192.168.131.192/26']);
  });

  test('a pool full of other nodes blocks → borrowing, attributes keep node=<borrower>', () => {
    const s = bareStore('10.0.0.0/25'); // two /26 blocks
    expect(autoAssign(s, 'a', 'ha', { node: 'a' })).toBeDefined();
    expect(autoAssign(s, 'b', 'hb', { node: 'b' })).toBeDefined();
    const got = autoAssign(s, 'c', 'hc', { node: 'c' })!;
    expect(got).toBeDefined();
    expect(s.list(R.ipamblocks).items).toHaveLength(2);
    expect(s.list(R.blockaffinities).items.some((a) => spec<{ node: string }>(a).node === 'c')).toBe(false);
    const block = s.list(R.ipamblocks).items.find((b) => spec<BlockSpec>(b).cidr === got.block)!;
    const bs = spec<BlockSpec>(block);
    expect(bs.affinity).not.toBe('host:c');
    expect(bs.attributes[bs.allocations[got.ordinal]!]!.secondary).toEqual({ node: 'c' });
  });

  test('released ordinals go to the END of unallocated', () => {
    const s = bareStore('192.168.0.0/16');
    const a = autoAssign(s, 'n', 'h-a', { node: 'n' })!;
    autoAssign(s, 'n', 'h-b', { node: 'n' });
    releaseByHandle(s, 'h-a');
    const bs = spec<BlockSpec>(s.list(R.ipamblocks).items[0]!);
    expect(bs.unallocated[bs.unallocated.length - 1]).toBe(a.ordinal);
    expect(bs.allocations[a.ordinal]).toBeNull();
    expect(s.get(R.ipamhandles, undefined, 'h-a')).toBeUndefined();
    const next = autoAssign(s, 'n', 'h-c', { node: 'n' })!;
    expect(next.ordinal).toBe(2);
    expect(cidrSize(parseCidr(next.block))).toBe(64);
  });
});
