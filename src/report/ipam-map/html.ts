/**
 * The verify report as ONE self-contained HTML file: inline CSS and the inline SVG map, no scripts,
 * no fonts or images from anywhere. Sections: the verdict, the IPAM map with its notes, the findings
 * marked on it, borrowed IPs, a table of every block (the map's text alternative), the checklist
 * (status, summary, findings, hint, skip reason, the rules that ran and those that did not, what the
 * exercise teaches and the command to type) and the inputs that were missing.
 */
import { CHECKS } from '../../calico/checks/index.js';
import type { Totals } from '../../calico/runner.js';
import { CHECK_IDS, type CheckResult, type CheckStatus } from '../../calico/types.js';
import { rulesOf } from './findings.js';
import type { IpamMap, MapBlock } from './model.js';
import { describeMap, esc, renderSvg } from './svg.js';

/** What the page needs of the verify result (the `--json` document satisfies it). */
export interface HtmlReport {
  lab: { name: string; cluster?: string; pool?: string; blockSize?: number };
  status: CheckStatus;
  source: string;
  totals: Totals;
  checks: readonly CheckResult[];
  missingInputs?: Record<string, string>;
  durationMs?: number;
}

const WORD: Record<string, string> = { pass: '✔ pass', warn: '⚠ warning', fail: '✖ fail', skip: '↷ skipped', 'not-evaluated': '↷ not evaluated', 'not-applicable': '– not applicable' };
const VERDICT: Record<CheckStatus, string> = { pass: '✔ passed', warn: '⚠ passed with warnings', fail: '✖ failed', skip: '↷ nothing could be checked' };

const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.2rem; color: #111; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.verdict { font-size: 1.1rem; font-weight: 700; padding: .35rem .7rem; border-radius: 4px; display: inline-block; border: 2px solid currentColor; }
.status-pass { color: #00603f; } .status-warn { color: #7a5200; } .status-fail { color: #a33b00; } .status-skip, .status-not-evaluated, .status-not-applicable { color: #555; }
.meta { color: #444; margin: .4rem 0; }
figure { margin: 0; overflow-x: auto; } figcaption { color: #444; font-size: .9rem; margin-top: .3rem; }
svg.ipam-map g.cell:hover rect.fill, svg.ipam-map rect.cell:hover { stroke: #000; stroke-width: 2; }
table { border-collapse: collapse; margin: .4rem 0; font-size: .92rem; } th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: .9em; }
details.check { border: 1px solid #ddd; border-left-width: 6px; border-radius: 3px; margin: .4rem 0; padding: .3rem .6rem; }
details.check.status-pass { border-left-color: #009E73; } details.check.status-warn { border-left-color: #E69F00; } details.check.status-fail { border-left-color: #D55E00; } details.check.status-skip { border-left-color: #999; }
details.check > summary { cursor: pointer; color: #111; } details.check > summary .st { font-weight: 700; }
details.check div { color: #111; }
.swatch { display: inline-block; width: 1.1em; height: 1.1em; vertical-align: -0.2em; border: 1px solid #777; text-align: center; font-size: .75em; font-weight: 700; line-height: 1.1em; }
.notes li { font-style: italic; }
@media print { details.check { break-inside: avoid; } }
`;

function statusSpan(status: string): string {
  return `<span class="st status-${esc(status)}">${esc(WORD[status] ?? status)}</span>`;
}

function nodeSwatch(map: IpamMap, name: string | undefined): string {
  const node = map.nodes.find((x) => x.name === name);
  if (!node) return name === undefined ? '<span class="swatch" style="background:#9E9E9E" aria-hidden="true"></span> no affinity' : esc(name);
  return `<span class="swatch" style="background:${node.colour};color:${node.ink}" aria-hidden="true">${esc(node.letter)}</span> ${esc(node.name)}`;
}

function mapSection(map: IpamMap): string {
  const notes = map.notes.length > 0 ? `<ul class="notes">${map.notes.map((x) => `<li>Not drawn: ${esc(x)}</li>`).join('')}</ul>` : '';
  return `<section id="map"><h2>IPAM map</h2>
<p>Each cell is one block slot of the pool, in address order, row by row (the label is the row's first address). A claimed block has its node's colour and letter; the dark bar is the share of its addresses in use. Calico gives each node its first block by a per-host walk over the pool, so the blocks are not in order. Hover a cell for its CIDR, node and usage.</p>
${notes}<figure>${renderSvg(map)}<figcaption>${esc(describeMap(map))}</figcaption></figure></section>`;
}

function problemsSection(map: IpamMap): string {
  if (map.problems.length === 0) return '<section id="problems"><h2>Findings on the map</h2><p>No check failed or warned: nothing is marked.</p></section>';
  const where = (p: IpamMap['problems'][number]): string => {
    const parts = [...p.blocks.map((c) => `block <code>${esc(c)}</code>`), ...p.nodes.map((x) => `node ${esc(x)}`), ...p.pools.map((c) => `pool <code>${esc(c)}</code>`)];
    return parts.length > 0 ? parts.slice(0, 6).join(', ') + (parts.length > 6 ? ', …' : '') : '<em>not on the map</em>';
  };
  const rows = map.problems.map((p) => `<tr class="status-${p.status}"><td>${statusSpan(p.status)}</td><td>${where(p)}</td><td><code>${esc(p.check)}${p.rule ? ` / ${esc(p.rule)}` : ''}</code></td><td>${esc(p.message)}</td></tr>`);
  return `<section id="problems"><h2>Findings on the map</h2><table><thead><tr><th>mark</th><th>where</th><th>check</th><th>finding</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function borrowedSection(map: IpamMap): string {
  if (map.borrowed.length === 0) return '';
  const rows = map.borrowed.map((b) => `<tr><td class="mono">${esc(b.ip)}</td><td>${nodeSwatch(map, b.node)}</td><td class="mono">${esc(b.block)}</td><td>${nodeSwatch(map, b.blockNode)}</td></tr>`);
  return `<section id="borrowed"><h2>Borrowed IPs</h2><p>A node whose blocks were full took an address from another node's block (routing then relies on a more specific route).</p><table><thead><tr><th>IP</th><th>used by</th><th>block</th><th>block's node</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const MAX_TABLE_ROWS = 2000;

function blocksSection(map: IpamMap): string {
  if (!map.blocksRead) return '<section id="blocks"><h2>Blocks</h2><p>The IPAMBlocks were not read, so no block can be listed.</p></section>';
  const all: { b: MapBlock; pool: string }[] = [...map.pools.flatMap((p) => p.blocks.map((b) => ({ b, pool: p.cidr }))), ...map.outside.map((b) => ({ b, pool: 'outside every pool' }))];
  const rows = all.slice(0, MAX_TABLE_ROWS).map(({ b, pool }) => {
    const marks = [...new Set(b.marks.map((m) => `${m.status === 'fail' ? '✖' : '⚠'} ${m.check}`))];
    if (b.borrowed.length > 0) marks.push(`◯ ${b.borrowed.length} borrowed`);
    return `<tr data-cidr="${esc(b.cidr)}"><td class="mono">${esc(b.cidr)}</td><td>${nodeSwatch(map, b.node)}</td><td class="num">${b.used}/${b.capacity}</td><td class="mono">${esc(pool)}</td><td>${esc(marks.join(', '))}</td></tr>`;
  });
  const more = all.length > MAX_TABLE_ROWS ? `<p>… ${all.length - MAX_TABLE_ROWS} more blocks (see <code>lab verify --json</code>).</p>` : '';
  const legend = map.nodes.map((x) => `<li>${nodeSwatch(map, x.name)}${x.role ? ` (${esc(x.role)})` : ''}: ${x.blocks} block${x.blocks === 1 ? '' : 's'}, ${x.used}/${x.capacity} used${x.marks.map((m) => ` — ${statusSpan(m.status)} ${esc(m.message)}`).join('')}</li>`);
  return `<section id="blocks"><h2>Blocks (the map as a table)</h2><ul>${legend.join('')}</ul><table><thead><tr><th>block</th><th>node</th><th>in use</th><th>pool</th><th>marks</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}</section>`;
}

function list(title: string, items: readonly string[]): string {
  return items.length > 0 ? `<p>${title}</p><ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '';
}

function checkBlock(r: CheckResult): string {
  const check = CHECKS.find((c) => c.id === r.id);
  const problems = Array.isArray(r.evidence['problems']) ? (r.evidence['problems'] as unknown[]).map(String) : [];
  const warnings = Array.isArray(r.evidence['warnings']) ? (r.evidence['warnings'] as unknown[]).map(String) : [];
  const rules = rulesOf(r);
  const ruleTable = rules.length > 0
    ? `<table><thead><tr><th>rule</th><th>result</th><th>reads</th><th>why</th></tr></thead><tbody>${rules.map((x) => `<tr><td><code>${esc(x.id)}</code>${x.title ? ` ${esc(x.title)}` : ''}</td><td>${statusSpan(x.status)}</td><td>${esc((x.inputs ?? []).join(', '))}</td><td>${esc(x.reason ?? '')}</td></tr>`).join('')}</tbody></table><p>${rules.filter((x) => x.status === 'pass' || x.status === 'warn' || x.status === 'fail').length} of ${rules.length} rules ran.</p>`
    : '';
  const parts = [
    `<p><strong>${esc(r.title)}</strong></p>`,
    list('Failing:', problems),
    list('Warnings:', warnings),
    r.status === 'skip' && r.reason ? `<p>Skipped: ${esc(r.reason)}</p>` : '',
    (r.status === 'fail' || r.status === 'warn') && r.hint ? `<p>Try: ${esc(r.hint)}</p>` : '',
    ruleTable,
    check ? `<p>${esc(check.explain)}</p><p>To see it yourself: ${check.commands.map((c) => `<code>${esc(c)}</code>`).join(' · ')}</p>` : '',
  ];
  return `<details class="check status-${r.status}" id="check-${esc(r.id)}"${r.status === 'pass' ? '' : ' open'}><summary>${statusSpan(r.status)} <code>${esc(r.id)}</code> — ${esc(r.summary)}</summary><div>${parts.join('')}</div></details>`;
}

function checklistSection(report: HtmlReport): string {
  const ran = new Set(report.checks.map((c) => c.id));
  const notRun = CHECK_IDS.filter((id) => !ran.has(id));
  const missing = Object.entries(report.missingInputs ?? {});
  return `<section id="checklist"><h2>Checklist</h2>${report.checks.map(checkBlock).join('\n')}
${notRun.length > 0 ? `<p>Not run (not selected with <code>--check</code>): ${notRun.map((id) => `<code>${id}</code>`).join(', ')}</p>` : ''}
${missing.length > 0 ? `<h2>Inputs that were missing</h2><ul>${missing.map(([k, v]) => `<li><code>${esc(k)}</code>: ${esc(v)}</li>`).join('')}</ul>` : ''}</section>`;
}

export function renderHtml(report: HtmlReport, map: IpamMap, o: { generatedAt?: string; version?: string } = {}): string {
  const t = report.totals;
  const meta = [`${t.pass} passed, ${t.warn} warning${t.warn === 1 ? '' : 's'}, ${t.fail} failed, ${t.skip} skipped`, report.source === 'live' ? 'read from the live lab' : `read from ${report.source}`, ...(o.generatedAt ? [`written ${o.generatedAt}`] : []), ...(o.version ? [`lab ${o.version}`] : [])];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`lab verify — ${report.lab.name}: ${VERDICT[report.status]}`)}</title><style>${CSS}</style></head>
<body><header><h1>lab verify — ${esc(report.lab.name)}</h1><p><span class="verdict status-${report.status}" role="status">${esc(VERDICT[report.status])}</span></p><p class="meta">${meta.map(esc).join(' · ')}</p></header>
<main>${mapSection(map)}
${problemsSection(map)}
${borrowedSection(map)}
${checklistSection(report)}
${blocksSection(map)}</main></body></html>
`;
}
