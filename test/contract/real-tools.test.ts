/**
 * The REAL containerlab v0.79.0 and kind v0.31.0 (built by `npm run real:build`, found through
 * `${XDG_CACHE_HOME:-~/.cache}/lab/real/manifest.json`) against a REAL Docker engine, through lab's own
 * tool modules (src/tools/containerlab.ts, kind.ts) and doctor parsers (src/doctor/facts.ts).
 *
 * No registry is reachable: the engine must send its registry traffic to loopback (dockerd started
 * with HTTPS_PROXY=http://127.0.0.1:9, as .ci/run does), so the node image pull fails at once on this
 * machine. These tests refuse to run against an engine that could reach out (any other proxy setup),
 * or when kindest/node is present locally (a deploy would then start node containers).
 *
 * What the real tools print is written to `${cache}/lab/real/conformance/tools.json` beside the
 * simulated world's answers to the same commands, for the conformance report (issue 11 §4).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToolVersion } from '../../src/doctor/facts.js';
import { StepFailedError } from '../../src/errors.js';
import { clabErrorLines, containerlabDeploy, containerlabDestroy, containerlabInspect, containerlabVersion } from '../../src/tools/containerlab.js';
import { kindGetClusters, kindGetKubeconfig } from '../../src/tools/kind.js';
import { repoRoot, startTestWorld, type RunResult } from '../helpers/world.js';

const cache = join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'lab', 'real');
const NODE_IMAGE = 'kindest/node:v1.28.0';

interface Manifest {
  components: Record<string, Record<string, { status: string; binaries: Record<string, { path: string; sha256: string }> }>>;
}

function binary(component: string, version: string, name: string): string | undefined {
  try {
    const m = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as Manifest;
    const p = m.components[component]?.[version]?.binaries[name]?.path;
    return p !== undefined && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

const clab = binary('containerlab', '0.79.0', 'containerlab');
const kind = binary('kind', 'v0.31.0', 'kind');

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

/** Why the suite cannot run here, or undefined. */
function whyNot(): string | undefined {
  if (clab === undefined || kind === undefined) return `the real containerlab 0.79.0 / kind v0.31.0 are not built (npm run real:build; looked in ${cache}/manifest.json)`;
  let info: { HttpProxy?: string; HttpsProxy?: string; NoProxy?: string };
  try {
    info = JSON.parse(docker(['info', '--format', '{{json .}}'])) as typeof info;
  } catch {
    return 'no Docker engine answers (`docker info` failed)';
  }
  const loopback = (u: string | undefined): boolean => u !== undefined && /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(u);
  if (!loopback(info.HttpsProxy) || !loopback(info.HttpProxy) || (info.NoProxy ?? '') !== '') {
    return `the Docker engine's registry traffic is not pointed at loopback (HTTPS_PROXY=${info.HttpsProxy || '-'}, NO_PROXY=${info.NoProxy || '-'}); start dockerd with HTTP(S)_PROXY=http://127.0.0.1:9 and NO_PROXY empty`;
  }
  if (spawnSync('docker', ['image', 'inspect', NODE_IMAGE], { stdio: 'ignore', timeout: 30_000 }).status === 0) {
    return `${NODE_IMAGE} is present locally: a deploy would start node containers`;
  }
  return undefined;
}

const skipReason = whyNot();
if (skipReason !== undefined) console.warn(`[real-tools] SKIPPED: ${skipReason}`);

/** PATH with the real binaries first; containerlab never asks GitHub for a newer version. */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: [clab && dirname(clab), kind && dirname(kind), process.env['PATH']].filter(Boolean).join(':'),
  CLAB_VERSION_CHECK: 'disable',
  NO_COLOR: '1',
};

interface Call extends RunResult {
  argv: string[];
}

function call(file: string, args: string[], cwd: string): Call {
  const r = spawnSync(file, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  return { argv: [file.split('/').pop() ?? file, ...args], exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Timestamps and temp paths out, so records of two runs compare equal. */
const normal = (text: string, dir: string): string =>
  text.split(dir).join('<labdir>').replace(/^\d\d:\d\d:\d\d /gm, 'HH:MM:SS ').replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /gm, 'YYYY/MM/DD HH:MM:SS ');

const record: { written: string; tools: Record<string, string>; calls: Record<string, unknown> } = {
  written: '',
  tools: {},
  calls: {},
};

describe.skipIf(skipReason !== undefined)('real containerlab and kind against a real Docker engine (pulls fail on loopback)', () => {
  let dir: string;
  let topology: string;
  let clabNetworkBefore = true;
  const cluster = `lab-contract-${process.pid}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-real-tools-'));
    cpSync(join(repoRoot, 'topology', '01-calico-ipam'), dir, { recursive: true });
    topology = join(dir, 'calico-ipam.clab.yaml');
    clabNetworkBefore = spawnSync('docker', ['network', 'inspect', 'clab'], { stdio: 'ignore' }).status === 0;
  });

  afterAll(() => {
    // Whatever a test left: the lab, the docker network containerlab creates, a kind cluster.
    if (dir !== undefined) {
      spawnSync(clab as string, ['destroy', '-t', topology, '--cleanup'], { cwd: dir, env, stdio: 'ignore', timeout: 120_000 });
      spawnSync(kind as string, ['delete', 'cluster', '--name', cluster], { env, stdio: 'ignore', timeout: 120_000 });
      if (!clabNetworkBefore) spawnSync('docker', ['network', 'rm', 'clab'], { stdio: 'ignore', timeout: 60_000 });
      rmSync(dir, { recursive: true, force: true });
    }
    record.written = new Date().toISOString();
    mkdirSync(join(cache, 'conformance'), { recursive: true });
    writeFileSync(join(cache, 'conformance', 'tools.json'), `${JSON.stringify(record, null, 2)}\n`);
  });

  const keep = (key: string, c: Call, extra: Record<string, unknown> = {}): void => {
    record.calls[key] = { argv: c.argv.map((a) => normal(a, dir)), exitCode: c.exitCode, stdout: normal(c.stdout, dir), stderr: normal(c.stderr, dir), ...extra };
  };

  it('`containerlab version` as the doctor reads it: 0.79.0 (the build sets cmd.Version)', async () => {
    const json = call(clab as string, ['version', '--json'], dir);
    keep('containerlab version --json', json);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: '0.79.0', commit: '5ae50094' });
    expect(await containerlabVersion({ env })).toBe('0.79.0');
    record.tools['containerlab'] = '0.79.0';
  });

  it('`kind version` as the doctor reads it: v0.31.0', () => {
    const r = call(kind as string, ['version'], dir);
    keep('kind version', r);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^kind v0\.31\.0 go\S+ linux\/amd64\n$/);
    expect(parseToolVersion(r.stdout)).toBe('v0.31.0');
    record.tools['kind'] = 'v0.31.0';
  });

  it('`kind get clusters` with no cluster: exit 0, nothing on stdout, "No kind clusters found." on stderr', async () => {
    const r = call(kind as string, ['get', 'clusters'], dir);
    keep('kind get clusters (none)', r);
    expect(r).toMatchObject({ exitCode: 0, stdout: '', stderr: 'No kind clusters found.\n' });
    expect(await kindGetClusters({ env })).toEqual([]);
  });

  it('`kind get kubeconfig` of an absent cluster: exit 1 with kind\'s error, which lab reports', async () => {
    const r = call(kind as string, ['get', 'kubeconfig', '--name=calico-ipam'], dir);
    keep('kind get kubeconfig --name=calico-ipam (absent)', r);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("ERROR: could not locate any control plane nodes for cluster named 'calico-ipam'");
    const error = await kindGetKubeconfig('calico-ipam', { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailedError);
    expect(JSON.stringify(error instanceof StepFailedError ? [error.message, ...error.details] : [])).toContain('could not locate any control plane nodes');
  });

  it('`containerlab inspect` of the absent lab: exit 0, `{}`, which lab reads as no containers', async () => {
    const r = call(clab as string, ['inspect', '-t', topology, '--format', 'json'], dir);
    keep('containerlab inspect --format json (absent lab)', r);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('{}');
    expect(await containerlabInspect(topology, { env, labName: 'calico-ipam' })).toEqual([]);
  });

  it('`containerlab destroy --cleanup` of the absent lab, twice: exit 0 both times', async () => {
    for (const n of [1, 2]) {
      const r = call(clab as string, ['destroy', '-t', topology, '--cleanup'], dir);
      keep(`containerlab destroy --cleanup (absent lab, #${n})`, r);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('no containerlab containers found');
    }
    await expect(containerlabDestroy(topology, { env, mode: 'root' })).resolves.toBeDefined();
  });

  it('the node image pull fails locally: kind says so (the error containerlab\'s k8s-kind node wraps) and leaves nothing', async () => {
    const r = call(kind as string, ['create', 'cluster', '--name', cluster, '--config', join(dir, 'calico-ipam-no-cni.yaml'), '--image', NODE_IMAGE], dir);
    keep('kind create cluster (node image pull fails)', r);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`ERROR: failed to create cluster: failed to pull image "${NODE_IMAGE}": command "docker pull ${NODE_IMAGE}" failed with error: exit status 1`);
    expect(r.stderr).toMatch(/Error response from daemon: Get "https:\/\/registry-1\.docker\.io\/v2\/": proxyconnect tcp: dial tcp 127\.0\.0\.1:\d+: connect: connection refused/);
    expect(docker(['ps', '-aq', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`]).trim()).toBe('');
    expect((await kindGetClusters({ env })).includes(cluster)).toBe(false);
  });

  it('`containerlab deploy` of the lesson topology fails (exit 1) before any node starts, and lab reports why', async () => {
    const r = call(clab as string, ['deploy', '-t', topology], dir);
    const sim = await simulatedImagePull();
    keep('containerlab deploy (lesson topology, no registry)', r, {
      simulated: { fault: 'clab-image-pull', exitCode: sim.exitCode, stderr: sim.stderr.replace(/^\d\d:\d\d:\d\d /gm, 'HH:MM:SS ') },
      // What lab shows of the real failure (StepFailedError details).
      labShows: clabErrorLines(r.stderr),
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    // containerlab creates its management network only when it is not there yet (a host that ran a lab before has it)
    if (!clabNetworkBefore) expect(r.stderr).toContain('INFO Creating docker network name=clab');
    // On a kernel without loadable modules (no /proc/modules, as on these VMs) containerlab stops
    // at its ip_tables module check, before kind; elsewhere at kind's node image pull.
    const noModules = !existsSync('/proc/modules');
    expect(r.stderr).toContain(noModules ? 'Open /proc/modules: no such file or directory.' : `failed to pull image "${NODE_IMAGE}"`);
    expect(docker(['ps', '-aq', '--filter', 'label=io.x-k8s.kind.cluster=calico-ipam']).trim()).toBe('');
    expect(sim.exitCode).toBe(r.exitCode);
    // lab's error details carry containerlab's own message, boxed or not.
    expect(clabErrorLines(r.stderr).join('\n')).toContain(noModules ? 'Open /proc/modules: no such file or directory.' : `failed to pull image "${NODE_IMAGE}"`);
    const error = await containerlabDeploy(topology, { env, mode: 'root' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailedError);
    expect((error as StepFailedError).message).toBe('containerlab deploy failed (exit 1)');
  });
});

/** The simulated world's answer to the same deploy with its clab-image-pull fault. */
async function simulatedImagePull(): Promise<RunResult> {
  const tw = await startTestWorld({ faults: ['clab-image-pull'] });
  try {
    // as lab runs it: the simulated containerlab refuses to run without the version check disabled
    return await tw.run('containerlab', ['deploy', '-t', tw.topology], { env: { CLAB_VERSION_CHECK: 'disable' } });
  } finally {
    await tw.close();
  }
}
