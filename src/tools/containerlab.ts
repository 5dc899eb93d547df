/**
 * The containerlab CLI: version, inspect (JSON), deploy and destroy (root: see sudo.ts).
 * Contract: ../shared/reference/cli/containerlab-contract.yaml. Logs are on stderr, data on stdout.
 */
import { PrerequisiteError, StepFailedError } from '../errors.js';
import { CLAB_VERSION_CHECK, run, runOk, tail, toolRunOptions, type RunOptions, type ToolOptions } from './exec.js';
import { withThrowawayKubeconfig } from './kind.js';
import { canSudo, decideRootMode, isSuidRoot, whichBinary, withSudo, type RootMode, type SudoPreference } from './sudo.js';

/** One container of `containerlab inspect --format json` (ContainerDetails). */
export interface ClabContainer {
  lab_name: string;
  labPath?: string;
  absLabPath?: string;
  name: string;
  container_id: string;
  image: string;
  kind: string;
  state: string;
  status: string;
  ipv4_address: string;
  ipv6_address: string;
  owner?: string;
}

/** The text containerlab (through kind) prints when the kind cluster already exists. */
export const ALREADY_EXISTS = 'already exist for a cluster with the name';

/**
 * Parse `containerlab inspect --format json`: an object keyed by lab name (>= 0.68) or
 * `{"containers": [...]}` (older). `{}` → []. Returns the containers of `labName`.
 */
export function parseInspectJson(text: string, labName?: string): ClabContainer[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const value: unknown = JSON.parse(trimmed);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('containerlab inspect: expected a JSON object');
  const record = value as Record<string, unknown>;
  let list: unknown[];
  if (Array.isArray(record['containers'])) list = record['containers'];
  else if (labName !== undefined) list = Array.isArray(record[labName]) ? record[labName] : [];
  else list = Object.values(record).flatMap((v) => (Array.isArray(v) ? v : []));
  return (list as ClabContainer[]).filter((c) => labName === undefined || c.lab_name === undefined || c.lab_name === labName);
}

/** Parse `containerlab version --json` (>= 0.70) or `version -s` → "0.79.0". */
export function parseContainerlabVersion(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const v = (JSON.parse(trimmed) as { version?: unknown }).version;
      return typeof v === 'string' ? v.replace(/^v/, '') : undefined;
    } catch {
      return undefined;
    }
  }
  const m = /v?(\d+\.\d+\.\d+)/.exec(trimmed);
  return m?.[1];
}

/** ToolOptions with CLAB_VERSION_CHECK=disable (containerlab asks GitHub for its latest release otherwise). */
function noPhoneHome(o: ToolOptions): ToolOptions {
  return { ...o, env: { ...(o.env ?? process.env), [CLAB_VERSION_CHECK]: 'disable' } };
}

export async function containerlabVersion(options: ToolOptions = {}): Promise<string | undefined> {
  const o = noPhoneHome(options);
  const json = await run('containerlab', ['version', '--json'], toolRunOptions(o, { timeout: 20_000 }));
  const v = json.exitCode === 0 ? parseContainerlabVersion(json.stdout) : undefined;
  if (v !== undefined) return v;
  const short = await run('containerlab', ['version', '-s'], toolRunOptions(o, { timeout: 20_000 }));
  return short.exitCode === 0 ? parseContainerlabVersion(short.stdout) : undefined;
}

/** `containerlab inspect -t <topology> --format json` → the lab's containers ([] when not deployed; only `labName`'s when given). No root needed. */
export async function containerlabInspect(topologyFile: string, options: ToolOptions & { labName?: string } = {}): Promise<ClabContainer[]> {
  const o = { ...options, ...noPhoneHome(options) };
  const r = await runOk('containerlab', ['inspect', '-t', topologyFile, '--format', 'json'], {
    ...toolRunOptions(o, { timeout: 30_000 }),
    what: 'containerlab inspect',
  });
  try {
    return parseInspectJson(r.stdout, o.labName);
  } catch (error) {
    throw new StepFailedError('containerlab inspect did not print JSON', { cause: error, details: tail(r.stdout, 4) });
  }
}

/** How to get root for containerlab deploy/destroy; honours --sudo / --no-sudo. */
export async function containerlabRootMode(preference: SudoPreference, o: ToolOptions = {}): Promise<RootMode> {
  const binary = await whichBinary('containerlab', o.env ?? process.env);
  if (binary === undefined) {
    throw new PrerequisiteError('containerlab is not installed (not found on PATH)', { hint: 'install containerlab ≥ 0.75: https://containerlab.dev/install/ (then `lab doctor`)' });
  }
  return decideRootMode({ uid: process.getuid?.(), suid: await isSuidRoot(binary), sudo: () => canSudo(o) }, preference);
}

/** The error lines of containerlab's stderr (its own text, without the INFO chatter). */
export function clabErrorLines(stderr: string): string[] {
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim().length > 0);
  const errors: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // containerlab ≥ 0.7x prints a fatal error as a box, terminal or not: a line holding only
    // `ERROR`, then the message on the following lines (up to the next log line).
    if (/^(ERROR|FATAL)$/.test(line.trim())) {
      const message: string[] = [];
      while (i + 1 < lines.length && !LOG_LINE.test(lines[i + 1]!) && !/^(ERROR|FATAL)$/.test(lines[i + 1]!.trim())) message.push(lines[++i]!.trim());
      errors.push(`${line.trim()}: ${message.join(' ')}`.trimEnd());
    } else if (/\b(ERRO|ERROR|FATA|fatal)\b|^Error:|failed|error:/i.test(line) && !/\bINFO\b/.test(line)) {
      errors.push(line);
    }
  }
  return errors.length > 0 ? errors.slice(-6) : tail(stderr, 6);
}

/** A containerlab log line: `15:04:05 INFO …` (the time may be masked in recordings). */
const LOG_LINE = /^\S+ (DEBU|DEBUG|INFO|WARN|WARNING|ERRO|ERROR|FATA|FATAL)\b/;

export interface ClabDeployResult {
  /** The kind cluster already existed (containerlab's "node(s) already exist…"): nothing was created. */
  alreadyExists: boolean;
  stderr: string;
}

export interface ClabRunOptions extends ToolOptions {
  mode: RootMode;
  /** The kind cluster of the topology (k8s-kind node name): kind's kubeconfig entries are named after it. */
  cluster?: string;
}

/**
 * How long containerlab gets to exit after SIGTERM: a cancelled deploy destroys what it created
 * (CleanOnCancel) within containerlab's own 20 s limit (cmd/context.go maxCancelledDestroyTimeout).
 */
export const CLAB_CANCEL_GRACE_MS = 25_000;

/** Variables containerlab must keep under sudo (env_reset drops everything else). */
const CLAB_ENV = [CLAB_VERSION_CHECK, 'KUBECONFIG'] as const;

/**
 * Run a root-needing containerlab command: the absolute path found on PATH (also under sudo, whose
 * secure_path may not hold it), CLAB_VERSION_CHECK=disable, and KUBECONFIG pointing at a throwaway
 * file, so the kind library inside containerlab writes neither $HOME/.kube/config (the user's under
 * SUID, root's under sudo) nor the user's $KUBECONFIG.
 */
async function runAsRoot(sub: readonly string[], o: ClabRunOptions, extra: Pick<RunOptions, 'grace'> & { timeout: number }) {
  const binary = await whichBinary('containerlab', o.env ?? process.env);
  if (binary === undefined) {
    throw new PrerequisiteError('containerlab is not installed (not found on PATH)', { hint: 'install containerlab ≥ 0.75: https://containerlab.dev/install/ (then `lab doctor`)' });
  }
  return withThrowawayKubeconfig(o.cluster ?? 'kind', async (kubeconfig) => {
    const env = { ...(o.env ?? process.env), [CLAB_VERSION_CHECK]: 'disable', KUBECONFIG: kubeconfig };
    const [file, args] = withSudo(o.mode, binary, sub, CLAB_ENV);
    const r = await run(file, args, { ...toolRunOptions({ ...o, env }, { timeout: extra.timeout }), ...(extra.grace ? { grace: extra.grace } : {}) });
    if (o.mode === 'sudo' && /sudo: sorry, you are not allowed to (preserve the environment|set the following environment variables)/.test(r.stderr)) {
      throw new PrerequisiteError(`sudo does not let containerlab keep ${CLAB_ENV.join(' and ')}`, {
        details: [`$ ${r.command}`, ...tail(r.stderr, 4)],
        hint: `lab passes --preserve-env=${CLAB_ENV.join(',')} so that kind leaves ~/.kube/config alone and containerlab does not phone home: allow it in sudoers (SETENV: on the containerlab rule), install containerlab SUID, or run lab as root`,
      });
    }
    return r;
  });
}

/** `[sudo -n] containerlab deploy -t <topology>`. Fails with containerlab's own error lines (StepFailedError). */
export async function containerlabDeploy(topologyFile: string, o: ClabRunOptions): Promise<ClabDeployResult> {
  const what = o.cluster ? `the kind cluster "${o.cluster}"` : 'the kind cluster';
  const r = await runAsRoot(['deploy', '-t', topologyFile], o, {
    timeout: o.timeout ?? 20 * 60_000,
    grace: { ms: CLAB_CANCEL_GRACE_MS, note: `containerlab deploy was killed while it removed what it had created: ${what} may be half-created or half-deleted (\`lab destroy\` removes what is left)` },
  });
  // containerlab ≥ 0.7x boxes its error and word-wraps it at 116 columns, which can split the phrase
  const text = `${r.stderr}\n${r.stdout}`.replace(/\s+/g, ' ');
  if (text.includes(ALREADY_EXISTS)) return { alreadyExists: true, stderr: r.stderr };
  // containerlab < 0.75 exits 0 when a node fails: look for the failure line too.
  if (r.exitCode !== 0 || /failed deploy stage for node/.test(r.stderr)) {
    throw new StepFailedError(`containerlab deploy failed${r.exitCode !== 0 ? ` (exit ${r.exitCode})` : ''}`, {
      details: [`$ ${r.command}`, ...clabErrorLines(r.stderr || r.stdout)],
      hint: rootHint(r.stderr) ?? 'fix the cause above, then run `lab deploy` again (it picks up from here; `lab destroy` removes what was created)',
    });
  }
  return { alreadyExists: false, stderr: r.stderr };
}

/** `[sudo -n] containerlab destroy -t <topology> --cleanup` (exit 0 also when nothing is deployed). */
export async function containerlabDestroy(topologyFile: string, o: ClabRunOptions): Promise<{ stderr: string }> {
  const r = await runAsRoot(['destroy', '-t', topologyFile, '--cleanup'], o, { timeout: o.timeout ?? 10 * 60_000 });
  if (r.exitCode !== 0) {
    throw new StepFailedError(`containerlab destroy failed (exit ${r.exitCode})`, {
      details: [`$ ${r.command}`, ...clabErrorLines(r.stderr || r.stdout)],
      hint: rootHint(r.stderr) ?? 'run `lab destroy --verbose` to see every command',
    });
  }
  return { stderr: r.stderr };
}

function rootHint(stderr: string): string | undefined {
  if (/requires root privileges/.test(stderr)) return 'run lab as root, install containerlab SUID (its default installer), or allow passwordless `sudo` and pass --sudo';
  if (/sudo: a password is required|sudo: .*password/i.test(stderr)) return 'lab only uses `sudo -n`: allow passwordless sudo for containerlab, or run lab as root';
  return undefined;
}
