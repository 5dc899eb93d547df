/**
 * The IPAM map as one SVG document (standalone for `--svg`, inline in the HTML report): per pool a
 * grid of its block slots in address order (row labels = the row's first address), each claimed
 * block filled with its node's colour and letter, a dark bar at the bottom for the share of its
 * addresses in use, marks for failing (vermillion triangle) and warning (hollow triangle) findings
 * and borrowed IPs (circle), a strip for blocks outside every pool, and the legend. Every cell has a
 * <title> (the tooltip: CIDR, node, usage, marks) and data-* attributes; the whole has <title>/<desc>.
 */
import { formatV4 } from '../../calico/cidr.js';
import { cellView, layoutGrid, n, type CellView, type Grid } from './grid.js';
import { MAX_CELLS, type IpamMap, type MapNode, type MapPool } from './model.js';
import { FREE, FREE_STROKE, INK, PROBLEM, UNKNOWN } from './palette.js';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PAD = 16;
const LABEL_W = 112;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

function cellSizeFor(columns: number): number {
  return Math.max(8, Math.min(24, Math.floor(768 / columns)));
}

function defs(map: IpamMap): string {
  const pats = new Set(map.nodes.map((x) => x.pattern).filter((p) => p > 0));
  const paths: Record<number, string> = { 1: 'M0,6 L6,0', 2: 'M0,3 L6,3', 3: 'M3,0 L3,6', 4: 'M0,0 L6,6' };
  return [
    '<defs>',
    '<pattern id="ipam-pat-unowned" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#9E9E9E"/><path d="M0,6 L6,0" stroke="#FFFFFF" stroke-width="1.5"/></pattern>',
    '<pattern id="ipam-pat-mixed" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#BDBDBD"/><path d="M0,6 L6,0 M0,0 L6,6" stroke="#000000" stroke-opacity="0.6"/></pattern>',
    '<pattern id="ipam-pat-unknown" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#FFFFFF"/><circle cx="3" cy="3" r="0.9" fill="#9E9E9E"/></pattern>',
    ...[...pats].map((p) => `<pattern id="ipam-pat-${p}" patternUnits="userSpaceOnUse" width="6" height="6"><path d="${paths[((p - 1) % 4) + 1]}" stroke="#000000" stroke-opacity="0.45" stroke-width="1.2"/></pattern>`),
    '</defs>',
  ].join('');
}

function fillOf(v: CellView): string {
  switch (v.state) {
    case 'free': return FREE;
    case 'unknown': return 'url(#ipam-pat-unknown)';
    case 'mixed': return 'url(#ipam-pat-mixed)';
    case 'unowned': return 'url(#ipam-pat-unowned)';
    case 'node': return v.node!.colour;
  }
}

/** One cell: a free slot is a bare rect; anything else a group with fill, pattern, letter, usage bar and marks. */
export function drawCell(x: number, y: number, c: number, cidr: string, v: CellView, attrs = ''): string {
  const title = `<title>${esc(v.label)}</title>`;
  const data = `data-cidr="${esc(cidr)}" data-state="${v.state}"${attrs}`;
  if (v.state === 'free' || v.state === 'unknown') {
    return `<rect class="cell" ${data} x="${x}" y="${y}" width="${c - 1}" height="${c - 1}" fill="${fillOf(v)}" stroke="${FREE_STROKE}" stroke-width="0.5">${title}</rect>`;
  }
  const s = c - 1;
  const parts: string[] = [`<rect class="fill" x="${x}" y="${y}" width="${s}" height="${s}" fill="${fillOf(v)}"${v.node ? ` data-node="${esc(v.node.name)}"` : ''}/>`];
  if (v.node && v.node.pattern > 0) parts.push(`<rect x="${x}" y="${y}" width="${s}" height="${s}" fill="url(#ipam-pat-${v.node.pattern})"/>`);
  if (v.used > 0 && v.capacity > 0) {
    const h = Math.max(3, Math.round((v.used / v.capacity) * (s - 2)));
    parts.push(`<rect class="usage" x="${x}" y="${y + s - h}" width="${s}" height="${h}" fill="#000000" fill-opacity="0.55"/>`);
  }
  if (v.node && c >= 14) parts.push(`<text x="${x + s / 2}" y="${y + s * 0.62}" text-anchor="middle" font-size="${Math.round(c * 0.5)}" font-weight="700" fill="${v.node.ink}">${esc(v.node.letter)}</text>`);
  if (v.mark) {
    const t = Math.max(4, Math.round(s * 0.45));
    parts.push(`<rect x="${x + 0.75}" y="${y + 0.75}" width="${s - 1.5}" height="${s - 1.5}" fill="none" stroke="${INK}" stroke-width="1.5"${v.mark === 'warn' ? ' stroke-dasharray="2 1.5"' : ''}/>`);
    parts.push(`<path data-mark="${v.mark}" d="M${x + s - t},${y} L${x + s},${y} L${x + s},${y + t} Z" fill="${v.mark === 'fail' ? PROBLEM : '#FFFFFF'}" stroke="${INK}" stroke-width="1"/>`);
  }
  if (v.borrowed.length > 0) parts.push(`<circle data-mark="borrowed" cx="${x + s * 0.24}" cy="${y + s * 0.24}" r="${Math.max(2, s * 0.16)}" fill="#FFFFFF" stroke="${INK}" stroke-width="1"/>`);
  const node = v.node ? ` data-node="${esc(v.node.name)}"` : '';
  const marks = [v.mark, v.borrowed.length > 0 ? 'borrowed' : undefined].filter(Boolean).join(' ');
  return `<g class="cell" ${data}${node} data-used="${v.used}" data-capacity="${v.capacity}"${marks ? ` data-marks="${marks}"` : ''}>${title}${parts.join('')}</g>`;
}

function poolHeading(pool: MapPool, grid: Grid, map: IpamMap): string[] {
  const claimed = pool.blocks.length;
  const perRow = grid.columns * grid.slotsPerCell;
  const lines = [`Pool ${pool.cidr}${pool.name ? ` (${pool.name})` : ''}: ${n(grid.slots)} block${grid.slots === 1 ? '' : 's'} of /${pool.blockSize}, ${map.blocksRead ? `${n(claimed)} claimed` : 'blocks unknown'} · a row is ${n(perRow)} block${perRow === 1 ? '' : 's'} (${n(perRow * 2 ** (32 - pool.blockSize))} addresses)`];
  if (grid.aggregated) lines.push(`Aggregated: more than ${n(MAX_CELLS)} blocks, so each cell is a /${grid.cellPrefix} (${n(grid.slotsPerCell)} block slots)`);
  return lines;
}

function drawPool(pool: MapPool, map: IpamMap, top: number): { svg: string; height: number; width: number } {
  const grid = layoutGrid(pool, MAX_CELLS);
  const c = cellSizeFor(grid.columns);
  const out: string[] = [];
  const heading = poolHeading(pool, grid, map);
  heading.forEach((line, i) => out.push(`<text x="${PAD}" y="${top + 14 + i * 16}" font-size="${i === 0 ? 13 : 12}"${i === 0 ? ' font-weight="600"' : ' font-style="italic"'}>${esc(line)}</text>`));
  if (pool.marks.length > 0) out.push(`<text data-mark="pool" x="${PAD}" y="${top + 14 + heading.length * 16}" font-size="12" fill="${PROBLEM}" font-weight="600">${esc(`✖ ${pool.marks.length} finding${pool.marks.length === 1 ? '' : 's'} about the whole pool: ${pool.marks[0]!.message}`.slice(0, 140))}</text>`);
  const gy = top + 8 + (heading.length + (pool.marks.length > 0 ? 1 : 0)) * 16;
  const every = c >= 12 ? 1 : Math.ceil(12 / c);
  out.push(`<g class="pool" data-pool="${esc(pool.cidr)}" data-aggregated="${grid.aggregated}" data-columns="${grid.columns}" data-cells="${grid.cells.length}">`);
  for (let r = 0; r < grid.rows; r++) {
    if (r % every !== 0) continue;
    out.push(`<text x="${PAD + LABEL_W - 6}" y="${gy + r * c + c * 0.7}" font-size="${Math.min(11, c * every - 1)}" text-anchor="end" fill="#444444" font-family="ui-monospace, 'DejaVu Sans Mono', monospace">${formatV4(grid.cells[r * grid.columns]!.base)}</text>`);
  }
  for (const cell of grid.cells) {
    const x = PAD + LABEL_W + (cell.index % grid.columns) * c;
    const y = gy + Math.floor(cell.index / grid.columns) * c;
    out.push(drawCell(x, y, c, cell.cidr, cellView(cell, map, grid)));
  }
  out.push('</g>');
  return { svg: out.join(''), height: gy - top + grid.rows * c + 12, width: PAD + LABEL_W + grid.columns * c + PAD };
}

function drawOutside(map: IpamMap, top: number): { svg: string; height: number } {
  if (map.outside.length === 0) return { svg: '', height: 0 };
  const c = 20;
  const shown = map.outside.slice(0, 24);
  const out = [`<text x="${PAD}" y="${top + 14}" font-size="13" font-weight="600">${esc(`Blocks outside every pool: ${map.outside.length}`)}</text>`, '<g class="outside">'];
  shown.forEach((b, i) => {
    const y = top + 24 + i * (c + 4);
    out.push(drawCell(PAD, y, c, b.cidr, cellView({ cidr: b.cidr, blocks: [b] }, map), ' data-outside="true"'));
    out.push(`<text x="${PAD + c + 8}" y="${y + c * 0.7}" font-size="12">${esc(`${b.cidr} → ${b.node ?? 'no affinity'}, ${b.used}/${b.capacity} used`)}</text>`);
  });
  out.push('</g>');
  if (map.outside.length > shown.length) out.push(`<text x="${PAD}" y="${top + 24 + shown.length * (c + 4) + 12}" font-size="12">… ${map.outside.length - shown.length} more (see the table)</text>`);
  return { svg: out.join(''), height: 24 + shown.length * (c + 4) + (map.outside.length > shown.length ? 20 : 4) };
}

function legendNode(x: number, y: number, node: MapNode, map: IpamMap): string {
  const v: CellView = { state: 'node', node, used: 0, capacity: 0, marks: node.marks, mark: undefined, borrowed: [], label: node.name };
  const mark = node.marks.length > 0 ? ` — ✖ ${node.marks[0]!.message}` : '';
  const what = !map.blocksRead ? 'blocks unknown' : `${node.blocks} block${node.blocks === 1 ? '' : 's'}, ${node.used}/${node.capacity} addresses used`;
  const text = `${node.letter}  ${node.name}${node.role ? ` (${node.role})` : node.inLab ? '' : ' (not in the lab)'}: ${what}${mark}`;
  return `<g class="legend-node" data-node="${esc(node.name)}" data-colour="${node.colour}"${node.marks.length > 0 ? ' data-marks="fail"' : ''}>${drawCell(x, y, 20, node.name, v, ' data-legend="true"')}<text x="${x + 28}" y="${y + 14}" font-size="12"${node.marks.length > 0 ? ` fill="${PROBLEM}" font-weight="600"` : ''}>${esc(text.slice(0, 160))}</text></g>`;
}

function drawLegend(map: IpamMap, top: number): { svg: string; height: number } {
  const out = [`<text x="${PAD}" y="${top + 14}" font-size="13" font-weight="600">Legend</text>`, '<g class="legend">'];
  let y = top + 24;
  for (const node of map.nodes) {
    out.push(legendNode(PAD, y, node, map));
    y += 24;
  }
  const sym = (draw: string, text: string): void => {
    out.push(`${draw}<text x="${PAD + 28}" y="${y + 14}" font-size="12">${esc(text)}</text>`);
    y += 24;
  };
  const box = (fill: string): string => `<rect x="${PAD}" y="${y}" width="19" height="19" fill="${fill}" stroke="${FREE_STROKE}" stroke-width="0.5"/>`;
  sym(box(FREE), 'free: no block claimed in this slot');
  sym(`${box(FREE)}<rect x="${PAD}" y="${y + 11}" width="19" height="8" fill="#000000" fill-opacity="0.55"/>`, 'dark bar: share of the block\'s addresses in use (exact numbers in the tooltip)');
  if (map.pools.some((p) => p.blocks.some((b) => b.node === undefined)) || map.outside.some((b) => b.node === undefined)) sym(box('url(#ipam-pat-unowned)'), 'block with no host affinity');
  if (map.pools.some((p) => layoutGrid(p, MAX_CELLS).cells.some((c) => new Set(c.blocks.map((b) => b.node)).size > 1))) sym(box('url(#ipam-pat-mixed)'), 'blocks of several nodes in one cell (aggregated or overlapping)');
  if (!map.blocksRead) sym(box('url(#ipam-pat-unknown)'), 'unknown: the IPAMBlocks were not read');
  sym(`${box(UNKNOWN)}<path d="M${PAD + 10},${y} L${PAD + 19},${y} L${PAD + 19},${y + 9} Z" fill="${PROBLEM}" stroke="${INK}"/>`, 'failing check names this block');
  sym(`${box(UNKNOWN)}<path d="M${PAD + 10},${y} L${PAD + 19},${y} L${PAD + 19},${y + 9} Z" fill="#FFFFFF" stroke="${INK}"/>`, 'warning names this block');
  sym(`${box(UNKNOWN)}<circle cx="${PAD + 5}" cy="${y + 5}" r="3" fill="#FFFFFF" stroke="${INK}"/>`, 'an IP of this block is borrowed by another node');
  out.push('</g>');
  return { svg: out.join(''), height: y - top + 4 };
}

/** A one-paragraph text alternative for the whole picture. */
export function describeMap(map: IpamMap): string {
  const parts = map.pools.map((p) => `Pool ${p.cidr}: ${n(2 ** (p.blockSize - p.prefix))} slots of /${p.blockSize}, ${map.blocksRead ? `${p.blocks.length} blocks claimed` : 'blocks unknown'}`);
  const nodes = map.nodes.map((x) => `${x.letter} = ${x.name}: ${x.blocks} block${x.blocks === 1 ? '' : 's'}${x.blocks > 0 ? ` (${map.pools.flatMap((p) => p.blocks).concat(map.outside).filter((b) => b.node === x.name).slice(0, 4).map((b) => b.cidr).join(', ')})` : ''}`);
  const marked = map.problems.filter((p) => p.blocks.length + p.nodes.length + p.pools.length > 0).length;
  return `${parts.join('. ')}. ${nodes.join('; ')}. ${marked} finding${marked === 1 ? '' : 's'} marked on the map, ${map.borrowed.length} borrowed IP${map.borrowed.length === 1 ? '' : 's'}.${map.notes.length > 0 ? ` ${map.notes.join(' ')}` : ''}`;
}

export function renderSvg(map: IpamMap, o: { standalone?: boolean } = {}): string {
  const body: string[] = [];
  let y = PAD + 4;
  let width = 720;
  body.push(`<text x="${PAD}" y="${y + 14}" font-size="17" font-weight="700">${esc(`IPAM map — ${map.lab}`)}</text>`);
  y += 28;
  for (const note of map.notes) {
    body.push(`<text class="note" x="${PAD}" y="${y + 12}" font-size="12" font-style="italic">${esc(`Not drawn: ${note}`.slice(0, 180))}</text>`);
    y += 16;
  }
  for (const pool of map.pools) {
    const p = drawPool(pool, map, y);
    body.push(p.svg);
    y += p.height;
    width = Math.max(width, p.width);
  }
  const outside = drawOutside(map, y);
  body.push(outside.svg);
  y += outside.height;
  const legend = drawLegend(map, y);
  body.push(legend.svg);
  y += legend.height + PAD;
  const head = o.standalone ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '';
  return `${head}<svg xmlns="http://www.w3.org/2000/svg" class="ipam-map" role="img" aria-labelledby="ipam-title ipam-desc" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="${esc(FONT)}"><title id="ipam-title">${esc(`IPAM map of ${map.lab}: which node owns which block of the pool`)}</title><desc id="ipam-desc">${esc(describeMap(map))}</desc>${defs(map)}<rect width="${width}" height="${y}" fill="#FFFFFF"/>${body.join('')}</svg>\n`;
}
