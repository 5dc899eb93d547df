/**
 * A real world per test file (src/real/world.ts): a temp copy of the lab (topology/ + manifests/) and
 * a runner for the BUILT CLI in the world's env. Only usable inside the namespace `npm run test:real`
 * creates; outside it (or without the built components) `realSkipReason()` says why, and the suite
 * skips visibly.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAll, type Program } from '../../src/real/components.js';
import { currentNetns, NETNS_PREFIX } from '../../src/real/netns.js';
import { referenceManifestsDir } from '../../src/real/downloads.js';
import { startRealWorld, type RealWorld } from '../../src/real/world.js';
import { cliPath, repoRoot, runProcess, type RunResult } from './world.js';

export const REQUIRED: Program[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'calicoctl'];

/** Artifacts of this run: component logs, the conformance report. */
export function artifactsDir(): string {
  const dir = process.env['LAB_REAL_ARTIFACTS'] ?? join(repoRoot, 'test', 'real', 'artifacts', 'manual');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function realSkipReason(required: Program[] = REQUIRED): string | undefined {
  const ns = currentNetns();
  if (ns === undefined || !ns.startsWith(NETNS_PREFIX)) return `SKIPPED: not inside a ${NETNS_PREFIX}<pid> network namespace (run \`npm run test:real\`)`;
  const { missing } = findAll();
  const absent = required.filter((p) => missing.includes(p));
  if (absent.length > 0) return `SKIPPED: real components not built: ${absent.join(', ')} (run \`node scripts/real/build.mjs\`)`;
  if (!existsSync(referenceManifestsDir(repoRoot, 'v3.30.0'))) return 'SKIPPED: ../shared/reference/calico/manifests/v3.30.0 is absent';
  if (!existsSync(cliPath)) return 'SKIPPED: dist/cli.js is not built (npm run build)';
  return undefined;
}

export interface RealTestWorld {
  world: RealWorld;
  labDir: string;
  topology: string;
  env: NodeJS.ProcessEnv;
  runLab(args: string[], opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<RunResult>;
  run(file: string, args: string[], opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startRealTestWorld(name: string): Promise<RealTestWorld> {
  const labDir = mkdtempSync(join(process.env['LAB_REAL_TMP'] ?? tmpdir(), 'lab-real-test-'));
  cpSync(join(repoRoot, 'topology'), join(labDir, 'topology'), { recursive: true });
  cpSync(join(repoRoot, 'manifests'), join(labDir, 'manifests'), { recursive: true });
  const topology = join(labDir, 'topology', '01-calico-ipam', 'calico-ipam.clab.yaml');
  const logDir = join(artifactsDir(), name);
  let world: RealWorld;
  try {
    world = await startRealWorld({
      logDir,
      manifestsDir: referenceManifestsDir(repoRoot, 'v3.30.0'),
      dir: mkdtempSync(join(process.env['LAB_REAL_TMP'] ?? tmpdir(), 'lab-real-')),
    });
  } catch (e) {
    rmSync(labDir, { recursive: true, force: true });
    throw e;
  }
  const env: NodeJS.ProcessEnv = { ...world.env, CI: 'true', NO_COLOR: '1' };
  return {
    world,
    labDir,
    topology,
    env,
    runLab: (args, opts = {}) => runProcess(process.execPath, [cliPath, ...args], { cwd: labDir, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 600_000 }),
    run: (file, args, opts = {}) => runProcess(file, args, { cwd: labDir, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 120_000 }),
    close: async () => {
      await world.stop();
      rmSync(labDir, { recursive: true, force: true });
    },
  };
}
