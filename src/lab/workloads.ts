/**
 * A lesson's workloads (the series' `tools/*.yaml`): the objects lab applies after Calico, what it
 * waits for and the images they run. Defaults follow the series: every YAML file of `tools/`, wait for
 * every Deployment/DaemonSet/StatefulSet/Pod, preload every container image.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workloads, WorkloadWait } from './model.js';
import { WAIT_KINDS, type LessonFile } from './lesson.js';
import { readManifestFile, type LoadedManifest } from './manifests.js';
import { isRecord, type Problems } from './rules.js';

export const TOOLS_DIR = 'tools';

/** The image is referenced by a digest, or by a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : undefined;
  return tag !== undefined && tag !== 'latest';
}

/** Containers and init containers of a Pod, or of the pod template of a workload kind. */
function podSpecOf(object: Record<string, unknown>): Record<string, unknown> | undefined {
  const spec = isRecord(object['spec']) ? object['spec'] : undefined;
  if (object['kind'] === 'Pod') return spec;
  const template = spec && isRecord(spec['template']) ? spec['template'] : undefined;
  const jobTemplate = spec && isRecord(spec['jobTemplate']) && isRecord(spec['jobTemplate']['spec']) ? spec['jobTemplate']['spec']['template'] : undefined;
  const t = template ?? (isRecord(jobTemplate) ? jobTemplate : undefined);
  return t && isRecord(t['spec']) ? t['spec'] : undefined;
}

interface ImageRef {
  image: string;
  manifest: LoadedManifest;
  path: (string | number)[];
}

function imagesOf(m: LoadedManifest): ImageRef[] {
  const spec = podSpecOf(m.manifest.object);
  if (!spec) return [];
  const base = m.manifest.object.kind === 'Pod' ? ['spec'] : ['spec', 'template', 'spec'];
  const out: ImageRef[] = [];
  for (const key of ['initContainers', 'containers']) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isRecord(c) && typeof c['image'] === 'string') out.push({ image: c['image'], manifest: m, path: [...base, key, i, 'image'] });
    });
  }
  return out;
}

async function workloadFiles(dir: string, lesson: LessonFile | undefined, problems: Problems): Promise<string[]> {
  if (lesson?.manifests) {
    const files = lesson.manifests.map((m) => join(dir, m));
    files.forEach((f, i) => {
      if (!existsSync(f)) problems.add(lesson.doc, ['workloads', 'manifests', i], `workloads.manifests[${i}] ${lesson.manifests![i]!} does not exist (looked for ${f})`, 'name a file relative to the lesson folder, e.g. tools/multitool.yaml');
    });
    return files.filter((f) => existsSync(f));
  }
  const tools = join(dir, TOOLS_DIR);
  if (!existsSync(tools)) return [];
  return (await readdir(tools)).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(tools, n));
}

const waitKey = (w: WorkloadWait): string => `${w.kind}/${w.namespace}/${w.name}`;

/**
 * Read the workloads of the lesson folder `dir`. With a lesson file, an unpinned image (no tag, or
 * `:latest`) is a problem; for a series folder without one it becomes a note (the series uses `:latest`).
 */
export async function loadWorkloads(dir: string, lesson: LessonFile | undefined, problems: Problems, notes: string[]): Promise<Workloads> {
  const loaded: LoadedManifest[] = [];
  for (const file of await workloadFiles(dir, lesson, problems)) loaded.push(...(await readManifestFile(file, 'workload manifest', problems)));
  // Namespaces first, then file-name order, then document order.
  const ordered = [...loaded.filter((m) => m.manifest.object.kind === 'Namespace'), ...loaded.filter((m) => m.manifest.object.kind !== 'Namespace')];
  const present: WorkloadWait[] = ordered
    .filter((m) => WAIT_KINDS.includes(m.manifest.object.kind as WorkloadWait['kind']))
    .map((m) => ({ kind: m.manifest.object.kind as WorkloadWait['kind'], name: m.manifest.object.metadata.name, namespace: m.manifest.object.metadata.namespace ?? 'default' }));
  let waitFor = present;
  if (lesson?.waitFor) {
    const known = new Set(present.map(waitKey));
    lesson.waitFor.forEach((w, i) => {
      if (!known.has(waitKey(w))) {
        problems.add(lesson.doc, ['workloads', 'waitFor', i], `workloads.waitFor[${i}] ${w.kind} ${w.namespace}/${w.name} is not among the lesson's workload manifests`, `wait only for objects lab applies: ${present.map(waitKey).join(', ') || '(none)'}`);
      }
    });
    waitFor = lesson.waitFor;
  }
  const refs = ordered.flatMap(imagesOf);
  for (const ref of refs) {
    if (isPinnedImage(ref.image)) continue;
    if (lesson) problems.add(ref.manifest.doc, ref.path, `image ${ref.image} is not pinned (no tag, or :latest)`, 'pin a tag (and a digest where you know one), e.g. nginx:1.28.0');
    else notes.push(`${ref.manifest.manifest.file}: image ${ref.image} is not pinned; what it runs can change between runs`);
  }
  const images = lesson?.images ?? [...new Set(refs.map((r) => r.image))];
  return { manifests: ordered.map((m) => m.manifest), waitFor, images };
}
