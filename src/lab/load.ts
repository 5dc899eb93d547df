/**
 * loadLab(): read and validate every file of a lab folder and derive the Lab model. Runs before
 * anything is created; every problem is reported with file:line, the bad value's path and the fix.
 *
 * A lab folder (a lesson) holds its containerlab topology, the kind config it names, the Calico custom
 * resources (`calico-cni-config/custom-resources.yaml`; older layouts: `<dir>/manifests/` or
 * `../manifests/`), the workloads (`tools/*.yaml`) and, optionally, a lesson file (`lesson.yaml`).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { defaultLesson, findLesson, onlyTopologyIn, packageRoot, resolveTopologyArg } from './catalog.js';
import { checkLessonFile, LESSON_FILE_NAME, type LessonFile } from './lesson.js';
import { readManifestFile, type LoadedManifest } from './manifests.js';
import type { Lab, Lesson, Pins } from './model.js';
import { checkPins, selectRelease } from './pins.js';
import { checkInstallation, checkKindConfig, checkTopology, isRecord, Problems, type Problem } from './rules.js';
import { loadWorkloads } from './workloads.js';
import { readSingleYaml } from './yaml.js';

export { packageRoot } from './catalog.js';

export interface LoadLabOptions {
  /** --topology: a `.clab.yaml` file or a folder holding exactly one; default: the first shipped lesson. */
  topology?: string | undefined;
  /** --lesson: a shipped lesson's id or a prefix of it (`02`). Not together with `topology`. */
  lesson?: string | undefined;
  /** --pins; default $LAB_PINS, else `manifests/calico-pins.yaml` near the lab, else the package's. */
  pins?: string | undefined;
  /** --calico-version; default: the lesson's `calico:`, else the pins file's default. */
  calicoVersion?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const PINS_FILE_NAME = 'calico-pins.yaml';
export const CUSTOM_RESOURCES_FILE = join('calico-cni-config', 'custom-resources.yaml');

/** The topology of the default lab (the first shipped lesson). */
export function defaultTopologyFile(): string {
  return onlyTopologyIn(defaultLesson().dir, 'the default lesson');
}

/** Old layouts: `<topology dir>/manifests/`, else `manifests/` beside the topology dir. */
export function manifestsDirFor(topologyFile: string): string {
  const dir = dirname(topologyFile);
  const inside = join(dir, 'manifests');
  return existsSync(inside) ? inside : join(dir, '..', 'manifests');
}

/** The pins file: `manifests/calico-pins.yaml` in the lab folder or up to two levels above it, else the package's. */
export function pinsFileFor(dir: string): string {
  for (const up of ['.', '..', join('..', '..')]) {
    const file = join(dir, up, 'manifests', PINS_FILE_NAME);
    if (existsSync(file)) return resolve(file);
  }
  return join(packageRoot(), 'manifests', PINS_FILE_NAME);
}

function fail(problems: Problem[]): never {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new InputError(`${first!.file}:${first!.line}: ${first!.message}${more}`, {
    details: problems.slice(1).map((p) => `${p.file}:${p.line}: ${p.message} — ${p.fix}`),
    hint: first!.fix,
  });
}

/** The lab folder and, when the flags name it, its topology file. */
function locate(options: Pick<LoadLabOptions, 'topology' | 'lesson' | 'cwd' | 'env'>): { dir: string; topologyFile: string | undefined } {
  if (options.topology !== undefined && options.lesson !== undefined) {
    throw new UsageError('--lesson and --topology cannot be used together', { hint: 'pick a shipped lesson with --lesson <id>, or your own lab with --topology <file or folder>' });
  }
  if (options.lesson !== undefined) return { dir: findLesson(options.lesson).dir, topologyFile: undefined };
  if (options.topology !== undefined) {
    const r = resolveTopologyArg(options.topology, options.cwd);
    return { dir: r.dir, topologyFile: r.file };
  }
  return { dir: defaultLesson().dir, topologyFile: undefined };
}

/** The lesson file of `dir` (if any) and the topology file to use. */
async function lessonAndTopology(dir: string, given: string | undefined, problems: Problems): Promise<{ lesson: LessonFile | undefined; topologyFile: string }> {
  const file = join(dir, LESSON_FILE_NAME);
  const lesson = existsSync(file) ? checkLessonFile(await readSingleYaml(file, 'lesson file'), problems) : undefined;
  if (existsSync(file) && !lesson) fail(problems.list);
  // A topology file given by path wins over the lesson file's `topology:` (the rest of the lesson file still applies).
  if (lesson?.topology !== undefined && given === undefined) {
    const named = join(dir, lesson.topology);
    if (!existsSync(named)) {
      problems.add(lesson.doc, ['topology'], `topology ${lesson.topology} does not exist (looked for ${named})`, `name one of the folder's *.clab.yaml files`);
      fail(problems.list);
    }
    return { lesson, topologyFile: named };
  }
  return { lesson, topologyFile: given ?? onlyTopologyIn(dir, '--topology') };
}

export async function loadLab(options: LoadLabOptions): Promise<Lab> {
  const where = locate(options);
  const problems = new Problems();
  const { lesson, topologyFile } = await lessonAndTopology(where.dir, where.topologyFile, problems);
  const dir = dirname(topologyFile);

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

  const crs = await readCustomResources(topologyFile, problems);
  const installations = crs.resources.filter((d) => isRecord(d.doc.value) && d.doc.value['kind'] === 'Installation');
  let pool;
  if (installations.length === 0) {
    problems.list.push({ file: crs.where, line: 1, path: '', message: 'no Installation (operator.tigera.io/v1) among the lab\'s Calico custom resources', fix: `add the Calico Installation to ${crs.where}` });
  } else {
    pool = checkInstallation(installations[0]!.doc, 0, kind, problems);
  }
  const pinsFile = options.pins !== undefined ? resolve(options.cwd, options.pins) : options.env['LAB_PINS'] ? resolve(options.cwd, options.env['LAB_PINS']) : pinsFileFor(dir);
  const pinsDoc = await readSingleYaml(pinsFile, options.pins !== undefined ? '--pins file' : options.env['LAB_PINS'] ? '$LAB_PINS file' : 'pins file');
  const pins = checkPins(pinsDoc, problems);
  if (pins) checkLessonCalico(lesson, pins, problems);
  const notes = [...(lesson?.notes ?? [])];
  const workloads = await loadWorkloads(where.dir, lesson, problems, notes);
  if (!problems.empty || !kind || !pool || !pins) fail(problems.list);

  const release = selectRelease(pins, options.calicoVersion ?? lesson?.calico);
  const tag = /:(v\d+\.\d+\.\d+)(?:@|$)/.exec(topo.image)?.[1];
  const model: Lesson = lesson
    ? { id: lesson.id, title: lesson.title, summary: lesson.summary, notes, file: lesson.doc.file, ...(lesson.exercises ? { exercises: lesson.exercises } : {}) }
    : { id: basename(where.dir), title: topo.name, summary: '', notes, file: undefined };
  return {
    lesson: model,
    workloads,
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
    customResources: crs.resources.map((c) => c.manifest),
    kubeconfigPath: join(dir, `${topo.node}.kubeconfig`),
    labDir: join(dir, `clab-${topo.name}`),
    calico: release,
    pinsFile,
  };
}

/** The lesson's `calico:` must be a version of the pins file. */
function checkLessonCalico(lesson: LessonFile | undefined, pins: Pins, problems: Problems): void {
  if (lesson?.calico === undefined || Object.hasOwn(pins.versions, lesson.calico)) return;
  problems.add(lesson.doc, ['calico'], `the lesson needs Calico ${lesson.calico}, which the pins file ${pins.file} does not list`, `set \`calico:\` to one of ${Object.keys(pins.versions).join(', ')}, or add ${lesson.calico} to the pins file`);
}

/**
 * The Calico custom resources: `calico-cni-config/custom-resources.yaml` of the lab folder (the
 * series' layout), else every YAML file except the pins file in the old `manifests/` layouts.
 */
async function readCustomResources(topologyFile: string, problems: Problems): Promise<{ where: string; resources: LoadedManifest[] }> {
  const seriesFile = join(dirname(topologyFile), CUSTOM_RESOURCES_FILE);
  let files: string[];
  let where: string;
  if (existsSync(seriesFile)) {
    files = [seriesFile];
    where = seriesFile;
  } else {
    where = manifestsDirFor(topologyFile);
    try {
      files = (await readdir(where)).filter((n) => /\.ya?ml$/.test(n) && n !== PINS_FILE_NAME).sort().map((n) => join(where, n));
    } catch {
      throw new InputError(`the lab has no Calico custom resources (looked for ${seriesFile} and ${where}/)`, {
        hint: `put the Installation (and APIServer) in ${CUSTOM_RESOURCES_FILE} of the lab folder`,
      });
    }
    if (files.length === 0) {
      throw new InputError(`the lab has no Calico custom resources (looked for ${seriesFile}; ${where}/ holds no YAML file besides the pins)`, { hint: `put the Installation (and APIServer) in ${CUSTOM_RESOURCES_FILE} of the lab folder` });
    }
  }
  const resources: LoadedManifest[] = [];
  for (const file of files) {
    for (const r of await readManifestFile(file, 'manifest', problems)) {
      const v = r.manifest.object;
      if (v.kind === 'Installation' && v.apiVersion !== 'operator.tigera.io/v1') {
        problems.add(r.doc, ['apiVersion'], `Installation has apiVersion ${v.apiVersion}, expected operator.tigera.io/v1`, 'set `apiVersion: operator.tigera.io/v1`');
      }
      resources.push(r);
    }
  }
  return { where, resources };
}
