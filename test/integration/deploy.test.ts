/**
 * deploy → status → destroy, deploy twice, destroy twice, against the simulated world (built CLI).
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { startTestWorld, type TestWorld } from '../helpers/world.js';
import { KubeClient } from '../../src/kube/client.js';
import { operatorCrdsYaml } from '../../src/sim/calico/crds.js';


describe('lab deploy → status → destroy', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld();
  });
  afterAll(async () => {
    await t?.close();
  });

  const kubeconfig = (): string => join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig');

  it('deploys the lab and prints the export line', async () => {
    const r = await t.runLab(['deploy', '--topology', t.topology]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`export KUBECONFIG=${kubeconfig()}`);
    expect(r.stderr).toMatch(/lab verify/);
    // containerlab was run exactly once, with the topology
    const clab = t.world.invocations.filter((i) => i.tool === 'containerlab' && i.argv[0] === 'deploy');
    expect(clab.map((i) => i.argv)).toEqual([['deploy', '-t', t.topology]]);
  });

  it('writes the kubeconfig mode 0600', () => {
    expect(statSync(kubeconfig()).mode & 0o777).toBe(0o600);
    const doc = parseYaml(readFileSync(kubeconfig(), 'utf8')) as { 'current-context': string };
    expect(doc['current-context']).toBe('kind-calico-ipam');
  });

  it('applied the Installation CRD byte-faithfully (x-kubernetes-* kept)', async () => {
    const client = await KubeClient.fromFile(kubeconfig());
    try {
      const got = await client.get<Record<string, unknown>>('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'installations.operator.tigera.io');
      expect(got).toBeDefined();
      // what the world's download server served as operator-crds.yaml (the world's own generated CRDs)
      const source = parseAllDocuments(operatorCrdsYaml('v3.30.0').toString()).map((d) => d.toJS() as Record<string, unknown>).find((d) => (d?.['metadata'] as { name?: string } | undefined)?.name === 'installations.operator.tigera.io')!;
      expect(got!['spec']).toStrictEqual(source['spec']);
      expect(JSON.stringify(got!['spec'])).toContain('x-kubernetes-');
    } finally {
      client.close();
    }
  });

  it('status reports a healthy lab (human and --json)', async () => {
    const r = await t.runLab(['status', '--topology', t.topology]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/healthy/);
    expect(r.stdout).toMatch(/calico-ipam-worker2/);
    const j = await t.runLab(['status', '--topology', t.topology, '--json']);
    expect(j.exitCode).toBe(0);
    const s = JSON.parse(j.stdout) as { state: string; nodes: { name: string; ready: boolean }[]; tigeraStatus: { name: string; available: boolean }[] };
    expect(s.state).toBe('healthy');
    expect(s.nodes.map((n) => [n.name, n.ready])).toEqual([
      ['calico-ipam-control-plane', true],
      ['calico-ipam-worker', true],
      ['calico-ipam-worker2', true],
    ]);
    expect(s.tigeraStatus.filter((x) => x.name !== 'ippools').every((x) => x.available)).toBe(true);
  });

  it('a second deploy reuses the cluster, recreates nothing and is fast', async () => {
    const before = t.world.invocations.length;
    const started = Date.now();
    const r = await t.runLab(['deploy', '--topology', t.topology, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { reused: boolean; steps: { name: string; status: string }[]; kubeconfig: string };
    expect(summary.reused).toBe(true);
    expect(summary.kubeconfig).toBe(kubeconfig());
    expect(Date.now() - started).toBeLessThan(15_000);
    const since = t.world.invocations.slice(before);
    expect(since.filter((i) => i.tool === 'containerlab' && i.argv[0] === 'deploy')).toEqual([]);
    expect(since.filter((i) => i.tool === 'kind' && i.argv[0] === 'delete')).toEqual([]);
  });

  it('destroy removes the cluster and the kubeconfig, keeps the kind network', async () => {
    const r = await t.runLab(['destroy', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(kubeconfig())).toBe(false);
    const ps = await t.run('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=calico-ipam', '--format', '{{.Names}}']);
    expect(ps.stdout.trim()).toBe('');
    const net = await t.run('docker', ['network', 'inspect', 'kind', '--format', '{{json .IPAM.Config}}']);
    expect(net.exitCode).toBe(0);
    const rm = t.world.invocations.filter((i) => i.tool === 'docker' && i.argv[0] === 'network' && i.argv[1] === 'rm');
    expect(rm).toEqual([]);
  });

  it('destroy twice: exit 0 and says there was nothing to remove', async () => {
    const r = await t.runLab(['destroy', '--topology', t.topology]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/nothing to remove/);
  });

  it('status after destroy: absent', async () => {
    const r = await t.runLab(['status', '--topology', t.topology, '--json']);
    expect(r.exitCode).toBe(0);
    expect((JSON.parse(r.stdout) as { state: string }).state).toBe('absent');
  });
});
