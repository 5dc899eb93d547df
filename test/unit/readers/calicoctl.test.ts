import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpamCheckText, parseIpamShowText, parsePrintedCount } from '../../../src/calico/readers/index.js';
import { fixture, REFERENCE } from './fixtures.js';

const referenceFile = (name: string): string | undefined => {
  const p = join(REFERENCE, name);
  if (existsSync(p)) return readFileSync(p, 'utf8');
  console.warn(`SKIPPED: ${p} is absent (the shared reference is not checked out)`);
  return undefined;
};

describe('calicoctl ipam show', () => {
  it('reads `ipam show` and `ipam show --show-blocks` saved one after the other as two tables', () => {
    const read = parseIpamShowText(fixture('calicoctl-ipam-show-and-blocks.txt'));
    expect(read.tables.map((t) => [t.line, t.showBlocks, t.rows.length])).toEqual([[2, false, 1], [7, true, 4]]);
    const pool = read.tables[1]!.rows[0]!;
    expect(pool).toMatchObject({ grouping: 'IP Pool', cidr: '192.168.0.0/16' });
    expect(pool.total).toEqual({ raw: '65536', value: 65536, rounded: false });
    expect(pool.inUse).toEqual({ raw: '12 (0%)', value: 12, percent: 0, rounded: false });
    expect(pool.free).toEqual({ raw: '65524 (100%)', value: 65524, percent: 100, rounded: false });
    const blocks = read.tables[1]!.rows.slice(1);
    expect(blocks.map((b) => [b.cidr, b.inUse.value, b.pool])).toEqual([
      ['192.168.112.128/26', 3, '192.168.0.0/16'],
      ['192.168.131.128/26', 4, '192.168.0.0/16'],
      ['192.168.18.64/26', 5, '192.168.0.0/16'],
    ]);
  });

  it('places blocks by containment: a block after the pool rows that no pool holds belongs to none', () => {
    const rows = parseIpamShowText(fixture('calicoctl-ipam-show-blocks-orphan.txt')).tables[0]!.rows;
    const orphan = rows.find((r) => r.cidr === '10.244.7.0/26')!;
    expect(orphan.grouping).toBe('Block');
    expect(orphan).not.toHaveProperty('pool');
    expect(rows.filter((r) => r.pool === '192.168.0.0/16')).toHaveLength(3);
  });

  it('keeps %.5g counts of a large pool raw and says they are rounded', () => {
    const pool = parseIpamShowText(fixture('calicoctl-ipam-show-blocks-big-pool.txt')).tables[0]!.rows[0]!;
    expect(pool.total).toEqual({ raw: '1.0486e+06', value: 1048600, rounded: true });
    expect(pool.free).toEqual({ raw: '1.0486e+06 (100%)', value: 1048600, percent: 100, rounded: true });
    expect(pool.inUse.rounded).toBe(false);
    expect(parsePrintedCount('64', 'x')).toEqual({ raw: '64', value: 64, rounded: false });
    expect(() => parsePrintedCount('lots', 'line 3')).toThrow(/line 3: 'lots' is not a count/);
  });

  it('notes --show-borrowed tables instead of misreading them as "no pools"', () => {
    const text = referenceFile('calicoctl-ipam-show-borrowed.txt');
    if (text === undefined) return;
    expect(() => parseIpamShowText(text)).toThrow('only calicoctl ipam show --show-borrowed (line 2), which verify does not read');
    const both = parseIpamShowText(text + fixture('calicoctl-ipam-show-blocks-orphan.txt'));
    expect(both.tables).toHaveLength(1);
    expect(both.otherTables).toEqual(['calicoctl ipam show --show-borrowed (line 2)']);
  });

  it('agrees with the shared reference output of the healthy lab', () => {
    const text = referenceFile('calicoctl-ipam-show-blocks.txt');
    if (text === undefined) return;
    const rows = parseIpamShowText(text).tables[0]!.rows;
    expect(rows.map((r) => r.inUse.value)).toEqual([12, 3, 4, 5]);
  });

  it('refuses a row with an unknown grouping, naming the line', () => {
    const bad = fixture('calicoctl-ipam-show-and-blocks.txt').replace('| Block    | 192.168.131.128/26', '| Bloc     | 192.168.131.128/26');
    expect(() => parseIpamShowText(bad)).toThrow(/line 11: unknown grouping 'Bloc'/);
  });
});

describe('calicoctl ipam check (stdout)', () => {
  it('reads the counts of a run with --show-problem-ips and the listed IPs', () => {
    const v = parseIpamCheckText(fixture('calicoctl-ipam-check-show-problem-ips.txt'), true);
    expect(v).toMatchObject({
      blocks: 3, allocations: 13, pools: ['192.168.0.0/16'], activePools: 1, nodeTunnelIps: 3, loadBalancers: 0, workloadIps: 10, inUseIps: 13,
      leaked: 1, notInPool: 0, noAllocation: 1, handlesWithoutIps: 0, handlesWithIps: 13, missingHandles: 0, problems: 2, complete: true, problemIpsListed: 'yes',
    });
    expect(v.blockAffinities).toEqual([
      { cidr: '192.168.112.128/26', affinity: 'host:calico-ipam-worker2' },
      { cidr: '192.168.131.128/26', affinity: 'host:calico-ipam-worker' },
      { cidr: '192.168.18.64/26', affinity: 'host:calico-ipam-control-plane' },
    ]);
    expect(v.topNodes).toEqual([{ node: 'calico-ipam-control-plane', allocations: 5 }, { node: 'calico-ipam-worker', allocations: 5 }, { node: 'calico-ipam-worker2', allocations: 3 }]);
    expect(v.problemIps.leaked.map((l) => l.ip)).toEqual(['192.168.131.132']);
    expect(v.problemIps.leaked[0]!.attrs).toMatch(/^Main:k8s-pod-network\.3f9c.* Extra:namespace=default,node=calico-ipam-worker,pod=iperf-client-5c7d9b8f6-tx4wq,/);
    expect(v.problemIps.noAllocation).toEqual([{ ip: '192.168.112.131', owner: 'Workload(default/calico--ipam--worker2-k8s-web--0-eth0)' }]);
  });

  it('reads the load balancer count in the v3.30.0 and the v3.30.1 wording', () => {
    const v3300 = fixture('calicoctl-ipam-check-problems.txt');
    expect(v3300).toContain('Found 0 service load balancer.\n');
    const v3301 = v3300.replace('Found 0 service load balancer.', 'Found 2 service load balancer(s).');
    expect(parseIpamCheckText(v3300).loadBalancers).toBe(0);
    expect(parseIpamCheckText(v3301).loadBalancers).toBe(2);
  });

  it('without --show-problem-ips: the same counts, and says the IPs are not listed', () => {
    const v = parseIpamCheckText(fixture('calicoctl-ipam-check-problems.txt'));
    expect(v).toMatchObject({ leaked: 1, noAllocation: 1, problems: 2, problemIpsListed: 'no' });
    expect(v.problemIps.leaked).toEqual([]);
    expect(parseIpamCheckText(fixture('calicoctl-ipam-check-problems.txt'), false).problemIpsListed).toBe('no');
  });

  it('a healthy run lists nothing and cannot tell whether IPs would have been listed', () => {
    const text = referenceFile('calicoctl-ipam-check.txt');
    if (text === undefined) return;
    expect(parseIpamCheckText(text)).toMatchObject({ problems: 0, complete: true, problemIpsListed: 'unknown', inUseIps: 12 });
  });

  it('a run cut short is not complete and has no problem count', () => {
    const cut = fixture('calicoctl-ipam-check-problems.txt').split('Scanning for IPAM handles')[0]!;
    const v = parseIpamCheckText(cut);
    expect(v.complete).toBe(false);
    expect(v).not.toHaveProperty('problems');
    expect(v.leaked).toBe(1);
  });

  it('refuses text that is not ipam check output', () => {
    expect(() => parseIpamCheckText('Found 3 IPAM blocks.\n')).toThrow(/not the output of `calicoctl ipam check`/);
  });
});
