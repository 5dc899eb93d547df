/**
 * The exact argv of every tool call (the process runner is mocked), including sudo.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: { file: string; args: string[]; env?: NodeJS.ProcessEnv }[] = [];
let next: { exitCode: number; stdout?: string; stderr?: string }[] = [];

vi.mock('../../../src/tools/exec.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/tools/exec.js')>();
  const fake = async (file: string, args: readonly string[], o: { env?: NodeJS.ProcessEnv } = {}) => {
    calls.push({ file, args: [...args], ...(o.env ? { env: o.env } : {}) });
    const r = next.shift() ?? { exitCode: 0 };
    return { command: real.displayCommand(file, args), exitCode: r.exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  return {
    ...real,
    run: vi.fn(fake),
    runOk: vi.fn(async (file: string, args: readonly string[], o: Record<string, unknown> = {}) => {
      const r = await fake(file, args, o);
      if (r.exitCode !== 0) throw new Error(`${file} failed: ${r.stderr}`);
      return r;
    }),
  };
});

const docker = await import('../../../src/tools/docker.js');
const kind = await import('../../../src/tools/kind.js');
const clab = await import('../../../src/tools/containerlab.js');
const calicoctl = await import('../../../src/tools/calicoctl.js');
const { PrerequisiteError, StepFailedError } = await import('../../../src/errors.js');

// A containerlab on a PATH of its own: lab must run it by this absolute path (audit F-7).
const binDir = mkdtempSync(join(tmpdir(), 'lab-argv-'));
writeFileSync(join(binDir, 'containerlab'), '#!/bin/sh\nexit 0\n');
chmodSync(join(binDir, 'containerlab'), 0o755);
const CLAB = join(binDir, 'containerlab');
const env = { PATH: binDir, HOME: '/home/user' };
const PRESERVE = '--preserve-env=CLAB_VERSION_CHECK,KUBECONFIG';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'cli', name), 'utf8');

beforeEach(() => {
  calls.length = 0;
  next = [];
});

describe('docker argv', () => {
  it('docker info', async () => {
    next = [{ exitCode: 0, stdout: fixture('docker-info.json') }];
    expect((await docker.dockerInfo()).ServerVersion).toBe('28.5.2');
    expect(calls).toEqual([{ file: 'docker', args: ['info', '--format', '{{json .}}'] }]);
  });
  it('daemon down → PrerequisiteError (exit 3) with docker\'s own message and a fix', async () => {
    // docker-contract.yaml preflight.server_version.daemon_down
    next = [{ exitCode: 1, stdout: '\n', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' }];
    const e = await docker.dockerInfo().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PrerequisiteError);
    expect((e as Error).message).toContain('Cannot connect to the Docker daemon at unix:///var/run/docker.sock');
    expect((e as InstanceType<typeof PrerequisiteError>).hint).toMatch(/start Docker/);
  });
  it('permission denied → PrerequisiteError suggesting the docker group', async () => {
    next = [{ exitCode: 1, stderr: 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.51/info": dial unix /var/run/docker.sock: connect: permission denied\n' }];
    const e = (await docker.dockerInfo().catch((x: unknown) => x)) as InstanceType<typeof PrerequisiteError>;
    expect(e.exitCode).toBe(3);
    expect(e.hint).toMatch(/docker group/);
  });
  it('kind network subnets; missing network → undefined', async () => {
    next = [{ exitCode: 0, stdout: fixture('docker-network-inspect-kind-ipam-config.json') }, { exitCode: 1, stderr: 'Error response from daemon: network kind not found\n' }];
    expect(await docker.kindNetworkSubnets()).toEqual(['172.18.0.0/16', 'fc00:f853:ccd:e793::/64']);
    expect(await docker.kindNetworkSubnets()).toBeUndefined();
    expect(calls[0]).toEqual({ file: 'docker', args: ['network', 'inspect', 'kind', '--format', '{{json .IPAM.Config}}'] });
  });
  it('cluster containers by kind label', async () => {
    next = [{ exitCode: 0, stdout: fixture('docker-ps-kind.jsonl') }];
    expect(await docker.listClusterContainers('calico-ipam')).toHaveLength(3);
    expect(calls).toEqual([{ file: 'docker', args: ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=calico-ipam', '--format', '{{json .}}'] }]);
  });
  it('remove containers: rm -f -v; none → no call', async () => {
    await docker.removeContainers([]);
    await docker.removeContainers(['a', 'b']);
    expect(calls).toEqual([{ file: 'docker', args: ['rm', '-f', '-v', 'a', 'b'] }]);
  });
  it('pull / image exists / save / load', async () => {
    next = [{ exitCode: 0 }, { exitCode: 1 }, { exitCode: 0 }, { exitCode: 0 }];
    await docker.dockerPull('kindest/node:v1.28.0');
    expect(await docker.dockerImageExists('x:1')).toBe(false);
    await docker.dockerSave(['a:1', 'b:2'], '/tmp/i.tar');
    await docker.dockerLoad('/tmp/i.tar');
    expect(calls.map((c) => c.args)).toEqual([
      ['pull', 'kindest/node:v1.28.0'],
      ['image', 'inspect', '--format', '{{.Id}}', 'x:1'],
      ['save', '-o', '/tmp/i.tar', 'a:1', 'b:2'],
      ['load', '-i', '/tmp/i.tar'],
    ]);
  });
});

describe('kind argv', () => {
  it('get kubeconfig --name=<cluster>', async () => {
    next = [{ exitCode: 0, stdout: fixture('kind-get-kubeconfig.yaml') }];
    expect(await kind.kindGetKubeconfig('calico-ipam')).toBe(fixture('kind-get-kubeconfig.yaml'));
    expect(calls).toEqual([{ file: 'kind', args: ['get', 'kubeconfig', '--name=calico-ipam'] }]);
  });
  it('get kubeconfig of a missing cluster fails', async () => {
    next = [{ exitCode: 1, stderr: "ERROR: could not locate any control plane nodes for cluster named 'calico-ipam'. Use the --name option to select a different cluster\n" }];
    await expect(kind.kindGetKubeconfig('calico-ipam')).rejects.toThrow(/could not locate any control plane/);
  });
  it('clusters, nodes, delete, export logs, load', async () => {
    next = [{ exitCode: 0, stdout: fixture('kind-get-clusters.txt') }, { exitCode: 0, stdout: fixture('kind-get-nodes.txt') }, { exitCode: 0, stderr: fixture('kind-delete-cluster.stderr.txt') }, { exitCode: 0, stdout: '/tmp/logs\n' }, { exitCode: 0 }, { exitCode: 0 }];
    expect(await kind.kindGetClusters()).toEqual(['calico-ipam']);
    expect(await kind.kindGetNodes('calico-ipam')).toHaveLength(3);
    await kind.kindDeleteCluster('calico-ipam');
    expect(await kind.kindExportLogs('calico-ipam', '/tmp/logs')).toBe('/tmp/logs');
    await kind.kindLoadDockerImage('calico-ipam', ['a:1', 'b:2']);
    await kind.kindLoadImageArchive('calico-ipam', '/tmp/i.tar');
    expect(calls.map((c) => c.args)).toEqual([
      ['get', 'clusters'],
      ['get', 'nodes', '--name', 'calico-ipam'],
      ['delete', 'cluster', '--name', 'calico-ipam', '--kubeconfig', calls[2]!.args[5]!],
      ['export', 'logs', '/tmp/logs', '--name', 'calico-ipam'],
      ['load', 'docker-image', 'a:1', 'b:2', '--name', 'calico-ipam'],
      ['load', 'image-archive', '/tmp/i.tar', '--name', 'calico-ipam'],
    ]);
  });
});

describe('containerlab argv', () => {
  it('deploy as root: no sudo, the absolute path, no phoning home, kind kept off ~/.kube/config', async () => {
    next = [{ exitCode: 0, stderr: fixture('containerlab-deploy.stderr.txt') }];
    expect(await clab.containerlabDeploy('/lab/t.clab.yaml', { mode: 'root', env, cluster: 'calico-ipam' })).toMatchObject({ alreadyExists: false });
    expect(calls.map((c) => [c.file, ...c.args])).toEqual([[CLAB, 'deploy', '-t', '/lab/t.clab.yaml']]);
    expect(calls[0]!.env).toMatchObject({ CLAB_VERSION_CHECK: 'disable', PATH: binDir, HOME: '/home/user' });
    // KUBECONFIG: a throwaway file outside HOME (kind inside containerlab writes there, as root)
    const kubeconfig = calls[0]!.env!['KUBECONFIG']!;
    expect(kubeconfig.startsWith(tmpdir())).toBe(true);
    expect(kubeconfig).not.toContain('/home/user');
  });
  it('deploy through sudo -n: the checked path, CLAB_VERSION_CHECK and KUBECONFIG preserved', async () => {
    await clab.containerlabDeploy('/lab/t.clab.yaml', { mode: 'sudo', env });
    expect(calls.map((c) => [c.file, ...c.args])).toEqual([['sudo', '-n', PRESERVE, CLAB, 'deploy', '-t', '/lab/t.clab.yaml']]);
    expect(calls[0]!.env).toMatchObject({ CLAB_VERSION_CHECK: 'disable' });
  });
  it('sudoers refusing --preserve-env → PrerequisiteError saying what to allow', async () => {
    next = [{ exitCode: 1, stderr: 'sudo: sorry, you are not allowed to preserve the environment\n' }];
    const e = (await clab.containerlabDeploy('/lab/t.clab.yaml', { mode: 'sudo', env }).catch((x: unknown) => x)) as InstanceType<typeof PrerequisiteError>;
    expect(e).toBeInstanceOf(PrerequisiteError);
    expect(e.hint).toMatch(/SETENV/);
  });
  it('containerlab not on PATH → PrerequisiteError before anything runs', async () => {
    const e = await clab.containerlabDeploy('/lab/t.clab.yaml', { mode: 'root', env: { PATH: '/nonexistent' } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PrerequisiteError);
    expect(calls).toEqual([]);
  });
  it('"node(s) already exist" (>= 0.75, exit 1) → alreadyExists, not an error', async () => {
    next = [{ exitCode: 1, stderr: 'deployment failed for one or more nodes: node "calico-ipam" deploy: node(s) already exist for a cluster with the name "calico-ipam"\n' }];
    expect(await clab.containerlabDeploy('/t.clab.yaml', { mode: 'suid', env })).toMatchObject({ alreadyExists: true });
  });
  it('"node(s) already exist" (< 0.75, exit 0) → alreadyExists', async () => {
    next = [{ exitCode: 0, stderr: '10:15:02 ERRO failed deploy stage for node "calico-ipam": node(s) already exist for a cluster with the name "calico-ipam"\n' }];
    expect(await clab.containerlabDeploy('/t.clab.yaml', { mode: 'suid', env })).toMatchObject({ alreadyExists: true });
  });
  it('image pull failure → StepFailedError showing the tool\'s own line', async () => {
    const line = 'failed to pull image "kindest/node:v1.28.0": command "docker pull kindest/node:v1.28.0" failed with error: exit status 1';
    next = [{ exitCode: 1, stderr: `10:15:02 INFO Containerlab started version=0.79.0\n${line}\n` }];
    const e = (await clab.containerlabDeploy('/t.clab.yaml', { mode: 'root', env }).catch((x: unknown) => x)) as InstanceType<typeof StepFailedError>;
    expect(e).toBeInstanceOf(StepFailedError);
    expect(e.exitCode).toBe(1);
    expect(e.details).toContain(line);
  });
  it('root error → hint about SUID / sudo', async () => {
    next = [{ exitCode: 1, stderr: 'this containerlab command requires root privileges or root via SUID to run, effective UID: 1000 SUID: 1000\n' }];
    const e = (await clab.containerlabDeploy('/t.clab.yaml', { mode: 'none', env }).catch((x: unknown) => x)) as InstanceType<typeof StepFailedError>;
    expect(e.hint).toMatch(/SUID/);
  });
  it('destroy --cleanup (sudo and not)', async () => {
    await clab.containerlabDestroy('/t.clab.yaml', { mode: 'sudo', env });
    await clab.containerlabDestroy('/t.clab.yaml', { mode: 'root', env });
    expect(calls.map((c) => [c.file, ...c.args])).toEqual([
      ['sudo', '-n', PRESERVE, CLAB, 'destroy', '-t', '/t.clab.yaml', '--cleanup'],
      [CLAB, 'destroy', '-t', '/t.clab.yaml', '--cleanup'],
    ]);
    for (const c of calls) expect(c.env).toMatchObject({ CLAB_VERSION_CHECK: 'disable' });
  });
  it('inspect --format json, never through sudo, with CLAB_VERSION_CHECK=disable', async () => {
    next = [{ exitCode: 0, stdout: fixture('containerlab-inspect.json') }];
    expect(await clab.containerlabInspect('/t.clab.yaml', { labName: 'calico-ipam' })).toHaveLength(3);
    expect(calls.map((c) => [c.file, ...c.args])).toEqual([['containerlab', 'inspect', '-t', '/t.clab.yaml', '--format', 'json']]);
    expect(calls[0]!.env).toMatchObject({ CLAB_VERSION_CHECK: 'disable' });
  });
  it('version: --json, falling back to -s', async () => {
    next = [{ exitCode: 1, stderr: 'unknown flag: --json' }, { exitCode: 0, stdout: fixture('containerlab-version-short.txt') }];
    expect(await clab.containerlabVersion()).toBe('0.79.0');
    expect(calls.map((c) => c.args)).toEqual([['version', '--json'], ['version', '-s']]);
    for (const c of calls) expect(c.env).toMatchObject({ CLAB_VERSION_CHECK: 'disable' });
  });
});

describe('calicoctl', () => {
  it('runs the given binary with DATASTORE_TYPE=kubernetes and the lab kubeconfig, dropping other calico/kube settings', async () => {
    await calicoctl.runCalicoctl('/cache/calicoctl', ['ipam', 'show'], { kubeconfig: '/lab/k.kubeconfig', env: { PATH: '/bin', KUBECONFIG: '/other', CALICO_DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: 'x' } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.file).toBe('/cache/calicoctl');
    expect(calls[0]!.args).toEqual(['ipam', 'show']);
    expect(calls[0]!.env).toEqual({ PATH: '/bin', DATASTORE_TYPE: 'kubernetes', KUBECONFIG: '/lab/k.kubeconfig' });
  });
});
