/**
 * The built package as a user installs it, inside a test world's lab dir: `dist/` and `package.json`
 * copied next to the world's copy of `topology/` and `manifests/`, `node_modules` linked to the
 * repository's. `lab --lesson <id>` then finds the lessons of THAT copy (the package root is where
 * dist/ is), so a deploy writes its kubeconfig and `clab-<lab>/` into the temp dir, never into the
 * repository's `topology/`.
 */
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, repoRoot, runProcess, type RunResult, type TestWorld } from './world.js';

export interface PackageCopy {
  /** `<labDir>/dist/cli.js` */
  cli: string;
  /** Run the copy's `lab …args` in the world (cwd = labDir, the world's env). */
  lab(args: string[], opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<RunResult>;
}

export function installPackageCopy(t: TestWorld): PackageCopy {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
  cpSync(join(repoRoot, 'dist'), join(t.labDir, 'dist'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(t.labDir, 'package.json'));
  symlinkSync(join(repoRoot, 'node_modules'), join(t.labDir, 'node_modules'), 'dir');
  const cli = join(t.labDir, 'dist', 'cli.js');
  return {
    cli,
    lab: (args, opts = {}) => runProcess(process.execPath, [cli, ...args], { cwd: t.labDir, env: { ...t.env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 120_000 }),
  };
}

/** The one JSON document a `--json` command printed on stdout (fails the test with its stderr when there is none). */
export function jsonOf<T>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`no JSON document on stdout (exit ${r.exitCode}); stderr:\n${r.stderr.slice(-3000)}`);
  }
}
