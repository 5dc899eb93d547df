/**
 * Start-up cost: `lab --help` and `lab --version` against a bare `node -e ""`, spawned alternately
 * (so drift on the machine hits all three alike), `count` times each; wall time from spawn to exit.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTimed } from './child.mjs';

/**
 * Also, as diagnostics (no target): node plus the import of the deploy and verify command modules,
 * the start-up a `lab deploy` / `lab verify` pays before doing anything.
 */
export async function measureStartup({ cli, count = 10, cwd }) {
  const importOf = (file) => ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`];
  const commands = join(dirname(cli), 'commands');
  const cases = {
    node: ['-e', ''],
    version: [cli, '--version'],
    help: [cli, '--help'],
    ...(existsSync(join(commands, 'deploy.js')) ? { importDeploy: importOf(join(commands, 'deploy.js')) } : {}),
    ...(existsSync(join(commands, 'verify.js')) ? { importVerify: importOf(join(commands, 'verify.js')) } : {}),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const failures = [];
  // One warm-up round (file-system cache), not counted.
  for (const args of Object.values(cases)) await runTimed(process.execPath, args, { cwd });
  for (let i = 0; i < count; i += 1) {
    for (const [name, args] of Object.entries(cases)) {
      const r = await runTimed(process.execPath, args, { cwd });
      if (r.code !== 0) failures.push({ name, code: r.code, stderr: r.stderr.slice(-500) });
      samples[name].push(r.wallMs);
    }
  }
  return { samples, failures };
}
