import { cidrToName, contains, overlappingPairs, parseV4Cidr } from '../cidr.js';
import { ipamModel } from '../model.js';
import { Findings, type Check } from './common.js';

const STATE_EXPLAINED: Record<string, string> = {
  pending: 'the node started claiming the block (affinity created, block not yet confirmed) — the claim was interrupted or lost a race with another node',
  pendingDeletion: 'the affinity is being released (node removed or block emptied) but was never deleted',
};

export const affinityDetails: Check = {
  id: 'affinity-details',
  title: 'Affinity details: confirmed, not deleted, block inside the pool, no overlaps',
  needs: ['blockAffinities', 'ipamBlocks'],
  uses: ['blockAffinities', 'ipamBlocks'],
  explain:
    'Claiming a block is a three-step protocol: create the BlockAffinity as `pending`, create the IPAMBlock with affinity `host:<node>`, ' +
    'then mark the affinity `confirmed`. A healthy affinity is confirmed, has spec.deleted "false" (a string in crd.projectcalico.org/v1), ' +
    'a CIDR of the pool\'s block size inside the pool, and its IPAMBlock affine to the same node. Blocks never overlap.',
  commands: ['kubectl get blockaffinities.crd.projectcalico.org -o yaml', 'kubectl get ipamblocks.crd.projectcalico.org -o yaml'],
  judge(lab, inputs) {
    const model = ipamModel(lab, inputs);
    const list = inputs.blockAffinities.ok ? inputs.blockAffinities.value : [];
    const f = new Findings();
    const poolCidr = model.poolCidr;
    const blockByCidr = new Map(model.blocks.map((b) => [b.cidrText, b]));
    const blockByName = new Map(model.blocks.map((b) => [b.name, b]));
    const rows = list.map((a) => {
      const name = a.metadata.name;
      const node = a.spec?.node;
      const state = a.spec?.state;
      const cidr = parseV4Cidr(a.spec?.cidr);
      if (state !== 'confirmed') {
        const why = state !== undefined ? STATE_EXPLAINED[state] : undefined;
        f.fail(`${name}: state ${state ?? 'unset'}${why ? ` — ${why}` : ''}`);
      }
      if (a.spec?.deleted === 'true') f.fail(`${name}: spec.deleted is "true" (the affinity is marked for deletion)`);
      if (!cidr) f.fail(`${name}: cidr ${a.spec?.cidr ?? 'unset'} is not an IPv4 CIDR`);
      else {
        if (poolCidr && !contains(poolCidr, cidr)) f.fail(`${name}: ${cidr.text} is outside the pool ${poolCidr.text}`);
        if (cidr.prefix !== lab.pool.blockSize) f.fail(`${name}: /${cidr.prefix} block, the pool's blockSize is ${lab.pool.blockSize}`);
      }
      const block = (cidr && blockByCidr.get(cidr.text)) ?? (cidr && blockByName.get(cidrToName(cidr.text)));
      if (!block) f.fail(`${name}: no IPAMBlock ${cidr ? cidrToName(cidr.text) : ''} for ${a.spec?.cidr ?? '?'}`);
      else if (block.affinity !== `host:${node}`) f.fail(`${name}: its IPAMBlock ${block.name} has affinity ${block.affinity ?? '<none>'}, expected host:${node}`);
      return { name, node, cidr: a.spec?.cidr, state, deleted: a.spec?.deleted, type: a.spec?.type, block: block?.name, blockAffinity: block?.affinity };
    });
    const outside = poolCidr ? model.blocks.filter((b) => b.cidr && !contains(poolCidr, b.cidr)) : [];
    for (const b of outside) f.fail(`IPAMBlock ${b.name} (${b.cidrText}) is outside the pool ${poolCidr!.text}`);
    const pairs = overlappingPairs(model.blocks, (b) => b.cidr);
    for (const [a, b] of pairs) f.fail(`IPAMBlocks ${a.cidrText} (${a.affinity ?? 'no affinity'}) and ${b.cidrText} (${b.affinity ?? 'no affinity'}) overlap`);
    return f.verdict(
      `${list.length} confirmed, ${model.blocks.length} blocks inside ${poolCidr?.text ?? lab.pool.cidr}, no overlaps`,
      {
        shape: inputs.blockAffinities.ok ? inputs.blockAffinities.source : undefined,
        affinities: rows,
        blocksOutsidePool: outside.map((b) => b.cidrText),
        overlaps: pairs.map(([a, b]) => [a.cidrText, b.cidrText]),
      },
      'a pending or pendingDeletion affinity that does not settle is usually cleaned up by restarting calico-node on that node; overlapping or out-of-pool blocks need `calicoctl ipam check` and manual repair',
    );
  },
};
