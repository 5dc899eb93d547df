#!/usr/bin/env node
/**
 * `npm run real:shell`: a shell in the real world (maintainers; like `lab demo exec` for the simulated
 * one). Builds dist/, creates the network namespace lab-real-<pid>, starts the world inside it
 * (dist/real/shell-main.js) and removes namespace, processes and temp files when the shell exits.
 * Needs root and the real components (node scripts/real/build.mjs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (process.getuid?.() !== 0) {
  process.stderr.write('real:shell: needs root (ip netns)\n');
  process.exit(3);
}
if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
const { createNetns, deleteNetns } = await import(join(root, 'dist', 'real', 'netns.js'));
const ns = `lab-real-${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), 'lab-real-shell-run-'));
createNetns(ns);
// Ctrl-C belongs to the shell inside; the world stops when that shell exits
process.on('SIGINT', () => undefined);
const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(root, 'dist', 'real', 'shell-main.js')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LAB_REAL_TMP: tmp },
});
const code = await new Promise((res) => child.on('exit', (c) => res(c ?? 1)));
deleteNetns(ns);
rmSync(tmp, { recursive: true, force: true });
process.stderr.write(`real:shell: namespace ${ns} removed\n`);
process.exit(code);
