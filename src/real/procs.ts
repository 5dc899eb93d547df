/**
 * The real world's processes: each started in its own process group with its output in a log file
 * under the world's log dir (kept as test artifacts), stopped with SIGTERM then SIGKILL. Nothing
 * outlives `stopAll()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Proc {
  name: string;
  pid: number;
  log: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  running(): boolean;
  stop(): Promise<void>;
}

export class Procs {
  private readonly procs = new Map<string, Proc>();

  constructor(readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  /** `graceMs`: how long SIGTERM may take before SIGKILL (default 5 s). */
  start(name: string, file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; graceMs?: number } = {}): Proc {
    if (this.procs.get(name)?.running()) throw new Error(`real world: ${name} is already running`);
    const log = join(this.logDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`# ${new Date().toISOString()} ${file} ${args.join(' ')}\n`);
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    let alive = true;
    const exited = new Promise<number | string>((resolve) => {
      child.on('error', (e) => {
        alive = false;
        out.write(`# failed to start: ${e.message}\n`);
        resolve('spawn-error');
      });
      child.on('exit', (code, signal) => {
        alive = false;
        out.write(`# exited ${code ?? signal ?? ''} at ${new Date().toISOString()}\n`);
        resolve(code ?? signal ?? 'unknown');
      });
    });
    const proc: Proc = {
      name,
      pid: child.pid ?? -1,
      log,
      child,
      exited,
      running: () => alive,
      stop: async () => {
        if (!alive || child.pid === undefined) return;
        const group = -child.pid;
        try {
          process.kill(group, 'SIGTERM');
        } catch {
          return;
        }
        const done = await Promise.race([exited.then(() => true), sleep(opts.graceMs ?? 5_000).then(() => false)]);
        if (!done) {
          try {
            process.kill(group, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
          await Promise.race([exited, sleep(2_000)]);
        }
      },
    };
    this.procs.set(name, proc);
    return proc;
  }

  get(name: string): Proc | undefined {
    return this.procs.get(name);
  }

  list(): Proc[] {
    return [...this.procs.values()];
  }

  /** The last lines of a process's log (for error messages). */
  tail(name: string, lines = 15): string {
    const p = this.procs.get(name);
    if (!p) return '';
    try {
      return readFileSync(p.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stop(name: string): Promise<void> {
    await this.procs.get(name)?.stop();
  }

  /** Stop everything, last started first. */
  async stopAll(): Promise<void> {
    for (const p of [...this.procs.values()].reverse()) await p.stop();
  }
}

/** Poll `probe` until it returns a value, the process dies or the deadline passes (then throw with its log tail). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, opts: { timeoutMs: number; proc?: Proc; procs?: Procs; intervalMs?: number; signal?: AbortSignal }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    if (opts.signal?.aborted) throw new Error(`real world: stopped while waiting for ${what}`);
    if (opts.proc && !opts.proc.running()) throw new Error(`real world: ${opts.proc.name} exited while waiting for ${what}:\n${opts.procs?.tail(opts.proc.name) ?? ''}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : '';
      const tail = opts.proc ? `\n${opts.procs?.tail(opts.proc.name) ?? ''}` : '';
      throw new Error(`real world: timed out after ${opts.timeoutMs} ms waiting for ${what}${why}${tail}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}
