import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGroupFile, parseMemAvailable, parseToolVersion, probe } from '../../../src/doctor/facts.js';
import { InterruptedError, TimeoutError } from '../../../src/errors.js';

describe('fact parsers', () => {
  it('kind version (test/fixtures/sim/kind-version.txt) and kubectl --client -o json', () => {
    expect(parseToolVersion(readFileSync(new URL('../../fixtures/sim/kind-version.txt', import.meta.url), 'utf8'))).toBe('v0.32.0');
    expect(parseToolVersion('{\n  "clientVersion": {"major": "1", "minor": "28", "gitVersion": "v1.28.12"},\n  "kustomizeVersion": "v5.0.4"\n}\n')).toBe('v1.28.12');
    expect(parseToolVersion('garbage')).toBeUndefined();
  });

  it('/etc/group with clab_admins', () => {
    const groups = parseGroupFile('root:x:0:\ndocker:x:998:user\nclab_admins:x:1001:alice,user\n');
    expect(groups.find((g) => g.name === 'clab_admins')).toEqual({ name: 'clab_admins', gid: 1001, members: ['alice', 'user'] });
    expect(groups.find((g) => g.name === 'root')?.members).toEqual([]);
  });

  it('/proc/meminfo MemAvailable', () => {
    expect(parseMemAvailable('MemTotal:       32749612 kB\nMemFree:         1000 kB\nMemAvailable:   24000000 kB\n')).toBe(24000000 * 1024);
    expect(parseMemAvailable('MemTotal: 1 kB\n')).toBeUndefined();
  });
});

describe('probe: a failed probe is a fact, Ctrl-C is not', () => {
  const live = new AbortController();
  it('records the error of a probe that throws', async () => {
    await expect(probe(live, 1000, async () => { throw new Error('containerlab is not installed (not found on PATH)'); })).resolves.toEqual({
      ok: false,
      error: 'containerlab is not installed (not found on PATH)',
      missing: true,
    });
  });
  it('records a tool timeout as timedOut', async () => {
    const r = await probe(live, 1000, async () => { throw new TimeoutError('docker did not finish within 15 s'); });
    expect(r).toMatchObject({ ok: false, timedOut: true });
  });
  it('bounds a probe that never answers', async () => {
    const started = Date.now();
    const r = await probe(live, 50, () => new Promise<never>(() => undefined));
    expect(r).toEqual({ ok: false, error: 'no answer within 50 ms', timedOut: true });
    expect(Date.now() - started).toBeLessThan(1000);
  });
  it('rethrows the interruption when the command was interrupted', async () => {
    const c = new AbortController();
    c.abort(new InterruptedError('interrupted by SIGINT'));
    await expect(probe(c, 1000, async () => { throw new Error('killed'); })).rejects.toBeInstanceOf(InterruptedError);
  });
  it('passes values through', async () => {
    await expect(probe(live, 1000, async () => 42)).resolves.toEqual({ ok: true, value: 42 });
  });
});
