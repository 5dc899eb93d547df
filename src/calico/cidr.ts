/**
 * IPv4 CIDR math for the IPAM checks: addresses as unsigned 32-bit numbers (ipaddr.js parses), so
 * containment and overlap are integer comparisons and a sorted block index answers "which block holds
 * this IP" in O(log n). Calico's object names for CIDRs (`192.168.18.64/26` → `192-168-18-64-26`).
 */
import ipaddr from 'ipaddr.js';

export interface V4Cidr {
  /** Canonical text (host bits cleared). */
  text: string;
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** Number of addresses: 2^(32 − prefix). */
  size: number;
}

/** Parse an IPv4 address; undefined when it is not one. */
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseV4(text: string | undefined): number | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  // Fast path for the common dotted quad (thousands of block/pod IPs); ipaddr.js decides the rest.
  const m = DOTTED.exec(t);
  if (m && !/(^|\.)0\d/.test(t)) {
    const o = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    return o.every((x) => x <= 255) ? o[0]! * 16777216 + o[1]! * 65536 + o[2]! * 256 + o[3]! : undefined;
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined;
  const b = ipaddr.IPv4.parse(t).octets;
  return ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
}

export function formatV4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parse `a.b.c.d/n` (host bits cleared); undefined for IPv6 or garbage. */
export function parseV4Cidr(text: string | undefined): V4Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^\s*([\d.]+)\/(\d{1,2})\s*$/.exec(text);
  if (!m) return undefined;
  const addr = parseV4(m[1]);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const base = addr - (addr % size);
  return { text: `${formatV4(base)}/${prefix}`, base, prefix, size };
}

/** An address with a prefix (`172.18.0.3/16`) → just the address. */
export function addressOf(text: string | undefined): string | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  return text.split('/')[0];
}

export function contains(outer: V4Cidr, inner: V4Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

export function containsIp(cidr: V4Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + cidr.size;
}

export function overlaps(a: V4Cidr, b: V4Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** Calico's CIDRToName: `.` `:` `/` → `-`. */
export function cidrToName(cidr: string): string {
  return cidr.replace(/[.:/]/g, '-');
}

/** Pairs of overlapping CIDRs among many, in O(n log n) (sort by base, sweep). */
export function overlappingPairs<T>(items: readonly T[], cidrOf: (item: T) => V4Cidr | undefined): [T, T][] {
  const sorted = items
    .map((item) => ({ item, c: cidrOf(item) }))
    .filter((x): x is { item: T; c: V4Cidr } => x.c !== undefined)
    .sort((a, b) => a.c.base - b.c.base || b.c.size - a.c.size);
  const pairs: [T, T][] = [];
  // Active list: items whose range still reaches the current base (usually 0 or 1 element).
  let active: { item: T; c: V4Cidr }[] = [];
  for (const cur of sorted) {
    active = active.filter((a) => a.c.base + a.c.size > cur.c.base);
    for (const a of active) pairs.push([a.item, cur.item]);
    active.push(cur);
  }
  return pairs;
}

/** Sorted index of non-overlapping-or-not ranges: find the ranges holding an IP by binary search. */
export class RangeIndex<T> {
  private readonly entries: { c: V4Cidr; item: T }[];
  private readonly maxSize: number;

  constructor(items: readonly T[], cidrOf: (item: T) => V4Cidr | undefined) {
    this.entries = items
      .map((item) => ({ item, c: cidrOf(item) }))
      .filter((x): x is { item: T; c: V4Cidr } => x.c !== undefined)
      .sort((a, b) => a.c.base - b.c.base);
    this.maxSize = this.entries.reduce((m, e) => Math.max(m, e.c.size), 0);
  }

  /** Every range that holds `ip` (more than one only when ranges overlap). */
  find(ip: number): T[] {
    // Last entry with base <= ip.
    let lo = 0;
    let hi = this.entries.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.c.base <= ip) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const out: T[] = [];
    for (let i = idx; i >= 0; i--) {
      const e = this.entries[i]!;
      if (ip - e.c.base >= this.maxSize) break;
      if (containsIp(e.c, ip)) out.push(e.item);
    }
    return out;
  }
}
