/**
 * The workloads steps of `lab deploy` end to end against the simulated world, on a lab whose workloads
 * this test constructs (the lesson folders that carry them come with issue 12 §1). Runs deployLab
 * in-process (the CLI has no way yet to give lesson 01 workloads).
 *
 * Until the simulated world runs workloads (wip/simwork: controllers that create pods, schedule them
 * and report them Ready), this test stands in for the ReplicaSet controller and the kubelet: it
 * creates the Deployment's pods and writes the pods' status (`/status` subresource, the real shapes);
 * the simulated API server derives the Deployment's status from those pods itself. A workload image
 * that cannot be pulled (and a pod that never becomes Ready) are the simulated world's own faults now,
 * tested on the shipped lessons in lessons-faults.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';
import { KubeClient } from '../../src/kube/client.js';
import { loadLab } from '../../src/lab/load.js';
import type { KubeObject, Lab, ManifestDocument, WorkloadWait } from '../../src/lab/model.js';
import { deployLab, type DeploySummary } from '../../src/deploy/deploy.js';
import { labStatus } from '../../src/deploy/status.js';
import { destroyLab } from '../../src/deploy/destroy.js';
import { LabError, TimeoutError } from '../../src/errors.js';
import { createLogger } from '../../src/ui/log.js';

const NS = 'lesson';
const labels = { app: 'web' };
const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: labels, ports: [{ port: 80, targetPort: 80 }] } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: NS }, spec: { containers: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', 'infinity'] }] } },
];

function workloadsOf(dir: string, list: KubeObject[]): Lab['workloads'] {
  const file = join(dir, 'tools', 'workloads.yaml');
  const manifests: ManifestDocument[] = list.map((object, i) => ({ file, line: 1 + i * 10, object }));
  const waitFor: WorkloadWait[] = list.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod'].includes(o.kind)).map((o) => ({ kind: o.kind as WorkloadWait['kind'], namespace: o.metadata.namespace ?? 'default', name: o.metadata.name }));
  return { manifests, waitFor, images: [] };
}

/** Stand-in for the controllers and kubelet of wip/simwork: status for the named objects once they exist. */
function fakeControllers(kubeconfig: string, statuses: Record<string, () => Record<string, unknown>>, events: KubeObject[] = [], pods: KubeObject[] = []): { stop(): Promise<void> } {
  let stopped = false;
  const done = new Set<string>();
  const loop = (async () => {
    let client: KubeClient | undefined;
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        client ??= await KubeClient.fromFile(kubeconfig);
        for (const p of pods) {
          if (done.has(`pod ${p.metadata.name}`)) continue;
          // the ReplicaSet controller creates pods once the Deployment exists
          if ((await client.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`, { noRetry: true })).status !== 200) continue;
          const r = await client.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: JSON.stringify(p), contentType: 'application/json', noRetry: true });
          if (r.status === 201 || r.status === 409) done.add(`pod ${p.metadata.name}`);
        }
        for (const [path, status] of Object.entries(statuses)) {
          if (done.has(path)) continue;
          const r = await client.request('PATCH', `${path}/status`, { body: JSON.stringify({ status: status() }), contentType: 'application/merge-patch+json', noRetry: true });
          if (r.status === 200) done.add(path);
        }
        for (const e of events) {
          if (done.has(e.metadata.name)) continue;
          const r = await client.request('POST', `/api/v1/namespaces/${NS}/events`, { body: JSON.stringify(e), contentType: 'application/json', noRetry: true });
          if (r.status === 201 || r.status === 409) done.add(e.metadata.name);
        }
      } catch {
        client?.close();
        client = undefined; // no kubeconfig or API yet
      }
    }
    client?.close();
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

const webPods: KubeObject[] = ['web-6d4b75cb6d-7xk2p', 'web-6d4b75cb6d-q9zlm'].map((name, i) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels: { ...labels, 'pod-template-hash': '6d4b75cb6d' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6d4b75cb6d', uid: 'rs-uid', controller: true }] },
  spec: { nodeName: i === 0 ? 'calico-ipam-worker' : 'calico-ipam-worker2', containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
}));

describe('lab deploy: the lesson workloads steps', () => {
  let t: TestWorld;
  let lab: Lab;
  const kubeconfig = (): string => lab.kubeconfigPath;
  const log = createLogger(process.stderr, { NO_COLOR: '1' }, false);
  const deploy = (l: Lab, timeoutMs = 120_000): Promise<DeploySummary> =>
    deployLab(l, { signal: new AbortController().signal, log, env: t.env, cwd: t.labDir, stderr: process.stderr, json: true, timeoutMs, offline: false, sudo: 'auto', recreate: false, preload: false, collectOnFailure: false });

  beforeAll(async () => {
    t = await startTestWorld();
    lab = await loadLab({ topology: t.topology, cwd: t.labDir, env: t.env });
    lab.workloads = workloadsOf(join(t.labDir, 'topology'), objects);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('applies the workloads after Calico, waits until they are ready, records both steps and their states', async () => {
    const controllers = fakeControllers(
      join(t.labDir, 'topology', 'calico-ipam.kubeconfig'),
      // the simulated kubelet already runs bare pods (scheduled, an IP from the node's block, Ready)
      {},
      [],
      webPods,
    );
    let summary: DeploySummary;
    try {
      summary = await deploy(lab);
    } finally {
      await controllers.stop();
    }
    const names = summary.steps.map((s) => s.name);
    expect(names.indexOf('workloads')).toBeGreaterThan(names.indexOf('wait ready'));
    expect(names.indexOf('wait workloads')).toBeGreaterThan(names.indexOf('workloads'));
    expect(summary.steps.find((s) => s.name === 'workloads')).toMatchObject({ status: 'done', note: '4 objects from 1 file' });
    expect(summary.steps.find((s) => s.name === 'wait workloads')).toMatchObject({ status: 'done' });
    expect(summary.workloads).toEqual([
      { kind: 'Deployment', namespace: NS, name: 'web', ready: true, readyCount: 2, desired: 2, exists: true },
      { kind: 'Pod', namespace: NS, name: 'client', ready: true, readyCount: 1, desired: 1, exists: true },
    ]);
    const client = await KubeClient.fromFile(kubeconfig());
    try {
      expect(await client.get('v1', 'services', 'web', NS)).toBeDefined();
    } finally {
      client.close();
    }
  });

  it('lab status shows the workloads ready x/y', async () => {
    const s = await labStatus(lab, { env: t.env, log });
    expect(s.state, s.problems.join('\n')).toBe('healthy');
    expect(s.workloads.map((w) => `${w.kind} ${w.name} ${w.readyCount}/${w.desired} ${w.ready}`)).toEqual(['Deployment web 2/2 true', 'Pod client 1/1 true']);
  });

  it('a second deploy reuses the cluster and re-applies the same workloads (no-op), still ready', async () => {
    const summary = await deploy(lab);
    expect(summary.reused).toBe(true);
    expect(summary.steps.find((s) => s.name === 'containerlab deploy')?.status).toBe('skipped');
    expect(summary.workloads.every((w) => w.ready)).toBe(true);
  });

  it('a DaemonSet no node can run: deploy times out naming it, "no pods", within its deadline', async () => {
    const nowhere: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'nowhere', namespace: NS },
      spec: { selector: { matchLabels: { app: 'nowhere' } }, template: { metadata: { labels: { app: 'nowhere' } }, spec: { nodeSelector: { 'lab.example/none': 'true' }, containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9' }] } } },
    };
    const l: Lab = { ...lab, workloads: workloadsOf(join(t.labDir, 'topology'), [...objects, nowhere]) };
    const started = Date.now();
    const error = await deploy(l, 12_000).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(error).toBeInstanceOf(TimeoutError);
    const e = error as TimeoutError;
    expect(e.exitCode).toBe(4);
    expect(e.message).toMatch(/waiting for the lesson's workloads: 1 of 3 not ready/);
    // A DaemonSet controller reports desiredNumberScheduled 0; before one has looked, it is not observed yet.
    expect(e.details).toHaveLength(2);
    expect(e.details[0]).toMatch(/^DaemonSet lesson\/nowhere not ready: (no node scheduled \(desiredNumberScheduled 0\)|rollout not observed yet)$/);
    expect(e.details[1]).toBe('  no pods were created for it');
  });

  it('an unknown kind fails naming the lesson file:line', async () => {
    const typo: KubeObject = { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'typo', namespace: NS } };
    const l: Lab = { ...lab, workloads: workloadsOf(join(t.labDir, 'topology'), [objects[0]!, typo]) };
    const error = await deploy(l).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as Error).message).toBe(`${join(t.labDir, 'topology', 'tools', 'workloads.yaml')}:11: the cluster does not serve kind Deploymnet in apps/v1 (Deploymnet lesson/typo)`);
  });

  it('destroy removes the workloads with the cluster; status is absent', async () => {
    const stdin = process.stdin;
    const r = await destroyLab(lab, { env: t.env, log, sudo: 'auto', yes: true, stdin, stderr: process.stderr, timeout: 60_000 });
    expect(r.removed).toBe(true);
    expect(r.workloads).toBe(4);
    const s = await labStatus(lab, { env: t.env, log });
    expect(s.state).toBe('absent');
    expect(s.workloads).toEqual([]);
  });
});
