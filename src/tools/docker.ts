/**
 * The docker CLI calls lab needs around containerlab + kind: preflight (`docker info`), the `kind`
 * network's subnets, the cluster's node containers (by kind's label), cleanup of leftovers, and image
 * pull/save/load for preloading. JSON formats only (`--format '{{json .}}'`); parsers are pure.
 * Contract: ../shared/reference/cli/docker-contract.yaml.
 */
import { PrerequisiteError, StepFailedError } from '../errors.js';
import { run, runOk, tail, toolRunOptions, type RunOptions, type RunResult, type ToolOptions } from './exec.js';

/** The fields of `docker info --format '{{json .}}'` lab reads (the document has many more). */
export interface DockerInfo {
  ServerVersion?: string;
  OperatingSystem?: string;
  Architecture?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  SecurityOptions?: string[];
  NCPU?: number;
  MemTotal?: number;
  ServerErrors?: string[];
  [key: string]: unknown;
}

/** One line of `docker ps -a --format '{{json .}}'`. */
export interface DockerPsEntry {
  ID: string;
  Names: string;
  Image: string;
  State: string;
  Status: string;
  Ports: string;
  Networks: string;
  /** Parsed from docker's comma-joined `k=v` string. */
  Labels: Record<string, string>;
  CreatedAt?: string;
}

export interface IpamConfigEntry {
  Subnet?: string;
  Gateway?: string;
}

const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

/** Parse `docker info --format '{{json .}}'`. Throws on non-JSON. */
export function parseDockerInfo(text: string): DockerInfo {
  const trimmed = text.trim();
  const value: unknown = JSON.parse(trimmed);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('docker info: expected a JSON object');
  return value as DockerInfo;
}

/** Parse docker's `Labels` column: `a=b,c=d` (values may not contain commas in practice for kind's labels). */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text.trim() === '') return out;
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i === -1) out[part] = '';
    else out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** Parse the JSON lines of `docker ps -a --format '{{json .}}'`. */
export function parseDockerPs(text: string): DockerPsEntry[] {
  const out: DockerPsEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const raw = JSON.parse(line) as Record<string, unknown>;
    const str = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
    const labels = raw['Labels'];
    out.push({
      ID: str('ID'),
      Names: str('Names'),
      Image: str('Image'),
      State: str('State'),
      Status: str('Status'),
      Ports: str('Ports'),
      Networks: str('Networks'),
      Labels: typeof labels === 'string' ? parseLabels(labels) : typeof labels === 'object' && labels !== null ? (labels as Record<string, string>) : {},
      ...(typeof raw['CreatedAt'] === 'string' ? { CreatedAt: raw['CreatedAt'] } : {}),
    });
  }
  return out;
}

/** Parse `docker network inspect kind --format '{{json .IPAM.Config}}'` into the subnets (v4 and v6, in docker's order). */
export function parseIpamConfig(text: string): string[] {
  const value: unknown = JSON.parse(text.trim() === '' ? 'null' : text);
  if (value === null) return [];
  if (!Array.isArray(value)) throw new Error('docker network inspect: expected a JSON array for .IPAM.Config');
  return (value as IpamConfigEntry[]).map((e) => e.Subnet).filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** docker's own words for "the CLI could not talk to the daemon" (stopped, wrong socket, no permission). */
export function isDaemonUnreachable(stderr: string): boolean {
  return /Cannot connect to the Docker daemon|permission denied while trying to connect to the Docker daemon|error during connect/i.test(stderr);
}

/**
 * `runOk` for docker: a daemon that cannot be reached is a missing prerequisite (exit 3, with the fix
 * `lab doctor` gives), not a failed step.
 */
function dockerOk(args: readonly string[], options: RunOptions & { what: string }): Promise<RunResult> {
  return runOk('docker', args, {
    ...options,
    error: (message, details) => {
      const stderr = details.filter((d) => !d.startsWith('$ ')).join('\n');
      return isDaemonUnreachable(stderr) ? daemonError(stderr) : new StepFailedError(message, { details });
    },
  });
}

function daemonError(stderr: string): PrerequisiteError {
  const lines = tail(stderr, 4);
  const first = lines.find((l) => /cannot connect|permission denied|error/i.test(l)) ?? lines[0] ?? 'docker info failed';
  if (/permission denied/i.test(stderr)) {
    return new PrerequisiteError(`cannot reach the Docker daemon: ${first}`, {
      hint: 'add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again) or run lab as root',
      details: lines,
    });
  }
  return new PrerequisiteError(`cannot reach the Docker daemon: ${first}`, {
    hint: 'start Docker (`sudo systemctl start docker`) and check that `docker info` works',
    details: lines,
  });
}

/** `docker info --format '{{json .}}'`; daemon down / permission denied → PrerequisiteError with docker's message and a fix. */
export async function dockerInfo(o: ToolOptions = {}): Promise<DockerInfo> {
  const r = await run('docker', ['info', '--format', '{{json .}}'], toolRunOptions(o, { timeout: 20_000 }));
  if (r.exitCode !== 0) throw daemonError(r.stderr);
  let info: DockerInfo;
  try {
    info = parseDockerInfo(r.stdout);
  } catch (error) {
    throw new PrerequisiteError('docker info did not print JSON', { cause: error, details: tail(r.stdout + r.stderr, 4) });
  }
  if (Array.isArray(info.ServerErrors) && info.ServerErrors.length > 0 && !info.ServerVersion) throw daemonError(info.ServerErrors.join('\n'));
  return info;
}

/** Subnets of docker's `kind` network; undefined when the network does not exist (yet). */
export async function kindNetworkSubnets(o: ToolOptions = {}): Promise<string[] | undefined> {
  const r = await run('docker', ['network', 'inspect', 'kind', '--format', '{{json .IPAM.Config}}'], toolRunOptions(o, { timeout: 20_000 }));
  if (r.exitCode !== 0) {
    if (/not found|no such network/i.test(r.stderr)) return undefined;
    if (isDaemonUnreachable(r.stderr)) throw daemonError(r.stderr);
    throw new StepFailedError('docker network inspect kind failed', { details: tail(r.stderr, 6) });
  }
  return parseIpamConfig(r.stdout);
}

/** Every container (running or not) that kind labelled as part of `cluster`. */
export async function listClusterContainers(cluster: string, o: ToolOptions = {}): Promise<DockerPsEntry[]> {
  const r = await dockerOk(['ps', '-a', '--filter', `label=${KIND_CLUSTER_LABEL}=${cluster}`, '--format', '{{json .}}'], {
    ...toolRunOptions(o, { timeout: 20_000 }),
    what: 'docker ps',
  });
  return parseDockerPs(r.stdout);
}

/** `docker rm -f -v <names…>` (what `kind delete cluster` does). No-op for an empty list. */
export async function removeContainers(names: readonly string[], o: ToolOptions = {}): Promise<void> {
  if (names.length === 0) return;
  await dockerOk(['rm', '-f', '-v', ...names], { ...toolRunOptions(o, { timeout: 120_000 }), what: 'docker rm' });
}

export async function dockerPull(image: string, o: ToolOptions = {}): Promise<void> {
  await dockerOk(['pull', image], { ...toolRunOptions(o, { timeout: 15 * 60_000 }), what: `docker pull ${image}` });
}

export async function dockerImageExists(image: string, o: ToolOptions = {}): Promise<boolean> {
  const r = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], toolRunOptions(o, { timeout: 20_000 }));
  return r.exitCode === 0;
}

/** Go's GOARCH for the `uname -m` machine names `docker info` reports as `Architecture`. */
const GOARCH: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64', armv7l: 'arm/v7', armv6l: 'arm/v6', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

function major(version: unknown): number | undefined {
  const m = typeof version === 'string' ? /^v?(\d+)\./.exec(version) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * The platform `docker save` should be limited to, from `docker info`: the daemon's own `OSType/arch`
 * (the kind nodes run there). Undefined when the engine or the CLI is older than Docker 28 (no
 * `save --platform`: API 1.48) or the platform is unknown — then a plain save is the only choice, and
 * on those engines (classic image store) it holds the host platform only anyway.
 */
export function savePlatform(info: DockerInfo): string | undefined {
  const client = (info['ClientInfo'] as { Version?: unknown } | undefined)?.Version;
  const server = major(info.ServerVersion);
  if (server === undefined || server < 28) return undefined;
  const clientMajor = major(client);
  if (clientMajor !== undefined && clientMajor < 28) return undefined;
  const os = typeof info['OSType'] === 'string' && info['OSType'] !== '' ? info['OSType'] : undefined;
  const arch = GOARCH[info.Architecture ?? ''];
  return os && arch ? `${os}/${arch}` : undefined;
}

/** `docker save [--platform <p>] -o <file> <images…>`. */
export async function dockerSave(images: readonly string[], file: string, o: ToolOptions & { platform?: string | undefined } = {}): Promise<void> {
  const platform = o.platform !== undefined ? ['--platform', o.platform] : [];
  await dockerOk(['save', ...platform, '-o', file, ...images], { ...toolRunOptions(o, { timeout: 30 * 60_000 }), what: 'docker save' });
}

export async function dockerLoad(file: string, o: ToolOptions = {}): Promise<void> {
  await dockerOk(['load', '-i', file], { ...toolRunOptions(o, { timeout: 30 * 60_000 }), what: 'docker load' });
}

export interface DockerExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * `docker exec <container> <command…>` (no shell, no TTY): the command's output and exit code, whatever
 * the code (126/127 when the program cannot be started in the container). A daemon that cannot be
 * reached is a PrerequisiteError; a container that does not exist or is not running a StepFailedError.
 */
export async function dockerExec(container: string, command: readonly string[], o: ToolOptions = {}): Promise<DockerExecResult> {
  const r = await run('docker', ['exec', container, ...command], toolRunOptions(o, { timeout: 20_000 }));
  if (r.exitCode !== 0) {
    if (isDaemonUnreachable(r.stderr)) throw daemonError(r.stderr);
    if (/No such container/i.test(r.stderr)) {
      throw new StepFailedError(`docker exec: no container named ${container}`, { details: tail(r.stderr, 4), hint: 'is the lab deployed? `lab status` lists its node containers' });
    }
    if (/is not running/i.test(r.stderr)) {
      throw new StepFailedError(`docker exec: container ${container} is not running`, { details: tail(r.stderr, 4), hint: `start it (docker start ${container}) or redeploy the lab` });
    }
  }
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}
