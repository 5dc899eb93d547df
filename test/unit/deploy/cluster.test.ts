import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync as read } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWritable, clusterProblems, writePrivateFile } from '../../../src/deploy/cluster.js';
import { Deadline } from '../../../src/deploy/deadlines.js';
import { parseManifest } from '../../../src/deploy/manifests.js';
import { nothingToRemove } from '../../../src/deploy/destroy.js';
import { parseDockerPs } from '../../../src/tools/docker.js';
import { PrerequisiteError } from '../../../src/errors.js';

const fixture = (name: string): string => read(join(import.meta.dirname, '..', '..', 'fixtures', 'cli', name), 'utf8');
const lab = {
  nodeImage: 'kindest/node:v1.28.0',
  nodes: [
    { name: 'calico-ipam-control-plane', role: 'control-plane' as const },
    { name: 'calico-ipam-worker', role: 'worker' as const },
    { name: 'calico-ipam-worker2', role: 'worker' as const },
  ],
};

describe('existing cluster vs the lab', () => {
  const ps = parseDockerPs(fixture('docker-ps-kind.jsonl'));
  it('the reference cluster matches the lesson lab', () => {
    expect(clusterProblems(lab, ps)).toEqual([]);
  });
  it('a stopped node, another image, a missing node, an extra node', () => {
    const changed = ps.map((c) => (c.Names === 'calico-ipam-worker' ? { ...c, State: 'exited', Status: 'Exited (137) 1 minute ago' } : c.Names === 'calico-ipam-worker2' ? { ...c, Image: 'kindest/node:v1.30.0' } : c));
    expect(clusterProblems(lab, changed)).toEqual([
      'container calico-ipam-worker is exited (Exited (137) 1 minute ago)',
      'container calico-ipam-worker2 runs kindest/node:v1.30.0, the lab wants kindest/node:v1.28.0',
    ]);
    expect(clusterProblems({ ...lab, nodes: [...lab.nodes, { name: 'calico-ipam-worker3', role: 'worker' }] }, ps)).toEqual(['container calico-ipam-worker3 is missing']);
    expect(clusterProblems({ ...lab, nodes: lab.nodes.slice(0, 2) }, ps)).toEqual(["container calico-ipam-worker2 is not part of this lab's kind config"]);
  });
});

describe('files', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  it('kubeconfig written mode 0600, atomically (no temp file left)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-kc-'));
    const file = join(dir, 'calico-ipam.kubeconfig');
    await writePrivateFile(file, fixture('kind-get-kubeconfig.yaml'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(fixture('kind-get-kubeconfig.yaml'));
    await writePrivateFile(file, 'second');
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['calico-ipam.kubeconfig']);
  });
  it('an unwritable lab dir is a PrerequisiteError naming it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-kc-'));
    // /proc refuses new files even for root
    const e = (await checkWritable('/proc').catch((x: unknown) => x)) as PrerequisiteError;
    expect(e).toBeInstanceOf(PrerequisiteError);
    expect(e.message).toBe('the lab directory /proc is not writable');
    await expect(checkWritable(dir)).resolves.toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('manifests', () => {
  it('multi-document YAML, empty documents skipped', () => {
    const docs = parseManifest('---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: tigera-operator\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  namespace: tigera-operator\nspec:\n  x-kubernetes-thing: true\n', 'm.yaml');
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Namespace/tigera-operator', 'Deployment/x']);
    expect(docs[1]!['spec']).toEqual({ 'x-kubernetes-thing': true });
  });
  it('a YAML error names file:line', () => {
    expect(() => parseManifest('apiVersion: v1\nkind: X\nmetadata:\n  name: [a\n', 'bad.yaml')).toThrow(/^bad\.yaml:\d+: not valid YAML/);
  });
  it('a document that is not an object → error', () => {
    expect(() => parseManifest('just: text\n', 'odd.yaml')).toThrow(/not a Kubernetes object/);
  });
});

describe('deadlines and destroy decisions', () => {
  it('a step gets min(its default, what is left)', () => {
    const d = new Deadline(10_000, Date.now());
    expect(d.step(5_000) - Date.now()).toBeLessThanOrEqual(5_000);
    expect(d.step(60_000)).toBe(d.at);
  });
  it('nothing to remove only when no containers, no lab dir, no kubeconfig', () => {
    expect(nothingToRemove({ containers: [], labDir: false, kubeconfig: false })).toBe(true);
    expect(nothingToRemove({ containers: [], labDir: false, kubeconfig: true })).toBe(false);
    expect(nothingToRemove({ containers: ['x'], labDir: false, kubeconfig: false })).toBe(false);
  });
});
