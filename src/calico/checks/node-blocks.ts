import type { VerifyInputs } from '../inputs.js';
import type { VerifyLab } from '../lab.js';
import { ipamModel } from '../model.js';
import type { Check } from './common.js';

export interface NodeBlocksRow {
  node: string;
  blocks: { cidr: string; inUse: number; total: number }[];
}

function rowsOf(lab: VerifyLab, inputs: VerifyInputs): NodeBlocksRow[] {
  const model = ipamModel(lab, inputs);
  return lab.nodes.map((n) => ({ node: n.name, blocks: (model.blocksByNode.get(n.name) ?? []).map((b) => ({ cidr: b.cidrText, inUse: b.inUse, total: b.capacity })) }));
}

export const nodeBlocks: Check = {
  id: 'node-blocks',
  title: 'Node → block mapping with per-block usage',
  rules: [
    {
      id: 'every-node-has-block',
      title: 'every lab node has an IPAM block affine to it',
      inputs: ['ipamBlocks'],
      judge(ctx) {
        for (const r of rowsOf(ctx.lab, ctx.inputs)) if (r.blocks.length === 0) ctx.fail(`${r.node} has no IPAM block`);
      },
    },
    {
      id: 'blocks-owned-by-lab-nodes',
      title: 'every block is affine to a node of the lab (a warning)',
      inputs: ['ipamBlocks'],
      judge(ctx) {
        const model = ipamModel(ctx.lab, ctx.inputs);
        const expected = new Set(ctx.lab.nodes.map((n) => n.name));
        const foreign = [...model.blocksByNode.keys()].filter((n) => !expected.has(n));
        if (foreign.length > 0) ctx.warn(`blocks affine to nodes not in the lab: ${foreign.join(', ')}`);
        const unowned = model.blocks.filter((b) => b.node === undefined);
        if (unowned.length > 0) ctx.warn(`blocks with no host affinity: ${unowned.map((b) => `${b.cidrText} (${b.inUse} in use)`).join(', ')}`);
      },
    },
  ],
  passSummary(lab, inputs) {
    const rows = rowsOf(lab, inputs);
    return rows.map((r) => `${r.node} → ${r.blocks.map((b) => `${b.cidr} (${b.inUse}/${b.total})`).join(', ') || 'none'}`).join('; ') || '0 blocks';
  },
  evidence(lab, inputs) {
    if (!inputs.ipamBlocks.ok) return {};
    const model = ipamModel(lab, inputs);
    const expected = new Set(lab.nodes.map((n) => n.name));
    return {
      nodes: rowsOf(lab, inputs),
      unowned: model.blocks.filter((b) => b.node === undefined).map((b) => ({ cidr: b.cidrText, inUse: b.inUse })),
      foreign: [...model.blocksByNode.keys()].filter((n) => !expected.has(n)),
    };
  },
  hint: 'a node without a block cannot give its pods IPs; check calico-node there and `calicoctl ipam show --show-blocks`',
  explain:
    'Each node gets its own block(s) and allocates pod IPs from them, so pod IPs reveal their node. The first block is picked per host ' +
    '(a pseudo-random walk seeded by the node name), not sequentially — e.g. 192.168.18.64/26, 192.168.131.128/26, 192.168.112.128/26 ' +
    'for calico-ipam. A node fills its block before claiming another.',
  commands: ['calicoctl ipam show --show-blocks', 'kubectl get ipamblocks.crd.projectcalico.org -o custom-columns=CIDR:.spec.cidr,AFFINITY:.spec.affinity'],
};
