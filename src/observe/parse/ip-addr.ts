/**
 * `ip addr` / `ip link` as printed by iproute2 and by busybox (images such as busybox and
 * praqma/network-multitool): a header line per interface
 * (`3: eth0@if12: <FLAGS> mtu 1450 qdisc noqueue state UP group default qlen 1000`; busybox prints
 * fewer keys, e.g. no `group`), an indented `link/<type> <mac> brd <mac> [link-netnsid N | link-netns
 * NAME]` line, and indented `inet`/`inet6` lines, each followed by a `valid_lft …` line. With `-4`
 * the `link/` line is absent.
 */
import { ParseError } from '../../calico/parse.js';
import { numberedLines } from '../../calico/readers/table.js';
import type { IpAddress, IpLink } from '../types.js';

const HEADER = /^(\d+):\s+([^\s:@]+)(?:@([^\s:]+))?:\s+<([^>]*)>(.*)$/;
const LINK = /^\s+link\/(\S+)(?:\s+(\S+))?(.*)$/;
const INET = /^\s+(inet6?)\s+(\S+)(.*)$/;

function header(m: RegExpExecArray): IpLink {
  const link: IpLink = { ifindex: Number(m[1]), name: m[2]!, flags: m[4]!.split(',').filter((f) => f !== ''), addresses: [] };
  const at = m[3];
  if (at !== undefined) {
    const peer = /^if(\d+)$/.exec(at);
    if (peer) link.peerIfindex = Number(peer[1]);
    else link.link = at;
  }
  const f = m[5]!.trim().split(/\s+/);
  for (let i = 0; i + 1 < f.length; i += 1) {
    if (f[i] === 'mtu') link.mtu = Number(f[++i]);
    else if (f[i] === 'state') link.state = f[++i]!;
    else if (f[i] === 'link-netnsid') link.linkNetnsId = Number(f[++i]); // `ip -4` moves it here
  }
  return link;
}

function linkLine(link: IpLink, m: RegExpExecArray): void {
  link.linkType = m[1]!;
  if (m[2] !== undefined && m[2] !== 'brd') link.mac = m[2].toLowerCase();
  const f = m[3]!.trim().split(/\s+/);
  for (let i = 0; i + 1 < f.length; i += 1) {
    if (f[i] === 'link-netnsid') link.linkNetnsId = Number(f[++i]);
    else if (f[i] === 'link-netns') link.linkNetns = f[++i]!;
  }
}

function address(m: RegExpExecArray, n: number): IpAddress {
  const [local, len] = m[2]!.split('/');
  const family = m[1] as 'inet' | 'inet6';
  const prefixlen = len === undefined ? (family === 'inet' ? 32 : 128) : Number(len);
  if (!local || !Number.isInteger(prefixlen)) throw new ParseError(`line ${n}: '${m[0].trim()}' is not an address`);
  const a: IpAddress = { family, local, prefixlen };
  const f = m[3]!.trim().split(/\s+/).filter((x) => x !== '');
  for (let i = 0; i < f.length; i += 1) {
    if (f[i] === 'scope') a.scope = f[++i]!;
    else if (f[i] === 'brd' || f[i] === 'peer' || f[i] === 'metric') i += 1;
    else if (i === f.length - 1 && a.scope !== undefined && !/^(dynamic|noprefixroute|tentative|deprecated|secondary|permanent|nodad|mngtmpaddr|home)$/.test(f[i]!)) a.label = f[i]!;
  }
  return a;
}

/** Parse `ip addr` / `ip link` text (iproute2 or busybox). Throws ParseError naming the line. */
export function parseIpAddrText(text: string): IpLink[] {
  const out: IpLink[] = [];
  let cur: IpLink | undefined;
  for (const { n, text: line } of numberedLines(text)) {
    if (line.trim() === '') continue;
    const h = HEADER.exec(line);
    if (h) {
      cur = header(h);
      out.push(cur);
      continue;
    }
    if (!/^\s/.test(line) || !cur) throw new ParseError(`line ${n}: '${line.trim()}' is neither an interface header nor an indented detail line`);
    const l = LINK.exec(line);
    if (l) {
      linkLine(cur, l);
      continue;
    }
    const a = INET.exec(line);
    if (a) cur.addresses.push(address(a, n));
    // valid_lft, altname and the -d detail lines carry nothing lab checks
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonAddress(v: unknown, where: string): IpAddress {
  if (!isRecord(v) || (v['family'] !== 'inet' && v['family'] !== 'inet6') || typeof v['local'] !== 'string' || typeof v['prefixlen'] !== 'number') {
    throw new ParseError(`${where}: an addr_info entry without family/local/prefixlen`);
  }
  const a: IpAddress = { family: v['family'], local: v['local'], prefixlen: v['prefixlen'] };
  if (typeof v['scope'] === 'string') a.scope = v['scope'];
  if (typeof v['label'] === 'string') a.label = v['label'];
  return a;
}

/** Parse `ip -j addr` or `ip -j link` (iproute2 JSON, one object per interface). */
export function parseIpLinksJson(value: unknown): IpLink[] {
  if (!Array.isArray(value)) throw new ParseError('`ip -j addr` / `ip -j link` output is not a JSON list');
  return value.map((v: unknown, i): IpLink => {
    const where = `interface ${i + 1}`;
    if (!isRecord(v) || typeof v['ifindex'] !== 'number' || typeof v['ifname'] !== 'string') throw new ParseError(`${where} has no "ifindex"/"ifname"`);
    const link: IpLink = { ifindex: v['ifindex'], name: v['ifname'], flags: Array.isArray(v['flags']) ? v['flags'].map(String) : [], addresses: [] };
    if (typeof v['link_index'] === 'number') link.peerIfindex = v['link_index'];
    if (typeof v['link'] === 'string') link.link = v['link'];
    if (typeof v['mtu'] === 'number') link.mtu = v['mtu'];
    if (typeof v['operstate'] === 'string') link.state = v['operstate'];
    if (typeof v['link_type'] === 'string') link.linkType = v['link_type'];
    if (typeof v['address'] === 'string') link.mac = v['address'].toLowerCase();
    if (typeof v['link_netnsid'] === 'number') link.linkNetnsId = v['link_netnsid'];
    if (v['addr_info'] !== undefined) {
      if (!Array.isArray(v['addr_info'])) throw new ParseError(`${where} (${link.name}): "addr_info" is not a list`);
      // `ip -j addr` prints an empty object for a link with no address of the family asked for
      link.addresses = v['addr_info'].filter((x) => !(isRecord(x) && Object.keys(x).length === 0)).map((x) => jsonAddress(x, `${where} (${link.name})`));
    }
    return link;
  });
}

/** Parse JSON text of `ip -j addr` / `ip -j link`. */
export function parseIpLinksJsonText(text: string): IpLink[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ParseError(`not JSON: ${(error as Error).message}`);
  }
  return parseIpLinksJson(value);
}
