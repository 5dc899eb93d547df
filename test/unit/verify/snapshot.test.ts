import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CHECKS } from '../../../src/calico/checks/index.js';
import { gatherInputs, NOT_NEEDED, type GatherSources, type ListClient } from '../../../src/calico/gather.js';
import { inputsUsedBy, runChecks, selectChecks } from '../../../src/calico/runner.js';
import { assertNoSecrets, buildSnapshot, loadSnapshot, SNAPSHOT_FORMAT } from '../../../src/calico/snapshot.js';
import { InputError } from '../../../src/errors.js';
import { fixture, healthyInputs, lessonLab } from './lesson-lab.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-verify-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';

/** A fake API holding objects as a real server returns them: managedFields, last-applied, pod specs with secrets. */
function fakeApi(): ListClient & { calls: string[] } {
  const h = healthyInputs();
  const noisy = <T extends { metadata: Record<string, unknown> }>(o: T): T => ({
    ...o,
    metadata: { ...o.metadata, managedFields: [{ manager: 'kubectl', fieldsV1: {} }], annotations: { ...(o.metadata['annotations'] as object), 'kubectl.kubernetes.io/last-applied-configuration': '{"token":"s3cr3t"}' } },
  });
  const byPath: Record<string, unknown[]> = {
    'operator.tigera.io/v1/tigerastatuses': (h.tigeraStatuses.ok ? h.tigeraStatuses.value : []).map(noisy),
    'v1/nodes': (h.nodes.ok ? h.nodes.value : []).map((n) => ({ ...noisy(n), status: { ...n.status, images: [{ names: ['x'] }] } })),
    'v1/pods': (h.pods.ok ? h.pods.value : []).map((p) => ({
      ...noisy(p),
      spec: { ...p.spec, containers: [{ name: 'c', env: [{ name: 'TOKEN', value: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.payload' }], volumeMounts: [] }] },
    })),
    'crd.projectcalico.org/v1/ippools': (h.ippools.ok ? h.ippools.value : []).map(noisy),
    'crd.projectcalico.org/v1/ipamblocks': (h.ipamBlocks.ok ? h.ipamBlocks.value : []).map(noisy),
    'crd.projectcalico.org/v1/blockaffinities': (h.blockAffinities.ok ? h.blockAffinities.value : []).map(noisy),
    'crd.projectcalico.org/v1/ipamhandles': (h.ipamHandles.ok ? h.ipamHandles.value : []).map(noisy),
    'operator.tigera.io/v1/installations': (h.installations.ok ? h.installations.value : []).map((i) => ({ ...noisy(i), spec: { ...i.spec, certificateManagement: { caCert: PEM } } })),
  };
  const calls: string[] = [];
  return {
    calls,
    list: async <T>(apiVersion: string, resource: string) => {
      calls.push(`${apiVersion}/${resource}`);
      const items = byPath[`${apiVersion}/${resource}`];
      if (!items) throw new Error(`404 ${apiVersion}/${resource}`);
      return { items: items as T[] };
    },
  };
}

function fakeSources(kube: ListClient | { unavailable: string }): GatherSources {
  return {
    kube,
    containers: async () => JSON.parse(fixture('containerlab-inspect.json'))['calico-ipam'],
    kindSubnets: async () => ['172.18.0.0/16', 'fc00:f853:ccd:e793::/64'],
    ipamShowText: async () => fixture('calicoctl-ipam-show-blocks.txt'),
    ipamCheckText: async () => fixture('calicoctl-ipam-check-report.json'),
    hostRoutesText: async () => '[{"dst":"default","dev":"eth0"},{"dst":"172.18.0.0/16","dev":"br-x"}]',
  };
}

describe('gatherInputs', () => {
  it('one list call per resource type, crd.projectcalico.org/v1 explicitly; all checks pass on the healthy lab', async () => {
    const api = fakeApi();
    const inputs = await gatherInputs(fakeSources(api));
    expect(api.calls.sort()).toEqual([
      'crd.projectcalico.org/v1/blockaffinities',
      'crd.projectcalico.org/v1/ipamblocks',
      'crd.projectcalico.org/v1/ipamhandles',
      'crd.projectcalico.org/v1/ippools',
      'operator.tigera.io/v1/installations',
      'operator.tigera.io/v1/tigerastatuses',
      'v1/nodes',
      'v1/pods',
    ].concat(['apps/v1/daemonsets', 'discovery.k8s.io/v1/endpointslices', 'v1/services']).sort());
    // (the API-object lists of lessons 03–05 too: a full gather is what `lab snapshot` captures; v1/pods is listed once)
    const results = runChecks(CHECKS, lessonLab, inputs);
    expect(results.map((r) => `${r.id}:${r.status}`)).toEqual(CHECKS.map((c) => `${c.id}:pass`));
    // hostNetwork pods are dropped on the way in
    expect(inputs.pods.ok && inputs.pods.value.some((p) => p.metadata.name.startsWith('kube-apiserver'))).toBe(false);
  });

  it('a --check subset gathers only the inputs its checks use', async () => {
    const api = fakeApi();
    let calicoctlRuns = 0;
    const sources = { ...fakeSources(api), ipamShowText: async () => { calicoctlRuns++; return ''; }, ipamCheckText: async () => { calicoctlRuns++; return ''; } };
    const checks = selectChecks(['nodes']);
    const inputs = await gatherInputs(sources, inputsUsedBy(checks));
    expect(api.calls).toEqual(['v1/nodes']);
    expect(calicoctlRuns).toBe(0);
    expect(inputs.pods).toEqual({ ok: false, reason: NOT_NEEDED });
    expect(runChecks(checks, lessonLab, inputs).map((r) => r.status)).toEqual(['pass']);
  });

  it('a failing source makes only that input absent, with the reason', async () => {
    const sources = { ...fakeSources({ unavailable: 'no kubeconfig at /x/calico-ipam.kubeconfig (run `lab deploy` first)' }), ipamShowText: async () => { throw new Error('calicoctl is not cached (offline)'); } };
    const inputs = await gatherInputs(sources);
    // A read that failed is not an absent input: the rules needing it fail.
    expect(inputs.nodes).toEqual({ ok: false, failed: true, reason: 'no kubeconfig at /x/calico-ipam.kubeconfig (run `lab deploy` first)' });
    expect(inputs.ipamShow).toEqual({ ok: false, failed: true, reason: 'calicoctl is not cached (offline)' });
    expect(inputs.containers.ok).toBe(true);
    const r = runChecks(CHECKS, lessonLab, inputs);
    const nodes = r.find((x) => x.id === 'nodes')!;
    expect(nodes.status).toBe('fail');
    expect(nodes.rules!.map((x) => x.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(nodes.summary).toContain('could not read Nodes table (kubectl get nodes -o wide): no kubeconfig at /x/calico-ipam.kubeconfig');
    expect(r.find((x) => x.id === 'topology')!.status).toBe('pass');
  });
});

describe('snapshot file', () => {
  it('has no kubeconfig, tokens, certificates, Secrets or managedFields, and verifies the same offline', async () => {
    const inputs = await gatherInputs(fakeSources(fakeApi()));
    const doc = buildSnapshot(lessonLab, inputs);
    const text = JSON.stringify(doc, null, 2);
    expect(doc.format).toBe(SNAPSHOT_FORMAT);
    expect(doc.version).toBe(1);
    for (const bad of ['managedFields', 'last-applied-configuration', 's3cr3t', 'eyJhbGciOi', 'BEGIN CERTIFICATE', 'TOKEN', 'client-key-data', '"kind": "Secret"', 'images']) {
      expect(text, bad).not.toContain(bad);
    }
    const file = join(dir, 'snap.json');
    await writeFile(file, text);
    const loaded = await loadSnapshot(file);
    expect(loaded.lab).toEqual(lessonLab);
    const before = runChecks(CHECKS, lessonLab, inputs).map((r) => ({ ...r, durationMs: 0 }));
    const after = runChecks(CHECKS, loaded.lab!, loaded.inputs).map((r) => ({ ...r, durationMs: 0 }));
    expect(after).toEqual(before);
  });

  it('assertNoSecrets refuses PEM, kubeconfig keys, Secrets, JWTs', () => {
    expect(() => assertNoSecrets(JSON.stringify({ a: PEM }))).toThrow(/certificate/);
    expect(() => assertNoSecrets('{"client-key-data": "abc"}')).toThrow(/kubeconfig/);
    expect(() => assertNoSecrets('{"kind": "Secret"}')).toThrow(/Secret/);
    expect(() => assertNoSecrets('{"x":"eyJhbGciOiJSUzI1NiIsImtpZCI6"}')).toThrow(/JWT/);
    expect(() => assertNoSecrets('{"kind":"Node"}')).not.toThrow();
  });

  it('an unsupported snapshot version is an InputError naming the file', async () => {
    const file = join(dir, 'old.json');
    await writeFile(file, JSON.stringify({ format: SNAPSHOT_FORMAT, version: 99, inputs: {} }));
    await expect(loadSnapshot(file)).rejects.toThrow(new RegExp(`${file}: snapshot format version 99`));
  });
});

describe('a directory of ordinary outputs, recognised by content', () => {
  async function bugReport(): Promise<void> {
    const h = healthyInputs();
    const list = (items: unknown[]) => ({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });
    // Names say nothing: recognition must come from the content.
    await writeFile(join(dir, '01'), JSON.stringify(list(h.ipamBlocks.ok ? h.ipamBlocks.value : []), null, 2));
    await writeFile(join(dir, '02'), fixture('blockaffinities-v3.yaml'));
    await writeFile(join(dir, '03'), (h.nodes.ok ? h.nodes.value : []).map((n) => stringify(n)).join('---\n'));
    await writeFile(join(dir, '04'), stringify(list(h.pods.ok ? h.pods.value : [])));
    await writeFile(join(dir, '05'), stringify(list(h.tigeraStatuses.ok ? h.tigeraStatuses.value : [])));
    await writeFile(join(dir, '06'), JSON.stringify((h.ippools.ok ? h.ippools.value : [])[0]));
    await writeFile(join(dir, '07'), fixture('calicoctl-ipam-show.txt'));
    await writeFile(join(dir, '08'), fixture('calicoctl-ipam-check-report.json'));
    await writeFile(join(dir, '09'), fixture('containerlab-inspect.json'));
    await writeFile(join(dir, '10'), fixture('docker-network-inspect-kind.json'));
  }

  it('takes each file for what it is and runs every check its inputs allow', async () => {
    await bugReport();
    const loaded = await loadSnapshot(dir);
    expect(loaded.lab).toBeUndefined();
    expect(Object.fromEntries(loaded.files.map((f) => [f.file, f.recognisedAs]))).toEqual({
      '01': ['IPAMBlock crd.projectcalico.org/v1'],
      '02': ['BlockAffinity projectcalico.org/v3'],
      '03': ['Node v1'],
      '04': ['Pod v1'],
      '05': ['TigeraStatus operator.tigera.io/v1'],
      '06': ['IPPool crd.projectcalico.org/v1'],
      '07': ['calicoctl ipam show'],
      '08': ['calicoctl ipam check report'],
      '09': ['containerlab inspect --format json'],
      '10': ['docker network inspect kind'],
    });
    expect(loaded.inputs.blockAffinities.ok && loaded.inputs.blockAffinities.source).toBe('02 (projectcalico.org/v3)');
    expect(loaded.inputs.blockAffinities.ok && loaded.inputs.blockAffinities.value.every((a) => a.spec?.deleted === 'false')).toBe(true);
    expect(loaded.inputs.ipamHandles).toEqual({ ok: false, reason: 'not among the files given' });
    const results = runChecks(CHECKS, lessonLab, loaded.inputs);
    expect(Object.fromEntries(results.map((r) => [r.id, r.status]))).toEqual({
      topology: 'pass', tigerastatus: 'pass', nodes: 'pass', 'ipam-pool': 'pass', 'block-affinities': 'pass', 'affinity-details': 'pass',
      'node-blocks': 'pass', 'pod-ips': 'pass', 'cidr-hygiene': 'pass', 'ipam-check': 'pass',
    });
    expect(results.find((r) => r.id === 'affinity-details')!.evidence['shape']).toContain('projectcalico.org/v3');
  });

  it('an unrecognised file is listed as ignored; the other files are still read', async () => {
    await bugReport();
    await writeFile(join(dir, 'notes.txt'), 'the cluster broke after lunch\n');
    const loaded = await loadSnapshot(dir);
    expect(loaded.ignored).toEqual([{ source: 'notes.txt', reason: 'not a file verify can read' }]);
    expect(loaded.inputs.blockAffinities.ok).toBe(true);
  });

  it('Kubernetes objects verify does not read are recognised and ignored (a Secret is never kept)', async () => {
    await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: coredns, namespace: kube-system}\n');
    await writeFile(join(dir, 'secret.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { token: 'czNjcjN0' } }));
    const loaded = await loadSnapshot(dir);
    expect(loaded.files).toEqual([
      { file: 'cm.yaml', recognisedAs: ['ConfigMap (not used by verify)'] },
      { file: 'secret.json', recognisedAs: ['Secret (not used by verify)'] },
    ]);
    expect(JSON.stringify(loaded.inputs)).not.toContain('czNjcjN0');
  });

  it('malformed YAML is ignored naming file:line', async () => {
    await writeFile(join(dir, 'nodes.yaml'), 'apiVersion: v1\nkind: List\nitems:\n  - a: [1, 2\n');
    const loaded = await loadSnapshot(dir);
    expect(loaded.ignored).toHaveLength(1);
    expect(loaded.ignored[0]!.source).toMatch(/^nodes\.yaml:\d+$/);
    expect(loaded.ignored[0]!.reason.length).toBeGreaterThan(5);
  });

  it('a missing path is an InputError', async () => {
    await expect(loadSnapshot(join(dir, 'nope'))).rejects.toBeInstanceOf(InputError);
  });

  it('a snapshot written then read from the file keeps the text it had', async () => {
    const inputs = healthyInputs();
    const file = join(dir, 'x.json');
    await writeFile(file, JSON.stringify(buildSnapshot(lessonLab, inputs)));
    expect(JSON.parse(await readFile(file, 'utf8')).lab.name).toBe('calico-ipam');
  });
});
