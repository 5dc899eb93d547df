/**
 * Gathering the facts the doctor rules judge. Every probe is bounded by a deadline and never throws:
 * a probe that fails (tool missing, daemon down, timeout) is itself a fact (`{ ok: false, error }`).
 * Only Ctrl-C (the command's signal) ends gathering early. Probes run concurrently, and only the
 * probes the selected rules need are run (the fatal subset is fast).
 */
import { readFile, stat, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, InterruptedError } from '../errors.js';
import { run, type RunOptions } from '../tools/exec.js';
import { dockerInfo, kindNetworkSubnets, listClusterContainers, parseIpamConfig, type DockerInfo } from '../tools/docker.js';
import { parseContainerlabVersion } from '../tools/containerlab.js';
import { canSudo, isSuidRoot, whichBinary, type SudoPreference } from '../tools/sudo.js';
import type { Lab, PinnedArtifact } from '../lab/model.js';
import type { Logger } from '../ui/log.js';
import { findCachedArtifact, platformKey, probeDownload } from './calicoctl.js';

/** A probe's outcome. `missing` = the program is not installed; `timedOut` = it did not answer in time. */
export type Probe<T> = { ok: true; value: T } | { ok: false; error: string; missing?: boolean; timedOut?: boolean };

export interface DockerFacts {
  serverVersion: string;
  cgroupDriver: string | undefined;
  cgroupVersion: string | undefined;
  rootless: boolean;
  dockerRootDir: string | undefined;
  memTotal: number | undefined;
  ncpu: number | undefined;
  osType: string | undefined;
}

export interface RootFacts {
  uid: number | undefined;
  username: string | undefined;
  containerlabPath: string | undefined;
  suidRoot: boolean;
  clabAdminsExists: boolean;
  inClabAdmins: boolean;
  /** `sudo -n true` worked; undefined = not tried (not needed, or --no-sudo). */
  sudoNonInteractive: boolean | undefined;
  preference: SudoPreference;
}

export interface CalicoctlFacts {
  platform: string;
  pinned: PinnedArtifact | undefined;
  cachedPath: string | undefined;
  /** undefined = not probed (cached already, offline, or not pinned). */
  download: Probe<{ status: number }> | undefined;
  offline: boolean;
}

export interface NetworkFacts {
  name: string;
  subnets: string[];
}

export interface StaleLabFacts {
  containers: { name: string; state: string; status: string }[];
  labDirExists: boolean;
  kubeconfigExists: boolean;
}

export interface HostFacts {
  platform: { os: NodeJS.Platform; arch: string };
  docker?: Probe<DockerFacts>;
  containerlab?: Probe<{ version: string | undefined; path: string }>;
  root?: Probe<RootFacts>;
  kind?: Probe<{ version: string | undefined }>;
  kubectl?: Probe<{ version: string | undefined }>;
  calicoctl?: Probe<CalicoctlFacts>;
  inotify?: Probe<{ maxUserWatches: number; maxUserInstances: number }>;
  disk?: Probe<{ path: string; freeBytes: number }>;
  memory?: Probe<{ totalBytes: number; availableBytes: number | undefined; source: 'docker' | 'host' }>;
  /** docker networks `kind` and `clab` that exist (absent ones are left out). */
  networks?: Probe<NetworkFacts[]>;
  staleLab?: Probe<StaleLabFacts>;
  /** Owner of $HOME/.kube/config and $HOME/.kube (kind run as root can leave them root-owned). */
  userKubeconfig?: Probe<UserKubeconfigFacts>;
}

export interface UserKubeconfigFacts {
  path: string;
  /** uid of the file / its directory; undefined when absent. */
  fileUid: number | undefined;
  dirUid: number | undefined;
  /** uid lab runs as. */
  uid: number | undefined;
}

export type FactKey = Exclude<keyof HostFacts, 'platform'>;

export interface GatherOptions {
  signal: AbortSignal;
  log?: Logger;
  env: NodeJS.ProcessEnv;
  sudo?: SudoPreference;
  offline?: boolean;
  /** Per-probe deadline in ms (default 15 s). */
  timeout?: number;
}

const DEFAULT_PROBE_TIMEOUT = 15_000;

export async function gatherFacts(lab: Lab, keys: ReadonlySet<FactKey>, o: GatherOptions): Promise<HostFacts> {
  const facts: HostFacts = { platform: { os: process.platform, arch: process.arch } };
  const timeout = o.timeout ?? DEFAULT_PROBE_TIMEOUT;
  const tool: RunOptions = { signal: o.signal, env: o.env, timeout, ...(o.log ? { log: o.log } : {}) };
  // docker info is shared by several facts: run it once.
  let dockerOnce: Promise<Probe<DockerFacts>> | undefined;
  const docker = (): Promise<Probe<DockerFacts>> => (dockerOnce ??= probe(o, timeout, () => probeDocker(tool)));

  const jobs: Record<FactKey, () => Promise<unknown>> = {
    docker: () => docker(),
    containerlab: () => probe(o, timeout, () => probeContainerlab(tool)),
    root: () => probe(o, timeout * 2, () => probeRoot(tool, o.sudo ?? 'auto')),
    kind: () => probe(o, timeout, () => probeVersion('kind', ['version'], tool)),
    kubectl: () => probe(o, timeout, () => probeVersion('kubectl', ['version', '--client', '-o', 'json'], tool)),
    calicoctl: () => probe(o, timeout, () => probeCalicoctl(lab, o, Math.min(timeout, 8_000))),
    inotify: () => probe(o, timeout, () => probeInotify()),
    disk: async () => probe(o, timeout, async () => probeDisk(await docker())),
    memory: async () => probe(o, timeout, async () => probeMemory(await docker())),
    networks: () => probe(o, timeout, () => probeNetworks(tool)),
    staleLab: () => probe(o, timeout, () => probeStaleLab(lab, tool)),
    userKubeconfig: () => probe(o, timeout, () => probeUserKubeconfig(o.env)),
  };
  await Promise.all(
    [...keys].map(async (key) => {
      (facts as unknown as Record<string, unknown>)[key] = await jobs[key]();
    }),
  );
  return facts;
}

/** Run one probe under a deadline; anything but Ctrl-C becomes a failed fact. */
export async function probe<T>(o: { signal: AbortSignal }, ms: number, body: () => Promise<T>): Promise<Probe<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Probe<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}`, timedOut: true }), ms);
  });
  try {
    return await Promise.race([
      body().then((value): Probe<T> => ({ ok: true, value })),
      deadline,
    ]);
  } catch (error) {
    if (o.signal.aborted) throw o.signal.reason instanceof InterruptedError ? o.signal.reason : new InterruptedError('interrupted', { cause: error });
    if (error instanceof InterruptedError) throw error;
    const name = error instanceof Error ? error.name : '';
    const message = errorMessage(error);
    return {
      ok: false,
      error: firstLine(message, error),
      ...(/not installed|not found on PATH/.test(message) ? { missing: true } : {}),
      ...(name === 'TimeoutError' ? { timedOut: true } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(message: string, error: unknown): string {
  const details = (error as { details?: unknown }).details;
  const extra = Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string' && !d.startsWith('$ ')).slice(-2) : [];
  const all = [message, ...extra.filter((d) => !message.includes(d.trim()))].join(' — ');
  return all.length > 300 ? `${all.slice(0, 297)}…` : all;
}

export function dockerFactsOf(info: DockerInfo): DockerFacts {
  const security = Array.isArray(info.SecurityOptions) ? info.SecurityOptions : [];
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const num = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
  return {
    serverVersion: info.ServerVersion ?? '',
    cgroupDriver: str(info.CgroupDriver),
    cgroupVersion: str(info.CgroupVersion),
    rootless: security.some((s) => /(^|,)name=rootless(,|$)/.test(s)),
    dockerRootDir: str(info['DockerRootDir']),
    memTotal: num(info.MemTotal),
    ncpu: num(info.NCPU),
    osType: str(info['OSType']),
  };
}

async function probeDocker(tool: RunOptions): Promise<DockerFacts> {
  const info = await dockerInfo(tool);
  if (!info.ServerVersion) throw new Error('docker info answered without a server version');
  return dockerFactsOf(info);
}

async function probeContainerlab(tool: RunOptions): Promise<{ version: string | undefined; path: string }> {
  const binary = await whichBinary('containerlab', tool.env ?? process.env);
  if (binary === undefined) throw new Error('containerlab is not installed (not found on PATH)');
  const json = await run('containerlab', ['version', '--json'], tool);
  let version = json.exitCode === 0 ? parseContainerlabVersion(json.stdout) : undefined;
  if (version === undefined) {
    // containerlab < 0.70 has no --json; plain `version` prints "version: 0.6x.y".
    const plain = await run('containerlab', ['version'], tool);
    version = plain.exitCode === 0 ? /version:\s*v?(\d+\.\d+\.\d+)/.exec(plain.stdout)?.[1] : undefined;
  }
  return { version, path: binary };
}

async function probeVersion(file: string, args: string[], tool: RunOptions): Promise<{ version: string | undefined }> {
  const binary = await whichBinary(file, tool.env ?? process.env);
  if (binary === undefined) throw new Error(`${file} is not installed (not found on PATH)`);
  const r = await run(file, args, tool);
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
  return { version: parseToolVersion(r.stdout) };
}

/** `kind v0.32.0 go1.26.3 linux/amd64` → v0.32.0; kubectl `{"clientVersion":{"gitVersion":"v1.32.4"}}` → v1.32.4. */
export function parseToolVersion(stdout: string): string | undefined {
  const trimmed = stdout.trim();
  if (trimmed.startsWith('{')) {
    try {
      const v = (JSON.parse(trimmed) as { clientVersion?: { gitVersion?: unknown } }).clientVersion?.gitVersion;
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }
  return /\bv\d+\.\d+\.\d+[\w.+-]*/.exec(trimmed)?.[0];
}

async function probeRoot(tool: RunOptions, preference: SudoPreference): Promise<RootFacts> {
  const env = tool.env ?? process.env;
  const uid = process.getuid?.();
  let username: string | undefined;
  try {
    username = os.userInfo().username;
  } catch {
    username = env['USER'];
  }
  const containerlabPath = await whichBinary('containerlab', env);
  const suidRoot = containerlabPath !== undefined && (await isSuidRoot(containerlabPath));
  const groups = await readGroupFile();
  const clabAdmins = groups.find((g) => g.name === 'clab_admins');
  const inClabAdmins =
    clabAdmins !== undefined &&
    ((username !== undefined && clabAdmins.members.includes(username)) || (process.getgroups?.() ?? []).includes(clabAdmins.gid));
  const needSudo = preference === 'always' || (preference === 'auto' && uid !== 0 && !suidRoot);
  const sudoNonInteractive = needSudo ? await canSudo({ ...(tool.signal ? { signal: tool.signal } : {}), env }) : undefined;
  return { uid, username, containerlabPath, suidRoot, clabAdminsExists: clabAdmins !== undefined, inClabAdmins, sudoNonInteractive, preference };
}

async function readGroupFile(): Promise<{ name: string; gid: number; members: string[] }[]> {
  let text: string;
  try {
    text = await readFile('/etc/group', 'utf8');
  } catch {
    return [];
  }
  return parseGroupFile(text);
}

/** Parse /etc/group (`name:x:gid:member,member`). */
export function parseGroupFile(text: string): { name: string; gid: number; members: string[] }[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3)
    .map((f) => ({ name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '') }));
}

async function probeCalicoctl(lab: Lab, o: GatherOptions, downloadTimeout: number): Promise<CalicoctlFacts> {
  const platform = platformKey(process.platform, process.arch);
  const pinned = lab.calico.calicoctl[platform];
  const offline = o.offline === true;
  const cachedPath = pinned ? await findCachedArtifact(pinned, o.env) : undefined;
  let download: Probe<{ status: number }> | undefined;
  if (pinned && cachedPath === undefined && !offline) {
    download = await probe(o, downloadTimeout + 1_000, () => probeDownload(pinned.url, o.signal, downloadTimeout, path.dirname(lab.pinsFile)));
  }
  return { platform, pinned, cachedPath, download, offline };
}

async function probeInotify(): Promise<{ maxUserWatches: number; maxUserInstances: number }> {
  const read = async (name: string): Promise<number> => {
    const text = await readFile(`/proc/sys/fs/inotify/${name}`, 'utf8');
    const n = Number(text.trim());
    if (!Number.isFinite(n)) throw new Error(`/proc/sys/fs/inotify/${name}: not a number`);
    return n;
  };
  const [maxUserWatches, maxUserInstances] = await Promise.all([read('max_user_watches'), read('max_user_instances')]);
  return { maxUserWatches, maxUserInstances };
}

async function probeDisk(docker: Probe<DockerFacts>): Promise<{ path: string; freeBytes: number }> {
  const wanted = docker.ok && docker.value.dockerRootDir ? docker.value.dockerRootDir : '/var/lib/docker';
  const existing = await nearestExisting(wanted);
  const s = await statfs(existing);
  return { path: existing, freeBytes: Number(s.bavail) * Number(s.bsize) };
}

async function nearestExisting(file: string): Promise<string> {
  let current = path.resolve(file);
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

async function probeMemory(docker: Probe<DockerFacts>): Promise<{ totalBytes: number; availableBytes: number | undefined; source: 'docker' | 'host' }> {
  let availableBytes: number | undefined;
  try {
    availableBytes = parseMemAvailable(await readFile('/proc/meminfo', 'utf8'));
  } catch {
    availableBytes = undefined;
  }
  if (docker.ok && docker.value.memTotal !== undefined) return { totalBytes: docker.value.memTotal, availableBytes, source: 'docker' };
  return { totalBytes: os.totalmem(), availableBytes: availableBytes ?? os.freemem(), source: 'host' };
}

/** `MemAvailable:   23456789 kB` from /proc/meminfo → bytes. */
export function parseMemAvailable(text: string): number | undefined {
  const m = /^MemAvailable:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

async function probeNetworks(tool: RunOptions): Promise<NetworkFacts[]> {
  const out: NetworkFacts[] = [];
  const kind = await kindNetworkSubnets(tool);
  if (kind !== undefined) out.push({ name: 'kind', subnets: kind });
  // containerlab's management network (kind nodes are not attached to it, but it takes host routes).
  const clab = await run('docker', ['network', 'inspect', 'clab', '--format', '{{json .IPAM.Config}}'], tool);
  if (clab.exitCode === 0) out.push({ name: 'clab', subnets: parseIpamConfig(clab.stdout) });
  else if (!/not found|no such network/i.test(clab.stderr)) throw new Error(`docker network inspect clab failed: ${clab.stderr.trim().split('\n').at(-1) ?? ''}`);
  return out;
}

async function probeUserKubeconfig(env: NodeJS.ProcessEnv): Promise<UserKubeconfigFacts> {
  const home = env['HOME'] ?? os.homedir();
  const file = path.join(home, '.kube', 'config');
  const uidOf = (p: string): Promise<number | undefined> => stat(p).then((s) => s.uid, () => undefined);
  const [fileUid, dirUid] = await Promise.all([uidOf(file), uidOf(path.dirname(file))]);
  return { path: file, fileUid, dirUid, uid: process.getuid?.() };
}

async function probeStaleLab(lab: Lab, tool: RunOptions): Promise<StaleLabFacts> {
  const exists = async (p: string): Promise<boolean> => stat(p).then(() => true, () => false);
  const [containers, labDirExists, kubeconfigExists] = await Promise.all([
    listClusterContainers(lab.cluster, tool),
    exists(lab.labDir),
    exists(lab.kubeconfigPath),
  ]);
  return { containers: containers.map((c) => ({ name: c.Names, state: c.State, status: c.Status })), labDirExists, kubeconfigExists };
}
