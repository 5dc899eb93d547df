/**
 * The human report: one line per check (✔ ⚠ ✖ ↷), then the lesson-style tables — the IPAM table like
 * `calicoctl ipam show --show-blocks`, the BlockAffinities (name, node, cidr, state) and node → block(s)
 * with per-block usage — and, with --explain, what each exercise teaches and the learner's command.
 */
import type { Check } from '../calico/checks/common.js';
import type { PoolUsage } from '../calico/checks/ipam-pool.js';
import type { NodeBlocksRow } from '../calico/checks/node-blocks.js';
import type { CheckResult, CheckStatus } from '../calico/types.js';
import { summaryLine } from '../calico/runner.js';
import { renderTable } from './table.js';

export const STATUS_MARK: Record<CheckStatus, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '↷' };

type Style = (style: 'green' | 'yellow' | 'red' | 'gray' | 'bold', text: string) => string;
const plain: Style = (_s, t) => t;

const STATUS_STYLE: Record<CheckStatus, 'green' | 'yellow' | 'red' | 'gray'> = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'gray' };

export function checkLine(r: CheckResult, style: Style = plain): string {
  return `${style(STATUS_STYLE[r.status], STATUS_MARK[r.status])} ${r.id.padEnd(16)} ${r.summary}`;
}

/** `calicoctl ipam show` cell formats: `%.5g (%.f%%)`. */
function pct(n: number, total: number): string {
  return `${n} (${total > 0 ? Math.round((n / total) * 100) : 0}%)`;
}

export function ipamTable(usage: PoolUsage): string {
  const rows: string[][] = [['IP Pool', usage.cidr, String(usage.total), pct(usage.inUse, usage.total), pct(usage.free, usage.total)]];
  for (const b of usage.blocks) rows.push(['Block', b.cidr, String(b.total), pct(b.inUse, b.total), pct(b.free, b.total)]);
  return renderTable(['Grouping', 'CIDR', 'IPs total', 'IPs in use', 'IPs free'], rows, { right: [2] });
}

export function affinitiesTable(rows: readonly { name: string; node?: string | undefined; cidr?: string | undefined; state?: string | undefined }[]): string {
  return renderTable(['Name', 'Node', 'CIDR', 'State'], rows.map((r) => [r.name, r.node ?? '', r.cidr ?? '', r.state ?? '']), { right: [] });
}

export function nodeBlocksTable(rows: readonly NodeBlocksRow[]): string {
  const out: string[][] = [];
  for (const r of rows) {
    if (r.blocks.length === 0) out.push([r.node, '(none)', '', '']);
    r.blocks.forEach((b, i) => out.push([i === 0 ? r.node : '', b.cidr, `${b.inUse}/${b.total}`, String(b.total - b.inUse)]));
  }
  return renderTable(['Node', 'Block', 'In use', 'Free'], out, { right: [2, 3] });
}

/** The tables for the checks that produced them (absent when the check was skipped or not run). */
export function lessonTables(results: readonly CheckResult[]): string {
  const parts: string[] = [];
  const pool = results.find((r) => r.id === 'ipam-pool' && r.status !== 'skip');
  const usage = pool?.evidence['usage'] as PoolUsage | undefined;
  if (usage) parts.push(`IPAM (like \`calicoctl ipam show --show-blocks\`)\n${ipamTable(usage)}`);
  const aff = results.find((r) => r.id === 'block-affinities' && r.status !== 'skip');
  const affRows = aff?.evidence['affinities'] as Parameters<typeof affinitiesTable>[0] | undefined;
  if (affRows) parts.push(`BlockAffinities (crd.projectcalico.org/v1)\n${affinitiesTable(affRows)}`);
  const nb = results.find((r) => r.id === 'node-blocks' && r.status !== 'skip');
  const nbRows = nb?.evidence['nodes'] as NodeBlocksRow[] | undefined;
  if (nbRows) parts.push(`Node → block(s)\n${nodeBlocksTable(nbRows)}`);
  return parts.join('\n');
}

export function detailLines(r: CheckResult, max = 8): string[] {
  const lines: string[] = [];
  // The summary line already shows a lone finding: list findings only when they add something.
  const all = [...((r.evidence['problems'] as string[] | undefined) ?? []), ...((r.evidence['warnings'] as string[] | undefined) ?? [])];
  const alone = all.length === 1 && all[0] === r.summary;
  const problems = alone ? [] : ((r.evidence['problems'] as string[] | undefined) ?? []);
  const warnings = alone ? [] : ((r.evidence['warnings'] as string[] | undefined) ?? []);
  for (const p of problems.slice(0, max)) lines.push(`    ✖ ${p}`);
  if (problems.length > max) lines.push(`    … ${problems.length - max} more (see --json)`);
  for (const w of warnings.slice(0, max)) lines.push(`    ⚠ ${w}`);
  if (warnings.length > max) lines.push(`    … ${warnings.length - max} more (see --json)`);
  if (r.status === 'skip' && r.reason) lines.push(`    ${r.reason}`);
  const notRun = (r.rules ?? []).filter((x) => x.status === 'not-evaluated' || x.status === 'not-applicable');
  if (r.status !== 'skip') for (const x of notRun) lines.push(`    ${x.status === 'not-evaluated' ? '○ not evaluated' : '– not applicable'}: ${x.id} (${x.reason ?? ''})`);
  if ((r.status === 'fail' || r.status === 'warn') && r.hint) lines.push(`    Try: ${r.hint}`);
  return lines;
}

export function humanReport(results: readonly CheckResult[], o: { style?: Style; details?: boolean } = {}): string {
  const style = o.style ?? plain;
  const lines: string[] = [];
  for (const r of results) {
    lines.push(checkLine(r, style));
    if (o.details !== false) lines.push(...detailLines(r));
  }
  lines.push('', summaryLine(results));
  return `${lines.join('\n')}\n`;
}

export function explainText(checks: readonly Check[]): string {
  return checks
    .map((c) => `${c.id} — ${c.title}\n  ${c.explain}\n${c.commands.map((cmd) => `  $ ${cmd}`).join('\n')}\n`)
    .join('\n');
}
