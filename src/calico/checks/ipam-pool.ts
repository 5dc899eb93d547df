import { contains, overlaps, parseV4Cidr, type V4Cidr } from '../cidr.js';
import type { VerifyInputs } from '../inputs.js';
import type { VerifyLab } from '../lab.js';
import { ipamModel } from '../model.js';
import type { IpamShow, IpamShowRow } from '../types.js';
import type { Check, RuleContext } from './common.js';

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

/** calicoctl prints counts with `%.5g`: compare at that precision (exact below 100,000). */
export function sameAt5g(printed: number, expected: number): boolean {
  return Number(printed.toPrecision(5)) === Number(expected.toPrecision(5));
}

function labPool(ctx: { lab: VerifyLab }): V4Cidr {
  const c = parseV4Cidr(ctx.lab.pool.cidr);
  if (!c) throw new Error(`the lab's pool CIDR ${ctx.lab.pool.cidr} is not an IPv4 CIDR`);
  return c;
}

function poolRow(show: IpamShow, pool: V4Cidr): IpamShowRow | undefined {
  return show.rows.find((r) => r.grouping === 'IP Pool' && parseV4Cidr(r.cidr)?.text === pool.text);
}

/** Block rows inside `pool`, by containment (calicoctl lists blocks of no pool after the last pool's rows). */
export function blockRowsIn(show: IpamShow, pool: V4Cidr): IpamShowRow[] {
  return show.rows.filter((r) => {
    const c = r.grouping === 'Block' ? parseV4Cidr(r.cidr) : undefined;
    return c !== undefined && contains(pool, c);
  });
}

function usageOf(lab: VerifyLab, inputs: VerifyInputs): PoolUsage | undefined {
  const poolCidr = parseV4Cidr(lab.pool.cidr);
  if (!poolCidr || !inputs.ipamBlocks.ok) return undefined;
  const model = ipamModel(lab, inputs);
  const blocks = model.blocks.filter((b) => b.cidr !== undefined && overlaps(b.cidr, poolCidr)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const inUse = blocks.reduce((s, b) => s + b.inUse, 0);
  return {
    cidr: poolCidr.text,
    total: poolCidr.size,
    inUse,
    free: poolCidr.size - inUse,
    blocks: blocks.map((b) => ({ cidr: b.cidrText, node: b.node, total: b.capacity, inUse: b.inUse, free: b.capacity - b.inUse })),
  };
}

function judgePoolObject(ctx: RuleContext, settings: boolean): void {
  const model = ipamModel(ctx.lab, ctx.inputs);
  const pool = model.pool;
  if (!pool) {
    if (!settings) {
      const seen = ctx.get('ippools').map((p) => `${p.metadata.name} ${p.spec?.cidr ?? '?'}`);
      ctx.fail(`no IPPool with cidr ${ctx.lab.pool.cidr} (found: ${seen.length > 0 ? seen.join(', ') : 'none'})`);
    }
    return;
  }
  if (!settings) return;
  const spec = pool.spec ?? {};
  const lab = ctx.lab;
  if (spec.blockSize !== lab.pool.blockSize) ctx.fail(`${pool.metadata.name}: blockSize ${spec.blockSize ?? 'unset'}, the Installation says ${lab.pool.blockSize}`);
  const modes = expectedModes(lab.pool.encapsulation);
  if (modes && (spec.vxlanMode ?? 'Never') !== modes.vxlanMode) ctx.fail(`${pool.metadata.name}: vxlanMode ${spec.vxlanMode ?? 'unset'}, expected ${modes.vxlanMode} for encapsulation ${lab.pool.encapsulation}`);
  if (modes && (spec.ipipMode ?? 'Never') !== modes.ipipMode) ctx.fail(`${pool.metadata.name}: ipipMode ${spec.ipipMode ?? 'unset'}, expected ${modes.ipipMode}`);
  const nat = lab.pool.natOutgoing === 'Enabled';
  if ((spec.natOutgoing ?? false) !== nat) ctx.fail(`${pool.metadata.name}: natOutgoing ${String(spec.natOutgoing ?? false)}, the Installation says ${lab.pool.natOutgoing}`);
  if (spec.disabled === true) ctx.fail(`${pool.metadata.name} is disabled`);
}

export const ipamPool: Check = {
  id: 'ipam-pool',
  title: 'IP pool: the Installation\'s pool exists and its usage adds up',
  rules: [
    { id: 'pool-exists', title: 'an IPPool carries the lab\'s pool CIDR', inputs: ['ippools'], judge: (ctx) => judgePoolObject(ctx, false) },
    { id: 'pool-settings', title: 'the IPPool has the lab\'s blockSize, encapsulation and natOutgoing', inputs: ['ippools'], judge: (ctx) => judgePoolObject(ctx, true) },
    {
      id: 'installation-pool',
      title: 'the Installation lists the lab\'s pool with its block size',
      inputs: ['installations'],
      judge(ctx) {
        const poolCidr = labPool(ctx);
        const list = ctx.get('installations');
        const inst = list.find((i) => i.metadata.name === 'default') ?? list[0];
        if (!inst) {
          ctx.fail('no Installation in the cluster (the operator has nothing to create the pool from)');
          return;
        }
        const pools = inst.spec?.calicoNetwork?.ipPools ?? [];
        const match = pools.find((p) => parseV4Cidr(p.cidr)?.text === poolCidr.text);
        if (!match) ctx.fail(`Installation ${inst.metadata.name} has no ipPools entry for ${poolCidr.text} (it has ${pools.map((p) => p.cidr).join(', ') || 'none'}); the lab's files say ${ctx.lab.pool.cidr}`);
        else if (match.blockSize !== undefined && match.blockSize !== ctx.lab.pool.blockSize) ctx.fail(`Installation ${inst.metadata.name}: blockSize ${match.blockSize}, the lab's files say ${ctx.lab.pool.blockSize}`);
        ctx.note('installation', { name: inst.metadata.name, ipPools: pools, calicoVersion: inst.status?.calicoVersion });
      },
    },
    {
      id: 'blocks-consistent',
      title: 'each IPAMBlock\'s allocations and unallocated list agree',
      inputs: ['ipamBlocks'],
      judge(ctx) {
        for (const b of ipamModel(ctx.lab, ctx.inputs).blocks) {
          if (b.inUse !== b.inUseByUnallocated) ctx.fail(`block ${b.cidrText}: ${b.inUse} allocations but ${b.capacity - b.inUseByUnallocated} ordinals in its unallocated list (expected ${b.capacity - b.inUse})`);
        }
      },
    },
    {
      id: 'show-pool-line',
      title: 'calicoctl ipam show: the pool line has the lab\'s CIDR, total = 2^(32−prefix), free = total − in use',
      inputs: ['ipamShow'],
      judge(ctx) {
        const pool = labPool(ctx);
        const show = ctx.get('ipamShow');
        const row = poolRow(show, pool);
        if (!row) {
          ctx.fail(`calicoctl ipam show has no row for the pool ${pool.text} (it lists ${show.rows.filter((r) => r.grouping === 'IP Pool').map((r) => r.cidr).join(', ') || 'no pool'})`);
          return;
        }
        if (!sameAt5g(row.total, pool.size)) ctx.fail(`calicoctl ipam show: total ${row.total}, expected 2^(32−${pool.prefix}) = ${pool.size}`);
        if (!sameAt5g(row.free, pool.size - row.inUse)) ctx.fail(`calicoctl ipam show: ${row.free} free, expected ${pool.size} − ${row.inUse} = ${pool.size - row.inUse}`);
      },
    },
    {
      id: 'show-block-sums',
      title: 'calicoctl ipam show --show-blocks: the pool\'s blocks add up to its in-use count',
      inputs: ['ipamShowBlocks'],
      judge(ctx) {
        const pool = labPool(ctx);
        const show = ctx.get('ipamShowBlocks');
        const row = poolRow(show, pool);
        if (!row) return; // show-pool-line says so
        const blocks = blockRowsIn(show, pool);
        const inUse = blocks.reduce((s, b) => s + b.inUse, 0);
        if (!sameAt5g(row.inUse, inUse)) ctx.fail(`calicoctl ipam show: the pool line says ${row.inUse} in use, its ${blocks.length} block rows add up to ${inUse}`);
        for (const b of blocks) if (b.inUse + b.free !== b.total) ctx.fail(`calicoctl ipam show: block ${b.cidr}: ${b.inUse} in use + ${b.free} free ≠ ${b.total} total`);
      },
    },
    {
      id: 'show-matches-blocks',
      title: 'calicoctl ipam show agrees with the IPAMBlocks',
      inputs: ['ipamShow', 'ipamBlocks'],
      judge(ctx) {
        const pool = labPool(ctx);
        const usage = usageOf(ctx.lab, ctx.inputs)!;
        const show = ctx.get('ipamShow');
        const row = poolRow(show, pool);
        if (row && !sameAt5g(row.inUse, usage.inUse)) ctx.fail(`calicoctl ipam show: ${row.inUse} in use, the pool's blocks hold ${usage.inUse} allocations`);
        if (!show.showBlocks) return;
        const model = ipamModel(ctx.lab, ctx.inputs);
        const byCidr = new Map(model.blocks.map((b) => [b.cidrText, b]));
        for (const r of show.rows.filter((x) => x.grouping === 'Block')) {
          const b = byCidr.get(parseV4Cidr(r.cidr)?.text ?? r.cidr);
          if (!b) ctx.fail(`calicoctl ipam show lists block ${r.cidr}, which is not an IPAMBlock`);
          else if (r.inUse !== b.inUse) ctx.fail(`calicoctl ipam show: block ${r.cidr} has ${r.inUse} in use, its IPAMBlock ${b.inUse}`);
        }
      },
    },
  ],
  passSummary(lab, inputs) {
    const usage = usageOf(lab, inputs);
    const pool = ipamModel(lab, inputs).pool;
    const poolCidr = parseV4Cidr(lab.pool.cidr);
    const row = inputs.ipamShow.ok && poolCidr ? poolRow(inputs.ipamShow.value, poolCidr) : undefined;
    const u = usage ?? (row ? { total: row.total, inUse: row.inUse, free: row.free } : undefined);
    const pct = u && u.total > 0 ? Math.round((u.inUse / u.total) * 100) : 0;
    const numbers = u ? `: ${u.total} total, ${u.inUse} in use (${pct}%), ${u.free} free` : '';
    return `${pool?.metadata.name ?? lab.pool.name} ${poolCidr?.text ?? lab.pool.cidr}${numbers}${usage && row ? '; calicoctl agrees' : ''}`;
  },
  evidence(lab, inputs) {
    const pool = ipamModel(lab, inputs).pool;
    const usage = usageOf(lab, inputs);
    return {
      pool: pool ? { name: pool.metadata.name, ...pool.spec } : undefined,
      expected: { cidr: lab.pool.cidr, blockSize: lab.pool.blockSize, encapsulation: lab.pool.encapsulation, natOutgoing: lab.pool.natOutgoing },
      ...(usage ? { usage } : {}),
      calicoctl: inputs.ipamShow.ok ? { source: inputs.ipamShow.source, rows: inputs.ipamShow.value.rows } : { unavailable: inputs.ipamShow.reason },
    };
  },
  hint: 'compare `calicoctl ipam show --show-blocks` with `kubectl get ipamblocks.crd.projectcalico.org -o yaml`; `calicoctl ipam check` finds leaks',
  explain:
    'The operator turns the Installation\'s calicoNetwork.ipPools entry into an IPPool (default-ipv4-ippool). Its size is 2^(32−prefix) ' +
    'addresses; Calico hands it out in blocks of 2^(32−blockSize). "In use" is every allocation in the pool\'s blocks — pod IPs AND one ' +
    'VXLAN tunnel IP per node — and free = total − in use. `calicoctl ipam show` prints the same numbers (with `%.5g`, so rounded above 99,999).',
  commands: ['calicoctl ipam show', 'calicoctl ipam show --show-blocks', 'kubectl get ippools.crd.projectcalico.org -o yaml'],
};
