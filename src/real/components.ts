/**
 * Where the real world's programs are: the binaries scripts/real/build.mjs built into
 * `${XDG_CACHE_HOME:-~/.cache}/lab/real/<component>-<version>/bin/` (listed in `manifest.json` there),
 * and Debian's etcd. A missing program is reported by name, never replaced by a fake one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The programs the real world runs, each under the names a build may give it. */
export const PROGRAMS = {
  etcd: ['etcd'],
  'kube-apiserver': ['kube-apiserver'],
  'kube-controller-manager': ['kube-controller-manager'],
  'kube-scheduler': ['kube-scheduler'],
  kwok: ['kwok'],
  'tigera-operator': ['operator', 'tigera-operator'],
  calicoctl: ['calicoctl'],
  'calico-ipam': ['calico-ipam', 'calico'],
  'calico-node': ['calico-node'],
  'kube-controllers': ['kube-controllers', 'calico-kube-controllers'],
} as const;
export type Program = keyof typeof PROGRAMS;

export interface Binary {
  program: Program;
  path: string;
  /** `<component>-<version>` directory it came from (or the Debian package). */
  component: string;
  version: string;
}

export function realCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] !== undefined && env['XDG_CACHE_HOME'] !== '' ? env['XDG_CACHE_HOME'] : join(homedir(), '.cache');
  return join(base, 'lab', 'real');
}

/** Every executable under `<cache>/<component>-<version>/bin/`, newest directory first. */
function cachedBinaries(cache: string): { name: string; path: string; component: string; version: string }[] {
  if (!existsSync(cache)) return [];
  const found: { name: string; path: string; component: string; version: string; mtime: number }[] = [];
  for (const dir of readdirSync(cache)) {
    const m = /^(.+?)-(v?\d[^/]*)$/.exec(dir);
    const bin = join(cache, dir, 'bin');
    if (!m || !existsSync(bin)) continue;
    for (const name of readdirSync(bin)) {
      const path = join(bin, name);
      const st = statSync(path);
      if (st.isFile() && (st.mode & 0o111) !== 0) found.push({ name, path, component: m[1] as string, version: m[2] as string, mtime: st.mtimeMs });
    }
  }
  return found.sort((a, b) => b.mtime - a.mtime);
}

/** Resolve one program, or undefined when no build has made it. `LAB_REAL_<PROGRAM>` overrides (a path). */
export function findProgram(program: Program, env: NodeJS.ProcessEnv = process.env): Binary | undefined {
  const override = env[`LAB_REAL_${program.toUpperCase().replaceAll('-', '_')}`];
  if (override !== undefined && override !== '' && existsSync(override)) return { program, path: override, component: program, version: 'override' };
  const names: readonly string[] = PROGRAMS[program];
  // the names in order: `calico-ipam` before `calico` (one binary, behaviour by argv[0])
  const cached = cachedBinaries(realCacheDir(env));
  const hit = names.map((n) => cached.find((b) => b.name === n)).find((b) => b !== undefined);
  if (hit) return { program, path: hit.path, component: hit.component, version: hit.version };
  if (program === 'etcd' && existsSync('/usr/bin/etcd')) return { program, path: '/usr/bin/etcd', component: 'etcd-server (Debian)', version: debianVersion('etcd-server') };
  return undefined;
}

function debianVersion(pkg: string): string {
  try {
    const status = readFileSync('/var/lib/dpkg/status', 'utf8');
    const block = status.split('\n\n').find((b) => b.startsWith(`Package: ${pkg}\n`));
    return /^Version: (.+)$/m.exec(block ?? '')?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function findAll(env: NodeJS.ProcessEnv = process.env): { found: Map<Program, Binary>; missing: Program[] } {
  const found = new Map<Program, Binary>();
  const missing: Program[] = [];
  for (const p of Object.keys(PROGRAMS) as Program[]) {
    const b = findProgram(p, env);
    if (b) found.set(p, b);
    else missing.push(p);
  }
  return { found, missing };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** One line per real component and version used (printed at the end of `npm run test:real`). */
export function describe(binaries: Iterable<Binary>): string[] {
  return [...binaries].map((b) => `real ${b.program}: ${b.component} ${b.version} (${b.path})`);
}
