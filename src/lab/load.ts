/**
 * loadLab(): read and validate every file of a lab folder and derive the Lab model. Runs before
 * anything is created; every problem is reported with file:line, the bad value's path and the fix.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import type { KubeObject, Lab, ManifestDocument } from './model.js';
import { checkPins, selectRelease } from './pins.js';
import { checkInstallation, checkKindConfig, checkTopology, isRecord, Problems, type Problem } from './rules.js';
import { readSingleYaml, readYamlFile, type YamlDoc } from './yaml.js';

export interface LoadLabOptions {
  /** --topology; default: the lesson shipped with lab. */
  topology?: string | undefined;
  /** --pins; default $LAB_PINS, else `<manifests>/calico-pins.yaml`. */
  pins?: string | undefined;
  /** --calico-version; default: the pins file's default. */
  calicoVersion?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const PINS_FILE_NAME = 'calico-pins.yaml';

/** The installed package's root (holds package.json, topology/, manifests/). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function defaultTopologyFile(): string {
  return join(packageRoot(), 'topology', 'calico-ipam.clab.yaml');
}

/** A lab's manifests: `<topology dir>/manifests/`, else `manifests/` beside the topology dir (the package layout). */
export function manifestsDirFor(topologyFile: string): string {
  const dir = dirname(topologyFile);
  const inside = join(dir, 'manifests');
  return existsSync(inside) ? inside : join(dir, '..', 'manifests');
}

function fail(problems: Problem[]): never {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new InputError(`${first!.file}:${first!.line}: ${first!.message}${more}`, {
    details: problems.slice(1).map((p) => `${p.file}:${p.line}: ${p.message} — ${p.fix}`),
    hint: first!.fix,
  });
}

export async function loadLab(options: LoadLabOptions): Promise<Lab> {
  const topologyFile = options.topology === undefined ? defaultTopologyFile() : resolve(options.cwd, options.topology);
  const dir = dirname(topologyFile);
  const problems = new Problems();

  const topoDoc = await readSingleYaml(topologyFile, 'topology file');
  const topo = checkTopology(topoDoc, problems);
  if (!topo) fail(problems.list);

  const kindConfigFile = isAbsolute(topo.startupConfig) ? topo.startupConfig : join(dir, topo.startupConfig);
  if (!existsSync(kindConfigFile)) {
    problems.add(topoDoc, ['topology', 'nodes', topo.node, 'startup-config'], `startup-config ${topo.startupConfig} does not exist (looked for ${kindConfigFile})`, 'point startup-config at the kind config, relative to the topology file');
    fail(problems.list);
  }
  const kindDoc = await readSingleYaml(kindConfigFile, 'kind config');
  const kind = checkKindConfig(kindDoc, topo.node, problems);

  const manifestsDir = manifestsDirFor(topologyFile);
  const pinsFile = options.pins !== undefined ? resolve(options.cwd, options.pins) : options.env['LAB_PINS'] ? resolve(options.cwd, options.env['LAB_PINS']) : join(manifestsDir, PINS_FILE_NAME);
  const customResources = await readCustomResources(manifestsDir, problems);

  const installations = customResources.filter((d) => d.doc.value && isRecord(d.doc.value) && d.doc.value['kind'] === 'Installation');
  let pool;
  if (installations.length === 0) {
    problems.list.push({ file: manifestsDir, line: 1, path: '', message: 'no Installation (operator.tigera.io/v1) among the lab\'s manifests', fix: `add the Calico Installation to a YAML file in ${manifestsDir}` });
  } else {
    pool = checkInstallation(installations[0]!.doc, 0, kind, problems);
  }
  const pinsDoc = await readSingleYaml(pinsFile, options.pins !== undefined ? '--pins file' : options.env['LAB_PINS'] ? '$LAB_PINS file' : 'pins file');
  const pins = checkPins(pinsDoc, problems);
  if (!problems.empty || !kind || !pool || !pins) fail(problems.list);

  const release = selectRelease(pins, options.calicoVersion);
  const tag = /:(v\d+\.\d+\.\d+)(?:@|$)/.exec(topo.image)?.[1];
  return {
    lesson: { id: basename(dir), title: topo.name, summary: '', notes: [], file: undefined },
    workloads: { manifests: [], waitFor: [], images: [] },
    dir,
    topologyFile,
    name: topo.name,
    cluster: topo.node,
    nodeImage: topo.image,
    kubernetesVersion: tag,
    kindConfigFile,
    nodes: kind.nodes,
    podSubnet: kind.podSubnet,
    serviceSubnet: kind.serviceSubnet,
    pool,
    customResources: customResources.map((c) => c.manifest),
    kubeconfigPath: join(dir, `${topo.node}.kubeconfig`),
    labDir: join(dir, `clab-${topo.name}`),
    calico: release,
    pinsFile,
  };
}

interface LoadedResource {
  doc: YamlDoc;
  manifest: ManifestDocument;
}

/** Every YAML document in the manifests dir except the pins file, in file-name order. */
async function readCustomResources(manifestsDir: string, problems: Problems): Promise<LoadedResource[]> {
  let names: string[];
  try {
    names = (await readdir(manifestsDir)).filter((n) => /\.ya?ml$/.test(n) && n !== PINS_FILE_NAME).sort();
  } catch {
    throw new InputError(`the lab has no manifests directory (looked for ${manifestsDir})`, {
      hint: 'put the Calico custom resources (Installation, APIServer) in manifests/ beside the topology folder, or in <topology dir>/manifests/',
    });
  }
  const out: LoadedResource[] = [];
  for (const name of names) {
    const file = join(manifestsDir, name);
    for (const doc of await readYamlFile(file, 'manifest')) {
      const v = doc.value;
      if (!isRecord(v)) {
        problems.add(doc, [], `a document in ${basename(file)} is not a Kubernetes object`, 'each document needs apiVersion, kind and metadata.name');
        continue;
      }
      const meta = isRecord(v['metadata']) ? v['metadata'] : undefined;
      if (typeof v['apiVersion'] !== 'string' || typeof v['kind'] !== 'string' || typeof meta?.['name'] !== 'string') {
        problems.add(doc, ['metadata'], `a document in ${basename(file)} lacks apiVersion, kind or metadata.name`, 'each document needs apiVersion, kind and metadata.name');
        continue;
      }
      if (v['kind'] === 'Installation' && v['apiVersion'] !== 'operator.tigera.io/v1') {
        problems.add(doc, ['apiVersion'], `Installation has apiVersion ${String(v['apiVersion'])}, expected operator.tigera.io/v1`, 'set `apiVersion: operator.tigera.io/v1`');
      }
      out.push({ doc, manifest: { file, line: doc.line, object: v as KubeObject } });
    }
  }
  return out;
}
