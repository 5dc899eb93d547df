/**
 * The docker tool module against a REAL Docker engine (not the simulated world): the exact command
 * lines, format templates and parsers lab uses must work with the real CLI and daemon. Skipped when no
 * daemon answers (`.ci/run` installs Debian's docker.io and starts dockerd when it can).
 * No registry is needed: the test image is made locally with `docker import`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerImageExists, dockerInfo, dockerLoad, dockerSave, kindNetworkSubnets, listClusterContainers, removeContainers } from '../../src/tools/docker.js';

function docker(args: string[], input?: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
}

function daemonAnswers(): boolean {
  try {
    docker(['info', '--format', '{{.ServerVersion}}']);
    return true;
  } catch {
    return false;
  }
}

const available = daemonAnswers();
const id = `lab-contract-${process.pid}`;
const image = `lab-contract/empty:${process.pid}`;
let dir: string;
let createdKindNetwork = false;

describe.skipIf(!available)('tools/docker.ts against a real Docker engine', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-docker-'));
    // an empty image, made without a registry
    execFileSync('sh', ['-c', `tar cf - --files-from /dev/null | docker import - ${image}`], { stdio: 'pipe', timeout: 60_000 });
    for (const role of ['control-plane', 'worker']) {
      docker(['create', '--name', `${id}-${role}`, '--label', `io.x-k8s.kind.cluster=${id}`, '--label', `io.x-k8s.kind.role=${role}`, image, '/none']);
    }
  });

  afterAll(async () => {
    for (const role of ['control-plane', 'worker']) {
      try {
        docker(['rm', '-f', `${id}-${role}`]);
      } catch {
        // already removed by the test
      }
    }
    if (createdKindNetwork) docker(['network', 'rm', 'kind']);
    try {
      docker(['image', 'rm', '-f', image]);
    } catch {
      // not there
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('dockerInfo parses `docker info --format {{json .}}`', async () => {
    const info = await dockerInfo();
    expect(info.ServerVersion).toMatch(/^\d+\.\d+/);
    expect(['systemd', 'cgroupfs', 'none']).toContain(info.CgroupDriver);
  });

  it('listClusterContainers finds exactly the containers labelled for the cluster, with their labels', async () => {
    const rows = await listClusterContainers(id);
    expect(rows.map((r) => r.Names).sort()).toEqual([`${id}-control-plane`, `${id}-worker`]);
    const cp = rows.find((r) => r.Names === `${id}-control-plane`);
    expect(cp?.Labels).toMatchObject({ 'io.x-k8s.kind.cluster': id, 'io.x-k8s.kind.role': 'control-plane' });
    expect(cp?.State).toBe('created');
    expect(await listClusterContainers(`${id}-nothing`)).toEqual([]);
  });

  it('kindNetworkSubnets reads the `kind` network (undefined when it does not exist)', async () => {
    const before = await kindNetworkSubnets();
    if (before === undefined) {
      docker(['network', 'create', '--subnet', '172.31.252.0/24', '--label', `lab-contract=${id}`, 'kind']);
      createdKindNetwork = true;
      expect(await kindNetworkSubnets()).toEqual(['172.31.252.0/24']);
    } else {
      // a real kind network exists on this host: only check that it parses
      expect(before.length).toBeGreaterThan(0);
    }
  });

  it('docker save / load / image inspect round-trip an image', async () => {
    expect(await dockerImageExists(image)).toBe(true);
    expect(await dockerImageExists(`lab-contract/absent:${process.pid}`)).toBe(false);
    const archive = join(dir, 'images.tar');
    await dockerSave([image], archive);
    expect((await stat(archive)).size).toBeGreaterThan(0);
    await dockerLoad(archive);
    expect(await dockerImageExists(image)).toBe(true);
  });

  it('removeContainers removes them (docker rm -f -v)', async () => {
    await removeContainers([`${id}-control-plane`, `${id}-worker`]);
    expect(await listClusterContainers(id)).toEqual([]);
  });
});
