/**
 * IPAM faults for `lab verify`, applied to the healthy state once the rollout settled. Each leaves
 * the store the way the real failure leaves a cluster.
 */
import type { FaultId, SimClusterSpec } from '../context.js';
import type { ObjectStore, StoredObject } from '../store.js';
import { type BlockSpec, autoAssign, emptyBlock, releaseByHandle } from './ipam.js';
import { cidrSize, cidrToName, formatCidr, numToIp, parseCidr } from './cidr.js';
import { containerId, goTimeString } from './objects.js';
import { CRD_V1, R, TUNNEL_ANNOTATION } from './refs.js';

const spec = <T>(o: StoredObject): T => o.spec as T;

function firstBlockOf(store: ObjectStore, node: string): StoredObject | undefined {
  return store.list(R.ipamblocks).items.find((b) => spec<BlockSpec>(b).affinity === `host:${node}`);
}

function affinityOf(store: ObjectStore, node: string, cidr: string): StoredObject | undefined {
  return store.get(R.blockaffinities, undefined, `${node}-${cidrToName(cidr)}`);
}

function confirmedAffinity(node: string, cidr: string): StoredObject {
  return { apiVersion: CRD_V1, kind: 'BlockAffinity', metadata: { name: `${node}-${cidrToName(cidr)}` }, spec: { state: 'confirmed', node, cidr, type: 'host', deleted: 'false' } };
}

const podsOn = (store: ObjectStore, node: string): StoredObject[] =>
  store.list(R.pods).items.filter((p) => (p.spec as { nodeName?: string; hostNetwork?: boolean }).nodeName === node && (p.spec as { hostNetwork?: boolean }).hostNetwork !== true && (p.status as { podIP?: string } | undefined)?.podIP);

export function applyIpamFaults(store: ObjectStore, cluster: SimClusterSpec, faults: ReadonlySet<FaultId>): void {
  const cp = cluster.nodes.find((n) => n.role === 'control-plane')?.name ?? cluster.nodes[0]?.name ?? '';
  const workers = cluster.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
  const firstWorker = workers[0] ?? cp;
  const lastWorker = workers[workers.length - 1] ?? cp;
  const pool = store.list(R.ippools).items[0];
  const poolCidr = parseCidr(spec<{ cidr: string }>(pool ?? { apiVersion: '', kind: '', metadata: { name: '' }, spec: { cidr: cluster.podSubnet } }).cidr);
  const blockSize = spec<{ blockSize?: number }>(pool ?? { apiVersion: '', kind: '', metadata: { name: '' }, spec: {} }).blockSize ?? 26;

  if (faults.has('borrowed-ip')) {
    // A pod on the last worker got its IP from the control-plane's block (allocated while the
    // worker's block was full / not yet claimed): re-home one of its pods' allocations.
    const victim = podsOn(store, lastWorker).find((p) => p.metadata.annotations?.['cni.projectcalico.org/containerID']);
    const cpBlock = firstBlockOf(store, cp);
    if (victim && cpBlock) {
      const oldCid = victim.metadata.annotations?.['cni.projectcalico.org/containerID'] ?? '';
      releaseByHandle(store, `k8s-pod-network.${oldCid}`);
      const cid = containerId();
      const handleId = `k8s-pod-network.${cid}`;
      const s = spec<BlockSpec>(cpBlock);
      const ordinal = s.unallocated[0];
      if (ordinal !== undefined) {
        store.mutate(R.ipamblocks, undefined, cpBlock.metadata.name, (b) => {
          const bs = spec<BlockSpec>(b);
          bs.unallocated.shift();
          const attr = bs.attributes.push({ handle_id: handleId, secondary: { namespace: victim.metadata.namespace ?? 'default', node: lastWorker, pod: victim.metadata.name, timestamp: goTimeString() } }) - 1;
          bs.allocations[ordinal] = attr;
          bs.sequenceNumberForAllocation[String(ordinal)] = bs.sequenceNumber;
          bs.sequenceNumber += 1;
        });
        const ip = numToIp(parseCidr(s.cidr).base + ordinal);
        store.put(R.ipamhandles, { apiVersion: CRD_V1, kind: 'IPAMHandle', metadata: { name: handleId }, spec: { handleID: handleId, block: { [s.cidr]: 1 }, deleted: false } });
        store.mutate(R.pods, victim.metadata.namespace, victim.metadata.name, (p) => {
          const ann = (p.metadata.annotations ??= {});
          ann['cni.projectcalico.org/containerID'] = cid;
          ann['cni.projectcalico.org/podIP'] = `${ip}/32`;
          ann['cni.projectcalico.org/podIPs'] = `${ip}/32`;
          Object.assign(p.status as object, { podIP: ip, podIPs: [{ ip }] });
        });
      }
    }
  }

  if (faults.has('leaked-ip')) {
    // CNI DEL never ran for a deleted pod: its allocation and handle stay, the pod is gone.
    const cid = containerId();
    autoAssign(store, cp, `k8s-pod-network.${cid}`, { namespace: 'default', node: cp, pod: 'deleted-pod-7c9f8d6b5-x2x4q', timestamp: goTimeString() });
  }

  if (faults.has('duplicate-pod-ip')) {
    const cpPods = podsOn(store, cp);
    const a = cpPods[0];
    const b = cpPods[1];
    const ip = (a?.status as { podIP?: string } | undefined)?.podIP;
    if (a && b && ip) {
      store.mutate(R.pods, b.metadata.namespace, b.metadata.name, (p) => {
        Object.assign(p.status as object, { podIP: ip, podIPs: [{ ip }] });
        const ann = (p.metadata.annotations ??= {});
        ann['cni.projectcalico.org/podIP'] = `${ip}/32`;
        ann['cni.projectcalico.org/podIPs'] = `${ip}/32`;
      });
    }
  }

  if (faults.has('overlapping-blocks')) {
    // A block of twice the size containing the control-plane's block, affine to the first worker.
    const cpBlock = firstBlockOf(store, cp);
    if (cpBlock) {
      const c = parseCidr(spec<BlockSpec>(cpBlock).cidr);
      const prefix = Math.max(0, c.prefix - 1);
      const size = 2 ** (32 - prefix);
      const cidr = formatCidr({ base: Math.floor(c.base / size) * size, prefix });
      if (!store.get(R.ipamblocks, undefined, cidrToName(cidr))) store.create(R.ipamblocks, emptyBlock(cidr, firstWorker));
    }
  }

  if (faults.has('block-outside-pool')) {
    // The block right after the pool (e.g. 192.169.0.0/26 for 192.168.0.0/16), claimed by the first worker.
    const base = poolCidr.base + cidrSize(poolCidr);
    const cidr = formatCidr({ base: base % 2 ** 32, prefix: blockSize });
    if (!store.get(R.ipamblocks, undefined, cidrToName(cidr))) {
      store.put(R.blockaffinities, confirmedAffinity(firstWorker, cidr));
      store.create(R.ipamblocks, emptyBlock(cidr, firstWorker));
    }
  }

  if (faults.has('affinity-pending')) {
    const block = firstBlockOf(store, firstWorker);
    const aff = block ? affinityOf(store, firstWorker, spec<BlockSpec>(block).cidr) : undefined;
    if (aff) store.mutate(R.blockaffinities, undefined, aff.metadata.name, (a) => ((a.spec as { state: string }).state = 'pending'));
  }

  if (faults.has('node-without-block')) {
    // The last worker lost its block and affinity (and with them its tunnel address).
    for (const b of store.list(R.ipamblocks).items.filter((x) => spec<BlockSpec>(x).affinity === `host:${lastWorker}`)) {
      const cidr = spec<BlockSpec>(b).cidr;
      const aff = affinityOf(store, lastWorker, cidr);
      if (aff) store.delete(R.blockaffinities, undefined, aff.metadata.name);
      store.delete(R.ipamblocks, undefined, b.metadata.name);
    }
    const h = `vxlan-tunnel-addr-${lastWorker}`;
    if (store.get(R.ipamhandles, undefined, h)) store.delete(R.ipamhandles, undefined, h);
    store.mutate(R.nodes, undefined, lastWorker, (n) => {
      if (n.metadata.annotations) delete n.metadata.annotations[TUNNEL_ANNOTATION];
    });
  }
}
