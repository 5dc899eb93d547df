/**
 * The IPAM map as plain text, for the GitHub step summary (which renders no inline SVG): one
 * character per block slot in address order (a node's letter, `.` free, marks for problems), at most
 * 1,024 characters per pool (larger pools are aggregated further), the legend and the marked findings.
 */
import { formatV4 } from '../../calico/cidr.js';
import { cellView, layoutGrid, n, type CellView } from './grid.js';
import type { IpamMap } from './model.js';

export const TEXT_MAX_CELLS = 1024;

function charOf(v: CellView): string {
  if (v.mark === 'fail') return '!';
  if (v.borrowed.length > 0) return '*';
  if (v.mark === 'warn') return '~';
  switch (v.state) {
    case 'free': return '.';
    case 'unknown': return '?';
    case 'mixed': return '+';
    case 'unowned': return '-';
    case 'node': return v.node!.letter.length === 1 ? v.node!.letter : '#';
  }
}

export function renderSummaryText(map: IpamMap): string {
  const lines: string[] = [`IPAM map of ${map.lab} — one character per block slot, in address order`];
  for (const note of map.notes) lines.push(`(not drawn: ${note})`);
  for (const pool of map.pools) {
    const grid = layoutGrid(pool, TEXT_MAX_CELLS);
    lines.push('', `Pool ${pool.cidr}${pool.name ? ` (${pool.name})` : ''}: ${n(grid.slots)} blocks of /${pool.blockSize}, ${map.blocksRead ? `${n(pool.blocks.length)} claimed` : 'blocks unknown'}${grid.aggregated ? ` — aggregated: one character per /${grid.cellPrefix} (${n(grid.slotsPerCell)} blocks)` : ''}`);
    for (const m of pool.marks) lines.push(`  ${m.status === 'fail' ? '!' : '~'} whole pool — ${m.check}: ${m.message}`);
    for (let r = 0; r < grid.rows; r++) {
      const row = grid.cells.slice(r * grid.columns, (r + 1) * grid.columns);
      lines.push(`${formatV4(row[0]!.base).padEnd(16)}${row.map((c) => charOf(cellView(c, map, grid))).join('')}`);
    }
  }
  if (map.outside.length > 0) {
    lines.push('', `Blocks outside every pool: ${map.outside.length}`);
    for (const b of map.outside.slice(0, 10)) lines.push(`${charOf(cellView({ cidr: b.cidr, blocks: [b] }, map))} ${b.cidr} → ${b.node ?? 'no affinity'} (${b.used}/${b.capacity})`);
  }
  lines.push('');
  for (const x of map.nodes) {
    const blocks = [...map.pools.flatMap((p) => p.blocks), ...map.outside].filter((b) => b.node === x.name);
    const where = blocks.slice(0, 4).map((b) => b.cidr).join(', ') + (blocks.length > 4 ? ', …' : '');
    lines.push(`${x.letter.length === 1 ? x.letter : '#'} ${x.letter.length === 1 ? '' : `(${x.letter}) `}${x.name}: ${map.blocksRead ? `${x.blocks} block${x.blocks === 1 ? '' : 's'}, ${x.used}/${x.capacity} used${where ? ` — ${where}` : ''}` : 'blocks unknown'}${x.marks.length > 0 ? ` ! ${x.marks[0]!.message}` : ''}`);
  }
  lines.push('. free   ! failing check   ~ warning   * borrowed IP   + several nodes   - no affinity   ? unknown');
  const marked = map.problems.filter((p) => p.blocks.length > 0);
  if (marked.length > 0) {
    lines.push('', 'Marked on the map:');
    for (const p of marked.slice(0, 20)) lines.push(`${p.status === 'fail' ? '!' : '~'} ${p.blocks.slice(0, 3).join(', ')} — ${p.check}${p.rule ? `/${p.rule}` : ''}: ${p.message}`);
    if (marked.length > 20) lines.push(`… ${marked.length - 20} more`);
  }
  return `${lines.join('\n')}\n`;
}
