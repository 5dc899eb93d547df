/**
 * The workload controllers of kube-controller-manager, one synchronous reconcile each: Deployment →
 * ReplicaSet (`<deploy>-<pod-template-hash>`), ReplicaSet → Pods, DaemonSet → one Pod per eligible
 * node, and the garbage collector (objects whose controller owner is gone are deleted). A template
 * change makes a new ReplicaSet and scales the old ones to zero at once (no rolling-update pacing).
 */
import { nameSuffix } from '../calico/objects.js';
import { refs } from '../cluster/objects.js';
import type { ObjectStore, ResourceRef, StoredObject } from '../store.js';
import { type LabelSelector, selectorMatches, type Taint, untolerated } from './match.js';
import { controllerOf, isPodReady, ownerReference, podFromTemplate, type PodTemplate } from './pods.js';
import { isManaged } from './scope.js';
import { daemonSetStatus, deploymentStatus, replicaSetStatus, writeStatus } from './status.js';

interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
}

const specOf = (o: StoredObject): WorkloadSpec => (o.spec ?? {}) as WorkloadSpec;
const managed = (store: ObjectStore, ref: ResourceRef): StoredObject[] => store.list(ref).items.filter(isManaged);

/** Pods (or ReplicaSets) whose controller reference is `owner`. */
export function ownedBy(items: readonly StoredObject[], owner: StoredObject): StoredObject[] {
  return items.filter((o) => controllerOf(o)?.uid === owner.metadata.uid);
}

/** The pod-template-hash of a template (stable across re-applies of the same template). */
export function templateHashOf(w: StoredObject): string {
  return nameSuffix(`${w.metadata.namespace ?? ''}/${w.metadata.name}/${JSON.stringify(specOf(w).template ?? {})}`, 10);
}

export function reconcileDeployments(store: ObjectStore): void {
  const allRs = managed(store, refs.replicasets);
  for (const d of managed(store, refs.deployments)) {
    const spec = specOf(d);
    const hash = templateHashOf(d);
    const name = `${d.metadata.name}-${hash}`;
    const mine = ownedBy(allRs, d);
    for (const old of mine.filter((r) => r.metadata.name !== name && ((r.spec as WorkloadSpec).replicas ?? 0) !== 0)) {
      store.mutate(refs.replicasets, old.metadata.namespace, old.metadata.name, (o) => void ((o.spec as WorkloadSpec).replicas = 0));
    }
    const replicas = spec.replicas ?? 1;
    const current = mine.find((r) => r.metadata.name === name);
    if (!current) {
      const template = structuredClone(spec.template ?? {});
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
      const selector = structuredClone(spec.selector ?? {});
      selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
      store.create(refs.replicasets, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace: d.metadata.namespace ?? 'default',
          labels: { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash },
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + Math.max(1, Math.ceil(replicas / 4))), 'deployment.kubernetes.io/revision': String(mine.length + 1) },
          ownerReferences: [ownerReference(d)],
        },
        spec: { replicas, selector, template },
      });
    } else if ((current.spec as WorkloadSpec).replicas !== replicas) {
      store.mutate(refs.replicasets, current.metadata.namespace, current.metadata.name, (o) => void ((o.spec as WorkloadSpec).replicas = replicas));
    }
  }
}

export function reconcileReplicaSets(store: ObjectStore): void {
  const pods = managed(store, refs.pods);
  for (const rs of managed(store, refs.replicasets)) {
    const spec = specOf(rs);
    const mine = ownedBy(pods, rs).filter((p) => !p.metadata.deletionTimestamp);
    const want = spec.replicas ?? 1;
    for (let i = mine.length; i < want; i += 1) store.create(refs.pods, podFromTemplate(rs, spec.template ?? {}, `${rs.metadata.name}-`, {}));
    // Scale down: not-ready pods first, then the newest.
    const extra = [...mine].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp))).slice(0, Math.max(0, mine.length - want));
    for (const p of extra) store.delete(refs.pods, p.metadata.namespace, p.metadata.name);
  }
}

export interface NodeView {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
}

export function nodeViews(store: ObjectStore): NodeView[] {
  return store.list(refs.nodes).items.map((n) => ({ name: n.metadata.name, labels: n.metadata.labels ?? {}, taints: ((n.spec as { taints?: Taint[] } | undefined)?.taints ?? []) }));
}

/** Node-condition taints the DaemonSet controller does not count against a node (they come and go). */
const CONDITION_TAINT = /^node\.kubernetes\.io\//;

/** Nodes a DaemonSet should run on: its nodeSelector matches and it tolerates the node's lasting taints. */
export function daemonSetNodes(ds: StoredObject, nodes: readonly NodeView[]): NodeView[] {
  const tpl = specOf(ds).template?.spec ?? {};
  return nodes.filter((n) => Object.entries(tpl.nodeSelector ?? {}).every(([k, v]) => n.labels[k] === v) && untolerated(n.taints.filter((t) => !CONDITION_TAINT.test(t.key)), tpl.tolerations ?? []).length === 0);
}

/** The node a DaemonSet pod is pinned to (its required nodeAffinity matchFields metadata.name). */
export function pinnedNode(pod: StoredObject): string | undefined {
  const terms = (pod.spec as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; values?: string[] }[] }[] } } } } | undefined)?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms?.[0]?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0];
}

export function reconcileDaemonSets(store: ObjectStore): void {
  const pods = managed(store, refs.pods);
  const nodes = nodeViews(store);
  for (const ds of managed(store, refs.daemonsets)) {
    const spec = specOf(ds);
    const hash = templateHashOf(ds);
    const eligible = new Set(daemonSetNodes(ds, nodes).map((n) => n.name));
    const mine = ownedBy(pods, ds);
    for (const p of mine) {
      const node = pinnedNode(p);
      const stale = p.metadata.labels?.['controller-revision-hash'] !== hash;
      if (node === undefined || !eligible.has(node) || stale) store.delete(refs.pods, p.metadata.namespace, p.metadata.name);
    }
    const kept = new Set(mine.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).map(pinnedNode));
    for (const node of eligible) {
      if (kept.has(node)) continue;
      const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } };
      const tolerations = [
        { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
        ...(spec.template?.spec?.hostNetwork === true ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : []),
      ];
      store.create(refs.pods, podFromTemplate(ds, spec.template ?? {}, `${ds.metadata.name}-`, { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) }, { affinity, tolerations }));
    }
  }
}

/** Garbage collector: managed objects whose controller owner (Deployment, ReplicaSet, DaemonSet, StatefulSet) no longer exists. */
export function collectGarbage(store: ObjectStore): void {
  const owners = new Map<string, ResourceRef>([
    ['Deployment', refs.deployments],
    ['ReplicaSet', refs.replicasets],
    ['DaemonSet', refs.daemonsets],
    ['StatefulSet', { group: 'apps', resource: 'statefulsets' }],
  ]);
  const uids = new Set([...owners.values()].flatMap((ref) => store.list(ref).items.map((o) => o.metadata.uid)));
  for (const ref of [refs.replicasets, refs.pods]) {
    for (const o of managed(store, ref)) {
      const c = controllerOf(o);
      if (c && owners.has(c.kind) && !uids.has(c.uid)) store.delete(ref, o.metadata.namespace, o.metadata.name);
    }
  }
}

export function refreshStatuses(store: ObjectStore): void {
  const pods = managed(store, refs.pods);
  const nodes = nodeViews(store);
  const allRs = managed(store, refs.replicasets);
  for (const rs of allRs) writeStatus(store, refs.replicasets, rs, replicaSetStatus(rs, ownedBy(pods, rs)));
  for (const d of managed(store, refs.deployments)) writeStatus(store, refs.deployments, d, deploymentStatus(d, ownedBy(allRs, d), pods, `${d.metadata.name}-${templateHashOf(d)}`));
  for (const ds of managed(store, refs.daemonsets)) writeStatus(store, refs.daemonsets, ds, daemonSetStatus(ds, ownedBy(pods, ds), daemonSetNodes(ds, nodes).length, templateHashOf(ds)));
}

/** One pass of every controller, in dependency order. */
export function reconcileAll(store: ObjectStore): void {
  collectGarbage(store);
  reconcileDeployments(store);
  reconcileReplicaSets(store);
  reconcileDaemonSets(store);
  refreshStatuses(store);
}

export { selectorMatches };
