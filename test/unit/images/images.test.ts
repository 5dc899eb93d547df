import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { calicoImages, labImages, saveImages } from '../../../src/images/index.js';
import { isImageStoreError, preloadImages } from '../../../src/images/preload.js';
import { createLogger } from '../../../src/ui/log.js';
import { testLab } from '../doctor/lab-fixture.js';

const log = createLogger(process.stderr, { NO_COLOR: '1' }, false);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * `docker info --format '{{json .}}'` as recorded from Docker 28.5.2 (test/fixtures/cli/docker-info.json),
 * with the engine and CLI versions and the architecture changed where a test needs another engine.
 */
function dockerInfoJson(change: { server?: string; client?: string; arch?: string } = {}): string {
  const info = JSON.parse(readFileSync(new URL('../../fixtures/cli/docker-info.json', import.meta.url), 'utf8')) as Record<string, unknown> & { ClientInfo: Record<string, unknown> };
  if (change.server !== undefined) info['ServerVersion'] = change.server;
  if (change.client !== undefined) info.ClientInfo['Version'] = change.client;
  if (change.arch !== undefined) info['Architecture'] = change.arch;
  return JSON.stringify(info);
}

/**
 * Tiny fake `docker` and `kind` on PATH that append their argv to calls.log. `docker info` prints
 * $DOCKER_INFO_JSON (default: the recorded Docker 28.5.2 document; empty: the daemon is down);
 * `docker image inspect` succeeds only for images listed in $PRESENT; `kind load docker-image` fails
 * with kind's real containerd image-store error when $KIND_STORE_BUG=1.
 */
function fakeTools(env: Record<string, string>): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-fake-'));
  dirs.push(dir);
  const logFile = path.join(dir, 'calls.log');
  const infoFile = path.join(dir, 'info.json');
  const infoJson = env['DOCKER_INFO_JSON'] ?? dockerInfoJson();
  if (infoJson !== '') writeFileSync(infoFile, `${infoJson}\n`);
  const docker = `#!/bin/sh
echo "docker $*" >> "${logFile}"
if [ "$1" = image ] && [ "$2" = inspect ]; then
  for p in $PRESENT; do [ "$p" = "$5" ] && { echo sha256:1; exit 0; }; done
  echo "Error response from daemon: No such image: $5" >&2; exit 1
fi
if [ "$1" = info ]; then
  if [ -n "$DOCKER_INFO" ]; then cat "$DOCKER_INFO"; exit 0; fi
  echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1
fi
if [ "$1" = save ]; then
  while [ $# -gt 0 ]; do [ "$1" = -o ] && { echo archive > "$2"; }; shift; done
fi
exit 0
`;
  const kind = `#!/bin/sh
echo "kind $*" >> "${logFile}"
if [ "$2" = docker-image ] && [ "$KIND_STORE_BUG" = 1 ]; then
  echo 'ERROR: failed to load image: command "docker exec --privileged -i calico-ipam-worker ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1' >&2
  echo 'Command Output: ctr: content digest sha256:82014a3cbf22d2e03382cd9b123f4151d956986e727340a466406a206408b7a2: not found' >&2
  exit 1
fi
if [ "$2" = docker-image ] && [ "$KIND_OTHER_ERROR" = 1 ]; then echo 'ERROR: no nodes found for cluster "calico-ipam"' >&2; exit 1; fi
exit 0
`;
  writeFileSync(path.join(dir, 'docker'), docker);
  writeFileSync(path.join(dir, 'kind'), kind);
  chmodSync(path.join(dir, 'docker'), 0o755);
  chmodSync(path.join(dir, 'kind'), 0o755);
  return {
    env: { PATH: `${dir}:/usr/bin:/bin`, ...(infoJson !== '' ? { DOCKER_INFO: infoFile } : {}), ...env },
    calls: () => {
      try {
        return readFileSync(logFile, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    },
  };
}

const lab = testLab();
const signal = new AbortController().signal;

describe('labImages', () => {
  it('node image first, then the Calico images of the pins, no duplicates', () => {
    expect(labImages(testLab({ calico: { ...lab.calico, images: [...lab.calico.images, lab.calico.images[0]!] } }))).toEqual([
      { image: 'kindest/node:v1.28.0', role: 'node' },
      { image: 'quay.io/tigera/operator:v1.38.0', role: 'calico' },
      { image: 'docker.io/calico/node:v3.30.0', role: 'calico' },
      { image: 'docker.io/calico/cni:v3.30.0', role: 'calico' },
    ]);
  });
});

describe('calicoImages: from the version and the lab\'s custom resources', () => {
  const cr = (kind: string) => ({ file: '/lab/manifests/crs.yaml', line: 1, object: { apiVersion: 'operator.tigera.io/v1', kind, metadata: { name: 'default' } } });
  const calico = {
    ...lab.calico,
    version: 'v3.31.3',
    images: ['quay.io/tigera/operator:v1.40.3', 'quay.io/calico/node:v3.31.3'],
    customResourceImages: { APIServer: ['quay.io/calico/apiserver:v3.31.3'], Goldmane: ['quay.io/calico/goldmane:v3.31.3'], Whisker: ['quay.io/calico/whisker:v3.31.3', 'quay.io/calico/whisker-backend:v3.31.3'] },
  };

  it('an Installation alone: the operator and the Installation images', () => {
    expect(calicoImages({ calico, customResources: [cr('Installation')] })).toEqual(['quay.io/tigera/operator:v1.40.3', 'quay.io/calico/node:v3.31.3']);
  });

  it('each other kind the lab applies adds its images (Goldmane and Whisker as in upstream custom-resources.yaml)', () => {
    expect(calicoImages({ calico, customResources: [cr('Installation'), cr('APIServer')] })).toEqual(['quay.io/tigera/operator:v1.40.3', 'quay.io/calico/node:v3.31.3', 'quay.io/calico/apiserver:v3.31.3']);
    expect(calicoImages({ calico, customResources: [cr('Installation'), cr('APIServer'), cr('Goldmane'), cr('Whisker')] })).toEqual([
      'quay.io/tigera/operator:v1.40.3',
      'quay.io/calico/node:v3.31.3',
      'quay.io/calico/apiserver:v3.31.3',
      'quay.io/calico/goldmane:v3.31.3',
      'quay.io/calico/whisker:v3.31.3',
      'quay.io/calico/whisker-backend:v3.31.3',
    ]);
  });

  it('a pins file without customResourceImages (older format) keeps its flat list', () => {
    const { customResourceImages: _, ...flat } = calico;
    expect(calicoImages({ calico: flat, customResources: [cr('Installation'), cr('Whisker')] })).toEqual(calico.images);
  });

  it('labImages and --preload use the same derived list', async () => {
    const withApi = testLab({ calico, customResources: [cr('Installation'), cr('APIServer')] });
    expect(labImages(withApi).map((i) => i.image)).toEqual(['kindest/node:v1.28.0', ...calicoImages(withApi)]);
    const t = fakeTools({ PRESENT: calicoImages(withApi).join(' ') });
    const r = await preloadImages(withApi, { signal, log, env: t.env });
    expect(r.loaded).toEqual(calicoImages(withApi));
  });
});

describe('workload images (the lesson\'s tools/)', () => {
  const workloads = { manifests: [], waitFor: [], images: ['nginx:1.28.0', 'docker.io/calico/cni:v3.30.0'] };

  it('labImages lists them after Calico\'s, as role workload, without repeating an image already listed', () => {
    expect(labImages(testLab({ workloads })).slice(-2)).toEqual([
      { image: 'docker.io/calico/cni:v3.30.0', role: 'calico' },
      { image: 'nginx:1.28.0', role: 'workload' },
    ]);
  });

  it('--preload pulls and loads them too', async () => {
    const t = fakeTools({ PRESENT: lab.calico.images.join(' ') });
    const r = await preloadImages(testLab({ workloads }), { signal, log, env: t.env });
    expect(r.pulled).toEqual(['nginx:1.28.0']);
    expect(r.loaded).toEqual([...lab.calico.images, 'nginx:1.28.0']);
    expect(t.calls().filter((c) => c.startsWith('kind'))).toEqual([`kind load docker-image ${lab.calico.images.join(' ')} nginx:1.28.0 --name calico-ipam`]);
  });
});

describe('preloadImages', () => {
  it('pulls only the missing images once, then loads all of them into the cluster in one kind call', async () => {
    const t = fakeTools({ PRESENT: 'docker.io/calico/node:v3.30.0' });
    const r = await preloadImages(lab, { signal, log, env: t.env });
    expect(r.pulled.sort()).toEqual(['docker.io/calico/cni:v3.30.0', 'quay.io/tigera/operator:v1.38.0']);
    expect(r.loaded).toEqual(lab.calico.images);
    const calls = t.calls();
    expect(calls.filter((c) => c.startsWith('docker pull')).sort()).toEqual(['docker pull docker.io/calico/cni:v3.30.0', 'docker pull quay.io/tigera/operator:v1.38.0']);
    expect(calls.filter((c) => c.startsWith('kind'))).toEqual([`kind load docker-image ${lab.calico.images.join(' ')} --name calico-ipam`]);
  });

  it('falls back to docker save + kind load image-archive on the containerd image-store error', async () => {
    const t = fakeTools({ PRESENT: lab.calico.images.join(' '), KIND_STORE_BUG: '1' });
    const r = await preloadImages(lab, { signal, log, env: t.env });
    expect(r.pulled).toEqual([]);
    const calls = t.calls();
    const save = calls.find((c) => c.startsWith('docker save'));
    expect(save).toMatch(new RegExp(`^docker save --platform linux/amd64 -o \\S+/images\\.tar ${lab.calico.images.join(' ').replaceAll('.', '\\.')}$`));
    expect(calls.at(-1)).toMatch(/^kind load image-archive \S+\/images\.tar --name calico-ipam$/);
  });

  it('the fallback saves for the daemon\'s architecture (docker info), not node\'s', async () => {
    const t = fakeTools({ PRESENT: lab.calico.images.join(' '), KIND_STORE_BUG: '1', DOCKER_INFO_JSON: dockerInfoJson({ arch: 'aarch64' }) });
    await preloadImages(lab, { signal, log, env: t.env });
    expect(t.calls().find((c) => c.startsWith('docker save'))).toMatch(/^docker save --platform linux\/arm64 -o /);
  });

  it('the fallback on an engine older than Docker 28 saves without --platform (it has no such flag)', async () => {
    const t = fakeTools({ PRESENT: lab.calico.images.join(' '), KIND_STORE_BUG: '1', DOCKER_INFO_JSON: dockerInfoJson({ server: '27.5.1', client: '27.5.1' }) });
    await preloadImages(lab, { signal, log, env: t.env });
    const calls = t.calls();
    expect(calls.filter((c) => c.startsWith('docker save'))).toEqual([expect.stringMatching(new RegExp(`^docker save -o \\S+/images\\.tar ${lab.calico.images.join(' ').replaceAll('.', '\\.')}$`))]);
    expect(calls.at(-1)).toMatch(/^kind load image-archive /);
  });

  it('other kind failures are not papered over', async () => {
    const t = fakeTools({ PRESENT: lab.calico.images.join(' '), KIND_OTHER_ERROR: '1' });
    await expect(preloadImages(lab, { signal, log, env: t.env })).rejects.toThrow(/kind load docker-image failed/);
    expect(t.calls().some((c) => c.startsWith('docker save'))).toBe(false);
  });

  it('recognises the image-store error text', () => {
    expect(isImageStoreError('Command Output: ctr: content digest sha256:abc123: not found')).toBe(true);
    expect(isImageStoreError('ERROR: image: "x" not present locally')).toBe(false);
  });
});

describe('saveImages', () => {
  it('pulls what is missing and saves every image (node image included) into one archive', async () => {
    const t = fakeTools({ PRESENT: 'kindest/node:v1.28.0' });
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'lab-save-')), 'cache', 'images.tar');
    dirs.push(path.dirname(path.dirname(out)));
    const r = await saveImages(lab, out, { signal, env: t.env });
    expect(r.pulled.sort()).toEqual([...lab.calico.images].sort());
    expect(readFileSync(out, 'utf8')).toBe('archive\n');
    expect(t.calls().find((c) => c.startsWith('docker save'))).toMatch(new RegExp(`^docker save --platform linux/amd64 -o ${out.replaceAll('.', '\\.')}\\.\\d+\\.tmp kindest/node:v1\\.28\\.0 `));
    expect(r.platform).toBe('linux/amd64');
  });

  it('on an engine older than Docker 28 it saves without --platform', async () => {
    const t = fakeTools({ PRESENT: labImages(lab).map((i) => i.image).join(' '), DOCKER_INFO_JSON: dockerInfoJson({ server: '27.5.1', client: '27.5.1' }) });
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'lab-save-')), 'images.tar');
    dirs.push(path.dirname(out));
    const r = await saveImages(lab, out, { signal, env: t.env });
    expect(r.platform).toBeUndefined();
    expect(t.calls().filter((c) => c.startsWith('docker save'))).toEqual([expect.stringMatching(/^docker save -o \S+\.tmp kindest\/node:v1\.28\.0 /)]);
  });

  it('a Docker 28 engine driven by an older CLI saves without --platform too', async () => {
    const t = fakeTools({ PRESENT: labImages(lab).map((i) => i.image).join(' '), DOCKER_INFO_JSON: dockerInfoJson({ client: '27.3.1' }) });
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'lab-save-')), 'images.tar');
    dirs.push(path.dirname(out));
    expect((await saveImages(lab, out, { signal, env: t.env })).platform).toBeUndefined();
  });

  it('the daemon down is a missing prerequisite with docker\'s words and the fix, before anything is pulled', async () => {
    const t = fakeTools({ DOCKER_INFO_JSON: '' });
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'lab-save-')), 'images.tar');
    dirs.push(path.dirname(out));
    const e = await saveImages(lab, out, { signal, env: t.env }).catch((error: unknown) => error);
    expect(e).toMatchObject({ exitCode: 3, message: 'cannot reach the Docker daemon: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' });
    expect(t.calls().some((c) => c.startsWith('docker pull'))).toBe(false);
  });
});
