/**
 * Modules other parts of lab provide (images/preload, collect/bundle) are loaded only when used, and
 * a build without them still works: `optionalModule` returns undefined when the module file is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function optionalModule<T>(relative: string): Promise<T | undefined> {
  const url = new URL(relative, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  return (await import(url.href)) as T;
}
