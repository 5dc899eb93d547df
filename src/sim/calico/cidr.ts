/** IPv4 CIDR arithmetic on 32-bit unsigned numbers (all the simulated IPAM needs). */

export interface Cidr {
  base: number;
  prefix: number;
}

export function ipToNum(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`not an IPv4 address: ${ip}`);
    n = n * 256 + v;
  }
  return n;
}

export function numToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(cidr: string): Cidr {
  const [ip, p] = cidr.split('/');
  const prefix = Number(p);
  if (ip === undefined || p === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(ipToNum(ip) / size) * size, prefix };
}

export const cidrSize = (c: Cidr): number => 2 ** (32 - c.prefix);
export const formatCidr = (c: Cidr): string => `${numToIp(c.base)}/${c.prefix}`;
export const cidrContains = (c: Cidr, ipNum: number): boolean => ipNum >= c.base && ipNum < c.base + cidrSize(c);
export const cidrsOverlap = (a: Cidr, b: Cidr): boolean => a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);

/** Calico's object name for a CIDR (libcalico-go names.CIDRToName): `192.168.18.64/26` → `192-168-18-64-26`. */
export const cidrToName = (cidr: string): string => cidr.replace(/[.:/]/g, '-');
