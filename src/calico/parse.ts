/**
 * Parsers of the tool outputs verify reads. Each takes the text as the tool printed it and returns a
 * typed value, or throws a ParseError saying what did not match (the caller names the file or command).
 * - `calicoctl ipam show [--show-blocks]`: an olekukonko/tablewriter ASCII table (no JSON exists).
 * - `calicoctl ipam check -o <file>`: the JSON report.
 * - `containerlab inspect --format json`: object keyed by lab name (≥ 0.68), older flat `{containers: []}`.
 * - host routes: `ip -j route` JSON or /proc/net/route.
 */
import { formatV4 } from './cidr.js';
import type { ClabRow, HostRoute, IpamCheckAllocation, IpamCheckReport, IpamShow, IpamShowRow } from './types.js';

export class ParseError extends Error {}

const IPAM_SHOW_HEADER = ['GROUPING', 'CIDR', 'IPS TOTAL', 'IPS IN USE', 'IPS FREE'];

/** Split a `| a | b |` table line into trimmed cells; undefined for border lines. */
function cells(line: string): string[] | undefined {
  const t = line.trim();
  if (!t.startsWith('|') || !t.endsWith('|')) return undefined;
  return t.slice(1, -1).split('|').map((c) => c.trim());
}

/** `12 (0%)` → 12; `65536` → 65536. `%.5g` may print large numbers as `1.0486e+06`. */
function countCell(text: string, what: string): number {
  const m = /^([0-9.]+(?:e[+-]?\d+)?)(?:\s*\(\d+%\))?$/i.exec(text);
  if (!m) throw new ParseError(`${what}: '${text}' is not a count`);
  return Math.round(Number(m[1]));
}

export function isIpamShowText(text: string): boolean {
  const header = text.split('\n').map(cells).find((c) => c !== undefined);
  return header !== undefined && header.join('|') === IPAM_SHOW_HEADER.join('|');
}

export function parseIpamShow(text: string): IpamShow {
  const rows: IpamShowRow[] = [];
  let header: string[] | undefined;
  for (const [i, line] of text.split('\n').entries()) {
    const c = cells(line);
    if (!c) continue;
    if (!header) {
      header = c;
      if (c.join('|') !== IPAM_SHOW_HEADER.join('|')) throw new ParseError(`line ${i + 1}: expected the header ${IPAM_SHOW_HEADER.join(' | ')}, got ${c.join(' | ')}`);
      continue;
    }
    // The header again: the next table (`ipam show` and `ipam show --show-blocks` saved in one file).
    if (c.join('|') === IPAM_SHOW_HEADER.join('|')) continue;
    if (c.length !== 5) throw new ParseError(`line ${i + 1}: expected 5 cells, got ${c.length}`);
    const [grouping, cidr, total, inUse, free] = c as [string, string, string, string, string];
    if (grouping !== 'IP Pool' && grouping !== 'Block') throw new ParseError(`line ${i + 1}: unknown grouping '${grouping}'`);
    rows.push({ grouping, cidr, total: countCell(total, `line ${i + 1}`), inUse: countCell(inUse, `line ${i + 1}`), free: countCell(free, `line ${i + 1}`) });
  }
  if (!header) throw new ParseError('no table found (expected the output of `calicoctl ipam show`)');
  // A row printed by two tables is one row (the later one wins).
  const unique = new Map(rows.map((r) => [`${r.grouping}|${r.cidr}`, r]));
  return { showBlocks: rows.some((r) => r.grouping === 'Block'), rows: [...unique.values()] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isIpamCheckReport(value: unknown): boolean {
  return isRecord(value) && isRecord(value['allocations']) && ('clusterGUID' in value || 'datastoreLocked' in value || 'clusterType' in value);
}

export function parseIpamCheckReport(value: unknown): IpamCheckReport {
  if (!isRecord(value) || !isRecord(value['allocations'])) throw new ParseError('not a `calicoctl ipam check -o` report: no "allocations" object');
  const allocations: Record<string, IpamCheckAllocation[]> = {};
  for (const [ip, list] of Object.entries(value['allocations'])) {
    if (!Array.isArray(list)) throw new ParseError(`allocations["${ip}"] is not a list`);
    allocations[ip] = list.map((a: unknown) => {
      if (!isRecord(a)) throw new ParseError(`allocations["${ip}"] has an entry that is not an object`);
      return { ...(a as object), ip: typeof a['ip'] === 'string' ? a['ip'] : ip, inUse: a['inUse'] === true } as IpamCheckAllocation;
    });
  }
  const leaked = value['leakedHandles'];
  return {
    ...(typeof value['version'] === 'string' ? { version: value['version'] } : {}),
    ...(typeof value['clusterType'] === 'string' ? { clusterType: value['clusterType'] } : {}),
    allocations,
    leakedHandles: Array.isArray(leaked) ? leaked.map(handleText) : [],
  };
}

/**
 * A `leakedHandles` entry: calicoctl v3.30 writes `HandleInfo{ID, UID, Revision}` objects (no JSON tags);
 * older reports and hand-written files may hold plain strings.
 */
export function handleText(h: unknown): string {
  if (typeof h === 'string') return h;
  if (isRecord(h) && typeof h['ID'] === 'string') return h['ID'];
  return JSON.stringify(h);
}

/** containerlab inspect JSON: `{ "<lab>": [rows] }` (≥ 0.68), `{ "containers": [rows] }` (older), `{}` when nothing runs. */
export function isClabInspect(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const lists = Object.values(value);
  return lists.length > 0 && lists.every((l) => Array.isArray(l) && l.every((r) => isRecord(r) && typeof r['name'] === 'string' && ('container_id' in r || 'lab_name' in r)));
}

export function parseClabInspect(value: unknown, labName?: string): ClabRow[] {
  if (!isRecord(value)) throw new ParseError('containerlab inspect output is not a JSON object');
  const rows: ClabRow[] = [];
  for (const [key, list] of Object.entries(value)) {
    if (!Array.isArray(list)) throw new ParseError(`containerlab inspect: "${key}" is not a list`);
    for (const r of list) {
      if (!isRecord(r) || typeof r['name'] !== 'string') throw new ParseError(`containerlab inspect: an entry of "${key}" has no name`);
      const row = r as unknown as ClabRow;
      const lab = row.lab_name ?? key;
      if (labName === undefined || lab === labName || key === 'containers') rows.push(row);
    }
  }
  return rows;
}

/** `ip -j route` output. */
export function parseIpJsonRoutes(value: unknown): HostRoute[] {
  if (!Array.isArray(value)) throw new ParseError('`ip -j route` output is not a JSON list');
  return value.filter(isRecord).map((r) => ({ dst: String(r['dst'] ?? ''), ...(typeof r['dev'] === 'string' ? { dev: r['dev'] } : {}) }));
}

/** /proc/net/route: hex little-endian Destination and Mask. */
export function parseProcNetRoute(text: string): HostRoute[] {
  const routes: HostRoute[] = [];
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dst = leHex(f[1]!);
    const mask = leHex(f[7]!);
    if (dst === undefined || mask === undefined) continue;
    const prefix = mask.toString(2).replace(/0/g, '').length;
    routes.push({ dst: prefix === 0 ? 'default' : `${formatV4(dst)}/${prefix}`, dev: f[0]! });
  }
  return routes;
}

function leHex(hex: string): number | undefined {
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) return undefined;
  const n = Number.parseInt(hex, 16);
  return (((n & 0xff) << 24) >>> 0) + (((n >>> 8) & 0xff) << 16) + (((n >>> 16) & 0xff) << 8) + ((n >>> 24) & 0xff);
}
