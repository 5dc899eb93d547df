import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ObjectStore, type StoredObject } from '../../src/sim/store.js';
import { startApiServer, type ApiServer } from '../../src/sim/apiserver/index.js';
import { crdFactsFor } from '../../src/sim/calico/crd-facts.js';
import { buildCrd } from '../../src/sim/calico/crds.js';


function which(cmd: string): string | undefined {
  try {
    return execFileSync('which', [cmd], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const kubectlPath = which('kubectl');

describe.skipIf(kubectlPath === undefined)('real kubectl against the simulated API', () => {
  let store: ObjectStore;
  let api: ApiServer;
  let dir: string;
  let kubeconfig: string;

  const kubectl = async (...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> => {
    const r = await execa(kubectlPath ?? 'kubectl', ['--kubeconfig', kubeconfig, ...args], {
      reject: false,
      timeout: 60_000,
      env: { HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
      extendEnv: true,
    });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  };

  /** The world's own CRD of a kind (generated from facts), written to a file for kubectl. */
  const worldCrdFile = (plural: string): string => {
    const file = join(dir, `${plural}.crd.yaml`);
    writeFileSync(file, stringifyYaml(buildCrd(crdFactsFor('v3.30.0').find((f) => f.plural === plural)!)));
    return file;
  };

  const applyFile = async (path: string): Promise<void> => {
    const r = await kubectl('apply', '--server-side', '-f', path);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  };

  const waitEstablished = async (name: string): Promise<void> => {
    const r = await kubectl('wait', '--for=condition=Established', '--timeout=20s', `crd/${name}`);
    expect(r.stdout).toContain('condition met');
  };

  beforeAll(async () => {
    store = new ObjectStore();
    store.create({ group: '', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    api = await startApiServer({ store, establishDelayMs: 100 });
    dir = mkdtempSync(join(tmpdir(), 'lab-apiserver-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfig('calico-ipam'), { mode: 0o600 });
  });

  afterAll(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl get nodes prints NAME STATUS ROLES AGE VERSION', async () => {
    for (const [name, role] of [
      ['calico-ipam-control-plane', 'control-plane'],
      ['calico-ipam-worker', 'worker'],
    ] as const) {
      const node: StoredObject = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
        status: { conditions: [{ type: 'Ready', status: role === 'control-plane' ? 'True' : 'False' }], nodeInfo: { kubeletVersion: 'v1.28.0' } },
      };
      const r = await execa(kubectlPath ?? 'kubectl', ['--kubeconfig', kubeconfig, 'create', '-f', '-'], {
        input: JSON.stringify(node),
        reject: false,
        env: { HOME: dir },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`node/${name} created`);
    }
    const r = await kubectl('get', 'nodes');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(lines[1]).toMatch(/^calico-ipam-control-plane\s+Ready\s+control-plane\s+\S+\s+v1\.28\.0$/);
    expect(lines[2]).toMatch(/^calico-ipam-worker\s+NotReady\s+<none>\s+\S+\s+v1\.28\.0$/);
    const v = await kubectl('version', '-o', 'json');
    expect(JSON.parse(v.stdout).serverVersion.gitVersion).toBe('v1.28.0');
  });

  it('kubectl get tigerastatus shows the printer columns', async () => {
    await applyFile(worldCrdFile('tigerastatuses'));
    await waitEstablished('tigerastatuses.operator.tigera.io');
    const obj = join(dir, 'ts.yaml');
    writeFileSync(obj, 'apiVersion: operator.tigera.io/v1\nkind: TigeraStatus\nmetadata:\n  name: calico\nspec: {}\n');
    await applyFile(obj);
    // status through the /status subresource, like the operator does
    const now = new Date(Date.now() - 90_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const patch = JSON.stringify({
      status: {
        conditions: [
          { type: 'Available', status: 'True', reason: 'AllObjectsAvailable', message: 'All objects are available', lastTransitionTime: now },
          { type: 'Progressing', status: 'False', reason: 'AllObjectsAvailable', message: 'All objects are available', lastTransitionTime: now },
          { type: 'Degraded', status: 'False', reason: 'AllObjectsAvailable', message: 'All objects are available', lastTransitionTime: now },
        ],
      },
    });
    const p = await kubectl('patch', 'tigerastatus', 'calico', '--subresource=status', '--type=merge', '-p', patch);
    expect(p.stderr).toBe('');
    const r = await kubectl('get', 'tigerastatus');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+AVAILABLE\s+PROGRESSING\s+DEGRADED\s+SINCE$/);
    expect(lines[1]).toMatch(/^calico\s+True\s+False\s+False\s+(89|90|91|92|93)s$/);
  });

  it('kubectl get blockaffinities.crd.projectcalico.org -o yaml returns the stored object', async () => {
    await applyFile(worldCrdFile('blockaffinities'));
    await waitEstablished('blockaffinities.crd.projectcalico.org');
    const obj = join(dir, 'ba.yaml');
    writeFileSync(
      obj,
      [
        'apiVersion: crd.projectcalico.org/v1',
        'kind: BlockAffinity',
        'metadata:',
        '  name: calico-ipam-worker-192-168-131-128-26',
        'spec:',
        '  cidr: 192.168.131.128/26',
        '  deleted: "false"',
        '  node: calico-ipam-worker',
        '  state: confirmed',
        '  type: host',
        '',
      ].join('\n'),
    );
    await applyFile(obj);
    const r = await kubectl('get', 'blockaffinities.crd.projectcalico.org', '-o', 'yaml');
    expect(r.exitCode).toBe(0);
    const list = parseYaml(r.stdout) as { kind: string; items: StoredObject[] };
    expect(list.kind).toBe('List');
    expect(list.items).toHaveLength(1);
    expect(list.items[0]?.metadata.name).toBe('calico-ipam-worker-192-168-131-128-26');
    expect(list.items[0]?.['spec']).toEqual({ cidr: '192.168.131.128/26', deleted: 'false', node: 'calico-ipam-worker', state: 'confirmed', type: 'host' });
    const table = await kubectl('get', 'blockaffinities');
    expect(table.stdout).toMatch(/^NAME\s+AGE\ncalico-ipam-worker-192-168-131-128-26\s+\d+s$/);
  });

  it('with the Calico API server up, kubectl get blockaffinities resolves to projectcalico.org/v3', async () => {
    api.registry.addAggregated({
      group: 'projectcalico.org',
      version: 'v3',
      resources: [
        {
          name: 'blockaffinities',
          singularName: 'blockaffinity',
          kind: 'BlockAffinity',
          namespaced: false,
          source: { group: 'crd.projectcalico.org', resource: 'blockaffinities' },
          toView: (o) => {
            const spec = { ...(o['spec'] as Record<string, unknown>) };
            delete spec['type'];
            spec['deleted'] = spec['deleted'] === 'true';
            return { ...o, spec };
          },
        },
      ],
    });
    try {
      const r = await kubectl('get', 'blockaffinities', '-o', 'yaml', '--cache-dir', join(dir, 'fresh-cache'));
      expect(r.stderr).toBe('');
      const list = parseYaml(r.stdout) as { items: StoredObject[] };
      expect(list.items[0]?.apiVersion).toBe('projectcalico.org/v3');
      expect(list.items[0]?.['spec']).toEqual({ cidr: '192.168.131.128/26', deleted: false, node: 'calico-ipam-worker', state: 'confirmed' });
      const crd = await kubectl('get', 'blockaffinities.crd.projectcalico.org', '-o', 'jsonpath={.items[0].apiVersion}', '--cache-dir', join(dir, 'fresh-cache'));
      expect(crd.stdout).toBe('crd.projectcalico.org/v1');
    } finally {
      api.registry.removeAggregated('projectcalico.org');
    }
  });

  it('kubectl reports NotFound for a missing object and an unknown kind', async () => {
    const r = await kubectl('get', 'node', 'nope');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): nodes "nope" not found');
    const u = await kubectl('get', 'ippools.crd.projectcalico.org');
    expect(u.exitCode).toBe(1);
    expect(u.stderr).toContain(`the server doesn't have a resource type "ippools"`);
  });

  it('kubectl delete + server-side apply of a namespace-scoped object', async () => {
    const cm = join(dir, 'cm.yaml');
    writeFileSync(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lab\n  namespace: default\ndata:\n  a: "1"\n');
    await applyFile(cm);
    const g = await kubectl('get', 'configmap', 'lab', '-n', 'default', '-o', 'jsonpath={.data.a}');
    expect(g.stdout).toBe('1');
    const d = await kubectl('delete', '-f', cm);
    expect(d.stdout).toBe('configmap "lab" deleted');
    expect(readFileSync(kubeconfig, 'utf8')).toContain('kind-calico-ipam');
  });
});
