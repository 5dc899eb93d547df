/** Each IPAM fault id leaves its mark in the store (what `lab verify` reads) and in `calicoctl ipam check`. */
import { afterEach, describe, expect, test } from 'vitest';
import type { FaultId } from '../../src/sim/context.js';
import { cidrsOverlap, ipToNum, parseCidr } from '../../src/sim/calico/cidr.js';
import type { BlockSpec } from '../../src/sim/calico/ipam.js';
import { R } from '../../src/sim/calico/refs.js';
import { type TestWorld, testWorld } from '../helpers/calico-sim.js';
import type { StoredObject } from '../../src/sim/store.js';

const worlds: TestWorld[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.stop();
});

async function withFault(fault: FaultId): Promise<TestWorld> {
  const w = testWorld({ faults: [fault] });
  worlds.push(w);
  w.applyManifests();
  await w.settled();
  expect(w.ctx.recorder.conditions().map((c) => c.name)).toContain('ipam-faults-applied');
  return w;
}

const bspec = (o: StoredObject): BlockSpec => o.spec as BlockSpec;
const blocks = (w: TestWorld): BlockSpec[] => w.store.list(R.ipamblocks).items.map(bspec);
const POOL = parseCidr('192.168.0.0/16');
const podNetworkPods = (w: TestWorld): StoredObject[] => w.store.list(R.pods).items.filter((p) => (p.spec as { hostNetwork?: boolean }).hostNetwork !== true);
const checkLine = async (w: TestWorld, re: RegExp): Promise<string | undefined> => (await w.run(['ipam', 'check'])).stdout.split('\n').find((l) => re.test(l));

describe('IPAM faults', () => {
  test('node-without-block: one worker has no affinity, no block, no tunnel IP', async () => {
    const w = await withFault('node-without-block');
    const affNodes = new Set(w.store.list(R.blockaffinities).items.map((a) => (a.spec as { node: string }).node));
    const nodes = w.store.list(R.nodes).items.map((n) => n.metadata.name);
    const missing = nodes.filter((n) => !affNodes.has(n));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/worker/);
    expect(blocks(w).some((b) => b.affinity === `host:${missing[0]}`)).toBe(false);
    expect(w.store.get(R.nodes, undefined, missing[0]!)?.metadata.annotations?.['projectcalico.org/IPv4VXLANTunnelAddr']).toBeUndefined();
  });

  test('leaked-ip: an allocation whose pod does not exist; ipam check reports 1 leak', async () => {
    const w = await withFault('leaked-ip');
    const pods = new Set(podNetworkPods(w).map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const orphan = blocks(w).flatMap((b) => b.attributes).filter((a) => a.secondary?.['pod'] && !pods.has(`${a.secondary['namespace']}/${a.secondary['pod']}`));
    expect(orphan).toHaveLength(1);
    expect(await checkLine(w, /allocated in IPAM but not actually in use/)).toBe('Found 1 IPs that are allocated in IPAM but not actually in use.');
    expect((await w.run(['ipam', 'check'])).code).toBe(0);
  });

  test('overlapping-blocks: two IPAMBlocks overlap', async () => {
    const w = await withFault('overlapping-blocks');
    const cidrs = blocks(w).map((b) => parseCidr(b.cidr));
    let overlaps = 0;
    for (let i = 0; i < cidrs.length; i += 1) for (let j = i + 1; j < cidrs.length; j += 1) if (cidrsOverlap(cidrs[i]!, cidrs[j]!)) overlaps += 1;
    expect(overlaps).toBeGreaterThan(0);
  });

  test('block-outside-pool: an IPAMBlock and a confirmed affinity outside the pool', async () => {
    const w = await withFault('block-outside-pool');
    const outside = blocks(w).filter((b) => !cidrsOverlap(POOL, parseCidr(b.cidr)));
    expect(outside).toHaveLength(1);
    const aff = w.store.list(R.blockaffinities).items.find((a) => (a.spec as { cidr: string }).cidr === outside[0]!.cidr);
    expect(aff?.spec).toMatchObject({ state: 'confirmed', deleted: 'false' });
    // calicoctl shows it as an orphaned Block row after the pool's blocks.
    const show = (await w.run(['ipam', 'show', '--show-blocks'])).stdout.trim().split('\n');
    expect(show[show.length - 2]).toContain(outside[0]!.cidr);
  });

  test('affinity-pending: one BlockAffinity stuck pending', async () => {
    const w = await withFault('affinity-pending');
    const states = w.store.list(R.blockaffinities).items.map((a) => (a.spec as { state: string }).state);
    expect(states.filter((s) => s === 'pending')).toHaveLength(1);
  });

  test('duplicate-pod-ip: two pods report the same IP', async () => {
    const w = await withFault('duplicate-pod-ip');
    const ips = podNetworkPods(w).map((p) => (p.status as { podIP: string }).podIP);
    expect(new Set(ips).size).toBe(ips.length - 1);
  });

  test('borrowed-ip: a worker2 pod has an IP from the control-plane block; --show-borrowed lists it', async () => {
    const w = await withFault('borrowed-ip');
    const cpBlock = blocks(w).find((b) => b.affinity === 'host:calico-ipam-control-plane')!;
    const onW2 = podNetworkPods(w).filter((p) => (p.spec as { nodeName: string }).nodeName === 'calico-ipam-worker2');
    const borrowed = onW2.filter((p) => cidrsOverlap(parseCidr(cpBlock.cidr), { base: ipToNum((p.status as { podIP: string }).podIP), prefix: 32 }));
    expect(borrowed).toHaveLength(1);
    const out = (await w.run(['ipam', 'show', '--show-borrowed'])).stdout;
    expect(out).toContain(`| ${(borrowed[0]!.status as { podIP: string }).podIP} `);
    expect(out).toContain('| calico-ipam-worker2 ');
    expect(out).toContain('| calico-ipam-control-plane ');
    expect(await checkLine(w, /^Check complete/)).toBe('Check complete; found 0 problems.');
  });

  test('healthy lab has none of these marks', async () => {
    const w = testWorld();
    worlds.push(w);
    w.applyManifests();
    await w.settled();
    expect(w.ctx.recorder.conditions().map((c) => c.name)).not.toContain('ipam-faults-applied');
    expect(w.store.list(R.blockaffinities).items.every((a) => (a.spec as { state: string }).state === 'confirmed')).toBe(true);
    expect(await checkLine(w, /^Check complete/)).toBe('Check complete; found 0 problems.');
  });
});

test('IPAM faults are in place in the same tick the rollout turns Available (no healthy window for verify)', async () => {
  const w = testWorld({ faults: ['affinity-pending'] });
  worlds.push(w);
  const seen: boolean[] = [];
  w.store.watch(R.tigerastatuses, (e) => {
    const available = ((e.object.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
    if (e.object.metadata.name === 'apiserver' && available && seen.length === 0) {
      seen.push(false);
      queueMicrotask(() => {
        seen[0] = w.store.list(R.blockaffinities).items.some((a) => (a.spec as { state: string }).state === 'pending');
      });
    }
  });
  w.applyManifests();
  await w.settled();
  expect(seen).toEqual([true]);
});
