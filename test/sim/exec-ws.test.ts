/**
 * Exec through the simulated API server's pods/<name>/exec WebSocket: the product's execInPod
 * (client-node's Exec, v5 offered first) and a raw `ws` client offering one subprotocol (v4 / v5),
 * against pods of a booted sim world (Calico-managed coredns / calico-kube-controllers).
 */
import { request } from 'node:https';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { InterruptedError, TimeoutError } from '../../src/errors.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execInPod, ExecError } from '../../src/kube/exec.js';
import { podNetwork } from '../../src/observe/index.js';
import { KubeClient } from '../../src/kube/client.js';
import { startApiServer, type ApiServer } from '../../src/sim/apiserver/index.js';
import { R } from '../../src/sim/calico/refs.js';
import type { StoredObject } from '../../src/sim/store.js';
import { testWorld, type TestWorld } from '../helpers/calico-sim.js';

let w: TestWorld;
let api: ApiServer;
let kube: KubeClient;
let pod: StoredObject;

beforeAll(async () => {
  w = testWorld();
  w.store.create(R.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } });
  w.applyManifests();
  await w.settled();
  api = await startApiServer({ store: w.store, establishDelayMs: 10 });
  kube = await KubeClient.fromString(api.kubeconfig('calico-ipam'));
  pod = w.store.list(R.pods).items.find((p) => p.metadata.name.startsWith('coredns-'))!;
});
afterAll(async () => {
  kube?.close();
  await api?.close();
  w?.stop();
});

const podIP = (p: StoredObject): string => (p.status as { podIP: string }).podIP;

describe('execInPod against the simulated API server', () => {
  test('podNetwork: eth0 with the pod IP /32 and MTU 1450, only the 169.254.1.1 routes, the cluster DNS', async () => {
    const net = await podNetwork(kube, { namespace: 'kube-system', name: pod.metadata.name }, { timeoutMs: 10_000 });
    expect(net.addresses).toEqual([{ family: 'inet', local: podIP(pod), prefixlen: 32, scope: 'global', label: 'eth0' }]);
    expect(net.mtu).toBe(1450);
    expect(net.routes.map((r) => [r.dst, r.via, r.dev, r.scope])).toEqual([
      ['default', '169.254.1.1', 'eth0', undefined],
      ['169.254.1.1', undefined, 'eth0', 'link'],
    ]);
    expect(net.resolv).toEqual({ nameservers: ['10.96.0.10'], search: ['kube-system.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: { ndots: '5' } });
  });

  test('stdout of `ip -4 addr show dev eth0` holds the pod IP /32 and the VXLAN MTU; exit 0', async () => {
    const r = await execInPod(kube, { namespace: 'kube-system', pod: pod.metadata.name, command: ['ip', '-4', 'addr', 'show', 'dev', 'eth0'], timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^2: eth0@if\d+: <[^>]*> mtu 1450 /);
    expect(r.stdout).toContain(`inet ${podIP(pod)}/32 scope global eth0`);
  });

  test('an unknown command: stderr "sh: …: not found" and exit 127 from the status channel', async () => {
    const r = await execInPod(kube, { namespace: 'kube-system', pod: pod.metadata.name, command: ['dig', 'kubernetes'], timeoutMs: 10_000 });
    expect(r).toEqual({ stdout: '', stderr: 'sh: dig: not found\n', exitCode: 127 });
  });

  test('resolv.conf names the kube-dns ClusterIP, the namespace search list and ndots:5', async () => {
    const r = await execInPod(kube, { namespace: 'kube-system', pod: pod.metadata.name, command: ['cat', '/etc/resolv.conf'], timeoutMs: 10_000 });
    expect(r.stdout.split('\n')).toEqual(['search kube-system.svc.cluster.local svc.cluster.local cluster.local', 'nameserver 10.96.0.10', 'options ndots:5', '']);
  });

  test('an unknown pod: ExecError pod-not-found naming the pod', async () => {
    const e = await execInPod(kube, { namespace: 'kube-system', pod: 'nope-123', command: ['hostname'], timeoutMs: 10_000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExecError);
    expect((e as ExecError).failure).toBe('pod-not-found');
    expect((e as ExecError).message).toBe('pod kube-system/nope-123 not found');
  });

  test('a container the pod does not have: container-missing with the pod\'s containers in the hint', async () => {
    const e = (await execInPod(kube, { namespace: 'kube-system', pod: pod.metadata.name, container: 'sidecar', command: ['hostname'], timeoutMs: 10_000 }).catch((x: unknown) => x)) as ExecError;
    expect(e.failure).toBe('container-missing');
    expect(e.hint).toBe('its containers: coredns');
  });

  test('a server that never answers: TimeoutError at the deadline, not a hang', async () => {
    const held: Socket[] = [];
    const silent = createServer((sock) => held.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const mute = await KubeClient.fromString(api.kubeconfig('calico-ipam').replace(api.url, `https://127.0.0.1:${port}`));
    try {
      const t0 = Date.now();
      const e = await execInPod(mute, { namespace: 'kube-system', pod: pod.metadata.name, command: ['hostname'], timeoutMs: 400 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TimeoutError);
      expect((e as TimeoutError).message).toBe(`exec in kube-system/${pod.metadata.name} did not finish within 0.4 s`);
      expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
      mute.close();
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  test('a pod that is not running: pod-not-running naming its phase', async () => {
    // on a node the sim's Calico does not serve, so it stays Pending
    w.store.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'starting', namespace: 'default' }, spec: { nodeName: 'calico-ipam-worker9', containers: [{ name: 'app', image: 'praqma/network-multitool' }] }, status: { phase: 'Pending' } });
    const e = (await execInPod(kube, { namespace: 'default', pod: 'starting', command: ['ip', 'route'], timeoutMs: 10_000 }).catch((x: unknown) => x)) as ExecError;
    expect([e.failure, e.message]).toEqual(['pod-not-running', 'pod default/starting is not running (phase Pending)']);
  });

  test('an aborted signal: InterruptedError, no exec', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = api.requestCount();
    const e = await execInPod(kube, { namespace: 'kube-system', pod: pod.metadata.name, command: ['hostname'], timeoutMs: 10_000, signal: ac.signal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InterruptedError);
    expect(api.requestCount()).toBe(before);
  });

  test('a hostNetwork pod sees its node: eth0 with the node IP, MTU 1500, the kind gateway', async () => {
    w.store.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'node-agent', namespace: 'kube-system' }, spec: { nodeName: 'calico-ipam-worker', hostNetwork: true, containers: [{ name: 'agent' }] }, status: { phase: 'Running', podIP: '172.18.0.3' } });
    const addr = await execInPod(kube, { namespace: 'kube-system', pod: 'node-agent', command: ['ip', '-4', 'addr', 'show', 'dev', 'eth0'], timeoutMs: 10_000 });
    expect(addr.stdout).toMatch(/mtu 1500 .*\n    inet 172\.18\.0\.3\/16 brd 172\.18\.255\.255 scope global eth0\n/);
    const routes = await execInPod(kube, { namespace: 'kube-system', pod: 'node-agent', command: ['ip', 'route'], timeoutMs: 10_000 });
    expect(routes.stdout.split('\n')[0]).toBe('default via 172.18.0.1 dev eth0 ');
  });

  test('RBAC: without admin rights the upgrade is a 403 and the error says what right is missing', async () => {
    api.setAdminRights(false);
    try {
      const e = (await execInPod(kube, { namespace: 'kube-system', pod: pod.metadata.name, command: ['hostname'], timeoutMs: 10_000 }).catch((x: unknown) => x)) as ExecError;
      expect(e.failure).toBe('forbidden');
      expect(e.hint).toContain('pods/exec');
    } finally {
      api.setAdminRights(true);
    }
  });
});

interface RawWs {
  protocol: string;
  on(e: 'message', l: (d: Buffer) => void): void;
  on(e: 'open' | 'close', l: () => void): void;
  on(e: 'error', l: (err: Error) => void): void;
  on(e: 'unexpected-response', l: (req: unknown, res: { statusCode: number; on(e: 'data', l: (c: Buffer) => void): void; on(e: 'end', l: () => void): void }) => void): void;
  send(d: Buffer): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (url: string, protocols: string[], o: Record<string, unknown>) => RawWs;

/** One exec with a raw client: the frames as received (channel, text), or the HTTP refusal. */
function rawExec(path: string, protocols: string[]): Promise<{ protocol?: string; frames?: [number, string][]; refused?: { code: number; body: string } }> {
  const url = `${api.url.replace('https', 'wss')}${path}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { ca: api.caPem, cert: api.clientCertPem, key: api.clientKeyPem });
    const frames: [number, string][] = [];
    ws.on('open', () => {
      if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([255, 0])); // v5: close stdin
    });
    ws.on('message', (d) => frames.push([d[0]!, d.subarray(1).toString('utf8')]));
    ws.on('close', () => resolve({ protocol: ws.protocol, frames }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => (body += c.toString()));
      res.on('end', () => resolve({ refused: { code: res.statusCode, body } }));
    });
    ws.on('error', reject);
  });
}

describe('the exec WebSocket protocol', () => {
  const path = (cmd: string[], ns = 'kube-system', name = (): string => pod.metadata.name): string =>
    `/api/v1/namespaces/${ns}/pods/${name()}/exec?${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&stdout=true&stderr=true`;

  test.each(['v4.channel.k8s.io', 'v5.channel.k8s.io'])('%s: stdout on channel 1, then a Success Status on channel 3', async (proto) => {
    const r = await rawExec(path(['hostname']), [proto]);
    expect(r.protocol).toBe(proto);
    expect(r.frames).toEqual([
      [1, `${pod.metadata.name}\n`],
      [3, JSON.stringify({ metadata: {}, status: 'Success' })],
    ]);
  });

  test('non-zero exit: stderr on channel 2, Failure/NonZeroExitCode with the ExitCode cause on channel 3', async () => {
    const r = await rawExec(path(['ip', 'addr', 'show', 'dev', 'eth7']), ['v4.channel.k8s.io']);
    expect(r.frames?.[0]).toEqual([2, 'Device "eth7" does not exist.\n']);
    const status = JSON.parse(r.frames?.[1]?.[1] ?? '{}') as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    expect(r.frames?.[1]?.[0]).toBe(3);
    expect([status.status, status.reason, status.details.causes]).toEqual(['Failure', 'NonZeroExitCode', [{ reason: 'ExitCode', message: '1' }]]);
  });

  test('client-node offers v5 first; the server picks the first it speaks', async () => {
    const r = await rawExec(path(['hostname']), ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io']);
    expect(r.protocol).toBe('v5.channel.k8s.io');
  });

  test('unknown pod: HTTP 404 with a NotFound Status, no upgrade', async () => {
    const r = await rawExec(path(['hostname'], 'kube-system', () => 'ghost'), ['v4.channel.k8s.io']);
    expect(r.refused?.code).toBe(404);
    expect(JSON.parse(r.refused?.body ?? '{}')).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'pods "ghost" not found', code: 404 });
  });

  test('a SPDY/3.1 upgrade (kubectl < 1.30): HTTP 400 saying the simulated server speaks WebSocket only', async () => {
    const res = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request(`${api.url}${path(['hostname'])}`, { ca: api.caPem, cert: api.clientCertPem, key: api.clientKeyPem, headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ code: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.code).toBe(400);
    expect((JSON.parse(res.body) as { message: string }).message).toBe('this simulated API server speaks exec over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io), not SPDY/3.1');
  });

  test('only old subprotocols offered: HTTP 400', async () => {
    const r = await rawExec(path(['hostname']), ['channel.k8s.io']);
    expect(r.refused?.code).toBe(400);
  });
});
