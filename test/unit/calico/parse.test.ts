import { describe, expect, it } from 'vitest';
import { cidrToName, overlappingPairs, parseV4Cidr, RangeIndex } from '../../../src/calico/cidr.js';
import { parseHostRoutes } from '../../../src/calico/gather.js';
import { isClabInspect, isIpamCheckReport, isIpamShowText, parseClabInspect, parseIpamCheckReport, parseIpamShow, ParseError } from '../../../src/calico/parse.js';
import { fixture } from '../verify/lesson-lab.js';

describe('calicoctl ipam show (reference outputs)', () => {
  it('plain: one pool row, 65536 / 12 / 65524', () => {
    expect(parseIpamShow(fixture('calicoctl-ipam-show.txt'))).toEqual({
      showBlocks: false,
      rows: [{ grouping: 'IP Pool', cidr: '192.168.0.0/16', total: 65536, inUse: 12, free: 65524 }],
    });
  });

  it('--show-blocks: block rows in lexicographic order with 3/4/5 in use', () => {
    const show = parseIpamShow(fixture('calicoctl-ipam-show-blocks.txt'));
    expect(show.showBlocks).toBe(true);
    expect(show.rows.slice(1)).toEqual([
      { grouping: 'Block', cidr: '192.168.112.128/26', total: 64, inUse: 3, free: 61 },
      { grouping: 'Block', cidr: '192.168.131.128/26', total: 64, inUse: 4, free: 60 },
      { grouping: 'Block', cidr: '192.168.18.64/26', total: 64, inUse: 5, free: 59 },
    ]);
  });

  it('no blocks yet: 0 in use', () => {
    expect(parseIpamShow(fixture('calicoctl-ipam-show-no-blocks.txt')).rows).toEqual([{ grouping: 'IP Pool', cidr: '192.168.0.0/16', total: 65536, inUse: 0, free: 65536 }]);
  });

  it('%.5g large numbers and garbage', () => {
    const big = fixture('calicoctl-ipam-show.txt').replace('|     65536 |', '|1.0486e+06 |');
    expect(parseIpamShow(big).rows[0]!.total).toBe(1048600);
    expect(() => parseIpamShow('hello')).toThrow(ParseError);
    expect(() => parseIpamShow('| A | B |\n')).toThrow(/expected the header/);
    expect(isIpamShowText(fixture('calicoctl-ipam-show.txt'))).toBe(true);
    expect(isIpamShowText(fixture('calicoctl-ipam-check-report.json'))).toBe(false);
  });
});

describe('calicoctl ipam check -o report (reference)', () => {
  it('12 allocations, all in use, no leaked handles', () => {
    const value = JSON.parse(fixture('calicoctl-ipam-check-report.json')) as unknown;
    expect(isIpamCheckReport(value)).toBe(true);
    const r = parseIpamCheckReport(value);
    const all = Object.values(r.allocations).flat();
    expect(all).toHaveLength(12);
    expect(all.every((a) => a.inUse)).toBe(true);
    expect(all.filter((a) => a.type === 'vxlanTunnelAddress').map((a) => a.ip).sort()).toEqual(['192.168.112.128', '192.168.131.128', '192.168.18.64']);
    expect(r.leakedHandles).toEqual([]);
    expect(r.version).toBe('v3.30.0');
    expect(() => parseIpamCheckReport({ foo: 1 })).toThrow(/allocations/);
  });
});

describe('containerlab inspect --format json (reference)', () => {
  it('rows of the lab keyed by its name; {} means nothing deployed', () => {
    const value = JSON.parse(fixture('containerlab-inspect.json')) as unknown;
    expect(isClabInspect(value)).toBe(true);
    const rows = parseClabInspect(value, 'calico-ipam');
    expect(rows.map((r) => [r.name, r.state, r.ipv4_address])).toEqual([
      ['calico-ipam-control-plane', 'running', '172.18.0.3/16'],
      ['calico-ipam-worker', 'running', '172.18.0.2/16'],
      ['calico-ipam-worker2', 'running', '172.18.0.4/16'],
    ]);
    expect(parseClabInspect(value, 'other')).toEqual([]);
    expect(parseClabInspect(JSON.parse(fixture('containerlab-inspect-empty.json')) as unknown)).toEqual([]);
  });
});

describe('host routes', () => {
  it('ip -j route and /proc/net/route', () => {
    expect(parseHostRoutes('[{"dst":"default","gateway":"192.0.2.1","dev":"eth0"},{"dst":"192.0.2.0/24","dev":"eth0"}]')).toEqual([{ dst: 'default', dev: 'eth0' }, { dst: '192.0.2.0/24', dev: 'eth0' }]);
    const proc = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\nbr-1\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n';
    expect(parseHostRoutes(proc)).toEqual([{ dst: 'default', dev: 'eth0' }, { dst: '192.0.2.0/24', dev: 'eth0' }, { dst: '172.18.0.0/16', dev: 'br-1' }]);
  });
});

describe('CIDR helpers', () => {
  it('names, parsing, overlap sweep and range index', () => {
    expect(cidrToName('192.168.18.64/26')).toBe('192-168-18-64-26');
    expect(parseV4Cidr('192.168.18.70/26')).toEqual({ text: '192.168.18.64/26', base: 3232240192, prefix: 26, size: 64 });
    expect(parseV4Cidr('fc00::/64')).toBeUndefined();
    const cidrs = ['192.168.18.64/26', '192.168.18.96/27', '192.168.0.0/16', '10.96.0.0/16'].map((t) => parseV4Cidr(t)!);
    expect(overlappingPairs(cidrs, (c) => c).map(([a, b]) => `${a.text}~${b.text}`).sort()).toEqual([
      '192.168.0.0/16~192.168.18.64/26',
      '192.168.0.0/16~192.168.18.96/27',
      '192.168.18.64/26~192.168.18.96/27',
    ]);
    const idx = new RangeIndex(cidrs.slice(0, 2), (c) => c);
    expect(idx.find(parseV4Cidr('192.168.18.100/32')!.base).map((c) => c.text).sort()).toEqual(['192.168.18.64/26', '192.168.18.96/27']);
    expect(idx.find(parseV4Cidr('192.168.18.128/32')!.base)).toEqual([]);
  });
});
