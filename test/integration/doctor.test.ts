/** `lab doctor` on the simulated host: the fake docker/containerlab/kind answer like the real ones. */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

interface Result { id: string; status: 'pass' | 'warn' | 'fail'; summary: string; fix?: string; fatal: boolean }

function inotifyOk(): boolean | undefined {
  try {
    const w = Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8'));
    const i = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
    return w >= 524288 && i >= 512;
  } catch {
    return undefined;
  }
}

describe('lab doctor (simulated host)', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld();
    // A clean lab folder: no containerlab lab dir from an earlier run copied along.
    rmSync(path.join(path.dirname(t.topology), 'clab-calico-ipam'), { recursive: true, force: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('--json: one document with every check; the host tools pass; exit 1 exactly when a check fails', async () => {
    const r = await t.runLab(['doctor', '--json', '--topology', t.topology]);
    const doc = JSON.parse(r.stdout) as { ok: boolean; results: Result[] };
    const by = Object.fromEntries(doc.results.map((x) => [x.id, x]));
    expect(Object.keys(by)).toEqual(['docker', 'docker-cgroup', 'containerlab', 'containerlab-root', 'kind-node-image', 'kind', 'kubectl', 'calicoctl', 'inotify', 'disk', 'memory', 'docker-network', 'stale-lab', 'user-kubeconfig']);
    expect(by['docker']).toMatchObject({ status: 'pass', fatal: true });
    expect(by['docker']!.summary).toMatch(/^Docker \d+\.\d+\.\d+ reachable \(cgroup v\d/);
    expect(by['containerlab']).toMatchObject({ status: 'pass' });
    expect(by['containerlab']!.summary).toMatch(/^containerlab 0\.\d+\.\d+ /);
    expect(by['containerlab-root']!.status).toBe('pass');
    expect(by['kind']!.status).toBe('pass');
    // kindest/node:v1.28.0 under containerlab ≥ 0.73 (kind v0.31.0): best-effort, so a warning with the supported image.
    expect(by['kind-node-image']!.status).toBe('warn');
    expect(by['kind-node-image']!.fix).toMatch(/kindest\/node:v1\.35\.0@sha256:/);
    // the pinned calicoctl is served by the world's download source (LAB_PINS)
    expect(by['calicoctl']!.status).toBe('pass');
    expect(by['docker-network']!.status).toBe('pass');
    expect(by['stale-lab']).toMatchObject({ status: 'pass' });
    const inotify = inotifyOk();
    if (inotify !== undefined) expect(by['inotify']!.status).toBe(inotify ? 'pass' : 'fail');
    const anyFail = doc.results.some((x) => x.status === 'fail');
    expect(doc.ok).toBe(!anyFail);
    expect(r.exitCode).toBe(anyFail ? 1 : 0);
  });

  it('prints a table with a fix under each problem', async () => {
    const r = await t.runLab(['doctor', '--topology', t.topology]);
    expect(r.stdout).toMatch(/^pass {2}Docker daemon {2,}Docker \d/m);
    expect(r.stdout).toMatch(/^warn {2}kind node image {2,}kindest\/node:v1\.28\.0 was published with kind v0\.20\.0/m);
    expect(r.stdout).toMatch(/^ +fix: /m);
    expect(r.stdout).toMatch(/\d+ passed, \d+ warnings?, \d+ failed\n$/);
  });
});

describe('lab doctor with a leftover cluster', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld({ faults: ['leftover-cluster'] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('warns about the stale lab and says how to clean it', async () => {
    const r = await t.runLab(['doctor', '--json', '--topology', t.topology]);
    const stale = (JSON.parse(r.stdout) as { results: Result[] }).results.find((x) => x.id === 'stale-lab')!;
    expect(stale.status).toBe('warn');
    expect(stale.summary).toMatch(/cluster calico-ipam already exists: calico-ipam-control-plane \(running\), calico-ipam-worker \(running\), calico-ipam-worker2 \(running\)/);
    expect(stale.fix).toMatch(/lab destroy --yes/);
  });
});
