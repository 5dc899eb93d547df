/**
 * The one way `lab` runs external programs (execa 9, no shell). Every call has a deadline and the
 * command's abort signal; --verbose shows the command line and its output; failures become typed
 * errors that show the tool's own error lines (the tail of stderr), never its whole output.
 */
import { execa, type ResultPromise } from 'execa';
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
  options.log?.verbose(`$ ${command}`);
  const subprocess: ResultPromise = execa(file, args, {
    reject: false,
    timeout,
    cancelSignal: options.signal,
    forceKillAfterDelay: 3_000,
    env: options.env,
    extendEnv: options.env === undefined ? true : false,
    cwd: options.cwd,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    encoding: options.binary ? 'buffer' : 'utf8',
    stripFinalNewline: false,
    lines: false,
  });
  if (options.onStderrLine) pipeLines(subprocess.stderr, options.onStderrLine);
  if (options.onStdoutLine && !options.binary) pipeLines(subprocess.stdout, options.onStdoutLine);
  const result = await subprocess;
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
  if (result.isCanceled || (options.signal?.aborted ?? false)) {
    const reason: unknown = options.signal?.reason;
    throw reason instanceof InterruptedError ? reason : new InterruptedError(`interrupted while running ${file}`, { cause: reason });
  }
  if (result.timedOut) {
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
