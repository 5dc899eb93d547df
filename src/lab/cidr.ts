/** CIDR helpers for validating the lab's files (ipaddr.js does the parsing). */
import ipaddr from 'ipaddr.js';

export interface Cidr {
  text: string;
  family: 4 | 6;
  prefix: number;
  /** Network address as a bigint (host bits cleared). */
  network: bigint;
  bits: 32 | 128;
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Parse `a.b.c.d/n` (or IPv6); undefined when it is not a CIDR. Host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string' || !text.includes('/')) return undefined;
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text.trim());
  } catch {
    return undefined;
  }
  const [addr, prefix] = parsed;
  const family = addr.kind() === 'ipv4' ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  const value = toBigInt(addr.toByteArray());
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { text: text.trim(), family, prefix, network: value & mask, bits };
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  const shift = BigInt(a.bits - prefix);
  return a.network >> shift === b.network >> shift;
}

/** Canonical text with host bits cleared: `192.168.1.5/16` → `192.168.0.0/16`. */
export function canonicalCidr(c: Cidr): string {
  const bytes: number[] = [];
  let v = c.network;
  for (let i = 0; i < c.bits / 8; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return `${ipaddr.fromByteArray(bytes).toString()}/${c.prefix}`;
}
