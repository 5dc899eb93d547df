import { cidrToName, contains, overlappingPairs, parseV4Cidr, type V4Cidr } from '../cidr.js';
import { ipamModel } from '../model.js';
import { blockRowsIn } from './ipam-pool.js';
import type { Check, RuleContext } from './common.js';

const STATE_EXPLAINED: Record<string, string> = {
  pending: 'the node started claiming the block (affinity created, block not yet confirmed) — the claim was interrupted or lost a race with another node',
  pendingDeletion: 'the affinity is being released (node removed or block emptied) but was never deleted',
};

function pool(ctx: RuleContext): V4Cidr {
  const c = parseV4Cidr(ctx.lab.pool.cidr);
  if (!c) throw new Error(`the lab's pool CIDR ${ctx.lab.pool.cidr} is not an IPv4 CIDR`);
  return c;
}

/** Inside the pool, of the pool's block size, no two overlapping: the same judgement for any list of CIDRs. */
function judgeCidrs(ctx: RuleContext, what: string, items: { name: string; cidr: string | undefined }[], o: { prefix: boolean }): { outside: string[]; overlaps: [string, string][] } {
  const p = pool(ctx);
  const parsed = items.map((i) => ({ ...i, c: parseV4Cidr(i.cidr) }));
  const outside: string[] = [];
  for (const i of parsed) {
    if (!i.c) {
      ctx.fail(`${i.name}: cidr ${i.cidr ?? 'unset'} is not an IPv4 CIDR`);
      continue;
    }
    if (!contains(p, i.c)) {
      outside.push(i.c.text);
      ctx.fail(`${i.name}: ${i.c.text} is outside the pool ${p.text}`);
    }
    if (o.prefix && i.c.prefix !== ctx.lab.pool.blockSize) ctx.fail(`${i.name}: /${i.c.prefix} block, the pool's blockSize is ${ctx.lab.pool.blockSize}`);
  }
  const pairs = overlappingPairs(parsed.filter((i) => i.c), (i) => i.c);
  for (const [a, b] of pairs) ctx.fail(`${what} ${a.name} (${a.c!.text}) and ${b.name} (${b.c!.text}) overlap`);
  return { outside, overlaps: pairs.map(([a, b]) => [a.c!.text, b.c!.text]) };
}

export const affinityDetails: Check = {
  id: 'affinity-details',
  title: 'Affinity details: confirmed, not deleted, block inside the pool, no overlaps',
  rules: [
    {
      id: 'state-confirmed',
      title: 'every BlockAffinity is confirmed',
      inputs: ['blockAffinities'],
      judge(ctx) {
        for (const a of ctx.get('blockAffinities')) {
          const state = a.spec?.state;
          if (state === 'confirmed') continue;
          const why = state !== undefined ? STATE_EXPLAINED[state] : undefined;
          ctx.fail(`${a.metadata.name}: state ${state ?? 'unset'}${why ? ` — ${why}` : ''}`);
        }
      },
    },
    {
      id: 'not-deleted',
      title: 'no BlockAffinity is marked deleted',
      inputs: ['blockAffinities'],
      judge(ctx) {
        for (const a of ctx.get('blockAffinities')) if (a.spec?.deleted === 'true') ctx.fail(`${a.metadata.name}: spec.deleted is "true" (the affinity is marked for deletion)`);
      },
    },
    {
      id: 'affinity-cidrs',
      title: 'each affinity\'s CIDR lies inside the pool with the pool\'s block size; none overlap',
      inputs: ['affinityNames'],
      judge(ctx) {
        const r = judgeCidrs(ctx, 'affinities', ctx.get('affinityNames').map((a) => ({ name: a.name, cidr: a.cidr })), { prefix: true });
        ctx.note('affinitiesOutsidePool', r.outside);
      },
    },
    {
      id: 'block-affine-same-node',
      title: 'each affinity has its IPAMBlock, affine to the same node',
      inputs: ['affinityNames', 'ipamBlocks'],
      judge(ctx) {
        const model = ipamModel(ctx.lab, ctx.inputs);
        const byCidr = new Map(model.blocks.map((b) => [b.cidrText, b]));
        const byName = new Map(model.blocks.map((b) => [b.name, b]));
        for (const a of ctx.get('affinityNames')) {
          const c = parseV4Cidr(a.cidr);
          if (!c) continue;
          const block = byCidr.get(c.text) ?? byName.get(cidrToName(c.text));
          if (!block) ctx.fail(`${a.name}: no IPAMBlock ${cidrToName(c.text)} for ${c.text}`);
          else if (a.node !== undefined && block.affinity !== `host:${a.node}`) ctx.fail(`${a.name}: its IPAMBlock ${block.name} has affinity ${block.affinity ?? '<none>'}, expected host:${a.node}`);
        }
      },
    },
    {
      id: 'blocks-in-pool',
      title: 'every IPAMBlock lies inside the pool; none overlap',
      inputs: ['ipamBlocks'],
      judge(ctx) {
        const p = pool(ctx);
        const parsed = ipamModel(ctx.lab, ctx.inputs).blocks.map((b) => ({ cidr: b.cidrText, affinity: b.affinity, c: b.cidr }));
        const outside = parsed.filter((b) => b.c && !contains(p, b.c));
        for (const b of outside) ctx.fail(`IPAMBlock ${cidrToName(b.cidr)} (${b.c!.text}) is outside the pool ${p.text}`);
        const pairs = overlappingPairs(parsed.filter((b) => b.c), (b) => b.c);
        for (const [a, b] of pairs) ctx.fail(`IPAMBlocks ${a.c!.text} (${a.affinity ?? 'no affinity'}) and ${b.c!.text} (${b.affinity ?? 'no affinity'}) overlap`);
        ctx.note('blocksOutsidePool', outside.map((b) => b.c!.text));
        ctx.note('overlaps', pairs.map(([a, b]) => [a.c!.text, b.c!.text]));
      },
    },
    {
      id: 'show-blocks-in-pool',
      title: 'calicoctl ipam show --show-blocks: every block inside the pool (by containment), of its block size, none overlapping',
      inputs: ['ipamShowBlocks'],
      judge(ctx) {
        const show = ctx.get('ipamShowBlocks');
        const p = pool(ctx);
        const inside = new Set(blockRowsIn(show, p).map((r) => r.cidr));
        const blocks = show.rows.filter((r) => r.grouping === 'Block');
        for (const b of blocks) if (!inside.has(b.cidr)) ctx.fail(`calicoctl ipam show lists block ${b.cidr}: ${b.cidr} is outside the pool ${p.text}`);
        for (const b of blocks) {
          const c = parseV4Cidr(b.cidr);
          if (c && inside.has(b.cidr) && c.prefix !== ctx.lab.pool.blockSize) ctx.fail(`calicoctl ipam show lists block ${b.cidr}: /${c.prefix} block, the pool's blockSize is ${ctx.lab.pool.blockSize}`);
        }
        const parsed = blocks.map((b) => ({ b, c: parseV4Cidr(b.cidr) })).filter((x) => x.c);
        for (const [a, b] of overlappingPairs(parsed, (x) => x.c)) ctx.fail(`calicoctl ipam show lists blocks ${a.c!.text} and ${b.c!.text}, which overlap`);
      },
    },
  ],
  passSummary(lab, inputs, ran) {
    const parts: string[] = [];
    if (inputs.blockAffinities.ok && ran.includes('state-confirmed')) parts.push(`${inputs.blockAffinities.value.length} confirmed`);
    else if (inputs.affinityNames.ok) parts.push(`${inputs.affinityNames.value.length} affinities`);
    const blocks = inputs.ipamBlocks.ok ? inputs.ipamBlocks.value.length : inputs.ipamShowBlocks.ok ? inputs.ipamShowBlocks.value.rows.filter((r) => r.grouping === 'Block').length : undefined;
    if (blocks !== undefined) parts.push(`${blocks} blocks inside ${lab.pool.cidr}`);
    else parts.push(`inside ${lab.pool.cidr}`);
    return `${parts.join(', ')}, no overlaps`;
  },
  evidence(_lab, inputs) {
    return {
      shape: inputs.blockAffinities.ok ? inputs.blockAffinities.source : inputs.affinityNames.ok ? inputs.affinityNames.source : undefined,
      affinities: inputs.blockAffinities.ok
        ? inputs.blockAffinities.value.map((a) => ({ name: a.metadata.name, node: a.spec?.node, cidr: a.spec?.cidr, state: a.spec?.state, deleted: a.spec?.deleted, type: a.spec?.type }))
        : inputs.affinityNames.ok ? inputs.affinityNames.value : [],
      blocksOutsidePool: [],
      overlaps: [],
    };
  },
  hint: 'a pending or pendingDeletion affinity that does not settle is usually cleaned up by restarting calico-node on that node; overlapping or out-of-pool blocks need `calicoctl ipam check` and manual repair',
  explain:
    'Claiming a block is a three-step protocol: create the BlockAffinity as `pending`, create the IPAMBlock with affinity `host:<node>`, ' +
    'then mark the affinity `confirmed`. A healthy affinity is confirmed, has spec.deleted "false" (a string in crd.projectcalico.org/v1), ' +
    'a CIDR of the pool\'s block size inside the pool, and its IPAMBlock affine to the same node. Blocks never overlap.',
  commands: ['kubectl get blockaffinities.crd.projectcalico.org -o yaml', 'kubectl get ipamblocks.crd.projectcalico.org -o yaml'],
};
