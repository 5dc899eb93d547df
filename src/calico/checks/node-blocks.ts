import { ipamModel } from '../model.js';
import { Findings, type Check } from './common.js';

export interface NodeBlocksRow {
  node: string;
  blocks: { cidr: string; inUse: number; total: number }[];
}

export const nodeBlocks: Check = {
  id: 'node-blocks',
  title: 'Node → block mapping with per-block usage',
  needs: ['ipamBlocks'],
  uses: ['ipamBlocks'],
  explain:
    'Each node gets its own block(s) and allocates pod IPs from them, so pod IPs reveal their node. The first block is picked per host ' +
    '(a pseudo-random walk seeded by the node name), not sequentially — e.g. 192.168.18.64/26, 192.168.131.128/26, 192.168.112.128/26 ' +
    'for calico-ipam. A node fills its block before claiming another.',
  commands: ['calicoctl ipam show --show-blocks', 'kubectl get ipamblocks.crd.projectcalico.org -o custom-columns=CIDR:.spec.cidr,AFFINITY:.spec.affinity'],
  judge(lab, inputs) {
    const model = ipamModel(lab, inputs);
    const f = new Findings();
    const rows: NodeBlocksRow[] = lab.nodes.map((n) => ({
      node: n.name,
      blocks: (model.blocksByNode.get(n.name) ?? []).map((b) => ({ cidr: b.cidrText, inUse: b.inUse, total: b.capacity })),
    }));
    for (const r of rows) if (r.blocks.length === 0) f.fail(`${r.node} has no IPAM block`);
    const expected = new Set(lab.nodes.map((n) => n.name));
    const foreign = [...model.blocksByNode.keys()].filter((n) => !expected.has(n));
    if (foreign.length > 0) f.warn(`blocks affine to nodes not in the lab: ${foreign.join(', ')}`);
    const unowned = model.blocks.filter((b) => b.node === undefined);
    if (unowned.length > 0) f.warn(`blocks with no host affinity: ${unowned.map((b) => `${b.cidrText} (${b.inUse} in use)`).join(', ')}`);
    const total = rows.reduce((s, r) => s + r.blocks.length, 0);
    return f.verdict(
      rows.map((r) => `${r.node} → ${r.blocks.map((b) => `${b.cidr} (${b.inUse}/${b.total})`).join(', ') || 'none'}`).join('; ') || `${total} blocks`,
      { nodes: rows, unowned: unowned.map((b) => ({ cidr: b.cidrText, inUse: b.inUse })), foreign },
      'a node without a block cannot give its pods IPs; check calico-node there and `calicoctl ipam show --show-blocks`',
    );
  },
};
