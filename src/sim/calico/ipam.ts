/**
 * Calico v3.30 IPAM over the simulated store (data/…/ipam-facts.md is the spec): block claim by a
 * per-host walk (BlockAffinity pending → IPAMBlock → BlockAffinity confirmed), allocation from the
 * front of `unallocated`, release to its end, IPAMHandles, borrowing when the pool has no free block.
 * Every function is synchronous: one call is one atomic step of the single-threaded world.
 */
import type { ObjectStore, StoredObject } from '../store.js';
import { firstBlockIndex } from './blocks.js';
import { type Cidr, cidrContains, cidrSize, cidrToName, cidrsOverlap, formatCidr, ipToNum, numToIp, parseCidr } from './cidr.js';
import { CRD_V1, R } from './refs.js';

export interface BlockAttribute {
  handle_id?: string;
  secondary?: Record<string, string>;
}

export interface BlockSpec {
  cidr: string;
  affinity?: string;
  allocations: (number | null)[];
  unallocated: number[];
  attributes: BlockAttribute[];
  sequenceNumber: number;
  sequenceNumberForAllocation: Record<string, number>;
  deleted: boolean;
  strictAffinity: boolean;
}

export interface Allocation {
  ip: string;
  block: string;
  ordinal: number;
}

const specOf = <T>(o: StoredObject): T => o.spec as T;

export function ensureIpamConfig(store: ObjectStore): StoredObject {
  return (
    store.get(R.ipamconfigs, undefined, 'default') ??
    store.create(R.ipamconfigs, {
      apiVersion: CRD_V1,
      kind: 'IPAMConfig',
      metadata: { name: 'default' },
      spec: { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 },
    })
  );
}

export interface PoolView {
  name: string;
  cidr: Cidr;
  blockSize: number;
  disabled: boolean;
}

export function listPools(store: ObjectStore): PoolView[] {
  return store.list(R.ippools).items.map((p) => {
    const s = (p.spec ?? {}) as { cidr?: string; blockSize?: number; disabled?: boolean };
    const cidr = parseCidr(s.cidr ?? '0.0.0.0/32');
    return { name: p.metadata.name, cidr, blockSize: s.blockSize ?? 26, disabled: s.disabled === true };
  });
}

export function blockCapacity(spec: BlockSpec): number {
  return spec.allocations.length;
}

export function blockInUse(spec: BlockSpec): number {
  return spec.allocations.length - spec.unallocated.length;
}

/** A new IPAMBlock affine to `node`: every ordinal free, in allocation order. */
export function emptyBlock(cidr: string, node: string): StoredObject {
  const size = cidrSize(parseCidr(cidr));
  return {
    apiVersion: CRD_V1,
    kind: 'IPAMBlock',
    metadata: { name: cidrToName(cidr) },
    spec: {
      cidr,
      affinity: `host:${node}`,
      allocations: Array.from({ length: size }, () => null),
      unallocated: Array.from({ length: size }, (_, i) => i),
      attributes: [],
      sequenceNumber: 0,
      sequenceNumberForAllocation: {},
      deleted: false,
      strictAffinity: false,
    } satisfies BlockSpec,
  };
}

/** Create the three objects of a claim for `node` on `cidr` (pending affinity, block, confirmed affinity). */
export function claimBlock(store: ObjectStore, node: string, cidr: string): StoredObject {
  const affName = `${node}-${cidrToName(cidr)}`;
  store.put(R.blockaffinities, {
    apiVersion: CRD_V1,
    kind: 'BlockAffinity',
    metadata: { name: affName },
    spec: { state: 'pending', node, cidr, type: 'host', deleted: 'false' },
  });
  const block = store.create(R.ipamblocks, emptyBlock(cidr, node));
  store.mutate(R.blockaffinities, undefined, affName, (a) => {
    (a.spec as Record<string, unknown>).state = 'confirmed';
  });
  return block;
}

/** The CIDR `host` would claim next in `pool` (undefined when every block of the pool exists). */
export function nextFreeBlock(store: ObjectStore, host: string, pool: PoolView): string | undefined {
  const blockAddrs = 2 ** (32 - pool.blockSize);
  const numBlocks = cidrSize(pool.cidr) / blockAddrs;
  const taken = new Set(store.list(R.ipamblocks).items.map((b) => parseCidr(specOf<BlockSpec>(b).cidr).base));
  const start = firstBlockIndex(host, numBlocks);
  for (let i = 0; i < numBlocks; i += 1) {
    const base = pool.cidr.base + ((start + i) % numBlocks) * blockAddrs;
    if (!taken.has(base)) return formatCidr({ base, prefix: pool.blockSize });
  }
  return undefined;
}

function allocateIn(store: ObjectStore, blockName: string, handleId: string, secondary: Record<string, string>): Allocation | undefined {
  let result: Allocation | undefined;
  store.mutate(R.ipamblocks, undefined, blockName, (b) => {
    const s = specOf<BlockSpec>(b);
    const ordinal = s.unallocated.shift();
    if (ordinal === undefined) return;
    let attr = s.attributes.findIndex((a) => a.handle_id === handleId && JSON.stringify(a.secondary ?? {}) === JSON.stringify(secondary));
    if (attr < 0) attr = s.attributes.push({ handle_id: handleId, secondary }) - 1;
    s.allocations[ordinal] = attr;
    s.sequenceNumberForAllocation[String(ordinal)] = s.sequenceNumber;
    s.sequenceNumber += 1;
    result = { ip: numToIp(parseCidr(s.cidr).base + ordinal), block: s.cidr, ordinal };
  });
  if (result) {
    const hName = handleId.toLowerCase();
    const cidr = result.block;
    const existing = store.get(R.ipamhandles, undefined, hName);
    if (existing) {
      store.mutate(R.ipamhandles, undefined, hName, (h) => {
        const blk = (h.spec as { block: Record<string, number> }).block;
        blk[cidr] = (blk[cidr] ?? 0) + 1;
      });
    } else {
      store.create(R.ipamhandles, {
        apiVersion: CRD_V1,
        kind: 'IPAMHandle',
        metadata: { name: hName },
        spec: { handleID: handleId, block: { [cidr]: 1 }, deleted: false },
      });
    }
  }
  return result;
}

/**
 * Assign one IPv4 to `node` for `handleId` (ipam.go autoAssign): the host's affine blocks first, then
 * a newly claimed block (per-host walk), then borrowing from any block of the pool with room.
 */
export function autoAssign(store: ObjectStore, node: string, handleId: string, secondary: Record<string, string>): Allocation | undefined {
  ensureIpamConfig(store);
  const pools = listPools(store).filter((p) => !p.disabled);
  const blocks = new Map(store.list(R.ipamblocks).items.map((b) => [specOf<BlockSpec>(b).cidr, b] as const));
  const affine = store
    .list(R.blockaffinities)
    .items.map((a) => a.spec as { node: string; cidr: string; state: string })
    .filter((a) => a.node === node && a.state === 'confirmed');
  for (const a of affine) {
    const b = blocks.get(a.cidr);
    if (b && specOf<BlockSpec>(b).unallocated.length > 0 && pools.some((p) => cidrsOverlap(p.cidr, parseCidr(a.cidr)))) {
      const got = allocateIn(store, b.metadata.name, handleId, secondary);
      if (got) return got;
    }
  }
  for (const pool of pools) {
    const cidr = nextFreeBlock(store, node, pool);
    if (cidr === undefined) continue;
    const block = claimBlock(store, node, cidr);
    const got = allocateIn(store, block.metadata.name, handleId, secondary);
    if (got) return got;
  }
  // Borrow (strictAffinity false): walk the pool's blocks from this host's start index.
  for (const pool of pools) {
    const candidates = [...blocks.values()]
      .filter((b) => cidrContains(pool.cidr, parseCidr(specOf<BlockSpec>(b).cidr).base) && specOf<BlockSpec>(b).unallocated.length > 0)
      .sort((x, y) => parseCidr(specOf<BlockSpec>(x).cidr).base - parseCidr(specOf<BlockSpec>(y).cidr).base);
    if (candidates.length === 0) continue;
    const blockAddrs = 2 ** (32 - pool.blockSize);
    const startBase = pool.cidr.base + firstBlockIndex(node, cidrSize(pool.cidr) / blockAddrs) * blockAddrs;
    const ordered = [...candidates.filter((b) => parseCidr(specOf<BlockSpec>(b).cidr).base >= startBase), ...candidates.filter((b) => parseCidr(specOf<BlockSpec>(b).cidr).base < startBase)];
    for (const b of ordered) {
      const got = allocateIn(store, b.metadata.name, handleId, secondary);
      if (got) return got;
    }
  }
  return undefined;
}

/** Release every IP of a handle (CNI DEL / ReleaseByHandle): ordinals go to the END of unallocated. */
export function releaseByHandle(store: ObjectStore, handleId: string): string[] {
  const released: string[] = [];
  for (const b of store.list(R.ipamblocks).items) {
    const s = specOf<BlockSpec>(b);
    const attrIdx = new Set(s.attributes.flatMap((a, i) => (a.handle_id === handleId ? [i] : [])));
    if (attrIdx.size === 0) continue;
    store.mutate(R.ipamblocks, undefined, b.metadata.name, (o) => {
      const spec = specOf<BlockSpec>(o);
      const base = parseCidr(spec.cidr).base;
      spec.allocations.forEach((a, ord) => {
        if (a !== null && attrIdx.has(a)) {
          spec.allocations[ord] = null;
          spec.unallocated.push(ord);
          delete spec.sequenceNumberForAllocation[String(ord)];
          released.push(numToIp(base + ord));
        }
      });
      // Compact attributes no allocation refers to any more, renumbering the rest.
      const used = new Set(spec.allocations.filter((a): a is number => a !== null));
      const remap = new Map<number, number>();
      spec.attributes = spec.attributes.filter((_, i) => {
        if (!used.has(i)) return false;
        remap.set(i, remap.size);
        return true;
      });
      spec.allocations = spec.allocations.map((a) => (a === null ? null : (remap.get(a) ?? null)));
    });
  }
  const hName = handleId.toLowerCase();
  if (store.get(R.ipamhandles, undefined, hName)) store.delete(R.ipamhandles, undefined, hName);
  return released;
}

/** Every allocated IP with its block and attribute (for calicoctl and tests). */
export interface AllocatedIp {
  ip: string;
  ipNum: number;
  block: StoredObject;
  ordinal: number;
  attr: BlockAttribute;
}

export function allocatedIps(store: ObjectStore): AllocatedIp[] {
  const out: AllocatedIp[] = [];
  for (const b of store.list(R.ipamblocks).items) {
    const s = specOf<BlockSpec>(b);
    const base = parseCidr(s.cidr).base;
    s.allocations.forEach((a, ord) => {
      if (a === null || a === undefined) return;
      out.push({ ip: numToIp(base + ord), ipNum: base + ord, block: b, ordinal: ord, attr: s.attributes[a] ?? {} });
    });
  }
  return out;
}

export { ipToNum };
