/** The GitHub Actions step summary (Markdown appended to $GITHUB_STEP_SUMMARY). */
import { ruleTotals, totals } from '../calico/runner.js';
import type { CheckResult, CheckStatus } from '../calico/types.js';

const ICON: Record<CheckStatus, string> = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function stepSummary(labName: string, results: readonly CheckResult[]): string {
  const t = totals(results);
  const lines = [
    `### lab verify — ${labName}: ${t.fail > 0 ? '❌ failed' : t.warn > 0 ? '⚠️ passed with warnings' : '✅ passed'}`,
    '',
    `${t.pass} passed · ${t.warn} warnings · ${t.fail} failed · ${t.skip} skipped · ${ruleTotals(results).evaluated} of ${ruleTotals(results).total} rules evaluated`,
    '',
    '| | check | result |',
    '| --- | --- | --- |',
    ...results.map((r) => `| ${ICON[r.status]} | \`${r.id}\` | ${cell(r.status === 'skip' ? `skipped: ${r.reason ?? r.summary}` : r.summary)} |`),
  ];
  const bad = results.filter((r) => r.status === 'fail' || r.status === 'warn');
  for (const r of bad) {
    const problems = [...((r.evidence['problems'] as string[] | undefined) ?? []), ...((r.evidence['warnings'] as string[] | undefined) ?? [])];
    lines.push('', `<details><summary>${ICON[r.status]} ${r.id}: ${cell(r.summary)}</summary>`, '', ...problems.slice(0, 30).map((p) => `- ${p}`), ...(r.hint ? ['', `Try: ${r.hint}`] : []), '', '</details>');
  }
  return `${lines.join('\n')}\n\n`;
}

/** The IPAM map section of the step summary: the text map (GitHub renders no inline SVG) and where the full map is. */
export function ipamMapSummary(mapText: string, htmlFile?: string): string {
  const note = htmlFile !== undefined
    ? `The full map (tooltips, every block, the checklist) is \`${htmlFile}\` in this run's artifacts: download it and open it in a browser.`
    : 'For the full map with tooltips, run `lab verify --html <file>`.';
  return ['<details open><summary>IPAM map</summary>', '', '```text', mapText.trimEnd(), '```', '', note, '', '</details>', '', ''].join('\n');
}
