import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClabInspectTable, parseIpRouteJson, parseIpRouteText, parseKubeObjects } from '../../../src/calico/readers/index.js';
import { fixture, FIXTURES, REFERENCE } from './fixtures.js';

describe('containerlab inspect (table)', () => {
  it('reads the rounded box: kind over image, IPv4 over IPv6 in one row per node', () => {
    const p = join(REFERENCE, 'containerlab-inspect.txt');
    if (!existsSync(p)) {
      console.warn(`SKIPPED: ${p} is absent (the shared reference is not checked out)`);
      return;
    }
    expect(parseClabInspectTable(readFileSync(p, 'utf8'))).toEqual([
      { name: 'calico-ipam-control-plane', kind: 'k8s-kind', image: 'kindest/node:v1.28.0', state: 'running', ipv4_address: '172.18.0.3', ipv6_address: 'fc00:f853:ccd:e793::3' },
      { name: 'calico-ipam-worker', kind: 'k8s-kind', image: 'kindest/node:v1.28.0', state: 'running', ipv4_address: '172.18.0.2', ipv6_address: 'fc00:f853:ccd:e793::2' },
      { name: 'calico-ipam-worker2', kind: 'k8s-kind', image: 'kindest/node:v1.28.0', state: 'running', ipv4_address: '172.18.0.4', ipv6_address: 'fc00:f853:ccd:e793::4' },
    ]);
  });

  it('an exited node has its state and no address (N/A is not an address)', () => {
    const rows = parseClabInspectTable(fixture('containerlab-inspect-exited.txt'));
    expect(rows[2]).toEqual({ name: 'calico-ipam-worker2', kind: 'k8s-kind', image: 'kindest/node:v1.28.0', state: 'exited' });
  });

  it('reads the older ASCII table with Container ID and separate address columns', () => {
    const rows = parseClabInspectTable(fixture('containerlab-inspect-ascii.txt'));
    expect(rows.map((r) => [r.name, r.container_id, r.state, r.ipv4_address])).toEqual([
      ['calico-ipam-control-plane', '8c1b7f3e2a90', 'running', '172.18.0.3/16'],
      ['calico-ipam-worker', '4e07d2a9b1c5', 'running', '172.18.0.2/16'],
      ['calico-ipam-worker2', 'd95a3c60f7e2', 'running', '172.18.0.4/16'],
    ]);
  });
});

describe('ip route', () => {
  const worker2 = [
    { type: 'unicast', dst: 'default', via: '172.18.0.1', dev: 'eth0', flags: [] },
    { type: 'unicast', dst: '172.18.0.0/16', dev: 'eth0', proto: 'kernel', scope: 'link', src: '172.18.0.4', flags: [] },
    { type: 'blackhole', dst: '192.168.112.128/26', proto: '80', flags: [] },
    { type: 'unicast', dst: '192.168.112.129', dev: 'cali5f0a3e1c2b7', scope: 'link', flags: [] },
    { type: 'unicast', dst: '192.168.112.130', dev: 'cali8d21b6f0a44', scope: 'link', flags: [] },
    { type: 'unicast', dst: '192.168.131.128/26', via: '172.18.0.2', dev: 'eth0', proto: '80', flags: ['onlink'] },
    { type: 'unicast', dst: '192.168.18.64/26', via: '172.18.0.3', dev: 'eth0', proto: '80', flags: ['onlink'] },
  ];

  it('reads a kind node table: kernel route, Calico blackhole for its own block, cali* and peer routes', () => {
    expect(parseIpRouteText(fixture('ip-route-worker2.txt'))).toEqual(worker2);
  });

  it('reads `ip -j route` into the same routes', () => {
    expect(parseIpRouteJson(JSON.parse(fixture('ip-route-worker2.json')))).toEqual(worker2);
  });

  it('reads VXLAN routes over vxlan.calico', () => {
    const r = parseIpRouteText(fixture('ip-route-worker-vxlan.txt')).find((x) => x.dst === '192.168.18.64/26');
    expect(r).toEqual({ type: 'unicast', dst: '192.168.18.64/26', via: '192.168.18.64', dev: 'vxlan.calico', flags: ['onlink'] });
  });

  it('keeps metric, skips metrics it does not use, and names a line that is not a route', () => {
    const [r] = parseIpRouteText('unreachable 2002:a00::/24 dev lo metric 1024 pref medium\n');
    expect(r).toEqual({ type: 'unreachable', dst: '2002:a00::/24', dev: 'lo', metric: 1024, flags: [] });
    expect(() => parseIpRouteText('default via 172.18.0.1 dev eth0\nnot a route\n')).toThrow(/line 2/);
  });
});

describe('kubectl get … -o yaml|json', () => {
  it('reads a v3 List of affinities as printed', () => {
    const read = parseKubeObjects(readFileSync(join(FIXTURES, '../verify/blockaffinities-v3.yaml'), 'utf8'));
    expect(read.kinds).toEqual(['BlockAffinity projectcalico.org/v3']);
    expect(read.items.map((i) => i.metadata.name)).toEqual(['calico-ipam-control-plane-192-168-18-64-26', 'calico-ipam-worker-192-168-131-128-26', 'calico-ipam-worker2-192-168-112-128-26']);
  });

  it('reads several YAML documents and a JSON object; an empty List is said to be empty', () => {
    const docs = parseKubeObjects('apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata:\n  name: default\n---\napiVersion: operator.tigera.io/v1\nkind: APIServer\nmetadata:\n  name: default\n');
    expect(docs.kinds).toEqual(['Installation operator.tigera.io/v1', 'APIServer operator.tigera.io/v1']);
    expect(parseKubeObjects('{"apiVersion":"v1","kind":"List","items":[],"metadata":{"resourceVersion":""}}')).toEqual({ items: [], kinds: [], emptyList: true });
  });

  it('names the line of a YAML error and refuses documents that are not objects', () => {
    expect(() => parseKubeObjects('apiVersion: v1\nkind: List\nitems:\n- a: [\n')).toThrow(/line \d+/);
    expect(() => parseKubeObjects('just: text\n')).toThrow(/not a Kubernetes object/);
  });
});
