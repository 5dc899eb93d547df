import { contains, overlaps, parseV4Cidr } from '../cidr.js';
import { ipamModel } from '../model.js';
import { Findings, type Check } from './common.js';

/** Installation `encapsulation` → the IPPool's vxlanMode/ipipMode the operator writes. */
export function expectedModes(encapsulation: string): { vxlanMode: string; ipipMode: string } | undefined {
  switch (encapsulation) {
    case 'VXLANCrossSubnet': return { vxlanMode: 'CrossSubnet', ipipMode: 'Never' };
    case 'VXLAN': return { vxlanMode: 'Always', ipipMode: 'Never' };
    case 'IPIPCrossSubnet': return { vxlanMode: 'Never', ipipMode: 'CrossSubnet' };
    case 'IPIP': return { vxlanMode: 'Never', ipipMode: 'Always' };
    case 'None': return { vxlanMode: 'Never', ipipMode: 'Never' };
    default: return undefined;
  }
}

export interface PoolUsage {
  cidr: string;
  total: number;
  inUse: number;
  free: number;
  blocks: { cidr: string; node: string | undefined; total: number; inUse: number; free: number }[];
}

export const ipamPool: Check = {
  id: 'ipam-pool',
  title: 'IP pool: the Installation\'s pool exists and its usage adds up',
  needs: ['ippools', 'ipamBlocks'],
  uses: ['ippools', 'ipamBlocks', 'ipamShow', 'installations'],
  explain:
    'The operator turns the Installation\'s calicoNetwork.ipPools entry into an IPPool (default-ipv4-ippool). Its size is 2^(32−prefix) ' +
    'addresses; Calico hands it out in blocks of 2^(32−blockSize). "In use" is every allocation in the pool\'s blocks — pod IPs AND one ' +
    'VXLAN tunnel IP per node — and free = total − in use. `calicoctl ipam show` prints the same numbers.',
  commands: ['calicoctl ipam show', 'calicoctl ipam show --show-blocks', 'kubectl get ippools.crd.projectcalico.org -o yaml'],
  judge(lab, inputs) {
    const model = ipamModel(lab, inputs);
    const f = new Findings();
    const pool = model.pool;
    const poolCidr = model.poolCidr;
    if (!poolCidr) {
      f.fail(`the lab's pool CIDR ${lab.pool.cidr} is not an IPv4 CIDR`);
      return f.verdict('', {});
    }
    if (!pool) {
      const seen = (inputs.ippools.ok ? inputs.ippools.value : []).map((p) => `${p.metadata.name} ${p.spec?.cidr ?? '?'}`);
      f.fail(`no IPPool with cidr ${lab.pool.cidr} (found: ${seen.length > 0 ? seen.join(', ') : 'none'})`);
    } else {
      const spec = pool.spec ?? {};
      if (spec.blockSize !== lab.pool.blockSize) f.fail(`${pool.metadata.name}: blockSize ${spec.blockSize ?? 'unset'}, the Installation says ${lab.pool.blockSize}`);
      const modes = expectedModes(lab.pool.encapsulation);
      if (modes && (spec.vxlanMode ?? 'Never') !== modes.vxlanMode) f.fail(`${pool.metadata.name}: vxlanMode ${spec.vxlanMode ?? 'unset'}, expected ${modes.vxlanMode} for encapsulation ${lab.pool.encapsulation}`);
      if (modes && (spec.ipipMode ?? 'Never') !== modes.ipipMode) f.fail(`${pool.metadata.name}: ipipMode ${spec.ipipMode ?? 'unset'}, expected ${modes.ipipMode}`);
      const nat = lab.pool.natOutgoing === 'Enabled';
      if ((spec.natOutgoing ?? false) !== nat) f.fail(`${pool.metadata.name}: natOutgoing ${String(spec.natOutgoing ?? false)}, the Installation says ${lab.pool.natOutgoing}`);
      if (spec.disabled === true) f.fail(`${pool.metadata.name} is disabled`);
    }
    let installation: Record<string, unknown> | undefined;
    if (inputs.installations.ok) {
      const inst = inputs.installations.value.find((i) => i.metadata.name === 'default') ?? inputs.installations.value[0];
      const pools = inst?.spec?.calicoNetwork?.ipPools ?? [];
      const match = pools.find((p) => parseV4Cidr(p.cidr)?.text === poolCidr.text);
      if (!inst) f.fail('no Installation in the cluster (the operator has nothing to create the pool from)');
      else if (!match) f.fail(`Installation ${inst.metadata.name} has no ipPools entry for ${poolCidr.text} (it has ${pools.map((p) => p.cidr).join(', ') || 'none'}); the lab's files say ${lab.pool.cidr}`);
      else if (match.blockSize !== undefined && match.blockSize !== lab.pool.blockSize) f.fail(`Installation ${inst.metadata.name}: blockSize ${match.blockSize}, the lab's files say ${lab.pool.blockSize}`);
      installation = { name: inst?.metadata.name, ipPools: pools, calicoVersion: inst?.status?.calicoVersion };
    }
    const blocks = model.blocks.filter((b) => b.cidr !== undefined && overlaps(b.cidr, poolCidr)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const inUse = blocks.reduce((s, b) => s + b.inUse, 0);
    const usage: PoolUsage = {
      cidr: poolCidr.text,
      total: poolCidr.size,
      inUse,
      free: poolCidr.size - inUse,
      blocks: blocks.map((b) => ({ cidr: b.cidrText, node: b.node, total: b.capacity, inUse: b.inUse, free: b.capacity - b.inUse })),
    };
    for (const b of blocks) {
      if (b.inUse !== b.inUseByUnallocated) f.fail(`block ${b.cidrText}: ${b.inUse} allocations but ${b.capacity - b.inUseByUnallocated} ordinals in its unallocated list (expected ${b.capacity - b.inUse})`);
      if (b.cidr && !contains(poolCidr, b.cidr)) f.fail(`block ${b.cidrText} sticks out of the pool ${poolCidr.text}`);
    }
    let calicoctl: Record<string, unknown> | undefined;
    if (inputs.ipamShow.ok) {
      const show = inputs.ipamShow.value;
      const row = show.rows.find((r) => r.grouping === 'IP Pool' && r.cidr === poolCidr.text);
      if (!row) f.fail(`calicoctl ipam show has no row for the pool ${poolCidr.text}`);
      else {
        if (row.total !== usage.total) f.fail(`calicoctl ipam show: total ${row.total}, expected 2^(32−${poolCidr.prefix}) = ${usage.total}`);
        if (row.inUse !== usage.inUse) f.fail(`calicoctl ipam show: ${row.inUse} in use, the pool's blocks hold ${usage.inUse} allocations`);
        if (row.free !== usage.free) f.fail(`calicoctl ipam show: ${row.free} free, expected ${usage.total} − ${usage.inUse} = ${usage.free}`);
      }
      if (show.showBlocks) {
        const byCidr = new Map(blocks.map((b) => [b.cidrText, b]));
        for (const r of show.rows.filter((x) => x.grouping === 'Block')) {
          const b = byCidr.get(r.cidr);
          if (!b) {
            if (model.blocks.some((x) => x.cidrText === r.cidr)) continue; // a block outside the pool: judged by affinity-details
            f.fail(`calicoctl ipam show lists block ${r.cidr}, which is not an IPAMBlock`);
          } else if (r.inUse !== b.inUse) f.fail(`calicoctl ipam show: block ${r.cidr} has ${r.inUse} in use, its IPAMBlock ${b.inUse}`);
        }
      }
      calicoctl = { source: inputs.ipamShow.source, rows: show.rows };
    }
    const pct = usage.total > 0 ? Math.round((usage.inUse / usage.total) * 100) : 0;
    return f.verdict(
      `${pool?.metadata.name ?? lab.pool.name} ${poolCidr.text}: ${usage.total} total, ${usage.inUse} in use (${pct}%), ${usage.free} free${calicoctl ? '; calicoctl agrees' : ''}`,
      {
        pool: pool ? { name: pool.metadata.name, ...pool.spec } : undefined,
        installation,
        expected: { cidr: lab.pool.cidr, blockSize: lab.pool.blockSize, encapsulation: lab.pool.encapsulation, natOutgoing: lab.pool.natOutgoing },
        usage,
        calicoctl: calicoctl ?? { unavailable: inputs.ipamShow.ok ? undefined : inputs.ipamShow.reason },
      },
      'compare `calicoctl ipam show --show-blocks` with `kubectl get ipamblocks.crd.projectcalico.org -o yaml`; `calicoctl ipam check` finds leaks',
    );
  },
};
