/**
 * Where the upstream reference files live: `shared/reference/` beside the checkout or beside one of
 * its parents (`../shared/reference` for /work/main, `../../shared/reference` for a worktree). A user's
 * clone has none: tests that need upstream bytes skip, and say so (`skipNote`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function find(): string | undefined {
  let dir = fileURLToPath(new URL('../..', import.meta.url));
  for (let i = 0; i < 4; i += 1) {
    const parent = dirname(dir);
    const candidate = join(parent, 'shared', 'reference');
    if (existsSync(join(candidate, 'calico'))) return candidate;
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** `…/shared/reference`, or undefined when this checkout has no reference tree next to it. */
export const REFERENCE_DIR: string | undefined = find();

/** `…/shared/reference/calico/<sub>` when it exists. */
export function calicoReference(sub = ''): string | undefined {
  if (!REFERENCE_DIR) return undefined;
  const p = join(REFERENCE_DIR, 'calico', sub);
  return existsSync(p) ? p : undefined;
}

/** A test title that says plainly why it is skipped when the reference file is absent (and warns once). */
export function skipNote(title: string, present: boolean, what: string): string {
  if (present) return title;
  console.warn(`SKIPPED: ${title} — ${what} is absent (upstream files are never in the repository; they live in ../shared/reference/)`);
  return `${title} [SKIPPED: ${what} absent]`;
}
