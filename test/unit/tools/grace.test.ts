/**
 * Stopping a program that cleans up when cancelled (containerlab deletes the cluster it was
 * creating, audit F-2): SIGTERM, then the grace before SIGKILL; a second Ctrl-C
 * (killGracefulChildren) kills at once. Real child processes (sh scripts), no network.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, run } from '../../../src/tools/exec.js';
import { descendantPids, gracefulChildCount, killGracefulChildren } from '../../../src/tools/children.js';
import { InterruptedError, TimeoutError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-grace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A program like containerlab: on SIGTERM/SIGINT it "cleans up" for `cleanupS` seconds, then writes `done` and exits 1. */
function cleaner(name: string, cleanupS: number): { script: string; done: string; started: string } {
  const done = join(dir, `${name}.done`);
  const started = join(dir, `${name}.started`);
  const script = join(dir, `${name}.sh`);
  writeFileSync(
    script,
    `trap 'sleep ${cleanupS}; echo cleaned > ${done}; exit 1' TERM INT\necho up > ${started}\nwhile :; do sleep 0.05; done\n`,
  );
  return { script, done, started };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('cleanup grace', () => {
  it('an interrupted program gets longer than the old 3 s kill delay to finish its cleanup', async () => {
    const c = cleaner('interrupt', 3.5);
    const controller = new AbortController();
    const running = run('sh', [c.script], { signal: controller.signal, timeout: 60_000, grace: { ms: 10_000, note: 'x' } });
    await until(() => existsSync(c.started));
    expect(gracefulChildCount()).toBe(1);
    controller.abort(new InterruptedError('interrupted by SIGINT'));
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
    // run() returned only after the program had finished its cleanup: nothing is orphaned
    expect(existsSync(c.done)).toBe(true);
    expect(gracefulChildCount()).toBe(0);
  }, 20_000);

  it('a timed-out program is stopped the same way and reported as a timeout', async () => {
    const c = cleaner('timeout', 0.2);
    await expect(run('sh', [c.script], { timeout: 300, grace: { ms: 10_000, note: 'x' } })).rejects.toBeInstanceOf(TimeoutError);
    expect(existsSync(c.done)).toBe(true);
  }, 20_000);

  it('the grace is bounded: SIGKILL after it', async () => {
    const c = cleaner('bounded', 30);
    const controller = new AbortController();
    const running = run('sh', [c.script], { signal: controller.signal, timeout: 60_000, grace: { ms: 300, note: 'x' } });
    await until(() => existsSync(c.started));
    controller.abort(new InterruptedError('interrupted by SIGINT'));
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(c.done)).toBe(false);
  }, 20_000);

  it('a second Ctrl-C kills at once and returns what may be left', async () => {
    const c = cleaner('second', 30);
    const controller = new AbortController();
    const running = run('sh', [c.script], { signal: controller.signal, timeout: 60_000, grace: { ms: 60_000, note: 'the cluster may be half-deleted' } });
    await until(() => existsSync(c.started));
    controller.abort(new InterruptedError('interrupted by SIGINT'));
    await new Promise((r) => setTimeout(r, 100));
    expect(killGracefulChildren()).toEqual(['the cluster may be half-deleted']);
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(c.done)).toBe(false);
  }, 20_000);

  it('without a grace nothing is registered', async () => {
    const r = await run('sh', ['-c', 'exit 0'], {});
    expect(r.exitCode).toBe(0);
    expect(gracefulChildCount()).toBe(0);
  });
});

describe('descendantPids', () => {
  it('walks a /proc tree (comm with spaces and parentheses)', () => {
    const proc = mkdtempSync(join(dir, 'proc-'));
    const entry = (pid: number, ppid: number, comm: string): void => {
      const d = join(proc, String(pid));
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'stat'), `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560`);
    };
    entry(100, 1, 'sudo');
    entry(101, 100, 'sudo');
    entry(102, 101, 'contain (lab) x');
    entry(200, 1, 'other');
    writeFileSync(join(proc, 'self'), '');
    expect(descendantPids(100, proc).sort()).toEqual([101, 102]);
    expect(descendantPids(200, proc)).toEqual([]);
    expect(descendantPids(1, join(dir, 'no-proc'))).toEqual([]);
  });
});

describe('childEnv: containerlab never phones home', () => {
  const env = { PATH: '/bin', HOME: '/home/u' };
  it('sets CLAB_VERSION_CHECK=disable for containerlab and clab, by name or path, and through sudo', () => {
    expect(childEnv('containerlab', ['version'], env)).toEqual({ ...env, CLAB_VERSION_CHECK: 'disable' });
    expect(childEnv('/usr/local/bin/clab', ['inspect'], env)?.['CLAB_VERSION_CHECK']).toBe('disable');
    expect(childEnv('sudo', ['-n', '--preserve-env=CLAB_VERSION_CHECK', '/opt/bin/containerlab', 'deploy'], env)?.['CLAB_VERSION_CHECK']).toBe('disable');
    expect(childEnv('containerlab', ['version'], undefined)?.['CLAB_VERSION_CHECK']).toBe('disable');
  });
  it('keeps a user value that already disables it; leaves other programs alone', () => {
    expect(childEnv('containerlab', [], { ...env, CLAB_VERSION_CHECK: 'disable,quiet' })?.['CLAB_VERSION_CHECK']).toBe('disable,quiet');
    expect(childEnv('kind', ['get', 'clusters'], env)).toBe(env);
    expect(childEnv('sudo', ['-n', 'true'], undefined)).toBeUndefined();
  });
});
