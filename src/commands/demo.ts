/**
 * `lab demo`: start a simulated lab world (no Docker needed) and run deploy → verify → destroy in it, or
 * with `demo exec -- <command…>` any command with the world's environment. The only product module
 * that knows about the simulation (src/sim/); the commands it runs do not.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { defaultLesson, findLesson, onlyTopologyIn, resolveTopologyArg } from '../lab/catalog.js';
import { loadLab } from '../lab/load.js';
import type { CommandContext } from './context.js';

const cliPath = fileURLToPath(new URL('../cli.js', import.meta.url));
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

function parseScale(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--time-scale: '${text}' is not a positive number`, { hint: 'e.g. `--time-scale 0.1` (10× faster than real time) or `--time-scale 1` (real time)' });
  return n;
}

/**
 * Run a child with inherited stdio; resolves to its exit code. Ctrl-C reaches the child through the
 * terminal's process group; only if it is still running 15 s after our own signal is it sent SIGTERM
 * (a SIGTERM sent to lab demo alone), then SIGKILL.
 */
function runChild(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: 'inherit' });
    const onAbort = (): void => {
      setTimeout(() => child.kill('SIGTERM'), 15_000).unref();
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      resolve(code ?? (sig === 'SIGINT' ? 130 : 128 + 15));
    });
  });
}

/** `--topology <file or folder>` → the topology file (a folder must hold exactly one). */
function resolveTopologyFile(path: string, cwd: string): string {
  const r = resolveTopologyArg(path, cwd);
  return r.file ?? onlyTopologyIn(r.dir, '--topology');
}

export async function run(ctx: CommandContext<'demo'>): Promise<number> {
  const { options, positionals, log } = ctx;
  const [mode, ...rest] = positionals;
  if (mode !== undefined && mode !== 'exec') throw new UsageError(`demo: unknown subcommand '${mode}'`, { hint: 'use `lab demo` or `lab demo exec -- <command…>`' });
  if (mode === 'exec' && rest.length === 0) throw new UsageError('demo exec: no command given', { hint: "put the command after `--`, e.g. `lab demo exec -- sh -c 'lab deploy && lab verify'`" });
  const timeScale = parseScale(options['time-scale']);
  const { parseFaults, UnknownFaultError } = await import('../sim/faults.js');
  let faults;
  try {
    faults = parseFaults(options.fault ?? []);
  } catch (error) {
    if (error instanceof UnknownFaultError) {
      const { FAULT_IDS } = await import('../sim/context.js');
      throw new UsageError(`--fault: unknown fault '${error.id}'`, { hint: `known faults: ${FAULT_IDS.join(', ')}` });
    }
    throw error;
  }

  if (options.topology !== undefined && options.lesson !== undefined) {
    throw new UsageError('--lesson and --topology cannot be used together', { hint: 'pick a shipped lesson with --lesson <id>, or your own lab with --topology <file or folder>' });
  }
  // The shipped lesson to run (default: the first); the world pre-creates its cluster for fault leftover-cluster.
  const shipped = options.topology === undefined ? (options.lesson === undefined ? defaultLesson() : findLesson(options.lesson)) : undefined;
  const worldTopology = shipped ? (await loadLab({ topology: shipped.dir, cwd: ctx.cwd, env: ctx.env })).topologyFile : resolveTopologyFile(options.topology!, ctx.cwd);
  const { startWorld } = await import('../sim/world.js');
  const world = await startWorld({
    ...(timeScale === undefined ? {} : { timeScale }),
    faults,
    topology: worldTopology,
  });
  const env: NodeJS.ProcessEnv = { ...world.env };
  try {
    if (mode === 'exec') {
      log.info(`lab demo: running in a SIMULATED lab world (no real containers or cluster)${faults.length > 0 ? `; faults: ${faults.join(', ')}` : ''}`);
      const [file, ...args] = rest as [string, ...string[]];
      try {
        return await runChild(file, args, env, ctx.cwd, ctx.signal);
      } catch (error) {
        throw new UsageError(`demo exec: cannot run '${file}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    log.info(log.style('yellow', '┃ lab demo: this cluster is SIMULATED — fake containerlab/kind/docker/calicoctl on PATH and a simulated'));
    log.info(log.style('yellow', '┃ Kubernetes API with Calico v3.30 behaviour. Nothing runs in Docker; nothing is left behind.'));
    if (faults.length > 0) log.info(log.style('yellow', `┃ injected faults: ${faults.join(', ')}`));
    // Without --topology the demo runs a copy of the shipped lesson inside the world's temp dir, so the
    // lab directory and kubeconfig it creates go away with the world (the package dir may be read-only).
    let topology = options.topology ?? worldTopology;
    if (shipped !== undefined) {
      const labDir = join(world.dir, 'lab');
      mkdirSync(labDir, { recursive: true });
      cpSync(join(packageRoot, 'topology'), join(labDir, 'topology'), { recursive: true });
      cpSync(join(packageRoot, 'manifests'), join(labDir, 'manifests'), { recursive: true });
      topology = join(labDir, 'topology', basename(shipped.dir));
    }
    const common = ['--topology', topology, ...(options.verbose ? ['--verbose'] : [])];
    const steps: string[][] = [
      ['deploy', ...common],
      ['verify', ...common, ...(options.json ? ['--json'] : [])],
      ['destroy', '--yes', ...common],
    ];
    let first = 0;
    for (const args of steps) {
      if (ctx.signal.aborted) break;
      log.info(`\n$ lab ${args.join(' ')}`);
      const code = await runChild(process.execPath, [cliPath, ...args], env, ctx.cwd, ctx.signal);
      if (code !== 0 && first === 0) first = code;
      // After a failed deploy, verify nothing: go straight to destroy (not after Ctrl-C: the world stops anyway).
      if (code !== 0 && args[0] === 'deploy' && !ctx.signal.aborted) {
        log.info(`\n$ lab ${steps[2]?.join(' ') ?? 'destroy --yes'}`);
        await runChild(process.execPath, [cliPath, ...(steps[2] ?? [])], env, ctx.cwd, ctx.signal);
        break;
      }
      if (code !== 0 && ctx.signal.aborted) break;
    }
    const path = world.criticalPath();
    if (path.chain.length > 0) log.info(`\nsimulated critical path: ${path.chain.join(' → ')} (${Math.round(path.simMs / 1000)} s simulated, ${Math.round(path.realMs)} ms real)`);
    return first;
  } finally {
    await world.stop();
  }
}
