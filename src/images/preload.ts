/**
 * `lab deploy --preload`: pull every Calico image and every image of the lesson's workloads once on the
 * host and load it into every kind node,
 * so the nodes never pull from a registry themselves (Docker Hub rate limits are the top cause of red
 * nightly runs). `kind load docker-image` first; where Docker's containerd image store makes that fail
 * (`ctr: content digest sha256:…: not found`, kind issue #3795), fall back to `docker save` for the
 * daemon's platform + `kind load image-archive`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, PrerequisiteError, TimeoutError } from '../errors.js';
import type { Lab } from '../lab/model.js';
import { dockerInfo, dockerSave, savePlatform } from '../tools/docker.js';
import type { ToolOptions } from '../tools/exec.js';
import { kindLoadDockerImage, kindLoadImageArchive } from '../tools/kind.js';
import type { Logger } from '../ui/log.js';
import { missingImages, nodeImages, pullMissing } from './index.js';

export interface PreloadOptions {
  signal: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  onProgress?(line: string): void;
  /** Same as onProgress (the name deploy's task output uses). */
  onOutput?(line: string): void;
  /** --offline: pull nothing; every image must already be on the host (e.g. from `lab images --load`). */
  offline?: boolean;
  /** Absolute deadline (Date.now() ms) for the whole preload; each tool call gets what is left. */
  deadline?: number;
}

/** The failure of `kind load docker-image` that the image-archive path avoids. */
export function isImageStoreError(text: string): boolean {
  return /content digest sha256:[0-9a-f]+: not found/i.test(text) || /ctr[^\n]*images import[^\n]*failed/i.test(text);
}

function errorText(error: unknown): string {
  const details = (error as { details?: unknown }).details;
  return [errorMessage(error), ...(Array.isArray(details) ? details.map(String) : [])].join('\n');
}

export async function preloadImages(lab: Lab, o: PreloadOptions): Promise<{ pulled: string[]; loaded: string[] }> {
  const images = nodeImages(lab);
  if (images.length === 0) return { pulled: [], loaded: [] };
  const onProgress = o.onProgress ?? o.onOutput;
  const remaining = (): number | undefined => {
    if (o.deadline === undefined) return undefined;
    const left = o.deadline - Date.now();
    if (left <= 0) throw new TimeoutError('preloading images ran past the deadline', { hint: 'raise --timeout, or deploy without --preload' });
    return left;
  };
  const tool = (): ToolOptions => {
    const timeout = remaining();
    return { signal: o.signal, log: o.log, env: o.env, ...(timeout !== undefined ? { timeout } : {}), ...(onProgress ? { onStderrLine: onProgress } : {}) };
  };
  let pulled: string[] = [];
  if (o.offline) {
    const missing = await missingImages(images, { signal: o.signal, log: o.log, env: o.env });
    if (missing.length > 0) {
      throw new PrerequisiteError(`--offline: ${missing.length} image${missing.length > 1 ? 's are' : ' is'} not on this host, and --offline pulls nothing`, {
        details: missing,
        hint: 'load them first (`lab images --load <archive>`), or deploy without --offline',
      });
    }
  } else {
    const timeout = remaining();
    pulled = await pullMissing(images, { signal: o.signal, log: o.log, env: o.env, ...(timeout !== undefined ? { timeout } : {}), ...(onProgress ? { onProgress } : {}) });
  }
  onProgress?.(`loading ${images.length} images into the nodes of ${lab.cluster}`);
  try {
    await kindLoadDockerImage(lab.cluster, images, tool());
  } catch (error) {
    if (!isImageStoreError(errorText(error))) throw error;
    o.log.verbose('kind load docker-image hit the containerd image-store problem; using docker save + kind load image-archive');
    onProgress?.('kind load docker-image failed (containerd image store): loading through an image archive');
    await loadThroughArchive(lab.cluster, images, tool());
  }
  return { pulled, loaded: images };
}

/** `docker save [--platform <daemon's platform>] -o <tmp> <images…>` + `kind load image-archive <tmp>`. */
async function loadThroughArchive(cluster: string, images: string[], tool: ToolOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-preload-'));
  const file = path.join(dir, 'images.tar');
  try {
    // One platform only: a multi-platform save is what the node's `ctr import` chokes on. Docker < 28
    // has no `save --platform` (and its classic store holds one platform anyway): save everything then.
    const platform = savePlatform(await dockerInfo({ ...tool, timeout: Math.min(tool.timeout ?? 20_000, 20_000) }));
    await dockerSave(images, file, { ...tool, timeout: tool.timeout ?? 30 * 60_000, platform });
    await kindLoadImageArchive(cluster, file, tool);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
