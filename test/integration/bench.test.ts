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
import { buildRealRows, realLags } from '../../scripts/bench/real.mjs';

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

describe('bench --real pieces', () => {
  const mark = (name: string, at: number, listed = false) => ({ name, at, listed });
  const seen = (at: number, group: string, resource: string, name: string, managers: string[] = [], listed = false) => ({ ...write(at, group, resource, name, managers), listed });
  const marks = [
    mark('api-up', 1000),
    mark('crd-established:installations.operator.tigera.io', 2000),
    mark('node-ready:calico-ipam-control-plane', 4200),
    mark('tigerastatus-available:calico', 4500),
    mark('tigerastatus-available:apiserver', 4600),
  ];

  test("lags from the harness's watch; an end first seen in a list times nothing", () => {
    const events = [
      seen(1300, 'apiextensions.k8s.io', 'customresourcedefinitions', 'installations.operator.tigera.io', ['lab']),
      seen(2040, 'operator.tigera.io', 'installations', 'default', ['lab']),
    ];
    const lags = realLags({ marks, events, startAt: 900, exitAt: 4700 });
    expect([lags.apiUpToFirstWrite.ms, lags.crdEstablishedToCustomResource.ms, lags.readyToExit.ms]).toEqual([300, 40, 100]);

    // lab applied its CRDs before the watch started: the harness saw them in its first list
    const early = realLags({ marks, events: [{ ...events[0]!, listed: true }, events[1]!], startAt: 900, exitAt: 4700 });
    expect(early.apiUpToFirstWrite).toMatchObject({ ms: null, reason: expect.stringMatching(/before the harness's watch started/) });
    expect(early.crdEstablishedToCustomResource.ms).toBe(40);
    const listedCrd = realLags({ marks: marks.map((m) => (m.name.startsWith('crd-') ? { ...m, listed: true } : m)), events, startAt: 900, exitAt: 4700 });
    expect(listedCrd.crdEstablishedToCustomResource).toMatchObject({ ms: null, reason: expect.stringMatching(/installations.operator.tigera.io was first seen in a list/) });
    const listedReady = realLags({ marks: marks.map((m) => (m.name === 'tigerastatus-available:apiserver' ? { ...m, listed: true } : m)), events, startAt: 900, exitAt: 4700 });
    expect(listedReady.readyToExit.ms).toBeNull();
  });

  test('rows of the real world: a run that failed leaves its rows unmeasured, so their verdicts are errors', () => {
    const good = {
      deploy: { code: 0, wallMs: 70_000, apiUpMs: 9_000, readyMs: 69_500, maxRssKb: 102_400 },
      lags: { apiUpToFirstWrite: { ms: 120 }, crdEstablishedToCustomResource: { ms: 30 }, readyToExit: { ms: 500 } },
      warm: { code: 0, wallMs: 2_500, recreated: [] },
      verify: { code: 0, wallMs: 1_400 },
    };
    const rows = Object.fromEntries(buildRealRows([good]).map((r) => [r.id, r]));
    expect(rows['real.deploy.wall']).toMatchObject({ median: 70_000, ok: null });
    expect(rows['real.lag.ready']).toMatchObject({ median: 500, ok: true });
    expect(rows['real.warm.recreated']).toMatchObject({ median: 0, ok: true });
    expect(rows['real.verify.wall']).toMatchObject({ median: 1_400, ok: false });
    expect(rows['real.memory.deploy']?.median).toBe(100);
    const failed = Object.fromEntries(buildRealRows([{ deploy: { code: 4, wallMs: 720_000 }, lags: { readyToExit: { ms: null } } }]).map((r) => [r.id, r]));
    expect(failed['real.deploy.wall']?.n).toBe(0);
    expect(failed['real.lag.ready']).toMatchObject({ n: 0, ok: false });
    expect(renderTable(Object.values(failed))).toMatch(/real world: detection lag Calico Available \+ nodes Ready → exit \| n\/a \|  \| ≤ 1 s \(max\) \| ERR \|/);
  });

  test('bench --real says why it cannot run (exit 3) and refuses --scale (exit 2)', async () => {
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['scripts/bench.mjs', ...args], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const empty = mkdtempSync(join(tmpdir(), 'lab-bench-real-'));
    try {
      const r = await run(['--real', '--quick'], { ...process.env, XDG_CACHE_HOME: empty });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/bench --real: cannot run here: (needs root|real components not built: .*tigera-operator)/);
      const s = await run(['--real', '--scale', '0.1'], process.env);
      expect(s.code).toBe(2);
      expect(s.stderr).toMatch(/--scale is the simulated world's time scale/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

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
