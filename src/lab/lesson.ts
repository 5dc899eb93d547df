/**
 * The lesson file (`lesson.yaml`): what a lesson folder's files cannot say themselves — id, title,
 * summary, the Calico version, the topology file, the workloads and what to wait for, notes, and
 * (issue 13) exercises. Pure rules over a parsed document; problems name file:line and the fix.
 * The JSON schema for editors is topology/lesson.schema.json.
 */
import { parseExercises } from '../exercises/spec.js';
import type { ExerciseSpec } from '../exercises/types.js';
import type { WorkloadWait } from './model.js';
import { isRecord, type Problems } from './rules.js';
import type { YamlDoc } from './yaml.js';

export const LESSON_FILE_NAME = 'lesson.yaml';
export const WAIT_KINDS: readonly WorkloadWait['kind'][] = ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod'];
const ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v?\d+\.\d+\.\d+$/;
const KEYS = ['id', 'title', 'summary', 'calico', 'topology', 'workloads', 'notes', 'exercises'];
const WORKLOAD_KEYS = ['manifests', 'waitFor', 'images'];

export interface LessonFile {
  doc: YamlDoc;
  id: string;
  title: string;
  summary: string;
  /** `v3.30.0`, normalised with a leading v; undefined: the pins file's default. */
  calico: string | undefined;
  /** Topology file name, relative to the folder. */
  topology: string | undefined;
  /** Files relative to the folder; undefined: `tools/*.yaml`. */
  manifests: string[] | undefined;
  waitFor: WorkloadWait[] | undefined;
  images: string[] | undefined;
  notes: string[];
  /** The exercises that passed validation (every bad one is in the problems, so loading stops). */
  exercises: ExerciseSpec[] | undefined;
}

type Path = (string | number)[];

function stringList(doc: YamlDoc, path: Path, value: unknown, problems: Problems, fix: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
    problems.add(doc, path, `${path.join('.')} is not a list of non-empty strings`, fix);
    return undefined;
  }
  return value as string[];
}

function optionalString(doc: YamlDoc, key: string, value: unknown, problems: Problems, fix: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.add(doc, [key], `${key} is not a non-empty string`, fix);
    return undefined;
  }
  return value;
}

function checkWaitFor(doc: YamlDoc, value: unknown, problems: Problems): WorkloadWait[] | undefined {
  const path = ['workloads', 'waitFor'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.add(doc, path, 'workloads.waitFor is not a list', 'write `waitFor:` as a list of `- { kind: DaemonSet, name: multitool-1, namespace: default }`');
    return undefined;
  }
  const out: WorkloadWait[] = [];
  value.forEach((w, i) => {
    const kind = isRecord(w) ? w['kind'] : undefined;
    const name = isRecord(w) ? w['name'] : undefined;
    const namespace = isRecord(w) ? (w['namespace'] ?? 'default') : undefined;
    if (!WAIT_KINDS.includes(kind as WorkloadWait['kind'])) {
      problems.add(doc, [...path, i, 'kind'], `workloads.waitFor[${i}].kind is ${JSON.stringify(kind ?? null)}, expected one of ${WAIT_KINDS.join(', ')}`, 'lab waits for Deployments, DaemonSets, StatefulSets and Pods');
    } else if (typeof name !== 'string' || name === '' || typeof namespace !== 'string' || namespace === '') {
      problems.add(doc, [...path, i], `workloads.waitFor[${i}] needs a name (and, if given, a non-empty namespace)`, 'write `- { kind: Pod, name: multitool }`');
    } else out.push({ kind: kind as WorkloadWait['kind'], name, namespace });
  });
  return out;
}

function checkWorkloads(doc: YamlDoc, value: unknown, problems: Problems): Pick<LessonFile, 'manifests' | 'waitFor' | 'images'> {
  if (value === undefined) return { manifests: undefined, waitFor: undefined, images: undefined };
  if (!isRecord(value)) {
    problems.add(doc, ['workloads'], 'workloads is not a mapping', 'give it `manifests:`, `waitFor:` and/or `images:` (each optional)');
    return { manifests: undefined, waitFor: undefined, images: undefined };
  }
  for (const key of Object.keys(value)) {
    if (!WORKLOAD_KEYS.includes(key)) problems.add(doc, ['workloads', key], `unknown key workloads.${key}`, `use ${WORKLOAD_KEYS.join(', ')}`);
  }
  const manifests = stringList(doc, ['workloads', 'manifests'], value['manifests'], problems, 'list the workload files relative to the lesson folder, e.g. `- tools/multitool.yaml`');
  for (const [i, m] of (manifests ?? []).entries()) {
    if (m.startsWith('/') || m.split(/[\\/]/).includes('..')) problems.add(doc, ['workloads', 'manifests', i], `workloads.manifests[${i}] ${m} is outside the lesson folder`, 'name files inside the lesson folder (relative, no ..)');
  }
  return {
    manifests,
    waitFor: checkWaitFor(doc, value['waitFor'], problems),
    images: stringList(doc, ['workloads', 'images'], value['images'], problems, 'list image references, e.g. `- nginx:1.28.0`'),
  };
}

/** Check a parsed lesson file; undefined when it is unusable (problems say why). */
export function checkLessonFile(doc: YamlDoc, problems: Problems): LessonFile | undefined {
  const v = doc.value;
  if (!isRecord(v)) {
    problems.add(doc, [], 'the lesson file is not a YAML mapping', 'start from topology/02-pod-network/lesson.yaml: id, title, summary, topology, workloads, notes');
    return undefined;
  }
  for (const key of Object.keys(v)) {
    if (!KEYS.includes(key)) problems.add(doc, [key], `unknown key ${key} in the lesson file`, `use ${KEYS.join(', ')} (see topology/lesson.schema.json)`);
  }
  const id = v['id'];
  if (typeof id !== 'string' || !ID.test(id)) problems.add(doc, ['id'], `id ${JSON.stringify(id ?? null)} is missing or not lower-case letters, digits and dashes`, 'set `id:` to the folder name, e.g. `id: 02-pod-network`');
  const title = v['title'];
  if (typeof title !== 'string' || title.trim() === '') problems.add(doc, ['title'], 'the lesson has no `title`', 'add `title: <the lesson\'s title>`');
  const summary = optionalString(doc, 'summary', v['summary'], problems, 'write the summary as one string (`summary: >-` for several lines)');
  let calico = optionalString(doc, 'calico', v['calico'], problems, 'write the version as a string, e.g. `calico: v3.30.0`');
  if (calico !== undefined && !VERSION.test(calico)) {
    problems.add(doc, ['calico'], `calico ${calico} is not a version like v3.30.0`, 'write `calico: v3.30.0`');
    calico = undefined;
  }
  const topology = optionalString(doc, 'topology', v['topology'], problems, 'name the topology file, e.g. `topology: pod-network.clab.yaml`');
  if (topology !== undefined && (topology.includes('/') || !/\.clab\.ya?ml$/.test(topology))) {
    problems.add(doc, ['topology'], `topology ${topology} is not a *.clab.yaml file name in the lesson folder`, 'name a file of this folder, e.g. `topology: pod-network.clab.yaml`');
  }
  const notes = stringList(doc, ['notes'], v['notes'], problems, 'write notes as a list of strings') ?? [];
  const exercises = v['exercises'];
  if (exercises !== undefined && !Array.isArray(exercises)) problems.add(doc, ['exercises'], 'exercises is not a list', 'write `exercises:` as a list');
  const specs = Array.isArray(exercises) ? parseExercises(doc, exercises, problems) : undefined;
  const workloads = checkWorkloads(doc, v['workloads'], problems);
  if (typeof id !== 'string' || typeof title !== 'string') return undefined;
  return {
    doc, id, title, summary: summary ?? '', notes, topology,
    calico: calico === undefined ? undefined : calico.startsWith('v') ? calico : `v${calico}`,
    exercises: specs,
    ...workloads,
  };
}
