/**
 * Entry of `npm run real:shell` (scripts/real/shell.mjs runs it inside the world's namespace): starts
 * the real world, opens an interactive shell in it (PATH with the fake tools, LAB_PINS, the world's
 * XDG_CACHE_HOME; `lab` = the built CLI) and stops everything when the shell exits.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealWorld } from './world.js';
import { referenceManifestsDir } from './downloads.js';
import { describe } from './components.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<number> {
  const labDir = mkdtempSync(join(process.env['LAB_REAL_TMP'] ?? tmpdir(), 'lab-real-shell-'));
  cpSync(join(root, 'topology'), join(labDir, 'topology'), { recursive: true });
  cpSync(join(root, 'manifests'), join(labDir, 'manifests'), { recursive: true });
  const logDir = process.env['LAB_REAL_ARTIFACTS'] ?? join(labDir, 'logs');
  const world = await startRealWorld({ logDir, manifestsDir: referenceManifestsDir(root, 'v3.30.0') });
  const labBin = join(world.dir, 'bin', 'lab');
  writeFileSync(labBin, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'dist', 'cli.js')}" "$@"\n`);
  chmodSync(labBin, 0o755);
  process.stderr.write(`${describe(world.bins.values()).join('\n')}\n`);
  if (world.missing.length > 0) process.stderr.write(`not built: ${world.missing.join(', ')}\n`);
  process.stderr.write(`\nreal world in namespace ${world.netns}; lab copy in ${labDir}; component logs in ${logDir}\ntry: lab deploy --topology topology/01-calico-ipam\nexit the shell to stop the world.\n\n`);
  const shell = process.env['SHELL'] ?? '/bin/bash';
  const code = await new Promise<number>((res) => {
    const child = spawn(shell, ['-i'], { cwd: labDir, env: { ...world.env, PS1: '(lab-real) \\w $ ' }, stdio: 'inherit' });
    child.on('exit', (c) => res(c ?? 0));
  });
  await world.stop();
  rmSync(labDir, { recursive: true, force: true });
  return code;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`real:shell: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
