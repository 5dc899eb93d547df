import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachePath, cacheRoot, ensureArtifact, ensureCalicoctl, goPlatform } from '../../../src/artifacts/index.js';
import { PrerequisiteError } from '../../../src/errors.js';

const good = Buffer.from('#!/bin/sh\necho calicoctl\n');
const goodSha = createHash('sha256').update(good).digest('hex');
let server: http.Server;
let base: string;
let hits = 0;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits += 1;
    if (req.url === '/good') res.end(good);
    else if (req.url === '/tampered') res.end(Buffer.concat([good, Buffer.from('evil\n')]));
    else if (req.url === '/slow') setTimeout(() => res.end(good), 2_000);
    else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  hits = 0;
  dir = mkdtempSync(join(tmpdir(), 'lab-artifacts-'));
  env = { XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir };
  return () => rmSync(dir, { recursive: true, force: true });
});

const filesIn = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

describe('ensureArtifact', () => {
  it('downloads, verifies and caches under $XDG_CACHE_HOME/lab keyed by sha256', async () => {
    const p = await ensureArtifact({ url: `${base}/good`, sha256: goodSha }, { name: 'calicoctl', offline: false, env, mode: 0o755 });
    expect(p).toBe(join(dir, 'cache', 'lab', 'sha256', goodSha, 'calicoctl'));
    expect(statSync(p).mode & 0o777).toBe(0o755);
    expect(hits).toBe(1);
  });
  it('cache hit: no download', async () => {
    await ensureArtifact({ url: `${base}/good`, sha256: goodSha }, { name: 'x', offline: false, env });
    await ensureArtifact({ url: `${base}/good`, sha256: goodSha }, { name: 'x', offline: false, env });
    expect(hits).toBe(1);
  });
  it('sha256 mismatch: exit-3 error naming URL, expected and actual; temp file deleted; nothing cached', async () => {
    const e = (await ensureArtifact({ url: `${base}/tampered`, sha256: goodSha }, { name: 'calicoctl', offline: false, env }).catch((x: unknown) => x)) as PrerequisiteError;
    expect(e).toBeInstanceOf(PrerequisiteError);
    expect(e.exitCode).toBe(3);
    const actual = createHash('sha256').update(Buffer.concat([good, Buffer.from('evil\n')])).digest('hex');
    expect(e.details.join('\n')).toContain(`${base}/tampered`);
    expect(e.details.join('\n')).toContain(goodSha);
    expect(e.details.join('\n')).toContain(actual);
    expect(e.hint).toBeTruthy();
    expect(filesIn(cacheRoot(env))).toEqual([]);
  });
  it('--offline and not cached: exit 3 naming the file and how to fill the cache', async () => {
    const e = (await ensureArtifact({ url: `${base}/good`, sha256: goodSha }, { name: 'operator-crds.yaml', offline: true, env }).catch((x: unknown) => x)) as PrerequisiteError;
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('operator-crds.yaml');
    expect(e.hint).toMatch(/without --offline/);
    expect(hits).toBe(0);
  });
  it('--offline with the file cached: works without the network', async () => {
    await ensureArtifact({ url: `${base}/good`, sha256: goodSha }, { name: 'x', offline: false, env });
    const p = await ensureArtifact({ url: 'http://127.0.0.1:1/unreachable', sha256: goodSha }, { name: 'x', offline: true, env });
    expect(p).toBe(cachePath(env, goodSha, 'x'));
  });
  it('HTTP 404: exit 3 with the status', async () => {
    await expect(ensureArtifact({ url: `${base}/missing`, sha256: goodSha }, { name: 'x', offline: false, env })).rejects.toThrow(/HTTP 404/);
  });
  it('timeout: exit 3, nothing left behind', async () => {
    const e = (await ensureArtifact({ url: `${base}/slow`, sha256: goodSha }, { name: 'x', offline: false, env, timeout: 200 }).catch((x: unknown) => x)) as PrerequisiteError;
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/did not finish/);
    expect(filesIn(cacheRoot(env))).toEqual([]);
  });
  it('file:// URLs and plain paths (mirrors)', async () => {
    const src = join(dir, 'mirror-calicoctl');
    writeFileSync(src, good);
    expect(existsSync(await ensureArtifact({ url: pathToFileURL(src).href, sha256: goodSha }, { name: 'a', offline: false, env }))).toBe(true);
    expect(existsSync(await ensureArtifact({ url: 'mirror-calicoctl', sha256: goodSha }, { name: 'b', offline: false, env, baseDir: dir }))).toBe(true);
  });
  it('default cache dir is ~/.cache/lab', () => {
    expect(cacheRoot({ HOME: '/home/u' })).toBe('/home/u/.cache/lab');
  });
});

describe('ensureCalicoctl', () => {
  const lab = (platforms: string[]) => ({
    pinsFile: '/lab/manifests/calico-pins.yaml',
    calico: {
      version: 'v3.30.0',
      manifests: { 'operator-crds.yaml': { url: '', sha256: '' }, 'tigera-operator.yaml': { url: '', sha256: '' } },
      calicoctl: Object.fromEntries(platforms.map((p) => [p, { url: `${base}/good`, sha256: goodSha }])),
      images: [],
    },
  });
  it('Go platform names', () => {
    expect(goPlatform('linux', 'x64')).toBe('linux-amd64');
    expect(goPlatform('darwin', 'arm64')).toBe('darwin-arm64');
    expect(goPlatform('win32', 'x64')).toBe('windows-amd64');
  });
  it('picks this platform, mode 0755', async () => {
    const p = await ensureCalicoctl(lab(['linux-amd64']), { offline: false, env, platform: 'linux-amd64' });
    expect(statSync(p).mode & 0o777).toBe(0o755);
  });
  it('unpinned platform: exit 3 naming the platform and the pins file', async () => {
    const e = (await ensureCalicoctl(lab(['linux-amd64']), { offline: false, env, platform: 'darwin-arm64' }).catch((x: unknown) => x)) as PrerequisiteError;
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('darwin-arm64');
    expect(e.details.join(' ')).toContain('calico-pins.yaml');
  });
});
