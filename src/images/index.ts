/**
 * The images a lab needs (the kind node image + the Calico images of the selected version and of the
 * lab's custom resources, from the pins file) and the archive CI caches between runs: `lab images --save
 * <file>` pulls what is missing and `docker save`s everything (for the daemon's platform) into one file;
 * `--load <file>` `docker load`s it back.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PrerequisiteError } from '../errors.js';
import type { Lab } from '../lab/model.js';
import { dockerImageExists, dockerInfo, dockerLoad, dockerPull, dockerSave, savePlatform } from '../tools/docker.js';
import type { ToolOptions } from '../tools/exec.js';

export interface LabImage {
  image: string;
  /** `node`: the kindest/node image containerlab/kind start the nodes from; `calico` and `workload` (the lesson's own): loaded into the nodes. */
  role: 'node' | 'calico' | 'workload';
}

/**
 * The Calico images of this lab: what the operator of the selected version deploys for an
 * Installation (`images` in the pins), plus the images of each other custom resource kind the lab
 * applies (`customResourceImages`: APIServer → calico/apiserver, Goldmane, Whisker…). Without duplicates. Pure.
 */
export function calicoImages(lab: Pick<Lab, 'calico' | 'customResources'>): string[] {
  const kinds = new Set(lab.customResources.map((d) => d.object.kind));
  const perKind = lab.calico.customResourceImages ?? {};
  const extra = Object.keys(perKind).filter((kind) => kinds.has(kind)).flatMap((kind) => perKind[kind] ?? []);
  return [...new Set([...lab.calico.images, ...extra])];
}

/** What a lab needs to list its images; `workloads` is absent for labs built before lessons had workloads. */
export type ImageSource = Pick<Lab, 'nodeImage' | 'calico' | 'customResources'> & { workloads?: Pick<Lab['workloads'], 'images'> };

/** The images the nodes run: Calico's, then the lesson's workloads', without duplicates (what `--preload` loads). Pure. */
export function nodeImages(lab: Pick<ImageSource, 'calico' | 'customResources' | 'workloads'>): string[] {
  return [...new Set([...calicoImages(lab), ...(lab.workloads?.images ?? [])])];
}

/** Every image the lab needs, node image first, then Calico's, then the workloads', without duplicates. Pure. */
export function labImages(lab: ImageSource): LabImage[] {
  const out: LabImage[] = [{ image: lab.nodeImage, role: 'node' }];
  for (const image of calicoImages(lab)) if (!out.some((i) => i.image === image)) out.push({ image, role: 'calico' });
  for (const image of lab.workloads?.images ?? []) if (!out.some((i) => i.image === image)) out.push({ image, role: 'workload' });
  return out;
}

export interface ImageOptions {
  signal: AbortSignal;
  log?: ToolOptions['log'];
  env: NodeJS.ProcessEnv;
  onProgress?(line: string): void;
  /** How many pulls run at once (default 3). */
  concurrency?: number;
  /** Deadline of each docker call in ms (default: the tool module's). */
  timeout?: number;
}

function toolOptions(o: ImageOptions): ToolOptions {
  return { signal: o.signal, env: o.env, ...(o.log ? { log: o.log } : {}), ...(o.timeout !== undefined ? { timeout: o.timeout } : {}), ...(o.onProgress ? { onStderrLine: o.onProgress } : {}) };
}

/** The images that are not in the host's docker image store. */
export async function missingImages(images: readonly string[], o: ImageOptions): Promise<string[]> {
  const present = await Promise.all(images.map((image) => dockerImageExists(image, { ...toolOptions(o), timeout: 20_000 })));
  return images.filter((_, i) => !present[i]);
}

/** Pull every image that is not on the host yet (each once; a few at a time). Returns the ones pulled. */
export async function pullMissing(images: readonly string[], o: ImageOptions): Promise<string[]> {
  const missing = await missingImages(images, o);
  const queue = [...missing];
  const worker = async (): Promise<void> => {
    for (let image = queue.shift(); image !== undefined; image = queue.shift()) {
      o.onProgress?.(`pulling ${image}`);
      await dockerPull(image, toolOptions(o));
      o.onProgress?.(`pulled ${image}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 3, Math.max(missing.length, 1)) }, () => worker()));
  return missing;
}

/**
 * `lab images --save <file>`: pull what is missing, then one `docker save` of every image (written
 * atomically), limited to the daemon's platform where the engine can (Docker ≥ 28): on the containerd
 * image store (Docker 29's default) a plain save writes every platform's index with blobs that were
 * never pulled, which `ctr import` rejects.
 */
export async function saveImages(
  lab: ImageSource,
  file: string,
  o: ImageOptions,
): Promise<{ file: string; images: string[]; pulled: string[]; platform: string | undefined }> {
  const images = labImages(lab).map((i) => i.image);
  const platform = savePlatform(await dockerInfo({ ...toolOptions(o), timeout: 20_000 }));
  const pulled = await pullMissing(images, o);
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  try {
    o.onProgress?.(`saving ${images.length} images${platform ? ` (${platform})` : ''} to ${target}`);
    await dockerSave(images, temp, { ...toolOptions(o), platform });
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  return { file: target, images, pulled, platform };
}

/** `lab images --load <file>`: `docker load -i <file>`. */
export async function loadImages(file: string, o: ImageOptions): Promise<{ file: string }> {
  const target = path.resolve(file);
  try {
    if (!(await stat(target)).isFile()) throw new Error('not a file');
  } catch {
    throw new PrerequisiteError(`image archive ${target} does not exist`, { hint: 'write one with `lab images --save <file>` first' });
  }
  await dockerLoad(target, toolOptions(o));
  return { file: target };
}
