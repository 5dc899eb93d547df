/**
 * Pinned downloads: every artifact lab fetches is listed in the pins file with its sha256. Files are
 * cached under `$XDG_CACHE_HOME/lab` (default `~/.cache/lab`), keyed by sha256, so a cache entry is
 * valid for every URL/mirror that serves the same bytes. Download = stream to a temp file in the
 * cache dir while hashing, compare, rename atomically; bytes that do not match are deleted and never
 * used. `--offline` uses the cache only. URLs may be http(s), file:// or a plain path (mirrors).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { InterruptedError, PrerequisiteError } from '../errors.js';
import type { Lab, PinnedArtifact } from '../lab/model.js';
import type { Logger } from '../ui/log.js';

export interface ArtifactOptions {
  /** File name inside the cache entry (e.g. `calicoctl`, `operator-crds.yaml`). */
  name: string;
  offline: boolean;
  signal?: AbortSignal;
  log?: Logger;
  env: NodeJS.ProcessEnv;
  /** Deadline for one download in ms (default 5 min). */
  timeout?: number;
  /** File mode of the cached file (default 0644; calicoctl gets 0755). */
  mode?: number;
  /** Base directory for relative plain paths in `url` (default: cwd). */
  baseDir?: string;
}

/** Default deadline of one download. */
export const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/** `$XDG_CACHE_HOME/lab`, else `~/.cache/lab`. */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' && path.isAbsolute(xdg) ? xdg : path.join(env['HOME'] ?? os.homedir(), '.cache');
  return path.join(base, 'lab');
}

/** Where an artifact with this sha256 lives in the cache. */
export function cachePath(env: NodeJS.ProcessEnv, sha256: string, name: string): string {
  return path.join(cacheRoot(env), 'sha256', sha256.toLowerCase(), name);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function isRemote(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function localPath(url: string, baseDir: string): string {
  if (/^file:\/\//i.test(url)) return fileURLToPath(url);
  return path.resolve(baseDir, url);
}

/** Make sure the pinned artifact is in the cache (download + verify if needed); returns its cached path. */
export async function ensureArtifact(artifact: PinnedArtifact, o: ArtifactOptions): Promise<string> {
  const expected = artifact.sha256.toLowerCase();
  const target = cachePath(o.env, expected, o.name);
  if (await exists(target)) {
    const actual = await sha256File(target);
    if (actual === expected) {
      o.log?.verbose(`cache hit: ${o.name} (${target})`);
      return target;
    }
    o.log?.warn(`cached ${o.name} is corrupt (sha256 ${actual}); removing it`);
    await rm(target, { force: true });
  }
  if (o.offline) {
    throw new PrerequisiteError(`--offline: ${o.name} is not in the download cache`, {
      details: [`expected at ${target}`, `source ${artifact.url}`, `sha256 ${expected}`],
      hint: 'run the same command once without --offline on a host with network access (same $XDG_CACHE_HOME), or point --pins at a mirror (file paths work)',
    });
  }
  const dir = path.dirname(target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new PrerequisiteError(`cannot create the download cache ${dir}`, { cause: error, hint: 'set XDG_CACHE_HOME to a writable directory' });
  }
  const temp = path.join(dir, `.${o.name}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const timeout = o.timeout ?? DOWNLOAD_TIMEOUT_MS;
  const timer = AbortSignal.timeout(timeout);
  const signal = o.signal ? AbortSignal.any([o.signal, timer]) : timer;
  const hash = createHash('sha256');
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  o.log?.verbose(`download ${artifact.url} → ${temp}`);
  try {
    let source: NodeJS.ReadableStream;
    if (isRemote(artifact.url)) {
      const response = await fetch(artifact.url, { signal, redirect: 'follow' });
      if (!response.ok || response.body === null) {
        throw new PrerequisiteError(`download of ${o.name} failed: HTTP ${response.status} ${response.statusText}`.trimEnd(), {
          details: [`GET ${artifact.url}`],
          hint: 'check the URL in the pins file (--pins / $LAB_PINS) and your network or proxy',
        });
      }
      source = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    } else {
      source = createReadStream(localPath(artifact.url, o.baseDir ?? process.cwd()));
    }
    await pipeline(source, hasher, createWriteStream(temp, { mode: 0o600 }), { signal });
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof PrerequisiteError) throw error;
    if (o.signal?.aborted) {
      const reason: unknown = o.signal.reason;
      throw reason instanceof InterruptedError ? reason : new InterruptedError(`interrupted while downloading ${o.name}`, { cause: reason });
    }
    if (timer.aborted) {
      throw new PrerequisiteError(`download of ${o.name} did not finish within ${Math.round(timeout / 1000)} s`, {
        details: [`GET ${artifact.url}`],
        hint: 'check your network, or fill the cache from a mirror with --pins',
      });
    }
    throw new PrerequisiteError(`download of ${o.name} failed: ${describe(error)}`, {
      cause: error,
      details: [`source ${artifact.url}`],
      hint: 'check the URL in the pins file (--pins / $LAB_PINS) and your network or proxy',
    });
  }
  const actual = hash.digest('hex');
  if (actual !== expected) {
    await rm(temp, { force: true });
    throw new PrerequisiteError(`sha256 mismatch for ${o.name}: refusing to use it (the downloaded file was deleted)`, {
      details: [`url       ${artifact.url}`, `expected  ${expected}`, `actual    ${actual}`],
      hint: 'the source served different bytes than the pins file records: check the URL/mirror, or, if the release really changed, update the sha256 in the pins file after verifying it against the release\'s SHA256SUMS',
    });
  }
  await chmod(temp, o.mode ?? 0o644);
  await rename(temp, target);
  return target;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** Go's `<os>-<arch>` for this process (linux-amd64, darwin-arm64…). */
export function goPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const goos = platform === 'win32' ? 'windows' : platform;
  const goarch = ({ x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', ia32: '386', arm: 'arm' } as Record<string, string>)[arch] ?? arch;
  return `${goos}-${goarch}`;
}

/** The pinned calicoctl for this platform, verified and cached, mode 0755. Never on PATH, never sudo. */
export async function ensureCalicoctl(lab: Pick<Lab, 'calico' | 'pinsFile'>, o: Omit<ArtifactOptions, 'name' | 'mode'> & { platform?: string }): Promise<string> {
  const platform = o.platform ?? goPlatform();
  const pinned = lab.calico.calicoctl[platform];
  if (pinned === undefined) {
    throw new PrerequisiteError(`calicoctl ${lab.calico.version} is not pinned for ${platform}`, {
      details: [`pins file ${lab.pinsFile} lists: ${Object.keys(lab.calico.calicoctl).join(', ') || 'none'}`],
      hint: `add a ${platform} entry (url + sha256 from the release's SHA256SUMS) to a copy of the pins file and pass it with --pins`,
    });
  }
  return ensureArtifact(pinned, { ...o, name: 'calicoctl', mode: 0o755, baseDir: o.baseDir ?? path.dirname(lab.pinsFile) });
}

/** Both Calico manifests, verified and cached: `{ 'operator-crds.yaml': path, 'tigera-operator.yaml': path }`. */
export async function ensureManifests(lab: Pick<Lab, 'calico' | 'pinsFile'>, o: Omit<ArtifactOptions, 'name' | 'mode'>): Promise<Record<'operator-crds.yaml' | 'tigera-operator.yaml', string>> {
  const names = ['operator-crds.yaml', 'tigera-operator.yaml'] as const;
  const paths = await Promise.all(
    names.map((name) => ensureArtifact(lab.calico.manifests[name], { ...o, name, baseDir: o.baseDir ?? path.dirname(lab.pinsFile) })),
  );
  return { 'operator-crds.yaml': paths[0]!, 'tigera-operator.yaml': paths[1]! };
}
