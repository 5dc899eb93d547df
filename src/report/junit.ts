/**
 * JUnit XML as GitHub (test reporters), Jenkins (junit step) and GitLab (artifacts:reports:junit) read
 * it: `<testsuites>` → one `<testsuite name="<lab>">` with tests/failures/errors/skipped/time counts →
 * one `<testcase classname="lab.<lab>.<check-id>" name="<check-id>: <title>" time>` per check; a failed
 * check has `<failure message type>` with the evidence as text; a skipped one `<skipped message/>`;
 * warnings pass and go to `<system-out>`, which also lists the check's rules and how each ended.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult } from '../calico/types.js';
import { detailLines } from './human.js';

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

export function evidenceText(r: CheckResult): string {
  return [r.summary, ...detailLines(r, 50).map((l) => l.trim()), '', 'Evidence:', JSON.stringify(r.evidence, null, 2)].join('\n');
}

/** One line per rule: `pass  pool-exists  (ippools)` / `not-evaluated  show-pool-line  (ipamShow) — reason`. */
export function rulesText(r: CheckResult): string {
  const rules = r.rules ?? [];
  if (rules.length === 0) return '';
  const width = Math.max(...rules.map((x) => x.status.length));
  return ['Rules:', ...rules.map((x) => `${x.status.padEnd(width)}  ${x.id}  (${x.inputs.join(', ') || 'lab files'})${x.reason ? ` — ${x.reason}` : ''}${x.reread ? ' [re-read]' : ''}`)].join('\n');
}

export function toJUnit(labName: string, results: readonly CheckResult[], o: { timestamp?: Date; durationMs?: number; hostname?: string } = {}): string {
  const failures = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const time = seconds(o.durationMs ?? results.reduce((s, r) => s + (r.durationMs ?? 0), 0));
  const testcases = results.map((r) => {
    const tc: Record<string, unknown> = {
      '@_classname': `lab.${labName}.${r.id}`,
      '@_name': `${r.id}: ${r.title}`,
      '@_time': seconds(r.durationMs),
    };
    const rules = rulesText(r);
    if (r.status === 'fail') tc['failure'] = { '@_message': r.summary, '@_type': 'CheckFailed', '#text': evidenceText(r) };
    else if (r.status === 'skip') tc['skipped'] = { '@_message': r.reason ?? r.summary };
    const out = r.status === 'warn' ? `WARNING: ${evidenceText(r)}` : r.summary;
    tc['system-out'] = rules ? `${out}\n\n${rules}` : out;
    return tc;
  });
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'lab verify',
      '@_tests': results.length,
      '@_failures': failures,
      '@_errors': 0,
      '@_skipped': skipped,
      '@_time': time,
      testsuite: {
        '@_name': labName,
        '@_tests': results.length,
        '@_failures': failures,
        '@_errors': 0,
        '@_skipped': skipped,
        '@_time': time,
        '@_timestamp': (o.timestamp ?? new Date()).toISOString().replace(/\.\d+Z$/, ''),
        ...(o.hostname ? { '@_hostname': o.hostname } : {}),
        testcase: testcases,
      },
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true, processEntities: true });
  return String(builder.build(doc));
}
