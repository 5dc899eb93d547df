/**
 * `docker exec <kind node> ip -j …` in the simulated world: outputs derived from the store (pods,
 * nodes, IPAM blocks, IPPool), read back with the product's parsers; change the state → the output
 * changes; the exec faults. The fake docker is driven directly over a Calico test world.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { parseIpLinksJsonText, parseIpRouteJsonText, parseIpAddrText } from '../../src/observe/index.js';
import type { FaultId, SimContainer, ToolInvocation } from '../../src/sim/context.js';
import type { SimRuntime } from '../../src/sim/dispatch/runtime.js';
import { R } from '../../src/sim/calico/refs.js';
import { docker } from '../../src/sim/tools/docker.js';
import type { StoredObject } from '../../src/sim/store.js';
import { planPodExec } from '../../src/sim/exec/pods.js';
import { testWorld, type TestWorld } from '../helpers/calico-sim.js';

const worlds: TestWorld[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.stop();
});

async function lab(faults: FaultId[] = []): Promise<{ w: TestWorld; run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> }> {
  const w = testWorld({ faults });
  worlds.push(w);
  w.applyManifests();
  await w.settled();
  w.host.networks.set('kind', { name: 'kind', id: 'n1', subnets: [{ subnet: '172.18.0.0/16', gateway: '172.18.0.1' }], labels: {} });
  w.cluster.nodes.forEach((n, i) => {
    const c: SimContainer = { id: `${i}`.repeat(64), name: n.name, image: 'kindest/node:v1.28.0', labels: {}, state: 'running', createdAt: new Date(), networks: { kind: { ipv4: `172.18.0.${i + 2}`, ipv6: '' } }, ports: '' };
    w.host.containers.set(c.id, c);
  });
  const rt = { ctx: w.ctx, host: w.host, spentFaults: new Set<string>() } as unknown as SimRuntime;
  const handler = docker(rt);
  return {
    w,
    async run(argv) {
      let stdout = '';
      let stderr = '';
      const inv: ToolInvocation = { argv, cwd: process.cwd(), env: {}, stdin: Buffer.alloc(0), signal: new AbortController().signal, out: (c) => (stdout += c.toString()), err: (c) => (stderr += c) };
      const code = await handler(inv);
      return { code, stdout, stderr };
    },
  };
}

const podIP = (p: StoredObject): string => (p.status as { podIP: string }).podIP;
const nodeOf = (p: StoredObject): string => (p.spec as { nodeName: string }).nodeName;
const caliOf = (p: StoredObject): string => `cali${createHash('sha1').update(`${p.metadata.namespace}.${p.metadata.name}`).digest('hex').slice(0, 11)}`;
const blocksOf = (w: TestWorld, node: string): string[] => w.store.list(R.ipamblocks).items.map((b) => b.spec as { cidr: string; affinity: string }).filter((b) => b.affinity === `host:${node}`).map((b) => b.cidr);
const networkPods = (w: TestWorld, node: string): StoredObject[] => w.store.list(R.pods).items.filter((p) => nodeOf(p) === node && (p.spec as { hostNetwork?: boolean }).hostNetwork !== true && (p.status as { podIP?: string }).podIP);

describe('docker exec into a simulated kind node', () => {
  test('ip -j route: a /32 per local pod on its cali interface, a blackhole per own block, the other blocks via their node IP onlink', async () => {
    const { w, run } = await lab();
    const node = w.cluster.nodes[1]!.name; // calico-ipam-worker
    const r = await run(['exec', node, 'ip', '-j', 'route']);
    expect(r.code, r.stderr).toBe(0);
    const routes = parseIpRouteJsonText(r.stdout);
    expect(routes[0]).toEqual({ type: 'unicast', dst: 'default', via: '172.18.0.1', dev: 'eth0', flags: [] });
    const pods = networkPods(w, node);
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) expect(routes).toContainEqual({ type: 'unicast', dst: podIP(p), dev: caliOf(p), scope: 'link', flags: [] });
    expect(routes.filter((x) => x.type === 'blackhole').map((x) => [x.dst, x.proto])).toEqual(blocksOf(w, node).map((b) => [b, '80']));
    const others = w.cluster.nodes.filter((n) => n.name !== node);
    for (const [i, o] of others.entries()) {
      const ip = `172.18.0.${w.cluster.nodes.indexOf(o) + 2}`;
      for (const b of blocksOf(w, o.name)) expect(routes, `${b} via ${ip} (${i})`).toContainEqual({ type: 'unicast', dst: b, via: ip, dev: 'eth0', proto: '80', flags: ['onlink'] });
    }
  });

  test('ip -j addr: eth0 1500 on the kind network, vxlan.calico 1450 with the tunnel IP, cali links ee:ee… with a netns and no IPv4', async () => {
    const { w, run } = await lab();
    const node = w.cluster.nodes[2]!.name;
    const links = parseIpLinksJsonText((await run(['exec', node, 'ip', '-j', 'addr'])).stdout);
    expect(links.find((l) => l.name === 'eth0')).toMatchObject({ mtu: 1500, addresses: [{ family: 'inet', local: '172.18.0.4', prefixlen: 16 }] });
    const tunnel = w.store.get(R.nodes, undefined, node)!.metadata.annotations?.['projectcalico.org/IPv4VXLANTunnelAddr'];
    expect(tunnel).toBeDefined();
    expect(links.find((l) => l.name === 'vxlan.calico')).toMatchObject({ mtu: 1450, addresses: [{ family: 'inet', local: tunnel, prefixlen: 32 }] });
    const calis = links.filter((l) => l.name.startsWith('cali'));
    expect(calis.map((l) => l.name).sort()).toEqual(networkPods(w, node).map(caliOf).sort());
    for (const c of calis) {
      expect([c.mac, c.mtu, typeof c.linkNetnsId, c.addresses.filter((a) => a.family === 'inet')]).toEqual(['ee:ee:ee:ee:ee:ee', 1450, 'number', []]);
    }
  });

  test('the state changes → the output changes: a pod deleted loses its route and its cali link', async () => {
    const { w, run } = await lab();
    const node = w.cluster.nodes[1]!.name;
    const victim = networkPods(w, node)[0]!;
    w.store.delete(R.pods, victim.metadata.namespace, victim.metadata.name);
    const routes = parseIpRouteJsonText((await run(['exec', node, 'ip', '-j', 'route'])).stdout);
    expect(routes.find((r) => r.dst === podIP(victim))).toBeUndefined();
    const links = parseIpLinksJsonText((await run(['exec', node, 'ip', '-j', 'link'])).stdout);
    expect(links.find((l) => l.name === caliOf(victim))).toBeUndefined();
  });

  test('VXLAN Always: other blocks go via the tunnel IPs on vxlan.calico', async () => {
    const { w, run } = await lab();
    w.store.mutate(R.ippools, undefined, 'default-ipv4-ippool', (p) => Object.assign(p.spec as object, { vxlanMode: 'Always' }));
    const node = w.cluster.nodes[0]!.name;
    const routes = parseIpRouteJsonText((await run(['exec', node, 'ip', '-j', 'route'])).stdout);
    const worker = w.store.get(R.nodes, undefined, w.cluster.nodes[1]!.name)!;
    const tunnel = worker.metadata.annotations?.['projectcalico.org/IPv4VXLANTunnelAddr'];
    for (const b of blocksOf(w, worker.metadata.name)) expect(routes).toContainEqual({ type: 'unicast', dst: b, via: tunnel, dev: 'vxlan.calico', proto: '80', flags: ['onlink'] });
  });

  test('errors as docker prints them: unknown container, a program the node lacks, ip text forms', async () => {
    const { w, run } = await lab();
    expect(await run(['exec', 'nope', 'ip', 'route'])).toEqual({ code: 1, stdout: '', stderr: 'Error response from daemon: No such container: nope\n' });
    const missing = await run(['exec', w.cluster.nodes[0]!.name, 'dig']);
    expect([missing.code, missing.stderr]).toEqual([127, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "dig": executable file not found in $PATH: unknown\n']);
    const shell = await run(['exec', w.cluster.nodes[0]!.name, 'sh', '-c', 'dig']);
    expect([shell.code, shell.stderr]).toEqual([127, 'sh: dig: not found\n']);
    const text = parseIpAddrText((await run(['exec', w.cluster.nodes[0]!.name, 'ip', 'addr'])).stdout);
    expect(text.find((l) => l.name.startsWith('cali'))?.linkNetns).toMatch(/^cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('exec faults', () => {
  test('missing-pod-route: exactly one local pod route is gone from its node', async () => {
    const healthy = await lab();
    const faulty = await lab(['missing-pod-route']);
    let missing = 0;
    for (const n of faulty.w.cluster.nodes) {
      const routes = parseIpRouteJsonText((await faulty.run(['exec', n.name, 'ip', '-j', 'route'])).stdout);
      for (const p of networkPods(faulty.w, n.name)) if (!routes.some((r) => r.dst === podIP(p))) missing += 1;
    }
    expect(missing).toBe(1);
    const n0 = healthy.w.cluster.nodes[0]!.name;
    const all = parseIpRouteJsonText((await healthy.run(['exec', n0, 'ip', '-j', 'route'])).stdout);
    expect(networkPods(healthy.w, n0).every((p) => all.some((r) => r.dst === podIP(p)))).toBe(true);
  });

  test("pod-mtu-mismatch: the pod's eth0 reports 1500 while its cali peer stays 1450", async () => {
    const { w, run } = await lab(['pod-mtu-mismatch']);
    const pod = w.store.list(R.pods).items.find((p) => p.metadata.name.startsWith('coredns-'))!;
    const plan = planPodExec({ store: w.store, faults: w.ctx.faults }, { namespace: 'kube-system', pod: pod.metadata.name, container: undefined, command: ['ip', 'addr', 'show', 'dev', 'eth0'] });
    if (!plan.ok) throw new Error(plan.status.message);
    expect(parseIpAddrText(plan.run().stdout)[0]?.mtu).toBe(1500);
    const links = parseIpLinksJsonText((await run(['exec', nodeOf(pod), 'ip', '-j', 'link'])).stdout);
    expect(links.find((l) => l.name === caliOf(pod))?.mtu).toBe(1450);
  });
});

describe('a pod and its node agree', () => {
  test("the pod's eth0@ifN is its cali interface's ifindex on the node, and the cali peer is the pod's eth0", async () => {
    const { w, run } = await lab();
    const world = { store: w.store, faults: w.ctx.faults };
    let checked = 0;
    for (const pod of w.store.list(R.pods).items.filter((p) => (p.status as { podIP?: string }).podIP && (p.spec as { hostNetwork?: boolean }).hostNetwork !== true)) {
      const plan = planPodExec(world, { namespace: pod.metadata.namespace!, pod: pod.metadata.name, container: undefined, command: ['ip', 'addr'] });
      if (!plan.ok) continue; // several containers: not this test's concern
      const eth0 = parseIpAddrText(plan.run().stdout).find((l) => l.name === 'eth0')!;
      const cali = parseIpLinksJsonText((await run(['exec', nodeOf(pod), 'ip', '-j', 'link'])).stdout).find((l) => l.name === caliOf(pod))!;
      expect([eth0.peerIfindex, cali.peerIfindex, eth0.mtu], pod.metadata.name).toEqual([cali.ifindex, eth0.ifindex, cali.mtu]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(2);
  });

  test('a Pending pod without a node: 400 "does not have a host assigned"; a completed pod: 400 naming its phase', async () => {
    const { w } = await lab();
    w.store.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'waiting', namespace: 'default' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending' } });
    w.store.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'done', namespace: 'default' }, spec: { nodeName: w.cluster.nodes[1]!.name, containers: [{ name: 'c' }] }, status: { phase: 'Succeeded' } });
    const world = { store: w.store, faults: w.ctx.faults };
    const a = planPodExec(world, { namespace: 'default', pod: 'waiting', container: undefined, command: ['hostname'] });
    const b = planPodExec(world, { namespace: 'default', pod: 'done', container: undefined, command: ['hostname'] });
    expect(a.ok ? undefined : [a.status.code, a.status.message]).toEqual([400, 'pod waiting does not have a host assigned']);
    expect(b.ok ? undefined : [b.status.code, b.status.message]).toEqual([400, 'cannot exec into a container in a completed pod; current phase is Succeeded']);
  });
});
