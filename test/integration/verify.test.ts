/**
 * lab verify / lab snapshot against the simulated world (built CLI): deploy, then verify the healthy
 * lab (exit 0, all ten checks), the report formats, `--check`, and snapshot → verify --snapshot offline.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

const IDS = ['topology', 'tigerastatus', 'nodes', 'ipam-pool', 'block-affinities', 'affinity-details', 'node-blocks', 'pod-ips', 'cidr-hygiene', 'ipam-check'];

interface VerifyDoc {
  ok: boolean;
  exitCode: number;
  totals: Record<string, number>;
  checks: { id: string; status: string; summary: string; evidence: Record<string, unknown>; reason?: string; rules: { id: string; status: string; inputs: string[]; reason?: string }[] }[];
  apiRequests?: number;
  missingInputs: Record<string, string>;
}

describe('lab verify on the healthy simulated lab', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld();
    const d = await t.runLab(['deploy', '--topology', t.topology]);
    expect(d.exitCode, d.stderr).toBe(0);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('--json: exit 0, one document with all ten checks passing and the lesson numbers', async () => {
    const r = await t.runLab(['verify', '--topology', t.topology, '--json']);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const doc = JSON.parse(r.stdout) as VerifyDoc;
    expect(doc.checks.map((c) => c.id)).toEqual(IDS);
    expect(doc.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.summary} ${c.reason ?? ''}`)).toEqual([]);
    expect(doc.missingInputs).toEqual({});
    const pool = doc.checks.find((c) => c.id === 'ipam-pool')!;
    expect(pool.evidence['usage']).toMatchObject({ cidr: '192.168.0.0/16', total: 65536, inUse: 12, free: 65524 });
    const nb = doc.checks.find((c) => c.id === 'node-blocks')!;
    expect((nb.evidence['nodes'] as { node: string; blocks: { cidr: string }[] }[]).map((n) => [n.node, n.blocks.map((b) => b.cidr)])).toEqual([
      ['calico-ipam-control-plane', ['192.168.18.64/26']],
      ['calico-ipam-worker', ['192.168.131.128/26']],
      ['calico-ipam-worker2', ['192.168.112.128/26']],
    ]);
    // one list per resource type: 8 API requests whatever the node count
    expect(doc.apiRequests).toBeLessThanOrEqual(8);
  });

  it('human output: checklist, the lesson tables, JUnit file and the GitHub step summary', async () => {
    const junit = join(t.labDir, 'reports', 'verify.xml');
    const summary = join(t.labDir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = await t.runLab(['verify', '--topology', t.topology, '--junit', junit], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/✔ ipam-pool\s+default-ipv4-ippool 192\.168\.0\.0\/16: 65536 total, 12 in use/);
    expect(r.stdout).toContain('| IP Pool  | 192.168.0.0/16     |     65536 | 12 (0%)    | 65524 (100%) |');
    expect(r.stdout).toContain('calico-ipam-worker-192-168-131-128-26');
    // Live, the routes inside the nodes are not read: that one rule is not applicable, all 38 others ran.
    expect(r.stdout).toContain('10 passed, 0 warnings, 0 failed, 0 skipped · 38 of 39 rules evaluated (1 not applicable)');
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8')) as { testsuites: { testsuite: { name: string; tests: string; failures: string; testcase: { classname: string }[] } } };
    expect(xml.testsuites.testsuite.name).toBe('calico-ipam');
    expect(xml.testsuites.testsuite.tests).toBe('10');
    expect(xml.testsuites.testsuite.failures).toBe('0');
    expect(xml.testsuites.testsuite.testcase.map((c) => c.classname)).toEqual(IDS.map((id) => `lab.calico-ipam.${id}`));
    const pool = (xml.testsuites.testsuite.testcase as unknown as { classname: string; 'system-out': string }[]).find((c) => c.classname === 'lab.calico-ipam.ipam-pool')!;
    expect(pool['system-out']).toMatch(/Rules:\npass +pool-exists +\(ippools\)/);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n')).toBe(true);
    expect(md).toContain('### lab verify — calico-ipam: ✅ passed');
  });

  it('--check runs a subset; an unknown id is a usage error (exit 2) listing the ids', async () => {
    const r = await t.runLab(['verify', '--topology', t.topology, '--json', '--check', 'nodes', '--check', 'pod-ips']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as VerifyDoc).checks.map((c) => c.id)).toEqual(['nodes', 'pod-ips']);
    const bad = await t.runLab(['verify', '--topology', t.topology, '--check', 'ipam']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("unknown check 'ipam'");
    expect(bad.stderr).toContain('topology, tigerastatus, nodes, ipam-pool');
  });

  it('--explain prints what each exercise teaches and the learner command', async () => {
    const r = await t.runLab(['verify', '--topology', t.topology, '--explain', '--check', 'block-affinities']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('$ kubectl get blockaffinities.crd.projectcalico.org -o yaml');
  });

  it('snapshot → verify --snapshot offline gives the same results; the file has no secrets', async () => {
    const file = join(t.labDir, 'snap.json');
    const s = await t.runLab(['snapshot', '--topology', t.topology, '-o', file]);
    expect(s.exitCode, s.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    for (const bad of ['managedFields', 'client-key-data', 'certificate-authority-data', 'BEGIN CERTIFICATE', 'BEGIN RSA', '"kind": "Secret"', 'last-applied-configuration']) expect(text, bad).not.toContain(bad);
    const live = JSON.parse((await t.runLab(['verify', '--topology', t.topology, '--json'])).stdout) as VerifyDoc;
    // Offline: no world on PATH/kubeconfig needed — run with the world stopped later is covered by the PATH-less env here.
    const off = await t.runLab(['verify', '--snapshot', file, '--json'], { env: { PATH: '/nonexistent' } });
    expect(off.exitCode, off.stderr).toBe(0);
    const offline = JSON.parse(off.stdout) as VerifyDoc;
    const strip = (d: VerifyDoc) => d.checks.map((c) => ({ id: c.id, status: c.status, summary: c.summary }));
    expect(strip(offline)).toEqual(strip(live));
  });

  it('verify --snapshot <dir> reads ordinary kubectl / calicoctl / containerlab outputs a user attaches', async () => {
    const dir = join(t.labDir, 'bug-report');
    mkdirSync(dir);
    const env = { KUBECONFIG: join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig'), DATASTORE_TYPE: 'kubernetes' };
    const save = async (name: string, file: string, args: string[], extra: Record<string, string> = {}) => {
      const r = await t.run(file, args, { env: { ...env, ...extra } });
      expect(r.exitCode, `${file} ${args.join(' ')}: ${r.stderr}`).toBe(0);
      writeFileSync(join(dir, name), r.stdout);
    };
    // File names carry no meaning: recognition is by content.
    await save('a', 'kubectl', ['get', 'blockaffinities', '-o', 'yaml']);
    await save('b', 'kubectl', ['get', 'ipamblocks.crd.projectcalico.org', '-o', 'json']);
    await save('c', 'kubectl', ['get', 'ipamhandles.crd.projectcalico.org', '-o', 'yaml']);
    await save('d', 'kubectl', ['get', 'ippools.crd.projectcalico.org', '-o', 'yaml']);
    await save('e', 'kubectl', ['get', 'nodes', '-o', 'yaml']);
    await save('f', 'kubectl', ['get', 'pods', '-A', '-o', 'json']);
    await save('g', 'kubectl', ['get', 'tigerastatus', '-o', 'yaml']);
    await save('h', 'containerlab', ['inspect', '-t', t.topology, '--format', 'json'], { CLAB_VERSION_CHECK: 'disable' }); // the simulated containerlab insists
    await save('i', 'calicoctl', ['ipam', 'show', '--show-blocks']);
    const report = join(dir, 'j');
    const chk = await t.run('calicoctl', ['ipam', 'check', '-o', report], { env });
    expect(chk.exitCode, chk.stderr).toBe(0);
    const r = await t.runLab(['verify', '--snapshot', dir, '--topology', t.topology, '--json'], { env: { PATH: '/nonexistent' } });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const doc = JSON.parse(r.stdout) as VerifyDoc;
    expect(Object.fromEntries(doc.checks.map((c) => [c.id, c.status]))).toEqual(Object.fromEntries(IDS.map((id) => [id, 'pass'])));
    const shape = String(doc.checks.find((c) => c.id === 'affinity-details')!.evidence['shape']);
    expect(shape).toMatch(/^a \((crd\.projectcalico\.org\/v1|projectcalico\.org\/v3)\)$/);
    expect(doc.missingInputs).toMatchObject({ kindSubnets: 'not among the files given', hostRoutes: 'not among the files given' });
  });
});

describe('lab verify before anything is deployed', () => {
  it('exits 3 with "no lab … is deployed here", prints no checklist and downloads nothing; snapshot still writes a file', async () => {
    const t = await startTestWorld();
    try {
      const r = await t.runLab(['verify', '--topology', t.topology]);
      expect(r.exitCode, r.stderr + r.stdout).toBe(3);
      expect(r.stderr).toContain('no lab `calico-ipam` is deployed here — run `lab deploy`');
      expect(r.stdout).not.toMatch(/passed|topology|ipam-pool/);
      const cache = join(t.env['XDG_CACHE_HOME']!, 'lab');
      expect(existsSync(cache) ? readdirSync(cache, { recursive: true }).map(String).filter((f) => /calicoctl/.test(f)) : []).toEqual([]);
      const j = await t.runLab(['verify', '--topology', t.topology, '--json']);
      expect(j.exitCode).toBe(3);
      const err = JSON.parse(j.stdout) as { ok: boolean; exitCode: number; checks?: unknown };
      expect(err).toMatchObject({ ok: false, exitCode: 3 });
      expect(err.checks).toBeUndefined();
      // Nothing on PATH (a fresh clone without containerlab): the same.
      const bare = await t.runLab(['verify', '--topology', t.topology], { env: { PATH: '/nonexistent' } });
      expect(bare.exitCode).toBe(3);
      expect(bare.stderr).toContain('no lab `calico-ipam` is deployed here');

      const file = join(t.labDir, 'empty-snap.json');
      const s = await t.runLab(['snapshot', '--topology', t.topology, '-o', file]);
      expect(s.exitCode, s.stderr).toBe(0);
      expect(s.stderr).toContain('not captured: Nodes');
      const off = await t.runLab(['verify', '--snapshot', file, '--json']);
      expect(off.exitCode).toBe(1);
      const doc = JSON.parse(off.stdout) as VerifyDoc;
      expect(doc.checks.find((c) => c.id === 'nodes')!.status).toBe('fail');
    } finally {
      await t.close();
    }
  });
});

describe('lab verify with the lab\'s containers but a broken API', () => {
  it('kubeconfig missing → every rule needing the API fails naming why, exit 1', async () => {
    const t = await startTestWorld();
    try {
      const d = await t.runLab(['deploy', '--topology', t.topology]);
      expect(d.exitCode, d.stderr).toBe(0);
      const kubeconfig = join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig');
      rmSync(kubeconfig);
      const r = await t.runLab(['verify', '--topology', t.topology, '--json']);
      expect(r.exitCode, r.stderr).toBe(1);
      const doc = JSON.parse(r.stdout) as VerifyDoc;
      const byId = Object.fromEntries(doc.checks.map((c) => [c.id, c]));
      expect(byId['topology']!.status).toBe('pass');
      for (const id of ['tigerastatus', 'nodes', 'ipam-pool', 'block-affinities', 'affinity-details', 'node-blocks', 'pod-ips']) {
        expect(byId[id]!.status, id).toBe('fail');
        expect(byId[id]!.summary, id).toContain(`no kubeconfig at ${kubeconfig}`);
      }
    } finally {
      await t.close();
    }
  });

  it('calico-crd-errors (lists of crd.projectcalico.org/v1 answer 500) → the rules reading them fail naming the API address, exit 1', async () => {
    const t = await startTestWorld({ faults: ['calico-crd-errors'] });
    try {
      const d = await t.runLab(['deploy', '--topology', t.topology]);
      expect(d.exitCode, d.stderr).toBe(0);
      const r = await t.runLab(['verify', '--topology', t.topology, '--json']);
      expect(r.exitCode, r.stderr).toBe(1);
      const doc = JSON.parse(r.stdout) as VerifyDoc;
      const byId = Object.fromEntries(doc.checks.map((c) => [c.id, c]));
      for (const id of ['block-affinities', 'affinity-details', 'node-blocks']) {
        expect(byId[id]!.status, id).toBe('fail');
        expect(byId[id]!.summary, id).toMatch(/the API at https:\/\/127\.0\.0\.1:\d+: GET \/apis\/crd\.projectcalico\.org\/v1\/\w+: HTTP 500/);
      }
      // What does not read the Calico CRDs still judges the lab and passes.
      for (const id of ['topology', 'tigerastatus', 'nodes']) expect(byId[id]!.status, id).toBe('pass');
      const pool = byId['ipam-pool']!;
      expect(pool.rules.find((x) => x.id === 'pool-exists')!.status).toBe('fail');
      expect(pool.rules.find((x) => x.id === 'installation-pool')!.status).toBe('pass');
    } finally {
      await t.close();
    }
  });
});
