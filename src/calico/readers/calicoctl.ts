/**
 * calicoctl's text outputs (v3.30 `calicoctl/commands/ipam/{show,check}.go`).
 * - `ipam show [--show-blocks]`: tablewriter tables `GROUPING | CIDR | IPS TOTAL | IPS IN USE | IPS FREE`,
 *   counts printed `%.5g` / `%.5g (%.f%%)`. Several tables may follow each other in one capture.
 *   The pool row is printed only for a real pool; blocks in no pool come after the last pool's rows.
 * - `ipam check`: progress lines with counts, plus the problem IPs with `--show-problem-ips`.
 */
import { contains, parseV4Cidr } from '../cidr.js';
import { ParseError } from '../parse.js';
import { boxCells, numberedLines, parseBoxTables } from './table.js';
import type { IpamCheckText, IpamShowRead, IpamShowRowRead, IpamShowTable, PrintedCount } from './types.js';

const IPAM_SHOW_HEADER = ['GROUPING', 'CIDR', 'IPS TOTAL', 'IPS IN USE', 'IPS FREE'];
const OTHER_SHOW_HEADERS: [string, string][] = [
  ['IP|BORROWING-NODE|BLOCK|BLOCK OWNER|TYPE|ALLOCATED-TO', 'calicoctl ipam show --show-borrowed'],
  ['PROPERTY|VALUE', 'calicoctl ipam show --show-configuration'],
];

const sameHeader = (c: string[]): boolean => c.join('|') === IPAM_SHOW_HEADER.join('|');
const otherHeader = (c: string[]): string | undefined => OTHER_SHOW_HEADERS.find(([h]) => h === c.join('|'))?.[1];

export function isIpamShow(text: string): boolean {
  return numberedLines(text).some((l) => { const c = boxCells(l.text); return c !== undefined && sameHeader(c); });
}

/** `12 (0%)` → {value 12, percent 0}; `1.0486e+06` → {value 1048600, rounded}. */
export function parsePrintedCount(raw: string, where: string): PrintedCount {
  const m = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?:\s*\((\d+)%\))?$/i.exec(raw);
  if (!m) throw new ParseError(`${where}: '${raw}' is not a count`);
  const out: PrintedCount = { raw, value: Number(m[1]), rounded: /e/i.test(m[1]!) };
  if (m[2] !== undefined) out.percent = Number(m[2]);
  return out;
}

export function parseIpamShowText(text: string): IpamShowRead {
  const otherTables: string[] = [];
  const tables: IpamShowTable[] = [];
  const boxes = parseBoxTables(text, (c) => sameHeader(c) || otherHeader(c) !== undefined);
  for (const box of boxes) {
    const other = otherHeader(box.header);
    if (other) { otherTables.push(`${other} (line ${box.line})`); continue; }
    const rows: IpamShowRowRead[] = box.rows.map(({ line, cells }) => {
      const c = cells.map((v) => v.join(' '));
      if (c.length !== 5) throw new ParseError(`line ${line}: expected 5 cells, got ${c.length}`);
      const [grouping, cidr, total, inUse, free] = c as [string, string, string, string, string];
      if (grouping !== 'IP Pool' && grouping !== 'Block') throw new ParseError(`line ${line}: unknown grouping '${grouping}'`);
      const where = `line ${line}`;
      return { grouping, cidr, total: parsePrintedCount(total, where), inUse: parsePrintedCount(inUse, where), free: parsePrintedCount(free, where) };
    });
    placeBlocks(rows);
    tables.push({ line: box.line, showBlocks: rows.some((r) => r.grouping === 'Block'), rows });
  }
  if (tables.length === 0) {
    // Only --show-borrowed / --show-configuration: reading that as "no pools" would be a lie.
    if (otherTables.length > 0) throw new ParseError(`only ${otherTables.join(', ')}, which verify does not read`);
    throw new ParseError('no `calicoctl ipam show` table (header GROUPING | CIDR | IPS TOTAL | IPS IN USE | IPS FREE)');
  }
  return { tables, otherTables };
}

/** Each block belongs to the listed pool that contains it, whatever its position in the table. */
function placeBlocks(rows: IpamShowRowRead[]): void {
  const pools = rows.filter((r) => r.grouping === 'IP Pool').map((r) => ({ text: r.cidr, cidr: parseV4Cidr(r.cidr) }));
  for (const r of rows) {
    if (r.grouping !== 'Block') continue;
    const b = parseV4Cidr(r.cidr);
    const pool = b ? pools.find((p) => p.cidr !== undefined && contains(p.cidr, b)) : undefined;
    if (pool) r.pool = pool.text;
  }
}

// --- ipam check ------------------------------------------------------------------------------------

export function isIpamCheckText(text: string): boolean {
  return /^Checking IPAM for inconsistencies\.\.\.\s*$/m.test(text) || /^Check complete; found \d+ problems\.\s*$/m.test(text);
}

const COUNT_LINES: [RegExp, (v: IpamCheckText, m: RegExpExecArray) => void][] = [
  [/^Found (\d+) IPAM blocks\.$/, (v, m) => { v.blocks = Number(m[1]); }],
  [/^IPAM blocks record (\d+) allocations\.$/, (v, m) => { v.allocations = Number(m[1]); }],
  [/^Found (\d+) active IP pools\.$/, (v, m) => { v.activePools = Number(m[1]); }],
  [/^Found (\d+) node tunnel IPs\.$/, (v, m) => { v.nodeTunnelIps = Number(m[1]); }],
  // v3.30.0 prints "service load balancer."; v3.30.1 "service load balancer(s)." (seen in the real world)
  [/^Found (\d+) service load balancer(?:\(s\))?\.$/, (v, m) => { v.loadBalancers = Number(m[1]); }],
  [/^Found (\d+) workload IPs\.$/, (v, m) => { v.workloadIps = Number(m[1]); }],
  [/^Workloads and nodes are using (\d+) IPs\.$/, (v, m) => { v.inUseIps = Number(m[1]); }],
  [/^Found (\d+) IPs that are allocated in IPAM but not actually in use\.$/, (v, m) => { v.leaked = Number(m[1]); }],
  [/^Found (\d+) in-use IPs that are not in active IP pools\.$/, (v, m) => { v.notInPool = Number(m[1]); }],
  [/^Found (\d+) in-use IPs that are in active IP pools but have no corresponding IPAM allocation\.$/, (v, m) => { v.noAllocation = Number(m[1]); }],
  [/^Found (\d+) handles with no matching IPs \(and (\d+) handles with matches\)\.$/, (v, m) => { v.handlesWithoutIps = Number(m[1]); v.handlesWithIps = Number(m[2]); }],
  [/^Found (\d+) handles mentioned in blocks with no matching handle resource\.$/, (v, m) => { v.missingHandles = Number(m[1]); }],
  [/^Check complete; found (\d+) problems\.$/, (v, m) => { v.problems = Number(m[1]); v.complete = true; }],
];

const ITEM_LINES: [RegExp, (v: IpamCheckText, m: RegExpExecArray) => void][] = [
  [/^ IPAM block (\S+) affinity=(.*):$/, (v, m) => { v.blockAffinities.push({ cidr: m[1]!, affinity: m[2]! }); }],
  [/^ {2}(\S+) leaked; attrs (.*)$/, (v, m) => { v.problemIps.leaked.push({ ip: m[1]!, attrs: m[2]! }); }],
  [/^ {2}(\S+) has multiple owners\.$/, (v, m) => { v.problemIps.multipleOwners.push(m[1]!); }],
  [/^ {2}(\S+) in use by (.+) is not in any active IP pool\.$/, (v, m) => { v.problemIps.notInPool.push({ ip: m[1]!, owner: m[2]! }); }],
  [/^ {2}(\S+) in use by (.+) and in active IPAM pool but has no IPAM allocation\.$/, (v, m) => { v.problemIps.noAllocation.push({ ip: m[1]!, owner: m[2]! }); }],
  [/^ {2}(\S+) is in use in a block but doesn't exist\.$/, (v, m) => { v.problemIps.missingHandles.push(m[1]!); }],
  [/^ {2}(\S+) doesn't have any active IPs\.$/, (v, m) => { v.problemIps.handlesWithoutIps.push(m[1]!); }],
  [/^ {2}(\S+) has (\d+) allocations$/, (v, m) => { v.topNodes.push({ node: m[1]!, allocations: Number(m[2]) }); }],
];

/**
 * `calicoctl ipam check` stdout. `showProblemIps` is what the command line said (undefined when the
 * command is not known); without it the listing is judged from the text.
 */
export function parseIpamCheckText(text: string, showProblemIps?: boolean): IpamCheckText {
  if (!isIpamCheckText(text)) throw new ParseError('not the output of `calicoctl ipam check` (no "Checking IPAM for inconsistencies..." line)');
  const v: IpamCheckText = {
    blockAffinities: [], pools: [], topNodes: [], complete: false, problemIpsListed: 'unknown',
    problemIps: { leaked: [], notInPool: [], noAllocation: [], multipleOwners: [], missingHandles: [], handlesWithoutIps: [] },
  };
  let inPools = false;
  for (const { text: raw } of numberedLines(text)) {
    const line = raw.trimEnd();
    if (line === 'Loading all IPAM pools...') { inPools = true; continue; }
    if (/^\S/.test(line)) inPools = false;
    const pool = inPools ? /^ {2}(\S+)$/.exec(line) : null;
    if (pool) { v.pools.push(pool[1]!); continue; }
    const count = COUNT_LINES.find(([re]) => re.test(line));
    if (count) { count[1](v, count[0].exec(line)!); continue; }
    const item = ITEM_LINES.find(([re]) => re.test(line));
    if (item) item[1](v, item[0].exec(line)!);
  }
  const p = v.problemIps;
  const listed = p.leaked.length + p.notInPool.length + p.noAllocation.length + p.multipleOwners.length + p.missingHandles.length;
  const counted = (v.leaked ?? 0) + (v.notInPool ?? 0) + (v.noAllocation ?? 0) + (v.missingHandles ?? 0);
  if (showProblemIps !== undefined) v.problemIpsListed = showProblemIps ? 'yes' : 'no';
  else if (listed > 0) v.problemIpsListed = 'yes';
  else if (counted > 0) v.problemIpsListed = 'no';
  return v;
}
