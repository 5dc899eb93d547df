/**
 * The one way `lab` runs external programs (execa 9, no shell). Every call has a deadline and the
 * command's abort signal; --verbose shows the command line and its output; failures become typed
 * errors that show the tool's own error lines (the tail of stderr), never its whole output.
 */
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { registerGracefulChild, signalTree } from './children.js';
import { InterruptedError, PrerequisiteError, StepFailedError, TimeoutError, type LabError } from '../errors.js';
import type { Logger } from '../ui/log.js';

export interface RunOptions {
  signal?: AbortSignal;
  /** Milliseconds; every call has one (default 60 s). */
  timeout?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
  log?: Logger;
  /** Called with each stderr line as it arrives (progress for listr2 tasks). */
  onStderrLine?: (line: string) => void;
  /** Called with each stdout line as it arrives. */
  onStdoutLine?: (line: string) => void;
  /** Return stdout as a Buffer (binary data, e.g. `docker save`). */
  binary?: boolean;
  /** stdout holds secrets (a kubeconfig's client key): --verbose shows its size, not its text. */
  secretStdout?: boolean;
  /**
   * Cleanup grace: on interrupt or timeout the program gets SIGTERM (sudo relays it) and this long
   * to exit before SIGKILL of its whole tree (default without it: 3 s, the child only). A second
   * Ctrl-C ends it at once (children.ts).
   */
  grace?: { ms: number; note: string };
}

/** What every tool wrapper (`tools/*.ts`) takes: the command's abort signal, logger, deadline, env. */
export interface ToolOptions {
  signal?: AbortSignal;
  log?: Logger;
  /** Milliseconds for this one call. */
  timeout?: number;
  env?: NodeJS.ProcessEnv;
  onStderrLine?: (line: string) => void;
}

/** The RunOptions a tool wrapper passes on (drops undefined keys). */
export function toolRunOptions(o: ToolOptions, defaults: { timeout?: number } = {}): RunOptions {
  const out: RunOptions = {};
  if (o.signal) out.signal = o.signal;
  if (o.log) out.log = o.log;
  const timeout = o.timeout ?? defaults.timeout;
  if (timeout !== undefined) out.timeout = timeout;
  if (o.env) out.env = o.env;
  if (o.onStderrLine) out.onStderrLine = o.onStderrLine;
  return out;
}

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  stdoutBuffer?: Buffer;
}

/** containerlab (≥ 0.7x) asks GitHub for its latest release on every command unless this holds `disable`. */
export const CLAB_VERSION_CHECK = 'CLAB_VERSION_CHECK';

const isContainerlab = (file: string): boolean => /^(containerlab|clab)$/.test(path.basename(file));

/**
 * The environment a program gets: containerlab — direct or through sudo — always runs with
 * CLAB_VERSION_CHECK=disable (no request to GitHub, no 3 s wait, no upgrade notice), whoever calls it.
 * undefined = inherit lab's environment unchanged.
 */
export function childEnv(file: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv | undefined {
  const clab = isContainerlab(file) || (path.basename(file) === 'sudo' && args.some((a) => !a.startsWith('-') && isContainerlab(a)));
  if (!clab) return env;
  const base = env ?? process.env;
  if ((base[CLAB_VERSION_CHECK] ?? '').includes('disable')) return env;
  return { ...base, [CLAB_VERSION_CHECK]: 'disable' };
}

/** Quote an argv for display only (never executed through a shell). */
export function displayCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** The last `max` lines of a tool's output, keeping earlier lines that look like errors. */
export function tail(text: string, max = 12): string[] {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
  if (lines.length <= max) return lines;
  const head = lines.slice(0, -max).filter((l) => /\b(error|erro|fatal|failed|denied|cannot|not found)\b/i.test(l)).slice(-4);
  return [...head, ...(head.length > 0 ? ['…'] : [`… (${lines.length - max} earlier lines)`]), ...lines.slice(-max)];
}

/**
 * Run a program and return its result whatever the exit code (`reject: false`). Throws only when the
 * program cannot be started (PrerequisiteError), times out (TimeoutError) or is interrupted.
 */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = displayCommand(file, args);
  const timeout = options.timeout ?? 60_000;
  const env = childEnv(file, args, options.env);
  options.log?.verbose(`$ ${command}`);
  const grace = options.grace;
  const subprocess: ResultPromise = execa(file, args, {
    reject: false,
    // With a cleanup grace, stopping is done below (terminate); execa only backs it up.
    ...(grace ? { forceKillAfterDelay: grace.ms + 2_000 } : { timeout, cancelSignal: options.signal, forceKillAfterDelay: 3_000 }),
    env,
    extendEnv: env === undefined ? true : false,
    cwd: options.cwd,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    encoding: options.binary ? 'buffer' : 'utf8',
    stripFinalNewline: false,
    lines: false,
  });
  if (options.onStderrLine) pipeLines(subprocess.stderr, options.onStderrLine);
  if (options.onStdoutLine && !options.binary) pipeLines(subprocess.stdout, options.onStdoutLine);
  const stopping = grace ? stopGracefully(subprocess, file, timeout, grace, options.signal) : undefined;
  const result = await subprocess.finally(() => stopping?.done());
  const stdoutRaw = result.stdout as unknown;
  const stdout = Buffer.isBuffer(stdoutRaw) || stdoutRaw instanceof Uint8Array ? Buffer.from(stdoutRaw as Uint8Array) : undefined;
  const out: RunResult = {
    command,
    exitCode: result.exitCode ?? -1,
    stdout: stdout ? '' : String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    ...(stdout ? { stdoutBuffer: stdout } : {}),
  };
  if (options.log?.isVerbose) {
    if (options.secretStdout) options.log.verbose(`  │ (${out.stdout.length} bytes on stdout, not shown: they hold credentials)`);
    else for (const line of tail(out.stdout, 40)) options.log.verbose(`  │ ${line}`);
    for (const line of tail(out.stderr, 40)) options.log.verbose(`  ┆ ${line}`);
    options.log.verbose(`  └ exit ${out.exitCode}`);
  }
  if (result.isCanceled || (options.signal?.aborted ?? false) || stopping?.reason === 'interrupted') {
    const reason: unknown = options.signal?.reason;
    throw reason instanceof InterruptedError ? reason : new InterruptedError(`interrupted while running ${file}`, { cause: reason });
  }
  if (result.timedOut || stopping?.reason === 'timeout') {
    throw new TimeoutError(`${file} did not finish within ${Math.round(timeout / 1000)} s`, {
      details: [`$ ${command}`, ...tail(out.stderr)],
      hint: 'raise --timeout if the host is slow, or run with --verbose to see where it stops',
    });
  }
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT' || /ENOENT/.test(String((result as { originalMessage?: string }).originalMessage ?? ''))) {
    throw new PrerequisiteError(`${file} is not installed (not found on PATH)`, { hint: installHint(file) });
  }
  if (code === 'EACCES') {
    throw new PrerequisiteError(`${file} cannot be executed (permission denied)`, { hint: `check the file mode of ${file}` });
  }
  return out;
}

/** Run and require exit code 0; otherwise throw a StepFailedError (or the given factory's error) with the stderr tail. */
export async function runOk(
  file: string,
  args: readonly string[],
  options: RunOptions & { what?: string; hint?: string; error?: (message: string, details: string[]) => LabError } = {},
): Promise<RunResult> {
  const result = await run(file, args, options);
  if (result.exitCode !== 0) {
    const message = `${options.what ?? result.command} failed (exit ${result.exitCode})`;
    const details = [`$ ${result.command}`, ...tail(result.stderr.trim().length > 0 ? result.stderr : result.stdout)];
    throw options.error ? options.error(message, details) : new StepFailedError(message, { details, ...(options.hint ? { hint: options.hint } : {}) });
  }
  return result;
}

/**
 * Stop a program that cleans up when cancelled: SIGTERM at the deadline or on interrupt, to the
 * child only (sudo relays SIGTERM to its command; the program's own children are its business while
 * it cleans up), then SIGKILL after the grace — to the whole tree, root's processes below sudo
 * through `sudo -n kill`, so nothing is orphaned. While it runs it is registered, so a second
 * Ctrl-C kills it at once (children.ts).
 */
function stopGracefully(subprocess: ResultPromise, file: string, timeout: number, grace: { ms: number; note: string }, signal: AbortSignal | undefined) {
  const child = {
    pid: subprocess.pid,
    viaSudo: path.basename(file) === 'sudo',
    note: grace.note,
    kill: (s: NodeJS.Signals) => void subprocess.kill(s),
  };
  const unregister = registerGracefulChild(child);
  const state: { reason?: 'timeout' | 'interrupted'; done(): void } = { done: () => undefined };
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (reason: 'timeout' | 'interrupted'): void => {
    if (state.reason) return;
    state.reason = reason;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => signalTree(child, 'SIGKILL'), grace.ms);
  };
  const onAbort = (): void => terminate('interrupted');
  const deadline = setTimeout(() => terminate('timeout'), timeout);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  state.done = () => {
    clearTimeout(deadline);
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', onAbort);
    unregister();
  };
  return state;
}

function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffer = '';
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string | Buffer) => {
    buffer += chunk.toString();
    let i = buffer.indexOf('\n');
    while (i !== -1) {
      onLine(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      i = buffer.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffer.length > 0) onLine(buffer);
  });
}

function installHint(file: string): string {
  switch (file) {
    case 'containerlab':
      return 'install containerlab ≥ 0.75: https://containerlab.dev/install/ (then `lab doctor`)';
    case 'docker':
      return 'install Docker Engine and make sure your user can reach the daemon (`docker info`)';
    case 'kind':
      return 'install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation); containerlab embeds kind, but lab uses the kind CLI for kubeconfig and cleanup';
    case 'sudo':
      return 'run lab as root, or install sudo, or install containerlab SUID (its default install)';
    default:
      return `install ${file} and make sure it is on PATH`;
  }
}
