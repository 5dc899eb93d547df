/**
 * The exact argv of every tool call (the process runner is mocked), including sudo.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
      if (r.exitCode !== 0) {
        // As the real runOk: a wrapper's own error factory gets the message and `$ cmd` + stderr lines.
        const factory = o['error'] as ((message: string, details: string[]) => Error) | undefined;
        if (factory) throw factory(`${String(o['what'] ?? file)} failed (exit ${r.exitCode})`, [`$ ${r.command}`, ...r.stderr.split('\n').filter((l) => l !== '')]);
        throw new Error(`${file} failed: ${r.stderr}`);
      }
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
  it('daemon down during ps / rm / pull / save / load → PrerequisiteError (exit 3) with the fix, not "docker ps failed"', async () => {
    const down = { exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' };
    for (const call of [
      () => docker.listClusterContainers('calico-ipam'),
      () => docker.removeContainers(['a']),
      () => docker.dockerPull('a:1'),
      () => docker.dockerSave(['a:1'], '/tmp/i.tar'),
      () => docker.dockerLoad('/tmp/i.tar'),
      () => docker.kindNetworkSubnets(),
    ]) {
      next = [down];
      const e = (await call().catch((x: unknown) => x)) as InstanceType<typeof PrerequisiteError>;
      expect(e).toBeInstanceOf(PrerequisiteError);
      expect(e.message).toBe('cannot reach the Docker daemon: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
      expect(e.hint).toMatch(/^start Docker \(`sudo systemctl start docker`\)/);
    }
  });
  it('other docker ps failures stay step failures (exit 1)', async () => {
    next = [{ exitCode: 1, stderr: 'Error response from daemon: invalid filter \'label\'\n' }];
    const e = (await docker.listClusterContainers('calico-ipam').catch((x: unknown) => x)) as InstanceType<typeof StepFailedError>;
    expect(e).toBeInstanceOf(StepFailedError);
    expect(e.message).toBe('docker ps failed (exit 1)');
  });
  it('docker save --platform when asked', async () => {
    await docker.dockerSave(['a:1'], '/tmp/i.tar', { platform: 'linux/arm64' });
    expect(calls[0]!.args).toEqual(['save', '--platform', 'linux/arm64', '-o', '/tmp/i.tar', 'a:1']);
  });
  it.each([
    ['28.5.2', '28.5.2', 'x86_64', 'linux/amd64'],
    ['29.1.1', '29.1.1', 'aarch64', 'linux/arm64'],
    ['29.1.1', '29.1.1', 'armv7l', 'linux/arm/v7'],
    ['27.5.1', '27.5.1', 'x86_64', undefined],
    ['28.0.0', '27.3.1', 'x86_64', undefined],
    ['', '28.5.2', 'x86_64', undefined],
    ['28.5.2', '28.5.2', 'mips', undefined],
  ] as const)('save platform: engine %s, CLI %s, %s → %s', (server, client, arch, want) => {
    const info = docker.parseDockerInfo(fixture('docker-info.json'));
    info.ServerVersion = server;
    (info['ClientInfo'] as Record<string, unknown>)['Version'] = client;
    info.Architecture = arch;
    expect(docker.savePlatform(info)).toBe(want);
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
  it('"node(s) already exist" in 0.79\'s error box, word-wrapped between "the" and "name" → alreadyExists', async () => {
    const box = ['          ', '   ERROR  ', '          ', `  ${'Deployment failed for one or more nodes: node "calico-ipam" deploy: node(s) already exist for a cluster with the'.padEnd(116)}`, `  ${'name "calico-ipam".'.padEnd(116)}`, '', ''].join('\n');
    next = [{ exitCode: 1, stderr: `10:15:02 INFO Containerlab started version=0.79.0\n${box}` }];
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
    expect(calls[0]!.args.slice(0, 2)).toEqual(['ipam', 'show']);
    expect(calls[0]!.env).toEqual({ PATH: '/bin', DATASTORE_TYPE: 'kubernetes', KUBECONFIG: '/lab/k.kubeconfig' });
  });

  it('F-4: passes --config=<a CalicoAPIConfig lab wrote> so /etc/calico/calicoctl.cfg cannot win; the file is 0600 and gone afterwards', async () => {
    // calico v3.30 clientmgr.LoadClientConfig: the default file, when it exists, is read and the env ignored.
    let seen: { path: string; mode: number; text: string } | undefined;
    const exec = await import('../../../src/tools/exec.js');
    vi.mocked(exec.run).mockImplementationOnce(async (file, args) => {
      calls.push({ file, args: [...args] });
      const flag = args.find((a) => a.startsWith('--config='))!;
      const p = flag.slice('--config='.length);
      seen = { path: p, mode: statSync(p).mode & 0o777, text: readFileSync(p, 'utf8') };
      return { command: file, exitCode: 0, stdout: '', stderr: '' };
    });
    await calicoctl.runCalicoctl('/cache/calicoctl', ['ipam', 'check', '-o', '/tmp/r.json'], { kubeconfig: 'topology/calico-ipam.kubeconfig', env: { PATH: '/bin' } });
    expect(calls[0]!.args).toEqual(['ipam', 'check', '-o', '/tmp/r.json', `--config=${seen!.path}`]);
    expect(seen!.path).not.toBe('/etc/calico/calicoctl.cfg');
    expect(seen!.mode).toBe(0o600);
    // The shape libcalico-go's strict loader accepts: apiVersion projectcalico.org/v3, kind CalicoAPIConfig, spec.{datastoreType,kubeconfig}.
    expect(JSON.parse(seen!.text)).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'CalicoAPIConfig',
      metadata: {},
      spec: { datastoreType: 'kubernetes', kubeconfig: join(process.cwd(), 'topology/calico-ipam.kubeconfig') },
    });
    expect(existsSync(seen!.path)).toBe(false);
  });

  it('the config file is removed when calicoctl fails too', async () => {
    let config = '';
    const exec = await import('../../../src/tools/exec.js');
    vi.mocked(exec.run).mockImplementationOnce(async (_file, args) => {
      config = args.find((a) => a.startsWith('--config='))!.slice('--config='.length);
      throw new Error('interrupted');
    });
    await expect(calicoctl.runCalicoctl('/cache/calicoctl', ['ipam', 'show'], { kubeconfig: '/lab/k.kubeconfig' })).rejects.toThrow('interrupted');
    expect(config).not.toBe('');
    expect(existsSync(config)).toBe(false);
  });
});
