import { describe, expect, it } from 'vitest';
import {
  affinityRowsToAffinities,
  ipamShowToIpamShow,
  nodeRowsToNodes,
  parseBlockAffinitiesTable,
  parseIpamShowText,
  parseNodesTable,
  parsePodsTable,
  parseTigeraStatusTable,
  podRowsToPods,
  tigeraRowsToStatuses,
} from '../../../src/calico/readers/index.js';
import { fixture } from './fixtures.js';

describe('readers → the object shapes the checks judge', () => {
  it('a blank TigeraStatus cell gives no condition at all (not a False one)', () => {
    const [apiserver, calico, ippools] = tigeraRowsToStatuses(parseTigeraStatusTable(fixture('kubectl-get-tigerastatus-blank.txt')));
    expect(apiserver!.status!.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['Available=False', 'Progressing=True', 'Degraded=False']);
    expect(calico!.status!.conditions!.map((c) => c.type)).toEqual(['Progressing', 'Degraded']);
    expect(ippools!.status!.conditions).toEqual([]);
  });

  it('nodes: Ready condition, InternalIP, kubelet version and the control-plane role label', () => {
    const [cp, w] = nodeRowsToNodes(parseNodesTable(fixture('kubectl-get-nodes-wide.txt')));
    expect(cp).toMatchObject({ metadata: { name: 'calico-ipam-control-plane', labels: { 'node-role.kubernetes.io/control-plane': '' } }, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '172.18.0.3' }], nodeInfo: { kubeletVersion: 'v1.28.0' } } });
    expect(w!.metadata.labels).toEqual({});
    expect(nodeRowsToNodes([{ name: 'n', status: 'NotReady,SchedulingDisabled', roles: [] }])[0]!.status!.conditions).toEqual([{ type: 'Ready', status: 'False' }]);
  });

  it('pods: IP and node from -o wide, hostNetwork left unknown', () => {
    const pods = podRowsToPods(parsePodsTable(fixture('kubectl-get-pods-A-wide.txt')));
    const coredns = pods.find((p) => p.metadata.name === 'coredns-5dd5756b68-8nx4d')!;
    expect(coredns).toMatchObject({ metadata: { namespace: 'kube-system' }, spec: { nodeName: 'calico-ipam-control-plane' }, status: { phase: 'Running', podIP: '192.168.18.66' } });
    expect(coredns.spec).not.toHaveProperty('hostNetwork');
  });

  it('affinities from a table have node and CIDR and no state', () => {
    const [a] = affinityRowsToAffinities(parseBlockAffinitiesTable(fixture('kubectl-get-blockaffinities.txt')));
    expect(a!.spec).toEqual({ node: 'calico-ipam-control-plane', cidr: '192.168.18.64/26' });
  });

  it('ipam show: the --show-blocks table wins over the plain one in the same capture', () => {
    const show = ipamShowToIpamShow(parseIpamShowText(fixture('calicoctl-ipam-show-and-blocks.txt')))!;
    expect(show.showBlocks).toBe(true);
    expect(show.rows.map((r) => [r.grouping, r.cidr, r.inUse])).toEqual([['IP Pool', '192.168.0.0/16', 12], ['Block', '192.168.112.128/26', 3], ['Block', '192.168.131.128/26', 4], ['Block', '192.168.18.64/26', 5]]);
    expect(ipamShowToIpamShow({ tables: [], otherTables: [] })).toBeUndefined();
  });
});
