/**
 * Grow the simulated cluster's IPAM to ~N blocks for the verify scaling row: extra blocks claimed
 * round-robin by the nodes, each through the world's own claim (BlockAffinity pending → IPAMBlock with
 * affinity host:<node> → BlockAffinity confirmed, the real v3.30 shapes), at the next free block of the
 * node's per-host walk. Empty affine blocks are what a node that once ran many pods keeps for the
 * grace period, so a healthy verify must still pass.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const IPAMBLOCKS = { group: 'crd.projectcalico.org', resource: 'ipamblocks' };
const IPPOOLS = { group: 'crd.projectcalico.org', resource: 'ippools' };

export async function addBlocks(world, { root, target, nodeNames }) {
  const ipam = await import(pathToFileURL(join(root, 'dist/sim/calico/ipam.js')).href);
  const cidr = await import(pathToFileURL(join(root, 'dist/sim/calico/cidr.js')).href);
  const walk = await import(pathToFileURL(join(root, 'dist/sim/calico/blocks.js')).href);
  const pool = world.store.list(IPPOOLS).items[0];
  if (!pool) throw new Error('no IPPool in the world: deploy first');
  const poolCidr = cidr.parseCidr(pool.spec.cidr);
  const blockSize = pool.spec.blockSize ?? 26;
  const blockAddrs = 2 ** (32 - blockSize);
  const numBlocks = cidr.cidrSize(poolCidr) / blockAddrs;
  const existing = world.store.list(IPAMBLOCKS).items;
  const taken = new Set(existing.map((b) => cidr.parseCidr(b.spec.cidr).base));
  const want = Math.min(target, numBlocks) - existing.length;
  let added = 0;
  for (let i = 0; added < want; i += 1) {
    const node = nodeNames[i % nodeNames.length];
    const start = walk.firstBlockIndex(node, numBlocks);
    let chosen;
    for (let k = 0; k < numBlocks; k += 1) {
      const base = poolCidr.base + ((start + k) % numBlocks) * blockAddrs;
      if (!taken.has(base)) {
        chosen = base;
        break;
      }
    }
    if (chosen === undefined) break;
    taken.add(chosen);
    ipam.claimBlock(world.store, node, cidr.formatCidr({ base: chosen, prefix: blockSize }));
    added += 1;
  }
  return { before: existing.length, added, total: existing.length + added };
}
