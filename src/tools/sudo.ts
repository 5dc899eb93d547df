/**
 * Root for containerlab: deploy and destroy need root (containerlab's own rule); everything else runs
 * as the invoking user. lab never asks for a password: only `sudo -n` (non-interactive).
 */
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { run, toolRunOptions, type ToolOptions } from './exec.js';

export type RootMode = 'root' | 'suid' | 'sudo' | 'none';

/** What the user asked for: --sudo forces `sudo -n`, --no-sudo forbids it, undefined = detect. */
export type SudoPreference = 'always' | 'never' | 'auto';

export function sudoPreference(options: { sudo?: boolean | undefined; 'no-sudo'?: boolean | undefined }): SudoPreference {
  if (options.sudo === true) return 'always';
  if (options['no-sudo'] === true) return 'never';
  return 'auto';
}

/** Absolute path of `name` on PATH (first executable match), or undefined. */
export async function whichBinary(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when `file` is owned by root and has the set-user-ID bit (containerlab's default install). */
export async function isSuidRoot(file: string): Promise<boolean> {
  try {
    const s = await stat(file);
    return s.uid === 0 && (s.mode & 0o4000) !== 0;
  } catch {
    return false;
  }
}

/** Whether `sudo -n true` succeeds (passwordless sudo). */
export async function canSudo(o: ToolOptions = {}): Promise<boolean> {
  try {
    const r = await run('sudo', ['-n', 'true'], toolRunOptions(o, { timeout: 10_000 }));
    return r.exitCode === 0;
  } catch {
    return false;
  }
}

export interface RootModeFacts {
  uid: number | undefined;
  suid: boolean;
  sudo: () => Promise<boolean>;
}

/** Pure decision over gathered facts (tested directly). */
export async function decideRootMode(facts: RootModeFacts, preference: SudoPreference): Promise<RootMode> {
  if (preference === 'always') return 'sudo';
  if (facts.uid === 0) return 'root';
  if (facts.suid) return 'suid';
  if (preference === 'never') return 'none';
  return (await facts.sudo()) ? 'sudo' : 'none';
}

/**
 * argv for running a root-needing tool in this mode: `sudo -n [--preserve-env=…] <file> …` only for
 * 'sudo'. `file` should be the absolute path that was checked (whichBinary): sudo would otherwise
 * look the name up on its own secure_path, not the user's PATH. sudo resets the environment
 * (env_reset): the variables named in `preserveEnv` are kept with --preserve-env (sudo ≥ 1.8.21).
 */
export function withSudo(mode: RootMode, file: string, args: readonly string[], preserveEnv: readonly string[] = []): [string, string[]] {
  if (mode !== 'sudo') return [file, [...args]];
  return ['sudo', ['-n', ...(preserveEnv.length > 0 ? [`--preserve-env=${preserveEnv.join(',')}`] : []), file, ...args]];
}
