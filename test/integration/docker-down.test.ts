/**
 * The Docker daemon is down (the world's `docker-down` fault: the docker CLI cannot connect, as with
 * dockerd stopped) while a cluster of the lab's name exists (`leftover-cluster`): `lab status` and
 * `lab destroy` say that Docker is not reachable and how to fix it, exit 3, and touch nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

const DOCKER_SAYS = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

describe('Docker daemon down', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld({ faults: ['docker-down', 'leftover-cluster'] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the world models it: docker ps cannot connect, docker version still answers (client side)', async () => {
    const ps = await t.run('docker', ['ps', '-a']);
    expect(ps).toMatchObject({ exitCode: 1, stdout: '', stderr: `${DOCKER_SAYS}\n` });
    expect((await t.run('docker', ['--version'])).exitCode).toBe(0);
  });

  it('lab status: not reachable, the fix, exit 3 (not "docker ps failed", exit 1)', async () => {
    const r = await t.runLab(['status', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain(`Error: cannot reach the Docker daemon: ${DOCKER_SAYS}`);
    expect(r.stderr).toContain('Try: start Docker (`sudo systemctl start docker`) and check that `docker info` works');
    expect(r.stderr).not.toMatch(/docker ps failed/);
    expect(r.stdout).toBe('');
  });

  it('lab status --json: one JSON document saying so', async () => {
    const r = await t.runLab(['status', '--json', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      ok: false,
      exitCode: 3,
      error: { type: 'PrerequisiteError', message: `cannot reach the Docker daemon: ${DOCKER_SAYS}`, hint: expect.stringMatching(/^start Docker/) },
    });
  });

  it('lab destroy --yes: the same, and the cluster is left alone', async () => {
    const before = [...t.world.host.containers.values()].map((c) => c.name).sort();
    expect(before.length).toBeGreaterThan(0);
    const r = await t.runLab(['destroy', '--yes', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain(`Error: cannot reach the Docker daemon: ${DOCKER_SAYS}`);
    expect(r.stderr).toContain('Try: start Docker');
    expect([...t.world.host.containers.values()].map((c) => c.name).sort()).toEqual(before);
  });

  it('lab destroy --json: one JSON document', async () => {
    const r = await t.runLab(['destroy', '--yes', '--json', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 3, error: { type: 'PrerequisiteError' } });
  });
});
