import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, test } from 'vitest';
import { SECURE_PATH } from '../../src/sim/tools/sudo.js';
import { startWorld } from '../../src/sim/world.js';
import { runProcess, startTestWorld } from '../helpers/world.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

interface Pins {
  default: string;
  versions: Record<string, { manifests: Record<string, { url: string; sha256: string }>; calicoctl: Record<string, { url: string; sha256: string }>; images: string[] }>;
}

describe('world lifecycle', () => {
  test('env puts the bin dir first and isolates the cache; stop() removes everything and is idempotent', async () => {
    const world = await startWorld({ timeScale: 0.01 });
    const bin = join(world.dir, 'bin');
    expect(world.env['PATH']?.split(':')[0]).toBe(bin);
    expect(world.env['XDG_CACHE_HOME']).toBe(join(world.dir, 'cache'));
    expect(existsSync(world.env['LAB_PINS'] as string)).toBe(true);
    for (const t of ['containerlab', 'clab', 'kind', 'docker', 'calicoctl', 'sudo']) {
      expect(statSync(join(bin, t)).mode & 0o111, t).not.toBe(0);
      expect(readFileSync(join(bin, t), 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
    }
    const simVars = Object.keys(world.env).filter((k) => k.startsWith('LAB_') && !k.startsWith('LAB_SIM_'));
    expect(simVars).toEqual(['LAB_PINS']);
    // HOME is the world's own: kind's ~/.kube/config writes never reach the real user's
    expect(world.env['HOME']).toBe(world.homeDir);
    expect(world.homeDir.startsWith(world.dir)).toBe(true);
    const r = await runProcess('sh', ['-c', 'containerlab version -s'], { cwd: world.dir, env: { ...world.env, CLAB_VERSION_CHECK: 'disable' } });
    expect(r).toEqual({ exitCode: 0, stdout: '0.79.0\n', stderr: '' });
    // the fake containerlab refuses to run where the real one would phone home
    const home = await runProcess('sh', ['-c', 'containerlab version -s'], { cwd: world.dir, env: world.env });
    expect(home.exitCode).toBe(1);
    expect(home.stderr).toMatch(/CLAB_VERSION_CHECK/);
    const url = world.env['LAB_SIM_URL'] as string;
    await world.stop();
    await world.stop();
    expect(existsSync(world.dir)).toBe(false);
    await expect(fetch(`${url}/run`, { method: 'POST', body: '{}' })).rejects.toThrow();
    await expect(fetch(world.downloads.url)).rejects.toThrow();
  });

  test('a killed client aborts its invocation in the world', async () => {
    const world = await startWorld({ timeScale: 0.01 });
    try {
      let aborted = false;
      let started = false;
      world.registerTool('kind', async (inv) => {
        started = true;
        inv.err('working...\n');
        await new Promise<void>((resolve) => inv.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted = true;
        return 0;
      });
      const child = spawn(join(world.dir, 'bin', 'kind'), ['get', 'clusters'], { env: world.env, stdio: ['ignore', 'ignore', 'pipe'] });
      await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
      expect(started).toBe(true);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
      for (let i = 0; i < 50 && !aborted; i++) await new Promise((r) => setTimeout(r, 20));
      expect(aborted).toBe(true);
    } finally {
      await world.stop();
    }
  });

  test('sudo -n: env_reset (HOME = root\'s, PATH = secure_path), --preserve-env keeps named variables, bare names are looked up on secure_path', async () => {
    const tw = await startTestWorld();
    try {
      const clab = join(tw.world.dir, 'bin', 'containerlab');
      expect(await tw.run('sudo', ['-n', 'true'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
      // the world's bin dir is on the user's PATH, not on sudo's secure_path (audit F-7)
      const bare = await tw.run('sudo', ['-n', 'containerlab', 'version', '-s']);
      expect(bare).toMatchObject({ exitCode: 1, stderr: 'sudo: containerlab: command not found\n' });
      // CLAB_VERSION_CHECK is dropped by env_reset unless preserved
      expect((await tw.run('sudo', ['-n', clab, 'version', '-s'], { env: { CLAB_VERSION_CHECK: 'disable' } })).exitCode).toBe(1);
      const kept = await tw.run('sudo', ['-n', '--preserve-env=CLAB_VERSION_CHECK', clab, 'version', '-s'], { env: { CLAB_VERSION_CHECK: 'disable' } });
      expect(kept).toEqual({ exitCode: 0, stdout: '0.79.0\n', stderr: '' });
      const env = (await tw.run('sudo', ['-n', '--preserve-env=KUBECONFIG', 'sh', '-c', 'echo "$HOME|$PATH|$KUBECONFIG|$LAB_PINS|$SUDO_USER"'], { env: { KUBECONFIG: '/k', USER: 'alice' } })).stdout.trim().split('|');
      expect(env).toEqual([tw.world.rootHome, SECURE_PATH, '/k', '', 'alice']);
      const missing = await tw.run('sudo', ['-n', 'no-such-command-xyz']);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toBe('sudo: no-such-command-xyz: command not found\n');
    } finally {
      await tw.close();
    }
  });
});

describe('downloads', () => {
  test('served bytes match the pins sha256; the calicoctl script is the same every run', async () => {
    const a = await startWorld({ timeScale: 0.01 });
    const b = await startWorld({ timeScale: 0.01 });
    try {
      const pins = parseYaml(readFileSync(a.env['LAB_PINS'] as string, 'utf8')) as Pins;
      const v = pins.versions[pins.default];
      expect(v).toBeDefined();
      expect(Object.keys(v?.manifests ?? {}).sort()).toEqual(['operator-crds.yaml', 'tigera-operator.yaml']);
      expect(Object.keys(v?.calicoctl ?? {}).sort()).toEqual(['darwin-amd64', 'darwin-arm64', 'linux-amd64', 'linux-arm64']);
      expect(v?.images.length).toBeGreaterThan(0);
      for (const entry of [...Object.values(v?.manifests ?? {}), ...Object.values(v?.calicoctl ?? {})]) {
        expect(entry.url.startsWith(a.downloads.url)).toBe(true);
        const body = Buffer.from(await (await fetch(entry.url)).arrayBuffer());
        expect(sha(body), entry.url).toBe(entry.sha256);
      }
      const pinsB = parseYaml(readFileSync(b.env['LAB_PINS'] as string, 'utf8')) as Pins;
      expect(pinsB.versions[pinsB.default]?.calicoctl['linux-amd64']?.sha256).toBe(v?.calicoctl['linux-amd64']?.sha256);
      const script = Buffer.from(await (await fetch(v?.calicoctl['linux-amd64']?.url as string)).arrayBuffer()).toString('utf8');
      expect(script.startsWith('#!/bin/sh\n')).toBe(true);
      expect(script).not.toContain(a.dir);
      expect((await fetch(`${a.downloads.url}/nope`)).status).toBe(404);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('checksum-mismatch: the server serves altered bytes while the pins keep the right hash', async () => {
    const world = await startWorld({ timeScale: 0.01, faults: ['checksum-mismatch'] });
    try {
      const pins = parseYaml(readFileSync(world.env['LAB_PINS'] as string, 'utf8')) as Pins;
      const v = pins.versions[pins.default];
      for (const entry of [...Object.values(v?.manifests ?? {}), ...Object.values(v?.calicoctl ?? {})]) {
        const body = Buffer.from(await (await fetch(entry.url)).arrayBuffer());
        expect(sha(body)).not.toBe(entry.sha256);
      }
      expect(sha(world.downloads.artifacts.values().next().value as Buffer)).toBe(Object.values(v?.manifests ?? {})[0]?.sha256);
    } finally {
      await world.stop();
    }
  });
});
