import { containsIp, parseV4, parseV4Cidr, type V4Cidr } from '../cidr.js';
import type { VerifyInputs } from '../inputs.js';
import type { VerifyLab } from '../lab.js';
import { allocationAt, ipamModel } from '../model.js';
import type { PodRowView } from '../types.js';
import type { Check, RuleContext } from './common.js';

export const TUNNEL_ANNOTATION = 'projectcalico.org/IPv4VXLANTunnelAddr';

const owner = (p: PodRowView): string => `pod ${p.namespace ?? 'default'}/${p.name}`;

/**
 * The pods on the pod network with an IPv4, and those taken for hostNetwork pods. From the objects
 * hostNetwork is known; a `kubectl get pods -o wide` table does not show it: there a pod whose IP is
 * outside the pool is a hostNetwork pod (it shows its node's IP) unless the nodes' InternalIPs say
 * that IP is no node's.
 */
function classify(lab: VerifyLab, inputs: VerifyInputs): { pool: V4Cidr | undefined; pods: PodRowView[]; hostNet: PodRowView[]; strays: PodRowView[] } {
  const pool = parseV4Cidr(lab.pool.cidr);
  const rows = inputs.podRows.ok ? inputs.podRows.value : [];
  const nodeIps = inputs.nodeRows.ok ? new Set(inputs.nodeRows.value.map((n) => n.internalIP).filter((ip): ip is string => ip !== undefined)) : undefined;
  const pods: PodRowView[] = [];
  const hostNet: PodRowView[] = [];
  const strays: PodRowView[] = [];
  for (const p of rows) {
    if (p.phase === 'Succeeded' || p.phase === 'Failed' || p.phase === 'Completed') continue;
    const n = parseV4(p.ip);
    if (n === undefined) continue;
    if (p.hostNetwork === true) hostNet.push(p);
    else if (p.hostNetwork === false || (pool && containsIp(pool, n))) pods.push(p);
    else if (nodeIps && nodeIps.size > 0 && !nodeIps.has(p.ip!)) strays.push(p);
    else hostNet.push(p);
  }
  return { pool, pods, hostNet, strays };
}

function tunnels(ctx: RuleContext): { node: string; ip: string | undefined }[] {
  return (ctx.opt('nodes') ?? []).map((n) => ({ node: n.metadata.name, ip: n.metadata.annotations?.[TUNNEL_ANNOTATION] }));
}

export const podIps: Check = {
  id: 'pod-ips',
  title: 'Pod IPs: unique, inside the pool and a block; tunnel IPs in their node\'s block',
  rules: [
    {
      id: 'unique',
      title: 'no two pods (or node tunnels) share an IP',
      inputs: ['podRows'],
      optional: ['nodes'],
      judge(ctx) {
        const owners = new Map<string, string[]>();
        for (const p of classify(ctx.lab, ctx.inputs).pods) owners.set(p.ip!, [...(owners.get(p.ip!) ?? []), owner(p)]);
        for (const t of tunnels(ctx)) if (t.ip && parseV4(t.ip) !== undefined) owners.set(t.ip, [...(owners.get(t.ip) ?? []), `tunnel of ${t.node}`]);
        const duplicates = [...owners.entries()].filter(([, o]) => o.length > 1).map(([ip, o]) => ({ ip, owners: o }));
        for (const d of duplicates) ctx.fail(`${d.ip} is used by ${d.owners.join(' and ')}`);
        ctx.note('duplicates', duplicates);
      },
    },
    {
      id: 'inside-pool',
      title: 'every pod-network pod has an IP inside the pool',
      inputs: ['podRows'],
      optional: ['nodeRows'],
      judge(ctx) {
        const c = classify(ctx.lab, ctx.inputs);
        for (const p of c.pods) if (c.pool && !containsIp(c.pool, parseV4(p.ip)!)) ctx.fail(`${owner(p)}: ${p.ip} is outside the pool ${c.pool.text}`);
        for (const p of c.strays) ctx.fail(`${owner(p)}: ${p.ip} is outside the pool ${c.pool?.text ?? ctx.lab.pool.cidr} and is no node's InternalIP (so not a hostNetwork pod)`);
        ctx.note('hostNetworkPods', c.hostNet.length);
      },
    },
    {
      id: 'in-a-block',
      title: 'every pod IP is allocated in an IPAM block',
      inputs: ['podRows', 'ipamBlocks'],
      judge(ctx) {
        const model = ipamModel(ctx.lab, ctx.inputs);
        const c = classify(ctx.lab, ctx.inputs);
        for (const p of c.pods) {
          const n = parseV4(p.ip)!;
          if (c.pool && !containsIp(c.pool, n)) continue;
          const blocks = model.index.find(n);
          const block = blocks.find((b) => b.node === p.node) ?? blocks[0];
          if (!block) ctx.fail(`${owner(p)}: ${p.ip} is in no IPAM block`);
          else if (allocationAt(block, n) === null) ctx.fail(`${owner(p)}: ${p.ip} is not allocated in block ${block.cidrText}`);
        }
      },
    },
    {
      id: 'own-node-block',
      title: 'each pod IP is in a block affine to its own node (else a borrowed-IP warning)',
      inputs: ['podRows', 'affinityNames'],
      judge(ctx) {
        const blocks = ctx.get('affinityNames').map((a) => ({ node: a.node, c: parseV4Cidr(a.cidr) })).filter((b) => b.c !== undefined);
        const borrowed: { ip: string; owner: string; node: string | undefined; block: string; blockNode: string | undefined }[] = [];
        for (const p of classify(ctx.lab, ctx.inputs).pods) {
          if (p.node === undefined) continue;
          const n = parseV4(p.ip)!;
          const holding = blocks.filter((b) => containsIp(b.c!, n));
          if (holding.length === 0 || holding.some((b) => b.node === p.node)) continue;
          const b = holding[0]!;
          borrowed.push({ ip: p.ip!, owner: owner(p), node: p.node, block: b.c!.text, blockNode: b.node });
          ctx.warn(`${owner(p)} on ${p.node}: ${p.ip} is borrowed from block ${b.c!.text} (affine to ${b.node ?? 'no node'})`);
        }
        ctx.note('borrowed', borrowed);
      },
    },
    {
      id: 'tunnel-ips',
      title: 'each node\'s VXLAN tunnel IP is allocated in its own node\'s block',
      inputs: ['nodes', 'ipamBlocks'],
      judge(ctx) {
        const model = ipamModel(ctx.lab, ctx.inputs);
        const pool = model.poolCidr;
        const expected = new Set(ctx.lab.nodes.map((n) => n.name));
        const vxlan = /VXLAN/.test(ctx.lab.pool.encapsulation);
        for (const t of tunnels(ctx)) {
          const n = parseV4(t.ip);
          if (n === undefined) {
            if (vxlan && expected.has(t.node)) ctx.warn(`node ${t.node} has no ${TUNNEL_ANNOTATION} annotation`);
            continue;
          }
          const who = `tunnel of ${t.node}`;
          if (pool && !containsIp(pool, n)) {
            ctx.fail(`${who}: ${t.ip} is outside the pool ${pool.text}`);
            continue;
          }
          const blocks = model.index.find(n);
          const block = blocks.find((b) => b.node === t.node) ?? blocks[0];
          if (!block) ctx.fail(`${who}: ${t.ip} is in no IPAM block`);
          else {
            if (allocationAt(block, n) === null) ctx.fail(`${who}: ${t.ip} is not allocated in block ${block.cidrText}`);
            if (block.node !== t.node) ctx.warn(`${who} on ${t.node}: ${t.ip} is borrowed from block ${block.cidrText} (affine to ${block.node ?? 'no node'}) — a tunnel IP normally sits in its own node's block`);
          }
        }
        ctx.note('tunnels', tunnels(ctx));
      },
    },
  ],
  passSummary(lab, inputs, ran) {
    const c = classify(lab, inputs);
    const t = inputs.nodes.ok ? inputs.nodes.value.filter((n) => n.metadata.annotations?.[TUNNEL_ANNOTATION]).length : 0;
    const where = ran.includes('in-a-block') || ran.includes('own-node-block') ? ' in their node\'s block' : ' inside the pool';
    return `${c.pods.length} pod-network pods with unique IPs${where}${ran.includes('tunnel-ips') && t > 0 ? `; ${t} tunnel IPs in place` : ''}`;
  },
  evidence(lab, inputs) {
    const c = classify(lab, inputs);
    return { pods: c.pods.length, duplicates: [], borrowed: [], ...(inputs.podRows.ok ? { source: inputs.podRows.source } : {}) };
  },
  hint: 'duplicate or unallocated IPs point at IPAM corruption: run `calicoctl ipam check --show-problem-ips`; borrowed IPs mean the node\'s blocks were full',
  explain:
    'Every pod on the pod network gets one IP from a block of the pool, normally a block affine to its own node; two pods never share ' +
    'an IP. When a node\'s blocks are full and no free block is left, Calico borrows an IP from another node\'s block (a warning: routing ' +
    'then relies on a more specific route). Each node also holds one VXLAN tunnel IP, ordinal 0 of its first block. ' +
    '`kubectl get pods -o wide` shows hostNetwork pods with their node\'s IP, so an IP outside the pool there is a hostNetwork pod.',
  commands: ['kubectl get pods -A -o wide', 'calicoctl ipam show --show-borrowed', 'kubectl get nodes -o yaml | grep IPv4VXLANTunnelAddr'],
};
