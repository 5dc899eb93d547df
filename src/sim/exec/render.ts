/**
 * How iproute2 (and busybox `ip`) print a NetView: `ip addr` / `ip link` / `ip route` text and
 * `ip -j addr|link|route` JSON. Formats: iproute2 ipaddress.c / iproute.c output as seen in public
 * issue threads (see test/fixtures/README.md, "exec").
 */
import type { SimAddr, SimLink, SimRoute } from './net.js';

export interface AddrOptions {
  /** `-4`: IPv4 only — no link/ lines, interfaces without IPv4 left out. */
  inet4Only: boolean;
  /** `ip link`: no addresses, `mode DEFAULT` in the header (iproute2). */
  linkOnly: boolean;
  busybox: boolean;
}

const peerName = (l: SimLink): string => (l.peerIfindex !== undefined ? `${l.name}@if${l.peerIfindex}` : l.name);
const BRD_ETHER = 'ff:ff:ff:ff:ff:ff';

function broadcast(a: SimAddr): string | undefined {
  if (a.family !== 'inet' || a.prefixlen >= 31 || a.scope !== 'global') return undefined;
  const n = a.local.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const size = Math.pow(2, 32 - a.prefixlen);
  const b = Math.floor(n / size) * size + size - 1;
  return [24, 16, 8, 0].map((s) => Math.floor(b / Math.pow(2, s)) % 256).join('.');
}

function headerLine(l: SimLink, o: AddrOptions): string {
  const qlen = l.qlen !== undefined ? ` qlen ${l.qlen}` : '';
  if (o.busybox) return `${l.ifindex}: ${peerName(l)}: <${l.flags.join(',')}> mtu ${l.mtu} qdisc ${l.qdisc} state ${l.state}${qlen}`;
  return `${l.ifindex}: ${peerName(l)}: <${l.flags.join(',')}> mtu ${l.mtu} qdisc ${l.qdisc} state ${l.state}${o.linkOnly ? ' mode DEFAULT' : ''} group default${qlen}`;
}

function linkLine(l: SimLink, o: AddrOptions): string {
  const brd = l.linkType === 'loopback' ? '00:00:00:00:00:00' : BRD_ETHER;
  const netns = o.busybox ? '' : l.linkNetns !== undefined ? ` link-netns ${l.linkNetns}` : l.linkNetnsId !== undefined ? ` link-netnsid ${l.linkNetnsId}` : '';
  return `    link/${l.linkType} ${l.mac} brd ${brd}${netns}`;
}

function addrLines(a: SimAddr): string[] {
  const brd = broadcast(a);
  const label = a.family === 'inet' && a.label !== undefined ? ` ${a.label}` : '';
  return [`    ${a.family} ${a.local}/${a.prefixlen}${brd ? ` brd ${brd}` : ''} scope ${a.scope}${label}`, '       valid_lft forever preferred_lft forever'];
}

export function addrText(links: readonly SimLink[], o: AddrOptions): string {
  const lines: string[] = [];
  for (const l of links) {
    const addrs = o.linkOnly ? [] : l.addrs.filter((a) => !o.inet4Only || a.family === 'inet');
    if (o.inet4Only && addrs.length === 0) continue;
    lines.push(headerLine(l, o));
    if (!o.inet4Only) lines.push(linkLine(l, o));
    for (const a of addrs) lines.push(...addrLines(a));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function linkJson(l: SimLink, linkOnly: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { ifindex: l.ifindex };
  if (l.peerIfindex !== undefined) o['link_index'] = l.peerIfindex;
  Object.assign(o, { ifname: l.name, flags: l.flags, mtu: l.mtu, qdisc: l.qdisc, operstate: l.state });
  if (linkOnly) o['linkmode'] = 'DEFAULT';
  o['group'] = 'default';
  if (l.qlen !== undefined) o['txqlen'] = l.qlen;
  Object.assign(o, { link_type: l.linkType, address: l.mac, broadcast: l.linkType === 'loopback' ? '00:00:00:00:00:00' : BRD_ETHER });
  if (l.linkNetnsId !== undefined) o['link_netnsid'] = l.linkNetnsId;
  return o;
}

function addrJson(a: SimAddr): Record<string, unknown> {
  const brd = broadcast(a);
  return {
    family: a.family,
    local: a.local,
    prefixlen: a.prefixlen,
    ...(brd ? { broadcast: brd } : {}),
    scope: a.scope,
    ...(a.family === 'inet' && a.label !== undefined ? { label: a.label } : {}),
    valid_life_time: 4294967295,
    preferred_life_time: 4294967295,
  };
}

/** `ip -j addr` (addresses) or `ip -j link` (none): compact JSON on one line, as iproute2 prints it. */
export function linksJson(links: readonly SimLink[], o: { linkOnly: boolean; inet4Only: boolean }): string {
  const out = links.map((l) => {
    const j = linkJson(l, o.linkOnly);
    if (!o.linkOnly) {
      const addrs = l.addrs.filter((a) => !o.inet4Only || a.family === 'inet');
      // iproute2 prints an empty object for a link without an address of the family asked for
      j['addr_info'] = o.inet4Only && addrs.length === 0 ? [{}] : addrs.map(addrJson);
    }
    return j;
  });
  return `${JSON.stringify(out)}\n`;
}

export function routesText(routes: readonly SimRoute[]): string {
  const lines = routes.map((r) => {
    const parts: string[] = [];
    if (r.type) parts.push(r.type);
    parts.push(r.dst);
    if (r.gateway) parts.push('via', r.gateway);
    if (r.dev) parts.push('dev', r.dev);
    if (r.protocol) parts.push('proto', r.protocol);
    if (r.scope) parts.push('scope', r.scope);
    if (r.prefsrc) parts.push('src', r.prefsrc);
    parts.push(...r.flags);
    return `${parts.join(' ')} `;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function routesJson(routes: readonly SimRoute[]): string {
  const out = routes.map((r) => {
    const o: Record<string, unknown> = {};
    if (r.type) o['type'] = r.type;
    o['dst'] = r.dst;
    if (r.gateway) o['gateway'] = r.gateway;
    if (r.dev) o['dev'] = r.dev;
    if (r.protocol) o['protocol'] = r.protocol;
    if (r.scope) o['scope'] = r.scope;
    if (r.prefsrc) o['prefsrc'] = r.prefsrc;
    o['flags'] = r.flags;
    return o;
  });
  return `${JSON.stringify(out)}\n`;
}
