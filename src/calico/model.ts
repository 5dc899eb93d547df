/**
 * The IPAM model the checks share, built once per `VerifyInputs` (cached): blocks with their CIDR,
 * affine node and usage, an index from IP to block(s), the lab's pool. Usage is counted from
 * `allocations` (non-null ordinals), which is what `calicoctl ipam check` counts; `calicoctl ipam show`
 * counts capacity − len(unallocated) — the two agree on a consistent block and both are kept.
 */
import { parseV4Cidr, RangeIndex, type V4Cidr } from './cidr.js';
import type { VerifyInputs } from './inputs.js';
import type { VerifyLab } from './lab.js';
import type { IPAMBlockAttribute, IPAMBlockObject, IPPoolObject } from './types.js';

export interface BlockInfo {
  name: string;
  cidrText: string;
  cidr: V4Cidr | undefined;
  /** `host:<node>` → node; undefined when the block has no host affinity. */
  node: string | undefined;
  affinity: string | undefined;
  capacity: number;
  /** Non-null entries of `allocations`. */
  inUse: number;
  /** capacity − len(unallocated): how `calicoctl ipam show` counts. */
  inUseByUnallocated: number;
  obj: IPAMBlockObject;
}

export interface IpamModel {
  blocks: BlockInfo[];
  blocksByNode: Map<string, BlockInfo[]>;
  index: RangeIndex<BlockInfo>;
  /** The IPPool that carries the lab's pool (by CIDR, else by name). */
  pool: IPPoolObject | undefined;
  poolCidr: V4Cidr | undefined;
}

const cache = new WeakMap<VerifyInputs, IpamModel>();

export function blockInfo(obj: IPAMBlockObject): BlockInfo {
  const spec = obj.spec ?? {};
  const cidr = parseV4Cidr(spec.cidr);
  const allocations = spec.allocations ?? [];
  let inUse = 0;
  for (const a of allocations) if (a !== null && a !== undefined) inUse++;
  const capacity = cidr?.size ?? allocations.length;
  const affinity = spec.affinity;
  const node = affinity?.startsWith('host:') ? affinity.slice('host:'.length) : undefined;
  return {
    name: obj.metadata?.name ?? '',
    cidrText: cidr?.text ?? String(spec.cidr ?? ''),
    cidr,
    node,
    affinity,
    capacity,
    inUse,
    inUseByUnallocated: capacity - (spec.unallocated?.length ?? capacity - inUse),
    obj,
  };
}

export function ipamModel(lab: VerifyLab, inputs: VerifyInputs): IpamModel {
  const hit = cache.get(inputs);
  if (hit) return hit;
  const blocks = inputs.ipamBlocks.ok ? inputs.ipamBlocks.value.map(blockInfo) : [];
  const blocksByNode = new Map<string, BlockInfo[]>();
  for (const b of blocks) {
    if (b.node === undefined) continue;
    const list = blocksByNode.get(b.node) ?? [];
    list.push(b);
    blocksByNode.set(b.node, list);
  }
  const poolCidr = parseV4Cidr(lab.pool.cidr);
  const pools = inputs.ippools.ok ? inputs.ippools.value : [];
  const pool =
    pools.find((p) => poolCidr !== undefined && parseV4Cidr(p.spec?.cidr)?.text === poolCidr.text) ??
    pools.find((p) => p.metadata?.name === lab.pool.name);
  const model: IpamModel = { blocks, blocksByNode, index: new RangeIndex(blocks, (b) => b.cidr), pool, poolCidr };
  cache.set(inputs, model);
  return model;
}

/** The attribute of the allocation holding `ip` in `block`, or undefined when that ordinal is free. */
export function allocationAt(block: BlockInfo, ip: number): IPAMBlockAttribute | undefined | null {
  if (!block.cidr) return undefined;
  const ordinal = ip - block.cidr.base;
  const idx = block.obj.spec?.allocations?.[ordinal];
  if (idx === null || idx === undefined) return null;
  return block.obj.spec?.attributes?.[idx] ?? {};
}

