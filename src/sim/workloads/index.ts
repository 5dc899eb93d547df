/**
 * The simulated cluster's workload controllers (one set per cluster, started when its API is up):
 * Deployment/ReplicaSet/DaemonSet controllers and the garbage collector (controllers.ts), StatefulSets
 * (statefulsets.ts), the scheduler
 * (scheduler.ts), the kubelets (kubelet.ts), Service ClusterIP admission and EndpointSlices
 * (services.ts). They manage every namespace but the system ones (scope.ts). Each store event of a
 * watched resource schedules one coalesced reconcile pass; passes write only what changed.
 */
import type { HostState, SimClusterSpec, SimContext } from '../context.js';
import { refs } from '../cluster/objects.js';
import type { ResourceRef, StoredObject } from '../store.js';
import { reconcileAll, refreshStatuses } from './controllers.js';
import { Kubelets } from './kubelet.js';
import { schedulePending } from './scheduler.js';
import { reconcileStatefulSets, refreshStatefulSetStatuses, STATEFULSETS_REF } from './statefulsets.js';
import { admitPod } from './pods.js';
import { isManaged } from './scope.js';
import { admitService, reconcileEndpointSlices } from './services.js';

export { KUBELET_DURATIONS } from './kubelet.js';
export { ENDPOINTSLICES_REF } from './services.js';
export { isManaged, SYSTEM_NAMESPACES } from './scope.js';

export interface Workloads {
  /** Mutating admission for the API server (Service defaults and ClusterIP). */
  admit(type: { group: string; name: string }, obj: StoredObject): void;
  /** Resolves once no reconcile pass is pending (tests). */
  quiet(): Promise<void>;
  stop(): void;
}

const WATCHED: readonly ResourceRef[] = [refs.pods, refs.deployments, refs.replicasets, refs.daemonsets, STATEFULSETS_REF, refs.nodes, refs.services];

export function startWorkloads(ctx: SimContext, host: HostState, cluster: SimClusterSpec): Workloads {
  const { store } = ctx;
  const kubelets = new Kubelets(ctx, host, ctx.faults);
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const pass = (): void => {
    scheduled = undefined;
    if (stopped) return;
    reconcileAll(store);
    reconcileStatefulSets(store);
    schedulePending(store);
    kubelets.sync();
    refreshStatuses(store);
    refreshStatefulSetStatuses(store);
    reconcileEndpointSlices(store);
    if (scheduled === undefined) for (const w of waiters.splice(0)) w();
  };
  const kick = (): void => {
    if (!stopped && scheduled === undefined) scheduled = setImmediate(pass);
  };
  const unwatch = WATCHED.map((ref) =>
    store.watch(ref, (e) => {
      if (e.type === 'DELETED' && ref === refs.pods) kubelets.deleted(e.object);
      // Node changes (taints, readiness) reschedule; the system namespaces' objects are not ours
      // (a kubelet waiting for calico-node watches for it itself) — but their Services and pods have
      // EndpointSlices (kube-dns and CoreDNS), which the pass keeps in step.
      if (isManaged(e.object) || ref === refs.nodes || ref === refs.services || ref === refs.pods) kick();
    }),
  );
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (scheduled) clearImmediate(scheduled);
    for (const u of unwatch) u();
    kubelets.stop();
    for (const w of waiters.splice(0)) w();
  };
  ctx.signal.addEventListener('abort', stop, { once: true });
  kick();
  return {
    admit(type, obj) {
      if (type.group !== '' || !isManaged(obj)) return;
      if (type.name === 'services') admitService(store, cluster.serviceSubnet, obj);
      if (type.name === 'pods') admitPod(obj);
    },
    quiet: () => (scheduled === undefined ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    stop,
  };
}
