/**
 * scripts/real: every Go component's recipe (wrapper go.mod + go.sum) pins the version the component
 * table claims, names the packages it builds as tools, and the script's options behave (no Go build
 * runs here: --list and bad options only).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs maintainer module without types
import { COMPONENTS } from '../../scripts/real/components.mjs';

interface Component {
  name: string;
  version?: string;
  kind: 'go' | 'apt' | 'missing';
  recipe?: string;
  binaries?: { out: string; pkg?: string }[];
}

const root = new URL('../../', import.meta.url).pathname;
const script = join(root, 'scripts/real/build.mjs');
const goComponents = (COMPONENTS as Component[]).filter((c) => c.kind === 'go');

/** The upstream module a package belongs to, as the recipe's go.mod requires it. */
const moduleOf: Record<string, string> = {
  kind: 'sigs.k8s.io/kind',
  containerlab: 'github.com/srl-labs/containerlab',
  kubernetes: 'k8s.io/kubernetes',
  kwok: 'sigs.k8s.io/kwok',
  calico: 'github.com/projectcalico/calico',
};

describe('scripts/real recipes', () => {
  it.each(goComponents.map((c) => [`${c.name} ${c.version}`, c] as const))('%s: go.mod pins the version and lists every package as a tool', (_, c) => {
    const dir = join(root, 'scripts/real/go', c.recipe as string);
    expect(existsSync(join(dir, 'go.sum')), `${dir}/go.sum`).toBe(true);
    const mod = readFileSync(join(dir, 'go.mod'), 'utf8');
    const required = new RegExp(`^\\s*(?:require\\s+)?${(moduleOf[c.name] as string).replace(/\./g, '\\.')} (\\S+)`, 'm').exec(mod)?.[1];
    expect(required, `${c.name} not required in ${dir}/go.mod`).toBeDefined();
    // Calico's module path has no /v3: its tags are pseudo-versions (checked in scripts/real/README.md).
    if (c.name !== 'calico') expect(required?.replace(/^v/, '')).toBe(c.version?.replace(/^v/, ''));
    for (const b of c.binaries ?? []) expect(mod, `${b.pkg} is not a tool of ${c.recipe}`).toMatch(new RegExp(`^\\s*(tool\\s+)?${(b.pkg as string).replace(/\./g, '\\.')}$`, 'm'));
  });

  it('Kubernetes: every staging module is replaced by the published version of the same minor', () => {
    const k = goComponents.find((c) => c.name === 'kubernetes') as Component;
    const mod = readFileSync(join(root, 'scripts/real/go', k.recipe as string, 'go.mod'), 'utf8');
    const staging = [...mod.matchAll(/^\s*(k8s\.io\/[\w.-]+) => (k8s\.io\/[\w.-]+) (v\S+)$/gm)];
    expect(staging.length).toBeGreaterThanOrEqual(25);
    for (const [, from, to, v] of staging) {
      expect(to).toBe(from);
      expect(v).toBe(`v0.${(k.version as string).slice(3)}`);
    }
  });

  it('--list runs without building and names every component; an unknown --only is a usage error (exit 2)', () => {
    const cache = mkdtempSync(join(tmpdir(), 'lab-real-list-'));
    try {
      const env = { ...process.env, XDG_CACHE_HOME: cache };
      const list = spawnSync(process.execPath, [script, '--list'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(list.status, list.stderr).toBe(0);
      for (const c of COMPONENTS as Component[]) expect(list.stdout).toContain(`${c.name} `);
      expect(list.stdout).toMatch(/tigera-operator v1\.38\.0: missing — /);
      const bad = spawnSync(process.execPath, [script, '--only', 'nope'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('unknown component nope');
      expect(existsSync(join(cache, 'lab', 'real', 'manifest.json'))).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('--clean --only removes that component only (a Debian one by name) and rewrites the manifest from what is left', () => {
    const cache = mkdtempSync(join(tmpdir(), 'lab-real-clean-'));
    try {
      const real = join(cache, 'lab', 'real');
      for (const [dir, name, version] of [['kind-v0.31.0', 'kind', 'v0.31.0'], ['etcd-3.4.23-4+b4', 'etcd', '3.4.23-4+b4']] as const) {
        mkdirSync(join(real, dir, 'bin'), { recursive: true });
        writeFileSync(join(real, dir, 'bin', name), '#!/bin/sh\n', { mode: 0o755 });
        writeFileSync(join(real, dir, 'recipe.json'), JSON.stringify({ name, version, status: 'ok' }));
      }
      const r = spawnSync(process.execPath, [script, '--clean', '--only', 'etcd'], { env: { ...process.env, XDG_CACHE_HOME: cache }, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(real, 'etcd-3.4.23-4+b4'))).toBe(false);
      expect(existsSync(join(real, 'kind-v0.31.0', 'bin', 'kind'))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(real, 'manifest.json'), 'utf8')) as { components: Record<string, Record<string, { status: string; binaries: Record<string, { sha256: string }> }>> };
      expect(Object.keys(manifest.components).sort()).toEqual(['calico', 'kind', 'tigera-operator']);
      // `printf '#!/bin/sh\n' | sha256sum`
      expect(manifest.components['kind']?.['v0.31.0']?.binaries['kind']?.sha256).toBe('a8076d3d28d21e02012b20eaf7dbf75409a6277134439025f282e368e3305abf');
      expect(manifest.components['calico']?.['v3.30.0']?.status).toBe('missing');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
