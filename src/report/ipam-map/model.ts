/**
 * The IPAM map model: what `lab verify --html/--svg` draws, built by a pure function from the lab, the
 * inputs verify read and the check results. The pool(s) with their blocks in address order, each
 * block's node, usage and borrowed IPs, the problems the checks reported mapped onto the blocks (or
 * nodes, or the pool) they name, and notes saying what could not be drawn and why.
 * Renderers (svg.ts, html.ts, text.ts) only format this model.
 */
import { contains, formatV4, overlaps, parseV4, parseV4Cidr, RangeIndex, type V4Cidr } from '../../calico/cidr.js';
import type { VerifyInputs } from '../../calico/inputs.js';
import type { VerifyLab } from '../../calico/lab.js';
import { blockInfo } from '../../calico/model.js';
import type { CheckResult } from '../../calico/types.js';
import { findingsOf, refsIn, type Finding } from './findings.js';
import { nodeStyle } from './palette.js';

export type MarkStatus = 'fail' | 'warn';

export interface Mark {
  status: MarkStatus;
  check: string;
  rule?: string;
  message: string;
}

export interface BorrowedIp {
  ip: string;
  /** The node the IP was handed to. */
  node: string;
  /** The block it came from and that block's node. */
  block: string;
  blockNode: string | undefined;
}

export interface MapBlock {
  name: string;
  cidr: string;
  base: number;
  size: number;
  prefix: number;
  node: string | undefined;
  affinity: string | undefined;
  used: number;
  capacity: number;
  borrowed: BorrowedIp[];
  marks: Mark[];
}

export interface MapPool {
  name: string | undefined;
  cidr: string;
  base: number;
  size: number;
  prefix: number;
  blockSize: number;
  /** The lab's own pool (the Installation's), as opposed to another IPPool found in the cluster. */
  isLabPool: boolean;
  blocks: MapBlock[];
  /** Problems that name the whole pool. */
  marks: Mark[];
}

export interface MapNode {
  name: string;
  role: string | undefined;
  /** In the lab's topology (else only seen as a block affinity). */
  inLab: boolean;
  letter: string;
  colour: string;
  /** Text colour that reads on `colour`. */
  ink: string;
  /** 0: plain fill; 1, 2…: an extra pattern once the palette is used up. */
  pattern: number;
  blocks: number;
  used: number;
  capacity: number;
  marks: Mark[];
}

export interface MapProblem extends Mark {
  /** Where it is drawn: block CIDRs, node names, pool CIDRs; all empty = not on the map. */
  blocks: string[];
  nodes: string[];
  pools: string[];
}

export interface IpamMap {
  lab: string;
  pools: MapPool[];
  /** Blocks inside no pool. */
  outside: MapBlock[];
  nodes: MapNode[];
  problems: MapProblem[];
  borrowed: BorrowedIp[];
  /** False when the IPAMBlocks could not be read: the cells are unknown, not free. */
  blocksRead: boolean;
  /** What could not be drawn, and why. */
  notes: string[];
}

/** Pools larger than this many blocks are drawn aggregated (several blocks per cell). */
export const MAX_CELLS = 4096;

export function buildIpamMap(lab: VerifyLab, inputs: VerifyInputs, results: readonly CheckResult[]): IpamMap {
  const notes: string[] = [];
  const pools = mapPools(lab, inputs, notes);
  const blocks = mapBlocks(inputs, notes);
  const borrowed = borrowedIps(blocks, inputs);
  const outside: MapBlock[] = [];
  for (const b of blocks) {
    const pool = pools.find((p) => b.base >= p.base && b.base + b.size <= p.base + p.size) ?? pools.find((p) => b.base < p.base + p.size && p.base < b.base + b.size);
    (pool ? pool.blocks : outside).push(b);
  }
  for (const p of pools) p.blocks.sort((a, b) => a.base - b.base || b.size - a.size);
  outside.sort((a, b) => a.base - b.base);
  const nodes = mapNodes(lab, blocks);
  const problems = placeFindings(findingsOf(results), { pools, blocks, nodes });
  return { lab: lab.name, pools, outside, nodes, problems, borrowed, blocksRead: inputs.ipamBlocks.ok, notes };
}

function mapPools(lab: VerifyLab, inputs: VerifyInputs, notes: string[]): MapPool[] {
  const labCidr = parseV4Cidr(lab.pool.cidr);
  const out: MapPool[] = [];
  const add = (name: string | undefined, c: V4Cidr, blockSize: number, isLabPool: boolean): void => {
    if (out.some((p) => p.cidr === c.text)) return;
    const bs = Math.min(32, Math.max(c.prefix, blockSize));
    out.push({ name, cidr: c.text, base: c.base, size: c.size, prefix: c.prefix, blockSize: bs, isLabPool, blocks: [], marks: [] });
  };
  if (inputs.ippools.ok) {
    const sorted = [...inputs.ippools.value].sort((a, b) => Number(parseV4Cidr(b.spec?.cidr)?.text === labCidr?.text) - Number(parseV4Cidr(a.spec?.cidr)?.text === labCidr?.text));
    for (const p of sorted) {
      const c = parseV4Cidr(p.spec?.cidr);
      if (!c) {
        if (p.spec?.cidr !== undefined && !p.spec.cidr.includes(':')) notes.push(`IPPool ${p.metadata.name}: cidr ${p.spec.cidr} is not an IPv4 CIDR — not drawn`);
        continue;
      }
      add(p.metadata.name, c, p.spec?.blockSize ?? lab.pool.blockSize, c.text === labCidr?.text);
    }
    if (labCidr && !out.some((p) => p.isLabPool)) {
      notes.push(`no IPPool has the lab's pool CIDR ${labCidr.text}: drawn from the lab's files (/${lab.pool.blockSize} blocks)`);
      out.unshift({ name: lab.pool.name, cidr: labCidr.text, base: labCidr.base, size: labCidr.size, prefix: labCidr.prefix, blockSize: Math.min(32, Math.max(labCidr.prefix, lab.pool.blockSize)), isLabPool: true, blocks: [], marks: [] });
    }
  } else {
    notes.push(`IPPools were not read (${inputs.ippools.reason}): the grid is the lab's pool from its files`);
    if (labCidr) add(lab.pool.name, labCidr, lab.pool.blockSize, true);
  }
  if (!labCidr) notes.push(`the lab's pool ${lab.pool.cidr} is not an IPv4 CIDR`);
  return out;
}

function mapBlocks(inputs: VerifyInputs, notes: string[]): MapBlock[] {
  if (!inputs.ipamBlocks.ok) {
    notes.push(`IPAMBlocks were not read (${inputs.ipamBlocks.reason}): which node owns which block is unknown, so the cells are drawn as unknown, not free`);
    return [];
  }
  const out: MapBlock[] = [];
  for (const obj of inputs.ipamBlocks.value) {
    const b = blockInfo(obj);
    if (!b.cidr) {
      if (!String(obj.spec?.cidr ?? '').includes(':')) notes.push(`IPAMBlock ${b.name}: cidr ${String(obj.spec?.cidr ?? 'unset')} is not an IPv4 CIDR — not drawn`);
      continue;
    }
    out.push({ name: b.name, cidr: b.cidr.text, base: b.cidr.base, size: b.cidr.size, prefix: b.cidr.prefix, node: b.node, affinity: b.affinity, used: b.inUse, capacity: b.capacity, borrowed: [], marks: [] });
  }
  return out;
}

/**
 * Borrowed IPs: an allocation whose attributes name another node than the block's affinity (what
 * `calicoctl ipam show --show-borrowed` lists), plus what the `calicoctl ipam check` report flags.
 */
function borrowedIps(blocks: MapBlock[], inputs: VerifyInputs): BorrowedIp[] {
  const byIp = new Map<string, BorrowedIp>();
  const objs = new Map((inputs.ipamBlocks.ok ? inputs.ipamBlocks.value : []).map((o) => [parseV4Cidr(o.spec?.cidr)?.text, o]));
  for (const b of blocks) {
    const spec = objs.get(b.cidr)?.spec;
    if (!spec || b.node === undefined) continue;
    (spec.allocations ?? []).forEach((idx, ordinal) => {
      if (idx === null || idx === undefined) return;
      const node = spec.attributes?.[idx]?.secondary?.['node'];
      if (node === undefined || node === b.node) return;
      const ip = formatV4(b.base + ordinal);
      byIp.set(ip, { ip, node, block: b.cidr, blockNode: b.node });
    });
  }
  if (inputs.ipamCheck.ok) {
    const index = new RangeIndex(blocks, (b) => ({ text: b.cidr, base: b.base, prefix: b.prefix, size: b.size }));
    for (const [ip, list] of Object.entries(inputs.ipamCheck.value.allocations)) {
      const a = list.find((x) => x.borrowed === true);
      const n = parseV4(ip);
      if (!a || n === undefined || byIp.has(ip)) continue;
      const block = index.find(n)[0];
      if (block) byIp.set(ip, { ip, node: a.node ?? 'another node', block: block.cidr, blockNode: block.node });
    }
  }
  const all = [...byIp.values()].sort((a, b) => (parseV4(a.ip) ?? 0) - (parseV4(b.ip) ?? 0));
  for (const x of all) blocks.find((b) => b.cidr === x.block)?.borrowed.push(x);
  return all;
}

function mapNodes(lab: VerifyLab, blocks: MapBlock[]): MapNode[] {
  const names = lab.nodes.map((n) => n.name);
  const extra = [...new Set(blocks.map((b) => b.node).filter((n): n is string => n !== undefined && !names.includes(n)))].sort();
  return [...names, ...extra].map((name, i) => {
    const mine = blocks.filter((b) => b.node === name);
    return {
      name,
      role: lab.nodes.find((n) => n.name === name)?.role,
      inLab: names.includes(name),
      ...nodeStyle(i),
      blocks: mine.length,
      used: mine.reduce((s, b) => s + b.used, 0),
      capacity: mine.reduce((s, b) => s + b.capacity, 0),
      marks: [],
    };
  });
}

/** Blocks that a finding's CIDR stands for; more than this many → it is about the pool, not blocks. */
const MAX_BLOCKS_PER_CIDR = 64;

function placeFindings(findings: readonly Finding[], m: { pools: MapPool[]; blocks: MapBlock[]; nodes: MapNode[] }): MapProblem[] {
  const index = new RangeIndex(m.blocks, (b) => ({ text: b.cidr, base: b.base, prefix: b.prefix, size: b.size }));
  return findings.map((f) => {
    const refs = refsIn(f.message, m.nodes.map((n) => n.name));
    const blocks = new Set<MapBlock>();
    const pools = new Set<MapPool>();
    for (const c of refs.cidrs) {
      const exact = m.blocks.filter((b) => b.cidr === c.text);
      const pool = m.pools.filter((p) => contains(c, { text: p.cidr, base: p.base, prefix: p.prefix, size: p.size }));
      const near = m.blocks.filter((b) => overlaps(c, { text: b.cidr, base: b.base, prefix: b.prefix, size: b.size }));
      if (exact.length > 0) exact.forEach((b) => blocks.add(b));
      else if (pool.length > 0) pool.forEach((p) => pools.add(p));
      else if (near.length > 0 && near.length <= MAX_BLOCKS_PER_CIDR) near.forEach((b) => blocks.add(b));
      else m.pools.filter((p) => overlaps(c, { text: p.cidr, base: p.base, prefix: p.prefix, size: p.size })).forEach((p) => pools.add(p));
    }
    for (const ip of refs.ips) for (const b of index.find(ip)) blocks.add(b);
    for (const p of m.pools) if (p.name !== undefined && new RegExp(`(^|[^\\w-])${p.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(f.message)) pools.add(p);
    const mark: Mark = { status: f.status, check: f.check, ...(f.rule !== undefined ? { rule: f.rule } : {}), message: f.message };
    for (const b of blocks) b.marks.push(mark);
    for (const p of pools) p.marks.push(mark);
    // A finding that names no block is drawn on the node it names (e.g. a node without a block).
    const nodes = blocks.size === 0 ? m.nodes.filter((n) => refs.nodes.includes(n.name)) : [];
    for (const n of nodes) n.marks.push(mark);
    return { ...mark, blocks: [...blocks].map((b) => b.cidr), nodes: nodes.map((n) => n.name), pools: [...pools].map((p) => p.cidr) };
  });
}

/** The worst mark status among marks, or undefined. */
export function worst(marks: readonly Mark[]): MarkStatus | undefined {
  return marks.some((k) => k.status === 'fail') ? 'fail' : marks.length > 0 ? 'warn' : undefined;
}
