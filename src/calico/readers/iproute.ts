/**
 * iproute2's route listing: `ip route` text (`[type] dst [via gw] [dev d] [proto p] [scope s] [src a]
 * [metric n] [flags…]`, multipath next hops on indented `nexthop` lines) and `ip -j route` JSON
 * (`dst`, `gateway`, `dev`, `protocol`, `scope`, `prefsrc`, `metric`, `type`, `flags`).
 */
import { ParseError } from '../parse.js';
import { numberedLines } from './table.js';
import type { IpRoute } from './types.js';

const TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat', 'anycast']);
const FLAGS = new Set(['onlink', 'linkdown', 'dead', 'pervasive', 'offload', 'trap', 'notify', 'rt_offload', 'rt_trap', 'rt_offload_failed']);
/** Keys followed by one value that this reader does not keep. */
const SKIPPED = new Set(['from', 'iif', 'mark', 'nhid', 'mtu', 'advmss', 'pref', 'expires', 'realm', 'realms', 'weight', 'hoplimit', 'initcwnd', 'initrwnd', 'rtt', 'rttvar', 'features', 'quickack', 'congctl', 'fastopen_no_cookie', 'error', 'uid', 'encap', 'ttl-propagate', 'window', 'ssthresh', 'cwnd', 'reordering', 'rto_min', 'tos', 'dsfield']);
const DST = /^(default|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*(\/\d{1,3})?)$/;

export function isIpRouteText(text: string): boolean {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim().length > 0);
  if (lines.length === 0) return false;
  return lines.every((l) => /^\s+nexthop\s/.test(l) || lineLooksLikeRoute(l)) && lines.some((l) => /\s(dev|via)\s/.test(` ${l} `) || /^(blackhole|unreachable|prohibit)\s/.test(l));
}

function lineLooksLikeRoute(line: string): boolean {
  const f = line.trim().split(/\s+/);
  const dst = TYPES.has(f[0]!) ? f[1] : f[0];
  return dst !== undefined && DST.test(dst);
}

export function parseIpRouteText(text: string): IpRoute[] {
  const out: IpRoute[] = [];
  for (const { n, text: line } of numberedLines(text)) {
    if (line.trim().length === 0 || /^\s+nexthop\s/.test(line)) continue;
    const f = line.trim().split(/\s+/);
    let i = 0;
    const type = TYPES.has(f[0]!) ? f[i++]! : 'unicast';
    const dst = f[i++];
    if (dst === undefined || !DST.test(dst)) throw new ParseError(`line ${n}: '${line.trim()}' is not a route`);
    const r: IpRoute = { type, dst, flags: [] };
    while (i < f.length) {
      const k = f[i++]!;
      const val = (): string => {
        const v = f[i++];
        if (v === undefined) throw new ParseError(`line ${n}: '${k}' without a value`);
        return v;
      };
      if (k === 'via') { let v = val(); if (v === 'inet' || v === 'inet6') v = val(); r.via = v; }
      else if (k === 'dev') r.dev = val();
      else if (k === 'proto') r.proto = val();
      else if (k === 'scope') r.scope = val();
      else if (k === 'src') r.src = val();
      else if (k === 'metric') r.metric = Number(val());
      else if (k === 'table') r.table = val();
      else if (FLAGS.has(k)) r.flags.push(k);
      else if (SKIPPED.has(k)) { if (val() === 'lock') val(); }
      else r.flags.push(k); // an attribute this reader does not know: kept as printed, never dropped silently
    }
    out.push(r);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isIpRouteJson(value: unknown): boolean {
  return Array.isArray(value) && value.every((r) => isRecord(r) && typeof r['dst'] === 'string');
}

export function parseIpRouteJson(value: unknown): IpRoute[] {
  if (!Array.isArray(value)) throw new ParseError('`ip -j route` output is not a JSON list');
  return value.map((r: unknown, i) => {
    if (!isRecord(r) || typeof r['dst'] !== 'string') throw new ParseError(`route ${i + 1} has no "dst"`);
    const s = (k: string): string | undefined => (typeof r[k] === 'string' ? (r[k] as string) : typeof r[k] === 'number' ? String(r[k]) : undefined);
    const out: IpRoute = { type: s('type') ?? 'unicast', dst: r['dst'], flags: Array.isArray(r['flags']) ? r['flags'].map(String) : [] };
    const set = (key: 'via' | 'dev' | 'proto' | 'scope' | 'src' | 'table', from: string): void => { const v = s(from); if (v !== undefined) out[key] = v; };
    set('via', 'gateway');
    set('dev', 'dev');
    set('proto', 'protocol');
    set('scope', 'scope');
    set('src', 'prefsrc');
    set('table', 'table');
    if (typeof r['metric'] === 'number') out.metric = r['metric'];
    return out;
  });
}
