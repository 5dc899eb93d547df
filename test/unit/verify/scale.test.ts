import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/calico/checks/index.js';
import { present, type VerifyInputs } from '../../../src/calico/inputs.js';
import type { VerifyLab } from '../../../src/calico/lab.js';
import { runChecks } from '../../../src/calico/runner.js';
import type { BlockAffinityObject, IPAMBlockObject, NodeObject, PodObject } from '../../../src/calico/types.js';
import { affinity, block, healthyInputs, lessonLab, pod } from './lesson-lab.js';

/** 100 nodes × 10 blocks (/26, 1,000 blocks), 20 pods per node: the benchmark's size. */
function bigLab(): { lab: VerifyLab; inputs: VerifyInputs } {
  const names = Array.from({ length: 100 }, (_, i) => (i === 0 ? 'big-control-plane' : `big-worker${i === 1 ? '' : i}`));
  const lab: VerifyLab = { ...lessonLab, name: 'big', cluster: 'big', nodes: names.map((name, i) => ({ name, role: i === 0 ? 'control-plane' : 'worker' })) };
  const blocks: IPAMBlockObject[] = [];
  const affinities: BlockAffinityObject[] = [];
  const pods: PodObject[] = [];
  const nodes: NodeObject[] = [];
  names.forEach((node, n) => {
    for (let b = 0; b < 10; b++) {
      const index = n * 10 + b; // block index in the /16
      const base = index * 64;
      const cidr = `192.168.${Math.floor(base / 256)}.${base % 256}/26`;
      const entries = [];
      const count = b === 0 ? 21 : b === 1 ? 0 : 0;
      for (let k = 0; k < count; k++) {
        const ip = `192.168.${Math.floor((base + k) / 256)}.${(base + k) % 256}`;
        entries.push({ ip, handle: k === 0 ? `vxlan-tunnel-addr-${node}` : `k8s-pod-network.${n}-${k}`, secondary: k === 0 ? { node, type: 'vxlanTunnelAddress' } : { node, namespace: 'default', pod: `p-${n}-${k}` } });
        if (k > 0) pods.push(pod('default', `p-${n}-${k}`, node, ip));
      }
      blocks.push(block(cidr, node, entries));
      affinities.push(affinity(node, cidr));
      if (b === 0) {
        nodes.push({
          metadata: { name: node, labels: n === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}, annotations: { 'projectcalico.org/IPv4VXLANTunnelAddr': entries[0]!.ip } },
          status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.28.0' } },
        });
      }
    }
  });
  const h = healthyInputs();
  return {
    lab,
    inputs: {
      ...h,
      nodes: present(nodes, 'v1'),
      pods: present(pods, 'v1'),
      ipamBlocks: present(blocks, 'crd.projectcalico.org/v1'),
      blockAffinities: present(affinities, 'crd.projectcalico.org/v1'),
      ipamHandles: present([], 'crd.projectcalico.org/v1'),
      containers: present(names.map((name) => ({ name, image: 'kindest/node:v1.28.0', state: 'running', ipv4_address: '172.18.0.9/16' })), 'clab'),
      ipamShow: { ok: false, reason: 'test' },
      ipamCheck: { ok: false, reason: 'test' },
    },
  };
}

describe('scale: 100 nodes, 1,000 blocks, 2,000 pods', () => {
  it('every check passes at this size (its time is a row of `npm run bench`, not asserted here)', () => {
    const { lab, inputs } = bigLab();
    const results = runChecks(CHECKS, lab, inputs);
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
    expect(results.find((r) => r.id === 'ipam-pool')!.evidence['usage']).toMatchObject({ inUse: 2100, total: 65536 });
  });
});
