/**
 * A lab folder per run: a temp copy of the package's `topology/` and `manifests/`, optionally with a
 * kind config of N nodes (1 control-plane + N−1 workers), exactly how a user would run another lab
 * folder with `lab deploy --topology <dir>/topology/<lesson>/<lab>.clab.yaml`.
 * `lesson`: a lesson folder name or its prefix (default: the first).
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDocument, parse } from 'yaml';

/** The topology file of a lesson folder (its one `*.clab.yaml`); default: the first lesson under `topology/`. */
async function topologyFile(dir, lesson) {
  const lessons = (await readdir(join(dir, 'topology'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const folder = lesson === undefined ? lessons[0] : lessons.find((l) => l.startsWith(lesson));
  if (folder === undefined) throw new Error(`no lesson folder ${lesson ?? ''} under ${join(dir, 'topology')} (found ${lessons.join(', ')})`);
  const files = (await readdir(join(dir, 'topology', folder))).filter((f) => f.endsWith('.clab.yaml'));
  if (files.length !== 1) throw new Error(`expected one *.clab.yaml in ${join(dir, 'topology', folder)}, found ${files.length}`);
  return join(dir, 'topology', folder, files[0]);
}

/**
 * Copy the lab's files into a new temp dir. Returns { dir, topology, kindConfig, cluster, nodeNames, remove }.
 * `nodes`: total node count wanted (default: keep the lesson's kind config as it is).
 */
export async function makeLabDir(root, { nodes, lesson } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'lab-bench-'));
  await cp(join(root, 'topology'), join(dir, 'topology'), { recursive: true });
  await cp(join(root, 'manifests'), join(dir, 'manifests'), { recursive: true });
  const topology = await topologyFile(dir, lesson);
  const topo = parse(await readFile(topology, 'utf8'));
  const [cluster, node] = Object.entries(topo?.topology?.nodes ?? {}).find(([, n]) => n?.kind === 'k8s-kind') ?? [];
  if (!cluster) throw new Error(`${topology}: no k8s-kind node`);
  const kindConfig = join(dirname(topology), node['startup-config']);
  const doc = parseDocument(await readFile(kindConfig, 'utf8'));
  if (nodes !== undefined) {
    if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`nodes must be a positive integer, got ${nodes}`);
    doc.set('nodes', [{ role: 'control-plane' }, ...Array.from({ length: nodes - 1 }, () => ({ role: 'worker' }))]);
    await writeFile(kindConfig, doc.toString());
  }
  const roles = (doc.toJS().nodes ?? [{ role: 'control-plane' }]).map((n) => n.role);
  const counts = { 'control-plane': 0, worker: 0 };
  const nodeNames = roles.map((role) => {
    counts[role] += 1;
    return `${cluster}-${role}${counts[role] === 1 ? '' : counts[role]}`;
  });
  return {
    dir,
    topology,
    kindConfig,
    cluster,
    nodeNames,
    customResources: join(dirname(topology), 'calico-cni-config', 'custom-resources.yaml'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
