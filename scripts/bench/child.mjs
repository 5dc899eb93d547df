/**
 * Run a child process and time it from this process: `startAt`/`exitAt` are performance.now() of the
 * bench process, the same clock as the world's condition marks (the world runs in this process).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, timeoutMs?: number, rss?: boolean, rssWrapper?: string }} options
 *   rss: run `node <rssWrapper> <args…>` instead of `node <args…>` and read the peak RSS it reports.
 */
export async function runTimed(command, args, options = {}) {
  const { env = process.env, cwd = process.cwd(), timeoutMs = 15 * 60_000 } = options;
  let rssDir;
  let argv = args;
  let childEnv = env;
  if (options.rss) {
    rssDir = await mkdtemp(join(tmpdir(), 'lab-bench-rss-'));
    argv = [options.rssWrapper, ...args];
    childEnv = { ...env, BENCH_RSS_FILE: join(rssDir, 'rss.json') };
  }
  const stdout = [];
  const stderr = [];
  const startAt = performance.now();
  const child = spawn(command, argv, { env: childEnv, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => stdout.push(d));
  child.stderr.on('data', (d) => stderr.push(d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  }, timeoutMs);
  const { code, signal, exitAt } = await new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'exit' is the moment the process ended; 'close' (all stdio drained) comes after it.
    let exit;
    child.on('exit', (c, s) => {
      exit = { code: c, signal: s, exitAt: performance.now() };
    });
    child.on('close', () => resolve(exit));
  });
  clearTimeout(timer);
  let maxRssKb = null;
  if (rssDir) {
    try {
      maxRssKb = JSON.parse(await readFile(join(rssDir, 'rss.json'), 'utf8')).maxRssKb;
    } catch {
      maxRssKb = null;
    }
    await rm(rssDir, { recursive: true, force: true });
  }
  return {
    command: [command, ...args].join(' '),
    code,
    signal,
    timedOut,
    startAt,
    exitAt,
    wallMs: exitAt - startAt,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    maxRssKb,
  };
}

/** The JSON document a `--json` command printed, or undefined when stdout is not one. */
export function parseJsonOutput(stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

/** Last lines of a child's stderr, for error messages in the results. */
export function tail(text, lines = 12) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
