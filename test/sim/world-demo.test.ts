import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliPath, runProcess } from '../helpers/world.js';

const cwd = mkdtempSync(join(tmpdir(), 'lab-demo-test-'));
const env = { ...process.env, CI: 'true', NO_COLOR: '1' };
const lab = (args: string[]): ReturnType<typeof runProcess> => runProcess(process.execPath, [cliPath, ...args], { cwd, env, timeoutMs: 60_000 });

describe.skipIf(!existsSync(cliPath))('lab demo exec (built CLI)', () => {
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  test('runs the command with the world on PATH and returns its exit code; leaves nothing behind', async () => {
    const r = await lab(['demo', 'exec', '--time-scale', '0.01', '--', 'sh', '-c', 'CLAB_VERSION_CHECK=disable containerlab version -s && kind get clusters && echo "$XDG_CACHE_HOME" && exit 3']);
    expect(r.exitCode).toBe(3);
    const [version, cache] = r.stdout.trimEnd().split('\n');
    expect(version).toBe('0.79.0');
    expect(r.stderr).toContain('SIMULATED');
    expect(r.stderr).toContain('No kind clusters found.');
    expect(cache).toMatch(/\/cache$/);
    expect(existsSync(join(cache as string, '..'))).toBe(false);
  });

  test('faults reach the world; unknown fault ids are a usage error listing the ids', async () => {
    const r = await lab(['demo', 'exec', '--time-scale', '0.01', '--fault', 'leftover-cluster', '--', 'kind', 'get', 'clusters']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'calico-ipam\n' });
    const bad = await lab(['demo', 'exec', '--fault', 'bogus', '--', 'true']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("unknown fault 'bogus'");
    expect(bad.stderr).toContain('clab-image-pull');
    const none = await lab(['demo', 'exec']);
    expect(none.exitCode).toBe(2);
  });

  test('lab demo runs deploy → verify → destroy in a simulated world and says so', async () => {
    const r = await runProcess(process.execPath, [cliPath, 'demo', '--time-scale', '0.01'], { cwd, env, timeoutMs: 110_000 });
    expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toContain('SIMULATED');
    const steps = r.stderr.split('\n').filter((l) => l.startsWith('$ lab ')).map((l) => l.split(' ')[2]);
    expect(steps).toEqual(['deploy', 'verify', 'destroy']);
    // the lesson ran from a copy inside the world's temp dir, removed with it
    const topo = /--topology (\S+)/.exec(r.stderr)?.[1] as string;
    expect(topo).toMatch(/lab-sim-[^/]+\/lab\/topology\/01-calico-ipam$/);
    expect(existsSync(topo)).toBe(false);
  }, 120_000);
});
