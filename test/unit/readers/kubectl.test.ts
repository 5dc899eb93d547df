import { describe, expect, it } from 'vitest';
import {
  affinityFromName,
  parseBlockAffinitiesTable,
  parseBlockAffinityListing,
  parseHeaderlessPodRows,
  parseNodesTable,
  parsePodsTable,
  parseTigeraStatusDescribe,
  parseTigeraStatusTable,
  ParseError,
} from '../../../src/calico/readers/index.js';
import { fixture } from './fixtures.js';

describe('kubectl get tigerastatus', () => {
  it('reads the healthy lab: apiserver, calico and ippools available, none degraded', () => {
    expect(parseTigeraStatusTable(fixture('kubectl-get-tigerastatus.txt'))).toEqual([
      { name: 'apiserver', available: 'True', progressing: 'False', degraded: 'False', since: '4m12s' },
      { name: 'calico', available: 'True', progressing: 'False', degraded: 'False', since: '4m27s' },
      { name: 'ippools', available: 'True', progressing: 'False', degraded: 'False', since: '5m3s' },
    ]);
  });

  it('keeps blank cells blank: an absent Available condition is not read as any value', () => {
    const rows = parseTigeraStatusTable(fixture('kubectl-get-tigerastatus-blank.txt'));
    expect(rows).toEqual([
      { name: 'apiserver', available: 'False', progressing: 'True', degraded: 'False', since: '18s' },
      { name: 'calico', progressing: 'True', degraded: 'False' },
      { name: 'ippools' },
    ]);
    expect(rows[1]).not.toHaveProperty('available');
  });

  it('reads the MESSAGE column newer operators print, messages with spaces intact', () => {
    const rows = parseTigeraStatusTable(fixture('kubectl-get-tigerastatus-message.txt'));
    expect(rows.map((r) => [r.name, r.available, r.degraded])).toEqual([['apiserver', 'False', 'True'], ['calico', 'True', 'False'], ['ippools', 'False', 'True']]);
    expect(rows[0]!.message).toBe('Pod calico-apiserver/calico-apiserver-6b8f7c9d4-p9xlq has crash looping container: calico-apiserver');
    expect(rows[2]!.message).toBe('Unable to modify IP pools while Calico API server is unavailable:');
  });

  it('reads `No resources found` as an empty list, and refuses another table', () => {
    expect(parseTigeraStatusTable('No resources found\n')).toEqual([]);
    expect(() => parseTigeraStatusTable(fixture('kubectl-get-nodes.txt'))).toThrow(ParseError);
  });
});

describe('kubectl describe tigerastatus', () => {
  it('reads each object and its three conditions (a repeated key starts the next condition)', () => {
    const objs = parseTigeraStatusDescribe(fixture('kubectl-describe-tigerastatus.txt'));
    expect(objs.map((o) => o.metadata.name)).toEqual(['calico', 'ippools']);
    expect(objs[0]!.status!.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['Degraded=False', 'Available=True', 'Progressing=False']);
    const degraded = objs[1]!.status!.conditions!.find((c) => c.type === 'Degraded')!;
    expect(degraded).toMatchObject({ status: 'True', reason: 'ResourceNotReady', message: 'Unable to modify IP pools while Calico API server is unavailable:', lastTransitionTime: '2026-12-02T05:36:15Z' });
    // The ippools Available condition has no Message line: none is invented.
    expect(objs[1]!.status!.conditions!.find((c) => c.type === 'Available')).not.toHaveProperty('message');
  });

  it('refuses text without a Name: line', () => {
    expect(() => parseTigeraStatusDescribe('Status:\n  Conditions:\n')).toThrow(/Name:/);
  });
});

describe('kubectl get nodes', () => {
  it('reads the default table: three Ready nodes at v1.28.0, workers without a role', () => {
    expect(parseNodesTable(fixture('kubectl-get-nodes.txt'))).toEqual([
      { name: 'calico-ipam-control-plane', status: 'Ready', roles: ['control-plane'], age: '11m', version: 'v1.28.0' },
      { name: 'calico-ipam-worker', status: 'Ready', roles: [], age: '10m', version: 'v1.28.0' },
      { name: 'calico-ipam-worker2', status: 'Ready', roles: [], age: '10m', version: 'v1.28.0' },
    ]);
  });

  it('reads -o wide: InternalIPs, an OS image with spaces, no EXTERNAL-IP', () => {
    const rows = parseNodesTable(fixture('kubectl-get-nodes-wide.txt'));
    expect(rows.map((r) => [r.name, r.internalIP])).toEqual([['calico-ipam-control-plane', '172.18.0.3'], ['calico-ipam-worker', '172.18.0.2'], ['calico-ipam-worker2', '172.18.0.4']]);
    expect(rows[0]).toMatchObject({ osImage: 'Debian GNU/Linux 11 (bullseye)', kernelVersion: '6.8.0-49-generic', containerRuntime: 'containerd://1.7.1' });
    expect(rows[0]).not.toHaveProperty('externalIP');
  });

  it('skips the klog lines kubectl prints above the table when the Calico API server is down', () => {
    expect(parseNodesTable(fixture('kubectl-get-nodes-apiserver-down.txt'))).toEqual(parseNodesTable(fixture('kubectl-get-nodes.txt')));
  });

  it('reads a row re-spaced by a copy when its cells still split cleanly', () => {
    const text = 'NAME                       STATUS   ROLES           AGE   VERSION\ncalico-ipam-control-plane Ready  control-plane 3m v1.28.0\n';
    expect(parseNodesTable(text)[0]).toMatchObject({ name: 'calico-ipam-control-plane', status: 'Ready', version: 'v1.28.0' });
  });
});

describe('kubectl get pods', () => {
  it('reads -A -o wide: namespace, IP and node per pod; hostNetwork pods show their node IP', () => {
    const rows = parsePodsTable(fixture('kubectl-get-pods-A-wide.txt'));
    expect(rows).toHaveLength(22);
    expect(rows.find((r) => r.name === 'coredns-5dd5756b68-8nx4d')).toEqual({
      namespace: 'kube-system', name: 'coredns-5dd5756b68-8nx4d', ready: '1/1', status: 'Running', restarts: '0', age: '11m', ip: '192.168.18.66', node: 'calico-ipam-control-plane',
    });
    expect(rows.find((r) => r.name === 'calico-node-2q8sd')).toMatchObject({ ip: '172.18.0.4', node: 'calico-ipam-worker2' });
    expect(rows.find((r) => r.name.startsWith('kube-controller-manager'))!.restarts).toBe('1 (10m ago)');
    // `<none>` in NOMINATED NODE / READINESS GATES is absent, not the text "<none>".
    expect(rows.every((r) => r.nominatedNode === undefined && r.readinessGates === undefined)).toBe(true);
  });

  it('reads -n … -o wide without a NAMESPACE column; a pod without an IP has none', () => {
    const rows = parsePodsTable(fixture('kubectl-get-pods-n-calico-system-wide.txt'));
    expect(rows.every((r) => r.namespace === undefined)).toBe(true);
    const pending = rows.find((r) => r.name === 'csi-node-driver-pending-x')!;
    expect(pending).toMatchObject({ status: 'ContainerCreating', node: 'calico-ipam-worker2' });
    expect(pending).not.toHaveProperty('ip');
  });

  it('reads rows that lost their header to grep, with the columns the command implies', () => {
    const rows = fixture('kubectl-get-pods-n-calico-system-wide.txt').split('\n').slice(1).join('\n');
    expect(parseHeaderlessPodRows(rows, false, true)).toEqual(parsePodsTable(fixture('kubectl-get-pods-n-calico-system-wide.txt')));
    const all = fixture('kubectl-get-pods-A-wide.txt').split('\n').filter((l) => l.includes('kube-controller-manager')).join('\n');
    expect(parseHeaderlessPodRows(all, true, true)).toEqual([expect.objectContaining({ namespace: 'kube-system', restarts: '1 (10m ago)', ip: '172.18.0.3' })]);
    expect(() => parseHeaderlessPodRows(all, false, true)).toThrow(/line 1: not a row of kubectl get pods -o wide/);
  });

  it('reads the table without -o wide: no IP, no node', () => {
    const rows = parsePodsTable(fixture('kubectl-get-pods-A.txt'));
    expect(rows).toHaveLength(6);
    expect(rows.some((r) => r.ip !== undefined || r.node !== undefined)).toBe(false);
  });
});

describe('kubectl get blockaffinities', () => {
  const expected = [
    { node: 'calico-ipam-control-plane', cidr: '192.168.18.64/26' },
    { node: 'calico-ipam-worker', cidr: '192.168.131.128/26' },
    { node: 'calico-ipam-worker2', cidr: '192.168.112.128/26' },
  ];

  it('derives node and CIDR from each name (NAME AGE, crd.projectcalico.org/v1 table)', () => {
    const rows = parseBlockAffinitiesTable(fixture('kubectl-get-blockaffinities.txt'));
    expect(rows.map((r) => ({ node: r.node, cidr: r.cidr }))).toEqual(expected);
    expect(rows[0]).toMatchObject({ name: 'calico-ipam-control-plane-192-168-18-64-26', age: '9m51s' });
    expect(rows[0]).not.toHaveProperty('state');
  });

  it('reads the API server table (NAME CREATED AT) the same way', () => {
    expect(parseBlockAffinitiesTable(fixture('kubectl-get-blockaffinities-v3.txt')).map((r) => ({ node: r.node, cidr: r.cidr }))).toEqual(expected);
  });

  it('a name without the <node>-<a-b-c-d-prefix> shape gives no node and no CIDR', () => {
    expect(affinityFromName('ipam-block-affinity-192-168-0-64-26')).toEqual({ node: 'ipam-block-affinity', cidr: '192.168.0.64/26' });
    expect(affinityFromName('worker-192-168-0-65-26')).toEqual({}); // not a network address
    expect(affinityFromName('worker-300-1-1-0-24')).toEqual({});
    expect(affinityFromName('calico-ipam-worker-a1b2c3d4e5f')).toEqual({});
  });

  it('reads the lesson jsonpath listing with tabs and with tabs turned into spaces', () => {
    const tabs = parseBlockAffinityListing(fixture('blockaffinities-jsonpath-tabs.txt'));
    const spaces = parseBlockAffinityListing(fixture('blockaffinities-jsonpath-spaces.txt'));
    expect(tabs.map(({ node, cidr }) => ({ node, cidr }))).toEqual(expected);
    expect(spaces).toEqual(tabs);
    expect(() => parseBlockAffinityListing('a b\n')).toThrow(/line 1/);
  });
});
