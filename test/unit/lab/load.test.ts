import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InputError, UsageError } from '../../../src/errors.js';
import { defaultTopologyFile, loadLab, packageRoot } from '../../../src/lab/load.js';
import { kindNodeNames } from '../../../src/lab/rules.js';

const root = packageRoot();
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-load-'));
  await cp(join(root, 'topology'), join(dir, 'topology'), { recursive: true });
  await cp(join(root, 'manifests'), join(dir, 'manifests'), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lessonDir = (): string => join(dir, 'topology', '01-calico-ipam');
const topo = (): string => join(lessonDir(), 'calico-ipam.clab.yaml');
const kindCfg = (): string => join(lessonDir(), 'calico-ipam-no-cni.yaml');
const crs = (): string => join(lessonDir(), 'calico-cni-config', 'custom-resources.yaml');
const load = (extra: Partial<Parameters<typeof loadLab>[0]> = {}) => loadLab({ topology: topo(), cwd: dir, env: {}, ...extra });

async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const next = text.replace(from, to);
  expect(next, `edit of ${file} did not apply`).not.toBe(text);
  await writeFile(file, next);
}

async function loadError(extra: Partial<Parameters<typeof loadLab>[0]> = {}): Promise<InputError> {
  const error = await load(extra).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('the lesson 01 lab as shipped', () => {
  test('derives everything from the files', async () => {
    const lab = await loadLab({ cwd: '/', env: {} });
    expect(lab.topologyFile).toBe(defaultTopologyFile());
    expect(lab.name).toBe('calico-ipam');
    expect(lab.cluster).toBe('calico-ipam');
    expect(lab.nodeImage).toBe('kindest/node:v1.28.0');
    expect(lab.kubernetesVersion).toBe('v1.28.0');
    expect(lab.nodes).toEqual([
      { name: 'calico-ipam-control-plane', role: 'control-plane' },
      { name: 'calico-ipam-worker', role: 'worker' },
      { name: 'calico-ipam-worker2', role: 'worker' },
    ]);
    expect(lab.podSubnet).toBe('192.168.0.0/16');
    expect(lab.serviceSubnet).toBe('10.96.0.0/16');
    expect(lab.pool).toEqual({ name: 'default-ipv4-ippool', cidr: '192.168.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' });
    expect(lab.customResources.map((c) => `${c.object.kind}/${c.object.metadata.name}`)).toEqual(['Installation/default', 'APIServer/default']);
    expect(lab.kubeconfigPath).toBe(join(root, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig'));
    expect(lab.labDir).toBe(join(root, 'topology', '01-calico-ipam', 'clab-calico-ipam'));
    // the real v3.30.0 pins (../shared/reference/calico/pins.yaml)
    expect(lab.calico.version).toBe('v3.30.0');
    expect(lab.calico.manifests['operator-crds.yaml'].sha256).toBe('3533fc7d5ca0bb5e595d2fe66965ad9199e72b4d213965f567a66b9fc5d712ba');
    expect(lab.calico.manifests['tigera-operator.yaml'].sha256).toBe('4fcda71515ab358a94c4e81b12963e50899e8c6eaa757a9fb587d17c4799f7ab');
    expect(lab.calico.calicoctl['linux-amd64']?.sha256).toBe('a8d385b40526e117a622eb2134f7ed0ce77b9048dbd560dfa2be49fbb4ee6f25');
    expect(lab.calico.images).toContain('docker.io/calico/node:v3.30.0');
  });

  test('kind names nodes by role in config order', () => {
    expect(kindNodeNames('k01', ['control-plane', 'worker', 'worker', 'worker']).map((n) => n.name)).toEqual(['k01-control-plane', 'k01-worker', 'k01-worker2', 'k01-worker3']);
    expect(kindNodeNames('x', ['control-plane', 'control-plane', 'worker']).map((n) => n.name)).toEqual(['x-control-plane', 'x-control-plane2', 'x-worker']);
  });

  test('a lab folder with more workers and another name needs no code change', async () => {
    await edit(topo(), /calico-ipam:\n(\s+)kind: k8s-kind/, 'ipam:\n$1kind: k8s-kind');
    await edit(kindCfg(), '  - role: worker\n  - role: worker\n', '  - role: worker\n  - role: worker\n  - role: worker\n');
    const lab = await load();
    expect(lab.cluster).toBe('ipam');
    expect(lab.nodes.map((n) => n.name)).toEqual(['ipam-control-plane', 'ipam-worker', 'ipam-worker2', 'ipam-worker3']);
    expect(lab.kubeconfigPath).toBe(join(lessonDir(), 'ipam.kubeconfig'));
  });
});

describe('bad input names file:line and the fix, before anything is created', () => {
  test('malformed YAML in the topology', async () => {
    await writeFile(topo(), 'name: calico-ipam\ntopology:\n  nodes:\n    calico-ipam: [kind: k8s-kind\n');
    const e = await loadError();
    expect(e.message).toMatch(new RegExp(`^${topo().replaceAll('/', '\\/')}:\\d+:\\d+: invalid YAML`));
    expect(e.exitCode).toBe(2);
  });

  test('malformed YAML in the kind config names that file', async () => {
    await writeFile(kindCfg(), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n - role: worker\n');
    const e = await loadError();
    expect(e.message.startsWith(`${kindCfg()}:`)).toBe(true);
    expect(e.message).toContain('invalid YAML');
  });

  test('wrong kind / apiVersion of the kind config', async () => {
    await edit(kindCfg(), 'kind: Cluster', 'kind: Clusters');
    const e = await loadError();
    expect(e.message).toBe(`${kindCfg()}:2: kind is "Clusters", expected "Cluster"`);
    expect(e.hint).toBe('set `kind: Cluster`');
  });

  test('startup-config pointing to a missing file', async () => {
    await edit(topo(), 'startup-config: calico-ipam-no-cni.yaml', 'startup-config: nope.yaml');
    const e = await loadError();
    expect(e.message).toMatch(/calico-ipam\.clab\.yaml:\d+: startup-config nope\.yaml does not exist/);
  });

  test('a topology without a k8s-kind node', async () => {
    await edit(topo(), 'kind: k8s-kind', 'kind: linux');
    const e = await loadError();
    expect(e.message).toContain('the topology has no node of kind k8s-kind: found calico-ipam (linux)');
  });

  test('kind config with no control-plane', async () => {
    await edit(kindCfg(), '  - role: control-plane\n', '');
    const e = await loadError();
    expect(e.message).toContain('the kind config has no control-plane node');
  });

  test('Installation pool CIDR differs from the kind podSubnet', async () => {
    await edit(crs(), 'cidr: 192.168.0.0/16', 'cidr: 10.244.0.0/16');
    const e = await loadError();
    expect(e.message).toMatch(/custom-resources\.yaml:\d+: pool cidr 10\.244\.0\.0\/16 differs from the kind podSubnet 192\.168\.0\.0\/16/);
  });

  test('pool overlapping the service CIDR', async () => {
    await edit(kindCfg(), 'serviceSubnet: 10.96.0.0/16', 'serviceSubnet: 192.168.128.0/20');
    const e = await loadError();
    expect(e.message).toContain('overlaps the service CIDR 192.168.128.0/20');
  });

  test.each([19, 33, 26.5])('blockSize %s is refused', async (size) => {
    await edit(crs(), 'blockSize: 26', `blockSize: ${size}`);
    const e = await loadError();
    expect(e.message).toContain('outside 20–32');
    expect(e.message).toMatch(/custom-resources\.yaml:10:/);
  });

  test('several problems are all listed', async () => {
    await edit(kindCfg(), 'kind: Cluster', 'kind: Nope');
    await edit(kindCfg(), '  - role: control-plane\n', '');
    const e = await loadError();
    expect(e.message).toContain('(and 1 more problem)');
    expect(e.details.join('\n')).toContain('no control-plane');
  });

  test('a pins file with a bad sha256', async () => {
    const pins = join(dir, 'manifests', 'calico-pins.yaml');
    await edit(pins, 'a8d385b40526e117a622eb2134f7ed0ce77b9048dbd560dfa2be49fbb4ee6f25', 'abc');
    const e = await loadError();
    expect(e.message).toContain('versions.v3.30.0.calicoctl.linux-amd64.sha256 is not 64 lower-case hex digits');
  });

  test('--pins and $LAB_PINS choose the pins file, --pins first', async () => {
    const e1 = await loadError({ pins: 'missing.yaml' });
    expect(e1.message).toBe(`--pins file not found: ${join(dir, 'missing.yaml')}`);
    const e2 = await loadError({ env: { LAB_PINS: '/nonexistent/pins.yaml' } });
    expect(e2.message).toBe('$LAB_PINS file not found: /nonexistent/pins.yaml');
  });

  test('--calico-version must be in the pins file', async () => {
    const error = await load({ calicoVersion: '3.29.0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toContain('v3.30.0');
    await expect(load({ calicoVersion: '3.30.0' })).resolves.toMatchObject({ calico: { version: 'v3.30.0' } });
  });

  test('a missing topology file', async () => {
    const e = await loadError({ topology: 'nowhere.clab.yaml' });
    expect(e.message).toBe(`--topology nowhere.clab.yaml: not found (looked for ${join(dir, 'nowhere.clab.yaml')})`);
  });
});
