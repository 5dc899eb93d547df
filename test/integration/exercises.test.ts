/**
 * Lesson 02's exercises end to end with the BUILT CLI in the simulated world: `lab demo --lesson 02`
 * passes every exercise; the sim faults pod-mtu-mismatch / missing-pod-route fail the exercise that
 * judges them (exit 1) with the learner's message; a snapshot of the lab verifies the same offline;
 * `--check <exercise id> --explain` runs only that exercise and prints what it teaches.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, startTestWorld, type TestWorld } from '../helpers/world.js';

const EXERCISES = ['pod-eth0', 'pod-routes', 'pod-dns', 'node-pod-route'];

function demo(faults: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [cliPath, 'demo', '--lesson', '02', '--time-scale', '0.01', ...faults.flatMap((f) => ['--fault', f])], {
    cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', CI: 'true', HOME: process.env['HOME'] ?? tmpdir() }, timeout: 110_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('lab demo --lesson 02', () => {
  it('passes the ten built-in checks and the four exercises (exit 0)', () => {
    const r = demo([]);
    expect(r.status, r.out.slice(-3000)).toBe(0);
    for (const id of EXERCISES) expect(r.out).toMatch(new RegExp(`✔ ${id} `));
    expect(r.out).toMatch(/14 passed, 0 warnings, 0 failed, 0 skipped/);
  }, 120_000);

  it('--fault pod-mtu-mismatch: pod-eth0 fails with the MTU message (exit 1)', () => {
    const r = demo(['pod-mtu-mismatch']);
    expect(r.status, r.out.slice(-3000)).toBe(1);
    expect(r.out).toMatch(/✖ pod-eth0 +multitool's eth0 has MTU 1500; expected 1450 \(pod-network-worker2?'s eth0 MTU 1500 − 50 for VXLAN\w*\)/);
    expect(r.out).toContain('1 of 14 checks failed: pod-eth0');
  }, 120_000);

  it('--fault missing-pod-route: node-pod-route fails naming the node and the pod IP (exit 1)', () => {
    const r = demo(['missing-pod-route']);
    expect(r.status, r.out.slice(-3000)).toBe(1);
    expect(r.out).toMatch(/✖ node-pod-route +pod-network-\S+ has no route to multitool's IP 192\.168\.\d+\.\d+\/32/);
    expect(r.out).toContain('1 of 14 checks failed: node-pod-route');
  }, 120_000);
});

interface VerifyDoc {
  exitCode: number;
  missingInputs?: Record<string, string>;
  checks: { id: string; status: string; summary: string; explain?: string; commands?: string[]; rules?: { id: string; status: string }[] }[];
}

describe('lesson 02 deployed: snapshot and --check', () => {
  let t: TestWorld;
  let topology: string;
  beforeAll(async () => {
    t = await startTestWorld({ topology: join(repoRoot, 'topology', '02-pod-network', 'pod-network.clab.yaml') });
    topology = join(t.labDir, 'topology', '02-pod-network');
    const d = await t.runLab(['deploy', '--topology', topology]);
    expect(d.exitCode, d.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => t?.close());

  it('verify --snapshot of a lab snapshot gives the same verdicts, offline', async () => {
    const live = await t.runLab(['verify', '--topology', topology, '--json']);
    expect(live.exitCode, live.stderr).toBe(0);
    const doc = JSON.parse(live.stdout) as VerifyDoc;
    expect(doc.checks.map((c) => c.id).slice(10)).toEqual(EXERCISES);
    expect(doc.missingInputs).toEqual({});
    const file = join(t.labDir, 'lesson02.json');
    const s = await t.runLab(['snapshot', '--topology', topology, '-o', file]);
    expect(s.exitCode, s.stderr).toBe(0);
    const off = await t.runLab(['verify', '--topology', topology, '--snapshot', file, '--json'], { env: { PATH: '/nonexistent' } });
    expect(off.exitCode, off.stderr).toBe(0);
    const strip = (x: VerifyDoc) => x.checks.map((c) => ({ id: c.id, status: c.status, rules: c.rules?.map((r) => `${r.id}:${r.status}`) }));
    expect(strip(JSON.parse(off.stdout) as VerifyDoc)).toEqual(strip(doc));
  }, 120_000);

  it('--check accepts an exercise id; --explain shows what it teaches and the commands', async () => {
    const r = await t.runLab(['verify', '--topology', topology, '--check', 'pod-routes', '--explain', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as VerifyDoc;
    expect(doc.checks.map((c) => `${c.id}:${c.status}`)).toEqual(['pod-routes:pass']);
    expect(doc.checks[0]!.explain).toMatch(/proxy ARP/);
    expect(doc.checks[0]!.commands).toEqual(['kubectl exec -it multitool -- ip route']);
    const bad = await t.runLab(['verify', '--topology', topology, '--check', 'pod-mtu']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown check 'pod-mtu'[\s\S]*pod-eth0, pod-routes, pod-dns, node-pod-route/);
  }, 120_000);
});
