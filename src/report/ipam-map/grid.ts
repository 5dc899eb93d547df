/**
 * A pool laid out as a grid of cells in address order, row by row. A cell is one block slot of the
 * pool (a /16 with /26 blocks: 1,024 cells, 32 × 32) or, when the pool has more slots than
 * `maxCells`, a run of 2^k slots (aggregated). Only the cells are walked, never every slot, so a /8
 * costs the same as a /16. `cellView` says what a cell shows: free, unknown, one node's block(s),
 * several nodes (aggregated or overlapping), or blocks without an affinity.
 */
import { formatV4 } from '../../calico/cidr.js';
import { worst, type BorrowedIp, type IpamMap, type MapBlock, type MapNode, type MapPool, type Mark } from './model.js';

export interface GridCell {
  index: number;
  cidr: string;
  base: number;
  blocks: MapBlock[];
}

export interface Grid {
  pool: MapPool;
  /** Block slots in the pool. */
  slots: number;
  cellPrefix: number;
  cellSize: number;
  slotsPerCell: number;
  aggregated: boolean;
  columns: number;
  rows: number;
  cells: GridCell[];
}

export function layoutGrid(pool: MapPool, maxCells: number): Grid {
  const slotBits = pool.blockSize - pool.prefix;
  const cellBits = Math.min(slotBits, Math.floor(Math.log2(Math.max(1, maxCells))));
  const cellPrefix = pool.prefix + cellBits;
  const cellSize = 2 ** (32 - cellPrefix);
  const count = 2 ** cellBits;
  const columns = 2 ** Math.ceil(cellBits / 2);
  const cells: GridCell[] = Array.from({ length: count }, (_, i) => {
    const base = pool.base + i * cellSize;
    return { index: i, cidr: `${formatV4(base)}/${cellPrefix}`, base, blocks: [] };
  });
  for (const b of pool.blocks) {
    const start = Math.max(b.base, pool.base);
    const end = Math.min(b.base + b.size, pool.base + pool.size);
    if (end <= start) continue;
    const first = Math.floor((start - pool.base) / cellSize);
    const last = Math.floor((end - 1 - pool.base) / cellSize);
    for (let i = first; i <= last; i++) cells[i]!.blocks.push(b);
  }
  return { pool, slots: 2 ** slotBits, cellPrefix, cellSize, slotsPerCell: 2 ** (slotBits - cellBits), aggregated: cellBits < slotBits, columns, rows: count / columns, cells };
}

export type CellState = 'free' | 'unknown' | 'node' | 'mixed' | 'unowned';

export interface CellView {
  state: CellState;
  node: MapNode | undefined;
  used: number;
  capacity: number;
  marks: Mark[];
  mark: 'fail' | 'warn' | undefined;
  borrowed: BorrowedIp[];
  /** The tooltip / accessible text. */
  label: string;
}

export function cellView(cell: { cidr: string; blocks: readonly MapBlock[] }, map: IpamMap, grid?: Grid): CellView {
  const blocks = cell.blocks;
  const used = blocks.reduce((s, b) => s + b.used, 0);
  const capacity = blocks.reduce((s, b) => s + b.capacity, 0);
  const marks = blocks.flatMap((b) => b.marks).filter((m, i, all) => all.indexOf(m) === i);
  const borrowed = blocks.flatMap((b) => b.borrowed);
  const nodeNames = [...new Set(blocks.map((b) => b.node))];
  const state: CellState = !map.blocksRead ? 'unknown' : blocks.length === 0 ? 'free' : nodeNames.length > 1 ? 'mixed' : nodeNames[0] === undefined ? 'unowned' : 'node';
  const node = state === 'node' ? map.nodes.find((n) => n.name === nodeNames[0]) : undefined;
  const slots = grid?.aggregated ? ` (${grid.slotsPerCell} block slots)` : '';
  let label: string;
  if (state === 'unknown') label = `${cell.cidr}${slots}: unknown — the IPAMBlocks were not read`;
  else if (state === 'free') label = `${cell.cidr}${slots}: free — no block claimed`;
  else {
    const list = blocks.slice(0, 6).map((b) => `${b.cidr} → ${b.node ?? 'no affinity'}, ${b.used}/${b.capacity} used`);
    if (blocks.length > 6) list.push(`… ${blocks.length - 6} more blocks`);
    label = grid?.aggregated || blocks.length > 1 || blocks[0]!.cidr !== cell.cidr ? `${cell.cidr}${slots}: ${list.join('; ')}` : list[0]!;
  }
  if (borrowed.length > 0) label += `; borrowed: ${borrowed.slice(0, 4).map((x) => `${x.ip} → ${x.node}`).join(', ')}${borrowed.length > 4 ? ` (+${borrowed.length - 4})` : ''}`;
  if (marks.length > 0) label += `; ${marks.slice(0, 3).map((m) => `${m.status === 'fail' ? '✖' : '⚠'} ${m.check}: ${m.message}`).join('; ')}${marks.length > 3 ? ` (+${marks.length - 3} more)` : ''}`;
  return { state, node, used, capacity, marks, mark: worst(marks), borrowed, label };
}

/** Thousands separators, for counts in text. */
export function n(value: number): string {
  return value.toLocaleString('en-US');
}
