import { containsIp, parseV4 } from '../cidr.js';
import { allocationAt, ipamModel } from '../model.js';
import type { PodObject } from '../types.js';
import { Findings, type Check } from './common.js';

export const TUNNEL_ANNOTATION = 'projectcalico.org/IPv4VXLANTunnelAddr';

function podIPv4s(pod: PodObject): string[] {
  const ips = new Set<string>();
  if (pod.status?.podIP) ips.add(pod.status.podIP);
  for (const p of pod.status?.podIPs ?? []) if (p.ip) ips.add(p.ip);
  return [...ips].filter((ip) => parseV4(ip) !== undefined);
}

export const podIps: Check = {
  id: 'pod-ips',
  title: 'Pod IPs: unique, inside the pool and a block; tunnel IPs in their node\'s block',
  needs: ['pods', 'ipamBlocks'],
  uses: ['pods', 'ipamBlocks', 'nodes'],
  explain:
    'Every pod on the pod network gets one IP from a block of the pool, normally a block affine to its own node; two pods never share ' +
    'an IP. When a node\'s blocks are full and no free block is left, Calico borrows an IP from another node\'s block (a warning: routing ' +
    'then relies on a more specific route). Each node also holds one VXLAN tunnel IP, ordinal 0 of its first block.',
  commands: ['kubectl get pods -A -o wide', 'calicoctl ipam show --show-borrowed', 'kubectl get nodes -o yaml | grep IPv4VXLANTunnelAddr'],
  judge(lab, inputs) {
    const model = ipamModel(lab, inputs);
    const pods = inputs.pods.ok ? inputs.pods.value : [];
    const f = new Findings();
    const poolCidr = model.poolCidr;
    const owners = new Map<string, string[]>();
    const borrowed: { ip: string; owner: string; node: string | undefined; block: string; blockNode: string | undefined }[] = [];
    let counted = 0;
    const judgeIp = (ip: string, owner: string, node: string | undefined, kind: 'pod' | 'tunnel'): void => {
      const n = parseV4(ip)!;
      owners.set(ip, [...(owners.get(ip) ?? []), owner]);
      if (poolCidr && !containsIp(poolCidr, n)) {
        f.fail(`${owner}: ${ip} is outside the pool ${poolCidr.text}`);
        return;
      }
      const blocks = model.index.find(n);
      const block = blocks.find((b) => b.node === node) ?? blocks[0];
      if (!block) {
        f.fail(`${owner}: ${ip} is in no IPAM block`);
        return;
      }
      if (allocationAt(block, n) === null) f.fail(`${owner}: ${ip} is not allocated in block ${block.cidrText}`);
      if (node !== undefined && block.node !== node) {
        borrowed.push({ ip, owner, node, block: block.cidrText, blockNode: block.node });
        f.warn(`${owner} on ${node}: ${ip} is borrowed from block ${block.cidrText} (affine to ${block.node ?? 'no node'})${kind === 'tunnel' ? ' — a tunnel IP normally sits in its own node\'s block' : ''}`);
      }
    };
    for (const pod of pods) {
      if (pod.spec?.hostNetwork === true) continue;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const ips = podIPv4s(pod);
      if (ips.length === 0) continue;
      counted++;
      for (const ip of ips) judgeIp(ip, `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`, pod.spec?.nodeName, 'pod');
    }
    const tunnels: { node: string; ip: string | undefined }[] = [];
    const vxlan = /VXLAN/.test(lab.pool.encapsulation);
    if (inputs.nodes.ok) {
      const expected = new Set(lab.nodes.map((n) => n.name));
      for (const node of inputs.nodes.value) {
        const ip = node.metadata.annotations?.[TUNNEL_ANNOTATION];
        tunnels.push({ node: node.metadata.name, ip });
        if (ip === undefined || parseV4(ip) === undefined) {
          if (vxlan && expected.has(node.metadata.name)) f.warn(`node ${node.metadata.name} has no ${TUNNEL_ANNOTATION} annotation`);
          continue;
        }
        judgeIp(ip, `tunnel of ${node.metadata.name}`, node.metadata.name, 'tunnel');
      }
    }
    const duplicates = [...owners.entries()].filter(([, o]) => o.length > 1).map(([ip, o]) => ({ ip, owners: o }));
    for (const d of duplicates) f.fail(`${d.ip} is used by ${d.owners.join(' and ')}`);
    return f.verdict(
      `${counted} pod-network pods with unique IPs in their node's block${tunnels.length > 0 ? `; ${tunnels.filter((t) => t.ip).length} tunnel IPs in place` : ''}`,
      { pods: counted, duplicates, borrowed, tunnels, ...(inputs.nodes.ok ? {} : { tunnelsNotChecked: inputs.nodes.reason }) },
      'duplicate or unallocated IPs point at IPAM corruption: run `calicoctl ipam check --show-problem-ips`; borrowed IPs mean the node\'s blocks were full',
    );
  },
};
