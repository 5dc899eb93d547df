/**
 * `lab doctor`'s docker facts against a REAL Docker engine (skipped without a daemon): the probes'
 * command lines and parsers must work with the real CLI, whatever the rest of the host lacks.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { loadLab } from '../../src/lab/load.js';
import { createLogger } from '../../src/ui/log.js';

function daemonAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!daemonAnswers())('lab doctor against a real Docker engine', () => {
  it('reads the daemon (version, cgroups, disk, memory) and the docker networks', async () => {
    const lab = await loadLab({ cwd: process.cwd(), env: {} });
    const results = await runDoctor(lab, { signal: new AbortController().signal, log: createLogger(process.stderr, { NO_COLOR: '1' }, false), env: process.env });
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId['docker']?.status, byId['docker']?.summary).toBe('pass');
    expect(byId['docker']?.summary).toMatch(/\d+\.\d+/);
    // disk and memory come from `docker info` (DockerRootDir, MemTotal): they were read, not skipped
    expect(byId['disk']?.summary).toMatch(/GB|MB/);
    expect(byId['memory']?.summary).toMatch(/GB|MB/);
    expect(['pass', 'fail']).toContain(byId['docker-network']?.status);
  });
});
