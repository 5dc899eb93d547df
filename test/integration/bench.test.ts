/**
 * Smoke test of `npm run bench` (issue 6): the harness is correct — every row is measured, with sane
 * relations between rows. Never a speed assertion: targets are the bench's business, not the tests'.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { baselineWaste } from '../../scripts/bench/baseline.mjs';
import { makeLabDir } from '../../scripts/bench/labdir.mjs';
import { makeRow, renderTable, type Row } from '../../scripts/bench/table.mjs';
import { detectionLags, type WriteEvent } from '../../scripts/bench/writes.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

const write = (at: number, group: string, resource: string, name: string, managers: string[] = []): WriteEvent => ({ at, type: 'ADDED', group, resource, name, managers });

describe('bench harness pieces', () => {
  test('detection lags are measured from the world condition to lab acting on it', () => {
    const conditions = [
      { name: 'api-up', at: 1000 },
      { name: 'node-ready:calico-ipam-worker', at: 4000 },
      { name: 'crd-established:installations.operator.tigera.io', at: 2000 },
      { name: 'crd-established:apiservers.operator.tigera.io', at: 2100 },
      { name: 'tigerastatus-available:calico', at: 4500 },
      { name: 'node-ready:calico-ipam-control-plane', at: 4200 },
      { name: 'tigerastatus-available:apiserver', at: 4600 },
    ];
    const events = [
      write(500, '', 'nodes', 'calico-ipam-control-plane'), // the world's own write, before lab started
      write(1050, '', 'namespaces', 'kube-system'), // the world's controller, not lab
      write(1300, 'apiextensions.k8s.io', 'customresourcedefinitions', 'installations.operator.tigera.io', ['lab']),
      write(2150, 'operator.tigera.io', 'installations', 'default', ['lab']),
    ];
    const lags = detectionLags({ conditions, events, startAt: 900, exitAt: 4700 });
    expect(lags.apiUpToFirstWrite).toMatchObject({ ms: 300, what: 'customresourcedefinitions/installations.operator.tigera.io' });
    expect(lags.crdEstablishedToCustomResource).toMatchObject({ ms: 50, condition: 'crd-established:apiservers.operator.tigera.io' });
    expect(lags.readyToExit).toMatchObject({ ms: 100, condition: 'tigerastatus-available:apiserver' });

    // With a request log, lag (a) is the first request after api-up.
    const withLog = detectionLags({ conditions, events, startAt: 900, exitAt: 4700, requestLog: [{ at: 990, method: 'GET', path: '/version' }, { at: 1020, method: 'GET', path: '/api' }] });
    expect(withLog.apiUpToFirstWrite).toMatchObject({ ms: 20, via: 'first API request' });

    // A missing condition is reported as such, not as a number.
    const none = detectionLags({ conditions: [], events: [], startAt: 0, exitAt: 10 });
    expect(none.apiUpToFirstWrite.ms).toBeNull();
    expect(none.crdEstablishedToCustomResource.ms).toBeNull();
    expect(none.readyToExit.ms).toBeNull();
  });

  test("the old script's waste: sleeping while what it waits for is already true", () => {
    const sleeps = [
      { loop: 'fixed' as const, startAt: 0, endAt: 1500 },
      { loop: 'crs' as const, startAt: 2000, endAt: 2250 }, // CRDs Established at 2100: 150 ms wasted
      { loop: 'tigerastatus' as const, startAt: 3000, endAt: 3750 }, // still rolling out: no waste
      { loop: 'tigerastatus' as const, startAt: 3800, endAt: 4550 }, // Available at 4000: 550 ms wasted
      { loop: 'nodes' as const, startAt: 1600, endAt: 1850 }, // condition never recorded: not counted
    ];
    const waste = baselineWaste(sleeps, { crs: 2100, tigerastatus: 4000 });
    expect(waste.byLoop).toEqual({ fixed: 1500, crs: 150, tigerastatus: 550 });
    expect(waste.ms).toBe(2200);
  });

  test('a lab folder of N nodes has one control-plane and N−1 workers', async () => {
    const lab = await makeLabDir(root, { nodes: 30 });
    try {
      const config = parseYaml(readFileSync(lab.kindConfig, 'utf8')) as { nodes: { role: string }[]; networking: { podSubnet: string } };
      expect(config.nodes.filter((n) => n.role === 'control-plane')).toHaveLength(1);
      expect(config.nodes.filter((n) => n.role === 'worker')).toHaveLength(29);
      expect(config.networking.podSubnet).toBe('192.168.0.0/16');
      expect(lab.cluster).toBe('calico-ipam');
      expect(lab.nodeNames.slice(0, 3)).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
      expect(lab.nodeNames.at(-1)).toBe('calico-ipam-worker29');
      expect(existsSync(lab.topology)).toBe(true);
      expect(existsSync(lab.customResources)).toBe(true);
    } finally {
      await lab.remove();
    }
    expect(existsSync(lab.dir)).toBe(false);
  });

  test('a lab folder of another lesson, by its prefix', async () => {
    const lab = await makeLabDir(root, { lesson: '02' });
    try {
      expect(lab.topology).toBe(join(lab.dir, 'topology', '02-pod-network', 'pod-network.clab.yaml'));
      expect(lab.cluster).toBe('pod-network');
      expect(lab.nodeNames).toEqual(['pod-network-control-plane', 'pod-network-worker', 'pod-network-worker2']);
    } finally {
      await lab.remove();
    }
  });

  test('rows: median, max and verdicts; a row without samples is an error, not a pass', () => {
    const row = makeRow('x', 'x', 'ms', [300, null, 100, 200], { op: '<=', value: 250, text: '≤ 250 ms', on: 'median' });
    expect(row).toMatchObject({ n: 3, median: 200, max: 300, ok: true });
    expect(makeRow('x', 'x', 'ms', [300, 100], { op: '<=', value: 250, text: '', on: 'max' }).ok).toBe(false);
    expect(makeRow('x', 'x', 'ms', [null], { op: '<=', value: 250, text: '', on: 'median' }).ok).toBe(false);
    expect(makeRow('x', 'x', 'ms', [1]).ok).toBeNull();
    const table = renderTable([row, makeRow('y', 'lab deploy: excess', 'ms', [2500], { op: '<=', value: 2000, text: '≤ 2 s', on: 'median' })]);
    expect(table).toContain('| lab deploy: excess | 2.50 s |  | ≤ 2 s | **MISS** |');
  });
});

interface BenchResults {
  rows: Row[];
  table: string;
  errors: string[];
  meta: { quick: boolean; runs: number; scale: number };
  runs: { deploy?: { code: number; criticalPath: { chain: string[] } }; warm?: { recreated: string[] }; baseline?: { steps: { name: string }[] } }[];
  lesson?: { lesson: string; samples: { lesson?: string; deploy?: { code: number; json?: { steps: { name: string; status: string }[] } } }[] };
}

const QUICK_ROWS = [
  'deploy.wall',
  'deploy.criticalPath',
  'deploy.excess',
  'baseline.wall',
  'baseline.criticalPath',
  'baseline.excess',
  'deploy.excessRatio',
  'baseline.projectedExcess',
  'deploy.excessRatioReal',
  'lag.apiUp',
  'lag.crdEstablished',
  'lag.ready',
  'lag.all',
  'warm.wall',
  'warm.recreated',
  'verify.3.wall',
  'verify.3.requests',
  'lesson.deploy.wall',
  'lesson.deploy.criticalPath',
  'lesson.deploy.excess',
  'lesson.deploy.requests',
  'lesson.verify.wall',
  'lesson.verify.requests',
  'memory.deploy.lesson',
  'startup.node',
  'startup.version',
  'startup.help',
  'memory.deploy',
  'memory.verify',
];

describe('npm run bench --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'lab-bench-test-'));
  let exitCode: number | null = null;
  let stderr = '';
  let results: BenchResults;

  beforeAll(async () => {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['scripts/bench.mjs', '--quick', '--runs', '1', '--scale', '0.02', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.resume();
      child.on('error', reject);
      child.on('close', (code) => {
        exitCode = code;
        resolve();
      });
    });
    results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchResults;
  }, 300_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('runs without errors and writes the table and the raw JSON', () => {
    expect(results.errors, stderr).toEqual([]);
    expect(exitCode).toBe(0);
    expect(results.meta).toMatchObject({ quick: true, runs: 1, scale: 0.02 });
    expect(readFileSync(join(out, 'latest.md'), 'utf8')).toContain(results.table);
  });

  test('every row of a quick run is measured, with a number', () => {
    const byId = new Map(results.rows.map((r) => [r.id, r]));
    for (const id of QUICK_ROWS) {
      const row = byId.get(id);
      expect(row, id).toBeDefined();
      expect(row!.n, id).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(row!.median), id).toBe(true);
      expect(results.table).toContain(`| ${row!.label} |`);
    }
    // Quick runs skip the 30/100-node worlds.
    expect(byId.has('verify.100.wall')).toBe(false);
  });

  test('relations between rows are sane', () => {
    const m = (id: string): number => results.rows.find((r) => r.id === id)!.median!;
    expect(m('deploy.criticalPath')).toBeGreaterThan(0);
    expect(m('baseline.criticalPath')).toBeGreaterThan(0);
    expect(m('deploy.wall')).toBeGreaterThanOrEqual(m('deploy.criticalPath'));
    expect(m('baseline.wall')).toBeGreaterThanOrEqual(m('baseline.criticalPath'));
    expect(m('deploy.excess')).toBeCloseTo(m('deploy.wall') - m('deploy.criticalPath'), 6);
    // Projected to real time, the old script's sleeps grow (scale < 1): its excess can only grow.
    expect(m('baseline.projectedExcess')).toBeGreaterThanOrEqual(m('baseline.excess'));
    expect(m('verify.3.requests')).toBeGreaterThan(0);
    expect(m('warm.recreated')).toBeGreaterThanOrEqual(0);
    for (const id of ['lag.apiUp', 'lag.crdEstablished', 'lag.ready']) expect(m(id), id).toBeGreaterThanOrEqual(0);
    for (const id of ['startup.node', 'startup.version', 'startup.help', 'memory.deploy', 'memory.verify']) expect(m(id), id).toBeGreaterThan(0);
    expect(results.runs[0]!.deploy!.criticalPath.chain.length).toBeGreaterThan(0);
    // lesson 02: its own rows, named after it; a deploy that also applies and waits for workloads
    expect(m('lesson.deploy.wall')).toBeGreaterThanOrEqual(m('lesson.deploy.criticalPath'));
    expect(m('lesson.deploy.excess')).toBeCloseTo(m('lesson.deploy.wall') - m('lesson.deploy.criticalPath'), 6);
    expect(m('lesson.deploy.requests')).toBeGreaterThan(m('deploy.requests'));
    expect(m('lesson.verify.requests')).toBeGreaterThan(0);
    expect(results.rows.find((r) => r.id === 'lesson.deploy.wall')!.label).toBe('lab deploy, 02-pod-network: wall time (with its workloads)');
    const steps = results.lesson!.samples[0]!.deploy!.json!.steps.map((s) => `${s.name} ${s.status}`);
    expect(steps).toEqual(expect.arrayContaining(['workloads done', 'wait workloads done']));
    expect(results.runs[0]!.baseline!.steps.map((s) => s.name)).toContain('sleep 30');
  });
});
