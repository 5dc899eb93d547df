/**
 * A simulated world per test suite: a temp copy of the lab's files (topology/ + manifests/) and a
 * runner for the BUILT CLI (`node dist/cli.js`) with the world's env. Suites run in parallel, each
 * with its own world.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorld, type World, type WorldOptions } from '../../src/sim/world.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath = join(repoRoot, 'dist', 'cli.js');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TestWorld {
  world: World;
  /** Temp copy of the lab: <labDir>/topology/<lesson>/…, <labDir>/manifests/calico-pins.yaml */
  labDir: string;
  /** <labDir>/topology/01-calico-ipam/calico-ipam.clab.yaml (pass it with --topology). */
  topology: string;
  env: NodeJS.ProcessEnv;
  /** Run `node dist/cli.js …args` in the world (cwd = labDir, CI=true, NO_COLOR=1). */
  runLab(args: string[], opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<RunResult>;
  /** Run any program in the world (e.g. the fake `containerlab`), cwd = labDir. */
  run(file: string, args: string[], opts?: { timeoutMs?: number; env?: Record<string, string>; input?: string }): Promise<RunResult>;
  close(): Promise<void>;
}

export function runProcess(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; input?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal === 'SIGTERM' ? 143 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export async function startTestWorld(options: WorldOptions = {}): Promise<TestWorld> {
  const labDir = mkdtempSync(join(tmpdir(), 'lab-test-'));
  cpSync(join(repoRoot, 'topology'), join(labDir, 'topology'), { recursive: true });
  cpSync(join(repoRoot, 'manifests'), join(labDir, 'manifests'), { recursive: true });
  const topology = join(labDir, 'topology', '01-calico-ipam', 'calico-ipam.clab.yaml');
  let world: World;
  try {
    world = await startWorld({ timeScale: 0.01, topology, ...options });
  } catch (error) {
    rmSync(labDir, { recursive: true, force: true });
    throw error;
  }
  const env: NodeJS.ProcessEnv = { ...world.env, CI: 'true', NO_COLOR: '1' };
  return {
    world,
    labDir,
    topology,
    env,
    runLab: (args, opts = {}) => runProcess(process.execPath, [cliPath, ...args], { cwd: labDir, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 120_000 }),
    run: (file, args, opts = {}) => runProcess(file, args, { cwd: labDir, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 60_000, input: opts.input }),
    close: async () => {
      await world.stop();
      rmSync(labDir, { recursive: true, force: true });
    },
  };
}
