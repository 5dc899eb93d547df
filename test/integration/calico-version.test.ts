/**
 * `--calico-version` in the simulated world: v3.30.0 (the default) and v3.31.3 deploy and verify on
 * the world's own CRDs and operator manifests; a v3.30.0 lab is not reused for v3.31.3 (deploy says so
 * and points to --recreate); `--recreate` moves it to v3.31.3; unknown versions are usage errors.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

interface PodLike {
  metadata: { name: string };
  spec: { containers: { image: string }[]; initContainers?: { image: string }[] };
}

describe('lab deploy|verify|images --calico-version', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld();
  });
  afterAll(async () => {
    await t?.close();
  });

  const kubeconfig = (): string => join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig');

  /** Every image of the calico-system, calico-apiserver and tigera-operator pods, and what the cluster reports. */
  async function cluster(): Promise<{ images: string[]; calicoVersion: string | undefined; clusterInformation: string | undefined }> {
    const client = await KubeClient.fromFile(kubeconfig());
    try {
      const images = new Set<string>();
      for (const ns of ['tigera-operator', 'calico-system', 'calico-apiserver']) {
        const pods = await client.list<PodLike>('v1', 'pods', { namespace: ns });
        for (const p of pods.items) for (const c of [...p.spec.containers, ...(p.spec.initContainers ?? [])]) images.add(c.image);
      }
      const inst = await client.get<{ status?: { calicoVersion?: string } }>('operator.tigera.io/v1', 'installations', 'default');
      const ci = await client.get<{ spec?: { calicoVersion?: string } }>('crd.projectcalico.org/v1', 'clusterinformations', 'default');
      return { images: [...images].sort(), calicoVersion: inst?.status?.calicoVersion, clusterInformation: ci?.spec?.calicoVersion };
    } finally {
      client.close();
    }
  }

  it('unknown version: exit 2, naming the versions the pins file knows', async () => {
    for (const command of ['images', 'deploy', 'verify']) {
      const r = await t.runLab([command, '--topology', t.topology, '--calico-version', 'v3.29.9']);
      expect(r.exitCode, `${command}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--calico-version v3\.29\.9: not in the pins file/);
      expect(r.stderr).toMatch(/choose one of v3\.30\.0, v3\.31\.3/);
    }
  });

  it('images: v3.31.3 comes from quay.io (operator v1.40.3), v3.30.0 from docker.io; the APIServer adds its image', async () => {
    const r = await t.runLab(['images', '--topology', t.topology, '--calico-version', 'v3.31.3', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { calicoVersion: string; images: { image: string }[] };
    expect(j.calicoVersion).toBe('v3.31.3');
    const list = j.images.map((i) => i.image);
    expect(list).toContain('quay.io/tigera/operator:v1.40.3');
    expect(list).toContain('quay.io/calico/node:v3.31.3');
    expect(list).toContain('quay.io/calico/apiserver:v3.31.3');
    // the lesson has no Goldmane or Whisker
    expect(list.filter((i) => /goldmane|whisker/.test(i))).toEqual([]);
    expect(list.filter((i) => i.startsWith('docker.io/'))).toEqual([]);
    const old = await t.runLab(['images', '--topology', t.topology]);
    expect(old.stdout).toContain('docker.io/calico/apiserver:v3.30.0');
  });

  it('v3.30.0 (default): deploy and verify', async () => {
    const d = await t.runLab(['deploy', '--topology', t.topology]);
    expect(d.exitCode, d.stderr).toBe(0);
    const c = await cluster();
    expect(c.calicoVersion).toBe('v3.30.0');
    expect(c.clusterInformation).toBe('v3.30.0');
    expect(c.images).toContain('quay.io/tigera/operator:v1.38.0');
    expect(c.images).toContain('docker.io/calico/node:v3.30.0');
    const v = await t.runLab(['verify', '--topology', t.topology]);
    expect(v.exitCode, v.stdout + v.stderr).toBe(0);
  });

  it('--calico-version v3.31.3 on the running v3.30.0 lab: says so, points to --recreate, changes nothing', async () => {
    const before = await cluster();
    const r = await t.runLab(['deploy', '--topology', t.topology, '--calico-version', 'v3.31.3']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/the cluster "calico-ipam" exists, but it runs Calico v3\.30\.0, not the selected v3\.31\.3/);
    expect(r.stderr).toMatch(/lab deploy --recreate --calico-version v3\.31\.3/);
    expect(await cluster()).toEqual(before);
  });

  it('--recreate --calico-version v3.31.3: the cluster runs v3.31.3 and verifies', async () => {
    const d = await t.runLab(['deploy', '--topology', t.topology, '--recreate', '--calico-version', 'v3.31.3']);
    expect(d.exitCode, d.stderr).toBe(0);
    const c = await cluster();
    expect(c.calicoVersion).toBe('v3.31.3');
    expect(c.clusterInformation).toBe('v3.31.3');
    expect(c.images).toContain('quay.io/tigera/operator:v1.40.3');
    expect(c.images.filter((i) => i.includes('/calico/')).every((i) => i.startsWith('quay.io/calico/') && i.endsWith(':v3.31.3'))).toBe(true);
    const v = await t.runLab(['verify', '--topology', t.topology, '--calico-version', 'v3.31.3', '--json']);
    expect(v.exitCode, v.stdout + v.stderr).toBe(0);
    // a second deploy of the same version reuses the healthy lab
    const again = await t.runLab(['deploy', '--topology', t.topology, '--calico-version', 'v3.31.3']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/reusing it/);
  });

  it('verify with the default version on the v3.31.3 cluster: the v3.30.0 calicoctl reports a version mismatch, lab retries it read-only', async () => {
    const seen = t.world.invocations.length;
    const v = await t.runLab(['verify', '--topology', t.topology, '--json']);
    expect(v.exitCode, v.stdout + v.stderr).toBe(0);
    const calls = t.world.invocations.slice(seen).filter((i) => i.tool === 'calicoctl');
    expect(calls.some((i) => i.exitCode === 1 && !i.argv.includes('--allow-version-mismatch'))).toBe(true);
    expect(calls.some((i) => i.exitCode === 0 && i.argv.includes('--allow-version-mismatch'))).toBe(true);
  });
});
