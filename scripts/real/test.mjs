#!/usr/bin/env node
/**
 * `npm run test:real`: the real-world tier (issue 11). Builds the real components that are missing
 * (scripts/real/build.mjs, cached), builds dist/, creates the network namespace lab-real-<pid> (lo up,
 * the service CIDR, pod pool and kind node range unreachable), runs the vitest project `real` inside
 * it, and tears everything down after a pass, a failure or Ctrl-C (processes, namespace, temp files).
 * Ends with one line per real component and version used and where the conformance report is.
 *
 *   zx scripts/real/test.mjs [--no-build] [vitest args...]
 *
 * Needs root (ip netns). Exit code: vitest's (0 pass, 1 fail), 2 usage, 3 prerequisites, 130 Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNetns } from './netns-run.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const self = process.argv.findIndex((a) => a.endsWith('test.mjs'));
let argv = process.argv.slice(self + 1);
const noBuild = argv.includes('--no-build');
argv = argv.filter((a) => a !== '--no-build');

const step = (what) => process.stderr.write(`test:real: ${what}\n`);
if (process.getuid?.() !== 0) {
  step('needs root (it creates a network namespace with ip netns)');
  process.exit(3);
}

if (!noBuild) {
  const build = join(root, 'scripts', 'real', 'build.mjs');
  if (existsSync(build)) {
    step('building the real components that are missing (scripts/real/build.mjs, cached)');
    const r = spawnSync(process.execPath, [build], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) step(`scripts/real/build.mjs exited ${r.status}: the suites needing what did not build skip and say so`);
  } else step('scripts/real/build.mjs is absent: using whatever is already in the cache');
}
step('npm run build');
if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

const { findAll, describe } = await import(join(root, 'dist', 'real', 'components.js'));

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const artifacts = join(root, 'test', 'real', 'artifacts', stamp);
mkdirSync(artifacts, { recursive: true });
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const { code, interrupted } = await runInNetns({
  root,
  command: process.execPath,
  args: [vitest, 'run', '--project', 'real', ...argv],
  env: { ...process.env, LAB_REAL: '1', LAB_REAL_ARTIFACTS: artifacts },
  step,
});

const { found } = findAll();
process.stdout.write('\nReal components used:\n');
for (const line of describe(found.values())) process.stdout.write(`  ${line}\n`);
const report = join(artifacts, 'conformance.md');
process.stdout.write(existsSync(report) ? `Conformance report: ${report} (and conformance.json)\n` : `Conformance report: not written this run (see ${artifacts})\n`);
process.stdout.write(`Component logs: ${artifacts}\n`);
if (existsSync(join(artifacts, 'summary.txt'))) process.stdout.write(readFileSync(join(artifacts, 'summary.txt'), 'utf8'));
process.exit(interrupted ? 130 : code);
