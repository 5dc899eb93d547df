/**
 * calicoctl facts for the doctor: is the pinned binary for this platform already in lab's download
 * cache (src/artifacts: keyed by sha256), and can its URL be reached? The reachability probe asks for
 * one byte (`Range: bytes=0-0`) so it costs nothing, and works for http(s) mirrors, file:// URLs and
 * plain paths alike.
 */
import { access, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { cachePath, goPlatform } from '../artifacts/index.js';
import type { PinnedArtifact } from '../lab/model.js';

export function platformKey(platform: NodeJS.Platform, arch: string): string {
  return goPlatform(platform, arch);
}

/** The cached file for this pinned artifact (not re-hashed here: ensureArtifact verifies on use), or undefined. */
export async function findCachedArtifact(artifact: PinnedArtifact, env: NodeJS.ProcessEnv, name = 'calicoctl'): Promise<string | undefined> {
  const file = cachePath(env, artifact.sha256, name);
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Reach the artifact's URL: HTTP status for http(s), 200 for an existing local file; throws with the reason otherwise. */
export async function probeDownload(url: string, signal: AbortSignal, timeout: number, baseDir = process.cwd()): Promise<{ status: number }> {
  if (!/^https?:\/\//i.test(url)) {
    const file = /^file:\/\//i.test(url) ? fileURLToPath(url) : path.resolve(baseDir, url);
    await access(file);
    return { status: 200 };
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'GET',
      headers: { Range: 'bytes=0-0' },
      redirect: 'follow',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeout)]),
    });
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw Object.assign(new Error(`GET ${url}: ${timedOut ? `no answer within ${Math.round(timeout / 1000)} s` : `${error instanceof Error ? error.message : String(error)}${cause}`}`), timedOut ? { name: 'TimeoutError' } : {});
  }
  await response.body?.cancel().catch(() => undefined);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return { status: response.status };
}
