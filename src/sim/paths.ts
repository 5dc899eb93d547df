/** Where the simulated world's data files (CRDs, manifests, tables; not compiled) live. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * Absolute path of `src/sim/data`, found from the package root: the nearest directory above this
 * module that holds a package.json. Works from `src/sim/` (vitest, tsx) and from `dist/sim/` (tsc).
 */
export function simDataDir(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      cached = join(dir, 'src', 'sim', 'data');
      return cached;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`simDataDir: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
