/**
 * The healthy lesson-01 lab (calico-ipam) as verify inputs, BUILT from the reference outputs in
 * test/fixtures/verify (copied from ../shared/reference/cli): every allocation of the real-format
 * `calicoctl ipam check -o` report becomes a block ordinal + attribute, an IPAMHandle, and a Pod or a
 * Node tunnel annotation. Blocks/affinities/names follow ipam-facts.md (Calico v3.30).
 * Broken variants are mutations of a fresh copy (`healthyInputs()` returns a new object every call).
 */
import { readFileSync } from 'node:fs';
import { emptyInputs, present, type VerifyInputs } from '../../../src/calico/inputs.js';
import type { VerifyLab } from '../../../src/calico/lab.js';
import { parseClabInspect, parseIpamCheckReport, parseIpamShow } from '../../../src/calico/parse.js';
import type { BlockAffinityObject, IPAMBlockObject, IPAMHandleObject, NodeObject, PodObject, TigeraStatus } from '../../../src/calico/types.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/verify/${name}`, import.meta.url), 'utf8');
}

/** A kind lab of three nodes (`<name>-control-plane`, `-worker`, `-worker2`) with lesson 01's pool and CIDRs. */
export function threeNodeLab(name: string): VerifyLab {
  return {
    name,
    cluster: name,
    nodeImage: 'kindest/node:v1.28.0',
    kubernetesVersion: 'v1.28.0',
    nodes: [
      { name: `${name}-control-plane`, role: 'control-plane' },
      { name: `${name}-worker`, role: 'worker' },
      { name: `${name}-worker2`, role: 'worker' },
    ],
    podSubnet: '192.168.0.0/16',
    serviceSubnet: '10.96.0.0/16',
    pool: { name: 'default-ipv4-ippool', cidr: '192.168.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' },
    topologyFile: `/home/user/${name}/${name}.clab.yaml`,
  };
}

export const lessonLab: VerifyLab = threeNodeLab('calico-ipam');

/** The first block each node claims (reference: expected-first-blocks.tsv, observed on a real cluster). */
export const FIRST_BLOCKS: Record<string, string> = {
  'calico-ipam-control-plane': '192.168.18.64/26',
  'calico-ipam-worker': '192.168.131.128/26',
  'calico-ipam-worker2': '192.168.112.128/26',
};

function ipNum(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

export function block(cidr: string, node: string | undefined, entries: { ip: string; handle: string; secondary: Record<string, string> }[]): IPAMBlockObject {
  const [base, prefix] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(prefix));
  const allocations: (number | null)[] = new Array<number | null>(size).fill(null);
  const attributes: { handle_id: string; secondary: Record<string, string> }[] = [];
  for (const e of entries) {
    allocations[ipNum(e.ip) - ipNum(base)] = attributes.length;
    attributes.push({ handle_id: e.handle, secondary: e.secondary });
  }
  const unallocated = allocations.map((a, i) => (a === null ? i : -1)).filter((i) => i >= 0);
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'IPAMBlock',
    metadata: { name: cidr.replace(/[./]/g, '-') },
    spec: { cidr, ...(node ? { affinity: `host:${node}` } : {}), allocations, unallocated, attributes, deleted: false },
  };
}

export function affinity(node: string, cidr: string, state = 'confirmed'): BlockAffinityObject {
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'BlockAffinity',
    metadata: { name: `${node}-${cidr.replace(/[./]/g, '-')}` },
    spec: { state, node, cidr, type: 'host', deleted: 'false' },
  };
}

export function pod(namespace: string, name: string, node: string, ip: string, hostNetwork = false): PodObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { nodeName: node, ...(hostNetwork ? { hostNetwork } : {}) }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } };
}

function tigera(name: string): TigeraStatus {
  return {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'TigeraStatus',
    metadata: { name },
    status: {
      conditions: [
        { type: 'Available', status: 'True', reason: 'AllObjectsAvailable', message: 'All objects available' },
        { type: 'Progressing', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects Available' },
        { type: 'Degraded', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects Available' },
      ],
    },
  };
}

export function healthyInputs(): VerifyInputs {
  const reportJson = JSON.parse(fixture('calicoctl-ipam-check-report.json')) as unknown;
  const report = parseIpamCheckReport(reportJson);
  const entries = Object.values(report.allocations).flat();
  const blocks: IPAMBlockObject[] = Object.entries(FIRST_BLOCKS).map(([node, cidr]) =>
    block(
      cidr,
      node,
      entries
        .filter((a) => a.node === node)
        .map((a): { ip: string; handle: string; secondary: Record<string, string> } => ({
          ip: a.ip,
          handle: a.handle!,
          secondary: a.pod ? { namespace: a.namespace!, node, pod: a.pod, timestamp: a.creationTimestamp ?? '' } : { node, type: 'vxlanTunnelAddress' },
        })),
    ),
  );
  const handles: IPAMHandleObject[] = entries.map((a) => ({
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'IPAMHandle',
    metadata: { name: a.handle!.toLowerCase() },
    spec: { handleID: a.handle!, block: { [FIRST_BLOCKS[a.node!]!]: 1 }, deleted: false },
  }));
  const pods: PodObject[] = [
    ...entries.filter((a) => a.pod).map((a) => pod(a.namespace!, a.pod!, a.node!, a.ip)),
    pod('kube-system', 'kube-apiserver-calico-ipam-control-plane', 'calico-ipam-control-plane', '172.18.0.3', true),
  ];
  const nodes: NodeObject[] = lessonLab.nodes.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: { 'kubernetes.io/hostname': n.name, ...(n.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}) },
      annotations: { 'projectcalico.org/IPv4VXLANTunnelAddr': entries.find((a) => a.node === n.name && a.type === 'vxlanTunnelAddress')!.ip },
    },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: { kubeletVersion: 'v1.28.0' },
    },
  }));
  const kindNet = JSON.parse(fixture('docker-network-inspect-kind.json')) as { IPAM: { Config: { Subnet: string }[] } }[];
  return {
    ...emptyInputs('not in the test lab'),
    tigeraStatuses: present(['apiserver', 'calico', 'ippools'].map(tigera), 'operator.tigera.io/v1'),
    nodes: present(nodes, 'v1'),
    pods: present(pods, 'v1'),
    ippools: present(
      [{ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool', labels: { 'app.kubernetes.io/managed-by': 'tigera-operator' } }, spec: { cidr: '192.168.0.0/16', blockSize: 26, vxlanMode: 'CrossSubnet', ipipMode: 'Never', natOutgoing: true, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'] } }],
      'crd.projectcalico.org/v1',
    ),
    ipamBlocks: present(blocks, 'crd.projectcalico.org/v1'),
    blockAffinities: present(Object.entries(FIRST_BLOCKS).map(([node, cidr]) => affinity(node, cidr)), 'crd.projectcalico.org/v1'),
    ipamHandles: present(handles, 'crd.projectcalico.org/v1'),
    installations: present([{ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { ipPools: [{ cidr: '192.168.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' }] } } }], 'operator.tigera.io/v1'),
    containers: present(parseClabInspect(JSON.parse(fixture('containerlab-inspect.json')) as unknown, 'calico-ipam'), 'containerlab inspect --format json'),
    ipamShow: present(parseIpamShow(fixture('calicoctl-ipam-show-blocks.txt')), 'calicoctl ipam show --show-blocks'),
    ipamCheck: present(parseIpamCheckReport(reportJson), 'calicoctl ipam check -o'),
    kindSubnets: present(kindNet[0]!.IPAM.Config.map((c) => c.Subnet), 'docker network inspect kind'),
    hostRoutes: present([{ dst: 'default', dev: 'eth0' }, { dst: '172.18.0.0/16', dev: 'br-2f5d0c8e9a7b' }, { dst: '192.0.2.0/24', dev: 'eth0' }], 'ip -j route'),
  };
}

/** Replace one input's value (typed helper for broken variants). */
export function withValue<K extends keyof VerifyInputs>(inputs: VerifyInputs, key: K, value: VerifyInputs[K] extends { ok: true; value: infer V } | { ok: false } ? V : never): VerifyInputs {
  return { ...inputs, [key]: present(value, (inputs[key] as { source?: string }).source ?? 'test') };
}
