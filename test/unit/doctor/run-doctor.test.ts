/**
 * runDoctor end to end over tiny fake executables on PATH: only the probes the selected rules need
 * run, and a probe that hangs is cut off by its deadline and reported as a failed fact.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../src/doctor/index.js';
import { createLogger } from '../../../src/ui/log.js';
import { testLab } from './lab-fixture.js';

const log = createLogger(process.stderr, { NO_COLOR: '1' }, false);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeHost(kindHangs: boolean): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-doctor-'));
  dirs.push(dir);
  const calls = path.join(dir, 'calls.log');
  const info = readFileSync(new URL('../../fixtures/sim/docker-info.json', import.meta.url), 'utf8').trim();
  writeFileSync(path.join(dir, 'docker-info.json'), info);
  const tools: Record<string, string> = {
    docker: `echo "docker $*" >> "${calls}"
case "$1 $2" in
  "info --format") cat "${dir}/docker-info.json"; exit 0;;
  "network inspect") if [ "$3" = kind ]; then echo '[{"Subnet":"192.168.48.0/20","Gateway":"192.168.48.1"}]'; exit 0; fi
                     echo "Error response from daemon: network $3 not found" >&2; exit 1;;
  "ps -a") exit 0;;
esac
exit 0`,
    containerlab: `echo "containerlab $*" >> "${calls}"; echo '{"version":"0.79.0","commit":"5ae50094a"}'`,
    kind: kindHangs ? `echo "kind $*" >> "${calls}"; exec sleep 30` : `echo "kind $*" >> "${calls}"; echo "kind v0.31.0 go1.25 linux/amd64"`,
    kubectl: `echo "kubectl $*" >> "${calls}"; exit 0`,
    sudo: `echo "sudo $*" >> "${calls}"; exit 0`,
  };
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return {
    env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') },
    calls: () => readFileSync(calls, 'utf8').trim().split('\n'),
  };
}

describe('runDoctor', () => {
  it('fatalOnly runs only the preflight probes and judges them', async () => {
    const host = fakeHost(false);
    const results = await runDoctor(testLab(), { fatalOnly: true, signal: new AbortController().signal, log, env: host.env, sudo: 'always' });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['docker', 'pass'],
      ['containerlab', 'pass'],
      ['containerlab-root', 'pass'],
      ['kind', 'pass'],
      ['docker-network', 'fail'],
    ]);
    expect(results.find((r) => r.id === 'docker-network')!.summary).toMatch(/192\.168\.48\.0\/20/);
    const programs = new Set(host.calls().map((c) => c.split(' ')[0]));
    expect([...programs].sort()).toEqual(['containerlab', 'docker', 'kind', 'sudo']);
    expect(host.calls().some((c) => c.startsWith('docker ps'))).toBe(false);
  });

  it('a probe that hangs is bounded by its deadline and becomes a failed fact', async () => {
    const host = fakeHost(true);
    const started = Date.now();
    const results = await runDoctor(testLab(), { fatalOnly: true, signal: new AbortController().signal, log, env: host.env, probeTimeout: 500 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const kind = results.find((r) => r.id === 'kind')!;
    expect(kind.status).toBe('fail');
    expect(kind.summary).toMatch(/^kind did not answer: (no answer within 500 ms|kind did not finish within \d+ s)/);
  });
});
