/**
 * The simulated operator models the release whose image the applied tigera-operator Deployment runs:
 * v1.38.0 → Calico v3.30.0 from docker.io/calico, v1.40.3 → v3.31.3 from quay.io/calico (facts of
 * tigera-operator's pkg/components). Goldmane and Whisker custom resources add their Deployments and
 * TigeraStatus, with their images.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { calicoctl } from '../../src/sim/calico/calicoctl.js';
import { R } from '../../src/sim/calico/refs.js';
import { calicoctlScript } from '../../src/sim/downloads.js';
import type { StoredObject } from '../../src/sim/store.js';
import { type TestWorld, testWorld } from '../helpers/calico-sim.js';

const worlds: TestWorld[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.stop();
});

const images = (w: TestWorld): string[] => {
  const out = new Set<string>();
  for (const p of w.store.list(R.pods).items) {
    const spec = p.spec as { containers?: { image: string }[]; initContainers?: { image: string }[] };
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) out.add(c.image);
  }
  return [...out].filter((i) => !/^(registry\.k8s\.io|docker\.io\/kindest)\//.test(i)).sort();
};
const available = (w: TestWorld, name: string): string | undefined =>
  ((w.store.get(R.tigerastatuses, undefined, name)?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Available')?.status;
const cr = (kind: string): StoredObject => ({ apiVersion: 'operator.tigera.io/v1', kind, metadata: { name: 'default' } });

async function lab(release: string, extra: StoredObject[] = []): Promise<TestWorld> {
  const w = testWorld({ release });
  worlds.push(w);
  w.applyManifests();
  for (const o of extra) w.store.put(o.kind === 'Goldmane' ? R.goldmanes : R.whiskers, o);
  await w.settled();
  return w;
}

describe('release of the applied operator', () => {
  test('v3.30.0: operator v1.38.0, Calico images from docker.io', async () => {
    const w = await lab('v3.30.0');
    expect(images(w)).toEqual([
      'docker.io/calico/apiserver:v3.30.0',
      'docker.io/calico/cni:v3.30.0',
      'docker.io/calico/csi:v3.30.0',
      'docker.io/calico/kube-controllers:v3.30.0',
      'docker.io/calico/node-driver-registrar:v3.30.0',
      'docker.io/calico/node:v3.30.0',
      'docker.io/calico/pod2daemon-flexvol:v3.30.0',
      'docker.io/calico/typha:v3.30.0',
      'quay.io/tigera/operator:v1.38.0',
    ]);
  });

  test('v3.31.3: operator v1.40.3, Calico images from quay.io; the cluster reports v3.31.3', async () => {
    const w = await lab('v3.31.3');
    expect(images(w)).toEqual([
      'quay.io/calico/apiserver:v3.31.3',
      'quay.io/calico/cni:v3.31.3',
      'quay.io/calico/csi:v3.31.3',
      'quay.io/calico/kube-controllers:v3.31.3',
      'quay.io/calico/node-driver-registrar:v3.31.3',
      'quay.io/calico/node:v3.31.3',
      'quay.io/calico/pod2daemon-flexvol:v3.31.3',
      'quay.io/calico/typha:v3.31.3',
      'quay.io/tigera/operator:v1.40.3',
    ]);
    expect((w.store.get(R.clusterinformations, undefined, 'default')?.spec as { calicoVersion?: string }).calicoVersion).toBe('v3.31.3');
    expect((w.store.get(R.installations, undefined, 'default')?.status as { calicoVersion?: string }).calicoVersion).toBe('v3.31.3');
    expect(w.store.list(R.tigerastatuses).items.map((t) => t.metadata.name)).toEqual(['apiserver', 'calico', 'ippools']);
    for (const name of ['calico', 'apiserver', 'ippools']) expect(available(w, name), name).toBe('True');
  });

  test('Goldmane and Whisker add their Deployments, images and TigeraStatus', async () => {
    const w = await lab('v3.31.3', [cr('Goldmane'), cr('Whisker')]);
    expect(images(w)).toEqual(expect.arrayContaining(['quay.io/calico/goldmane:v3.31.3', 'quay.io/calico/whisker:v3.31.3', 'quay.io/calico/whisker-backend:v3.31.3']));
    expect(w.store.get(R.deployments, 'calico-system', 'goldmane')).toBeDefined();
    expect(w.store.get(R.deployments, 'calico-system', 'whisker')).toBeDefined();
    expect(w.store.list(R.tigerastatuses).items.map((t) => t.metadata.name)).toEqual(['apiserver', 'calico', 'goldmane', 'ippools', 'whisker']);
    expect(available(w, 'goldmane')).toBe('True');
    expect(available(w, 'whisker')).toBe('True');
    const pods = w.store.list(R.pods, { namespace: 'calico-system' }).items.filter((p) => /^(goldmane|whisker)-/.test(p.metadata.name));
    expect(pods).toHaveLength(2);
    for (const p of pods) expect((p.status as { podIP?: string }).podIP).toMatch(/^192\.168\./);
  });
});

describe('the world\'s calicoctl of each version', () => {
  const run = async (env: Record<string, string>, argv: string[]): Promise<{ code: number; stdout: string }> => {
    let stdout = '';
    const code = await calicoctl({ argv, cwd: process.cwd(), env, stdin: Buffer.alloc(0), signal: new AbortController().signal, out: (c) => (stdout += c.toString()), err: () => undefined });
    return { code, stdout };
  };

  test('reports the version its download carries (the script sets it), with that tag\'s commit', async () => {
    expect(calicoctlScript('v3.31.3')).toContain('LAB_SIM_CALICOCTL_VERSION=v3.31.3 exec');
    expect((await run({ LAB_SIM_CALICOCTL_VERSION: 'v3.31.3' }, ['version', '--client'])).stdout).toBe('Client Version:    v3.31.3\nGit commit:        2e3c880bca\n');
    expect((await run({}, ['version', '--client'])).stdout).toBe('Client Version:    v3.30.0\nGit commit:        572a32dd9b\n');
  });
});
