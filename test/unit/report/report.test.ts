import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/calico/checks/index.js';
import type { PoolUsage } from '../../../src/calico/checks/ipam-pool.js';
import { absent } from '../../../src/calico/inputs.js';
import { runChecks } from '../../../src/calico/runner.js';
import type { CheckResult } from '../../../src/calico/types.js';
import { affinitiesTable, explainText, humanReport, ipamTable, lessonTables, nodeBlocksTable } from '../../../src/report/human.js';
import { buildJsonReport } from '../../../src/report/json.js';
import { toJUnit } from '../../../src/report/junit.js';
import { stepSummary } from '../../../src/report/summary.js';
import { fixture, healthyInputs, lessonLab, pod, withValue } from '../verify/lesson-lab.js';

function mixedResults(): CheckResult[] {
  let i = healthyInputs();
  i = withValue(i, 'pods', [...(i.pods.ok ? i.pods.value : []), pod('default', 'twin <&>', 'calico-ipam-control-plane', '192.168.18.66')]);
  i = { ...i, containers: absent('containerlab is not installed (not found on PATH)') };
  return runChecks(CHECKS, lessonLab, i);
}

describe('lesson-style tables', () => {
  it('the IPAM table is byte-identical to `calicoctl ipam show --show-blocks` (reference)', () => {
    const results = runChecks(CHECKS, lessonLab, healthyInputs());
    const usage = results.find((r) => r.id === 'ipam-pool')!.evidence['usage'] as PoolUsage;
    expect(ipamTable(usage)).toBe(fixture('calicoctl-ipam-show-blocks.txt'));
  });

  it('affinities and node → block tables', () => {
    const results = runChecks(CHECKS, lessonLab, healthyInputs());
    const text = lessonTables(results);
    expect(text).toContain('| calico-ipam-worker-192-168-131-128-26      | calico-ipam-worker        | 192.168.131.128/26 | confirmed |');
    expect(text).toMatch(/\| calico-ipam-control-plane \| 192\.168\.18\.64\/26\s+\|\s+5\/64 \|\s+59 \|/);
    expect(affinitiesTable([])).toContain('| NAME | NODE | CIDR | STATE |');
    expect(nodeBlocksTable([{ node: 'n1', blocks: [] }])).toContain('| n1   | (none) |');
  });

  it('human report: one line per check, details for failures and skips, totals', () => {
    const text = humanReport(mixedResults());
    expect(text).toMatch(/^↷ topology/m);
    expect(text).toMatch(/^✖ pod-ips\s+192\.168\.18\.66 is used by/m);
    expect(text).toContain('containerlab is not installed');
    expect(text).toContain('8 passed, 0 warnings, 1 failed, 1 skipped');
  });

  it('--explain text names each check with its learner command', () => {
    const text = explainText(CHECKS);
    expect(text).toContain('block-affinities — ');
    expect(text).toContain('  $ kubectl get blockaffinities.crd.projectcalico.org -o yaml');
    expect(text).toContain('  $ calicoctl ipam show --show-blocks');
  });
});

describe('JUnit XML (the shape GitHub, Jenkins and GitLab read)', () => {
  const xml = toJUnit('calico-ipam', mixedResults(), { timestamp: new Date('2026-09-23T04:10:00Z'), durationMs: 1234 });
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'testsuite' });
  const doc = parser.parse(xml) as { testsuites: { tests: string; failures: string; skipped: string; errors: string; testsuite: Record<string, unknown>[] } };

  it('one testsuite named after the lab with counts; one testcase per check with a stable classname', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(doc.testsuites).toMatchObject({ tests: '10', failures: '1', skipped: '1', errors: '0' });
    expect(doc.testsuites.testsuite).toHaveLength(1);
    const suite = doc.testsuites.testsuite[0]! as { name: string; tests: string; failures: string; skipped: string; errors: string; time: string; timestamp: string; testcase: Record<string, unknown>[] };
    expect(suite).toMatchObject({ name: 'calico-ipam', tests: '10', failures: '1', skipped: '1', errors: '0', time: '1.234', timestamp: '2026-09-23T04:10:00' });
    expect(suite.testcase.map((t) => t['classname'])).toEqual(CHECKS.map((c) => `lab.calico-ipam.${c.id}`));
    for (const t of suite.testcase) expect(String(t['time'])).toMatch(/^\d+\.\d{3}$/);
  });

  it('failure carries message + evidence text (escaped); skip carries its reason', () => {
    const suite = doc.testsuites.testsuite[0]! as { testcase: Record<string, unknown>[] };
    const podIps = suite.testcase.find((t) => t['classname'] === 'lab.calico-ipam.pod-ips')!;
    const failure = podIps['failure'] as Record<string, string>;
    expect(failure['message']).toContain('192.168.18.66 is used by');
    expect(failure['message']).toContain('twin <&>');
    expect(failure['type']).toBe('CheckFailed');
    expect(failure['#text']).toContain('Evidence:');
    expect(failure['#text']).toContain('"duplicates"');
    const topo = suite.testcase.find((t) => t['classname'] === 'lab.calico-ipam.topology')!;
    expect((topo['skipped'] as Record<string, string>)['message']).toContain('containerlab is not installed');
    const passing = suite.testcase.filter((t) => !('failure' in t) && !('skipped' in t));
    expect(passing).toHaveLength(8);
  });
});

describe('JSON document and step summary', () => {
  it('JSON: every check with evidence, totals, exit code', () => {
    const results = mixedResults();
    const doc = buildJsonReport(lessonLab, results, { source: 'live', durationMs: 12.3, missingInputs: { containers: 'x' } });
    expect(doc).toMatchObject({ ok: false, exitCode: 1, status: 'fail', totals: { pass: 8, warn: 0, fail: 1, skip: 1, total: 10 }, lab: { name: 'calico-ipam', pool: '192.168.0.0/16' } });
    expect(doc.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    expect(JSON.parse(JSON.stringify(doc)).checks[3].evidence.usage.total).toBe(65536);
  });

  it('GitHub step summary: a Markdown table with one row per check and details for failures', () => {
    const md = stepSummary('calico-ipam', mixedResults());
    expect(md).toContain('### lab verify — calico-ipam: ❌ failed');
    expect(md).toContain('| ❌ | `pod-ips` |');
    expect(md).toContain('| ⏭️ | `topology` | skipped: ');
    expect(md.split('\n').filter((l) => /^\| .+ \| `[a-z-]+` \|/.test(l))).toHaveLength(10);
    expect(md).toContain('<details><summary>❌ pod-ips');
  });
});
