/**
 * The readers' values in the object shapes the checks already judge (../types.ts), carrying only what
 * the human form showed: a condition whose cell was blank is absent, an affinity read from a table has
 * no state, a pod read from a table has no hostNetwork flag. Rules must treat a missing field as
 * "not visible in this input", never as a value.
 */
import type { BlockAffinityObject, Condition, IpamShow, NodeObject, PodObject, TigeraStatus } from '../types.js';
import type { BlockAffinityListing, BlockAffinityRow, IpamShowRead, NodeRow, PodRow, TigeraStatusRow } from './types.js';

export function tigeraRowsToStatuses(rows: readonly TigeraStatusRow[]): TigeraStatus[] {
  return rows.map((r) => {
    const cells: [string, string | undefined][] = [['Available', r.available], ['Progressing', r.progressing], ['Degraded', r.degraded]];
    const conditions: Condition[] = [];
    for (const [type, status] of cells) {
      if (status !== undefined) conditions.push({ type, status, ...(type === 'Degraded' && r.message !== undefined ? { message: r.message } : {}) });
    }
    return { apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus', metadata: { name: r.name }, status: { conditions } };
  });
}

/** `Ready` / `NotReady` become the Ready condition; other STATUS words (`Unknown`) become status Unknown. */
export function nodeRowsToNodes(rows: readonly NodeRow[]): NodeObject[] {
  return rows.map((r) => {
    const words = r.status.split(',');
    const ready = words.includes('Ready') ? 'True' : words.includes('NotReady') ? 'False' : 'Unknown';
    const labels = Object.fromEntries(r.roles.map((role) => [`node-role.kubernetes.io/${role}`, '']));
    const node: NodeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: r.name, labels }, status: { conditions: [{ type: 'Ready', status: ready }] } };
    if (r.internalIP !== undefined) node.status!.addresses = [{ type: 'InternalIP', address: r.internalIP }];
    if (r.externalIP !== undefined) (node.status!.addresses ??= []).push({ type: 'ExternalIP', address: r.externalIP });
    if (r.version !== undefined || r.containerRuntime !== undefined || r.osImage !== undefined) {
      node.status!.nodeInfo = {
        ...(r.version !== undefined ? { kubeletVersion: r.version } : {}),
        ...(r.containerRuntime !== undefined ? { containerRuntimeVersion: r.containerRuntime } : {}),
        ...(r.osImage !== undefined ? { osImage: r.osImage } : {}),
      };
    }
    return node;
  });
}

/** A table row does not say whether the pod is hostNetwork: `spec.hostNetwork` stays absent. */
export function podRowsToPods(rows: readonly PodRow[]): PodObject[] {
  return rows.map((r) => {
    const pod: PodObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: r.name, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}) }, spec: {}, status: {} };
    if (r.node !== undefined) pod.spec!.nodeName = r.node;
    if (r.status !== undefined) pod.status!.phase = r.status;
    if (r.ip !== undefined) {
      pod.status!.podIP = r.ip;
      pod.status!.podIPs = [{ ip: r.ip }];
    }
    return pod;
  });
}

/** Affinities named in a table or listed by the jsonpath: node and CIDR only, no state. */
export function affinityRowsToAffinities(rows: readonly (BlockAffinityRow | BlockAffinityListing)[]): BlockAffinityObject[] {
  return rows.map((r) => ({
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'BlockAffinity',
    metadata: { name: r.name },
    spec: { ...(r.node !== undefined ? { node: r.node } : {}), ...(r.cidr !== undefined ? { cidr: r.cidr } : {}) },
  }));
}

/**
 * The most detailed table of a capture in the existing IpamShow shape: the last `--show-blocks` table,
 * else the last table. Undefined when the capture held no ipam show table.
 */
export function ipamShowToIpamShow(read: IpamShowRead): IpamShow | undefined {
  const table = [...read.tables].reverse().find((t) => t.showBlocks) ?? read.tables[read.tables.length - 1];
  if (!table) return undefined;
  return {
    showBlocks: table.showBlocks,
    rows: table.rows.map((r) => ({ grouping: r.grouping, cidr: r.cidr, total: r.total.value, inUse: r.inUse.value, free: r.free.value })),
  };
}
